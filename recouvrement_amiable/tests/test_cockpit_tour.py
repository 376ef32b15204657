from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestCockpitTour(RecouvrementCommon, HttpCase):
    def test_manager_follows_a_card_and_pivots_a_graph(self):
        manager = new_test_user(
            self.env,
            "cockpit_manager",
            groups="account.group_account_invoice,"
            "recouvrement_amiable.group_recouvrement_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        debtor = self.env["res.partner"].create(
            {"name": "Tour Cockpit SARL", "is_company": True}
        )
        self.invoice(debtor, 1200.0, days_late=40)
        self.start_tour(
            "/odoo/action-recouvrement_amiable.action_recouvrement_kpi_dashboard",
            "recouvrement_cockpit_dashboard",
            login=manager.login,
        )
