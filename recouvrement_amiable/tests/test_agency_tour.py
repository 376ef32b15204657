from odoo import Command, fields
from odoo.tests import HttpCase, new_test_user, tagged

from ..tools.data_generator import ensure_current_rates
from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestAgencyTour(RecouvrementCommon, HttpCase):
    def test_manager_hands_invoices_over_from_the_list(self):
        # The hand-over states interest to today: its half-year needs a rate.
        ensure_current_rates(self.env, fields.Date.today())
        manager = new_test_user(
            self.env,
            "agency_manager",
            groups="account.group_account_invoice,"
            "recouvrement_amiable.group_recouvrement_manager",
            email="direction@creancier.example",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        agency = self.env["res.partner"].create(
            {
                "name": "Cabinet Tour SAS",
                "is_company": True,
                "email": "dossiers@tour.example",
                "recouvrement_is_agency": True,
                "recouvrement_agency_mandate_ref": "MAND-TOUR",
                "recouvrement_agency_mandate_date": "2026-01-15",
            }
        )
        debtor = self.env["res.partner"].create(
            {"name": "Tour Agence SARL", "is_company": True}
        )
        invoices = self.invoice(debtor, 1000.0, days_late=40) | self.invoice(
            debtor, 500.0, days_late=70
        )
        self.start_tour(
            "/odoo/action-account.action_move_out_invoice_type",
            "recouvrement_manager_agency",
            login=manager.login,
        )
        export = self.env["recouvrement.case.export"].search(
            [("agency_id", "=", agency.id)]
        )
        self.assertEqual(len(export), 1)
        self.assertEqual(export.user_id, manager)
        self.assertEqual(export.move_ids, invoices)
        self.assertEqual(export.note, "Client prévenu par téléphone.")
        self.assertEqual(export.attachment_ids.name, f"{export.name}.xlsx")
        case = export.case_ids
        self.assertRecordValues(
            case,
            [
                {
                    "partner_id": debtor.id,
                    "state": "sent",
                    "transfer_date": fields.Date.today(),
                    "amount_principal": 1500.0,
                    "amount_indemnity": 80.0,
                    "amount_residual": 1500.0,
                    "currency_id": self.company.currency_id.id,
                }
            ],
        )
        self.assertEqual(case.move_ids, invoices)
        self.assertEqual(invoices.mapped("recouvrement_with_agency"), [True, True])
