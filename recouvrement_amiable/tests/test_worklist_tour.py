from datetime import timedelta

from odoo import Command, fields
from odoo.tests import HttpCase, tagged

from .common import RecouvrementCommon


@tagged("post_install", "-at_install")
class TestWorklistTour(RecouvrementCommon, HttpCase):
    def _action(self, partner, level, state, amount):
        invoice = self.invoice(partner, amount, days_late=level.days + 1)
        return self.env["recouvrement.action"].create(
            {
                "company_id": self.company.id,
                "partner_id": partner.id,
                "policy_id": level.policy_id.id,
                "level_id": level.id,
                "channel": level.channel,
                "state": state,
                "user_id": self.collector.id,
                "planned_date": fields.Date.today(),
                "contact_date": fields.Datetime.now() if state == "to_do" else False,
                "mail_subject": "Mise en demeure" if state == "to_validate" else False,
                "line_ids": [
                    Command.create(
                        {
                            "move_id": invoice.id,
                            "level_id": level.id,
                            "date_due": invoice.invoice_date_due,
                            "amount_residual": amount,
                        }
                    )
                ],
            }
        )

    def test_collector_validates_and_records_a_promise(self):
        partners = self.env["res.partner"].create(
            [
                {
                    "name": "Tour Notice SARL",
                    "is_company": True,
                    "email": "n@tour.example",
                },
                {
                    "name": "Tour Call SAS",
                    "is_company": True,
                    "phone": "01 42 68 53 00",
                },
            ]
        )
        notice = self._action(partners[0], self.levels[45], "to_validate", 2000.0)
        call = self._action(partners[1], self.levels[15], "to_do", 1500.0)
        self.start_tour(
            "/odoo/action-recouvrement_amiable.action_recouvrement_worklist",
            "recouvrement_collector_worklist",
            login=self.collector.login,
        )
        self.assertEqual(notice.state, "to_do")
        self.assertEqual(notice.validated_by_id, self.collector)
        self.assertTrue(notice.attachment_id)
        self.assertEqual(
            (call.state, call.outcome, call.promise_state),
            ("done", "promise", "pending"),
        )
        self.assertEqual(call.promise_amount, 1500.0)
        self.assertEqual(call.promise_date, fields.Date.today() + timedelta(days=7))
