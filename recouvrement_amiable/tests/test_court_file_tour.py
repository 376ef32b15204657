import base64
from datetime import date

from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..tools.data_generator import ensure_current_rates
from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestCourtFileTour(RecouvrementCommon, HttpCase):
    def test_manager_prepares_a_court_file(self):
        manager = new_test_user(
            self.env,
            "court_manager",
            groups="account.group_account_invoice,"
            "recouvrement_amiable.group_recouvrement_manager",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
            tz="Europe/Paris",
            lang="en_US",
        )
        debtor = self.env["res.partner"].create(
            {"name": "Tour Tribunal SARL", "is_company": True, "city": "Lyon"}
        )
        # Tours run at the real date: the claim's interest needs its rates.
        ensure_current_rates(self.env, fields.Date.today())
        invoice = self.invoice(debtor, 1000.0, days_late=40)
        level = self.levels[45]
        notice = self.reminder(
            debtor, invoice, level, contact="2026-11-03 09:00:00", state="done"
        )
        notice._record_proof(
            {
                "sending_method": "registered",
                "tracking_ref": "1A0001",
                "sent_date": date(2026, 11, 4),
                "presented_date": date(2026, 11, 6),
                "delivery_outcome": "signed",
                "proof_scan": base64.b64encode(b"%PDF-1.4 receipt"),
                "proof_scan_name": "ar.pdf",
            }
        )
        self.start_tour(
            f"/odoo/res.partner/{debtor.id}",
            "recouvrement_manager_court_file",
            login=manager.login,
        )
        court_file = self.env["recouvrement.court.file"].search(
            [("partner_id", "=", debtor.id)]
        )
        self.assertEqual(court_file.state, "prepared")
        self.assertEqual(court_file.move_ids, invoice)
        self.assertEqual(court_file.route, "small_claims")
        self.assertTrue(court_file.attachment_id.name.endswith(".zip"))
