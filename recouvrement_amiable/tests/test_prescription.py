from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestPrescription(RecouvrementCommon):
    def invoice_dated(self, partner, invoice_date, amount=500.0):
        """A posted invoice dated ``invoice_date``, due 30 days later."""
        return self.invoice(partner, amount, (TODAY - invoice_date).days - 30)

    def test_time_bar_dates(self):
        pro = self.invoice_dated(self.debtor, date(2025, 9, 19))
        consumer = self.invoice_dated(self.consumer, date(2025, 9, 19))
        self.assertEqual(pro.invoice_date, date(2025, 9, 19))
        # 5 years between professionals, 2 against a consumer: the claim can
        # be pursued up to the anniversary, time-barred from the next day.
        self.assertEqual(pro.recouvrement_prescription_date, date(2030, 9, 20))
        self.assertEqual(consumer.recouvrement_prescription_date, date(2027, 9, 20))
        self.assertEqual(pro.recouvrement_prescription_state, "ok")
        self.assertFalse(pro.recouvrement_time_barred)
        # Drafts and other moves have none.
        draft = self.invoice(self.debtor, 100.0, 10, post=False)
        self.assertFalse(draft.recouvrement_prescription_date)

    def test_partial_payment_restarts_the_period(self):
        invoice = self.invoice_dated(self.consumer, date(2024, 9, 4))
        self.assertEqual(invoice.recouvrement_prescription_date, date(2026, 9, 5))
        self.assertTrue(invoice.recouvrement_time_barred)
        # Paid in part on 2025-06-01 (while the claim was alive).
        self.pay(invoice, 100.0, on_date=date(2025, 6, 1))
        self.assertEqual(invoice.recouvrement_prescription_date, date(2027, 6, 2))
        self.assertFalse(invoice.recouvrement_time_barred)

    def test_credit_note_does_not_restart_the_period(self):
        invoice = self.invoice_dated(self.consumer, date(2025, 1, 10))
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.consumer.id,
                "invoice_date": date(2025, 6, 1),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Avoir", "price_unit": 100.0, "tax_ids": []}
                    )
                ],
            }
        )
        refund.action_post()
        (invoice + refund).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).reconcile()
        self.assertEqual(invoice.amount_residual, 400.0)
        self.assertEqual(invoice.recouvrement_prescription_date, date(2027, 1, 11))

    def test_signed_plan_restarts_the_period(self):
        invoice = self.invoice_dated(self.debtor, date(2021, 3, 10))
        self.assertEqual(invoice.recouvrement_prescription_date, date(2026, 3, 11))
        # The debtor signed an installment plan on 2023-06-01.
        invoice._recouvrement_record_acknowledgment(date(2023, 6, 1))
        self.assertEqual(invoice.recouvrement_acknowledgment_date, date(2023, 6, 1))
        self.assertEqual(invoice.recouvrement_prescription_date, date(2028, 6, 2))
        # An older acknowledgment changes nothing.
        invoice._recouvrement_record_acknowledgment(date(2022, 1, 1))
        self.assertEqual(invoice.recouvrement_acknowledgment_date, date(2023, 6, 1))

    def test_formal_notice_does_not_restart_the_period(self):
        invoice = self.invoice_dated(self.consumer, date(2025, 1, 10))
        before = invoice.recouvrement_prescription_date
        self.assertEqual(before, date(2027, 1, 11))
        notice = self.consumer_levels[65]
        self.reminder(self.consumer, invoice, notice, contact="2026-11-03 09:00:00")
        self.env.add_to_compute(
            invoice._fields["recouvrement_prescription_date"], invoice
        )
        invoice.flush_recordset()
        self.assertEqual(invoice.recouvrement_level_id, notice)
        self.assertEqual(invoice.recouvrement_prescription_date, before)

    def test_periods_and_start_per_policy(self):
        invoice = self.invoice_dated(self.consumer, date(2025, 9, 19))
        self.policy_consumer.prescription_years_consumer = 3
        self.assertEqual(invoice.recouvrement_prescription_date, date(2028, 9, 20))
        invoice.delivery_date = date(2025, 8, 1)
        self.policy_consumer.prescription_start = "delivery_date"
        self.assertEqual(invoice.recouvrement_prescription_date, date(2028, 8, 2))
        with self.assertRaisesRegex(ValidationError, "at least one year"):
            self.policy_consumer.prescription_years_professional = 0
        # The customer's debtor type decides the period (and the policy).
        self.consumer.recouvrement_debtor_type = "professional"
        self.assertEqual(invoice.recouvrement_prescription_date, date(2030, 9, 20))

    def test_warnings_flag_and_filters(self):
        soon = self.invoice_dated(self.debtor, date(2022, 1, 21))  # in 60 days
        imminent = self.invoice_dated(self.debtor, date(2021, 12, 12))  # in 20 days
        barred = self.invoice_dated(self.consumer, date(2024, 9, 4))
        fresh = self.invoice_dated(self.debtor, date(2026, 9, 1))
        self.assertEqual(soon.recouvrement_prescription_date, TODAY + timedelta(60))
        self.assertEqual(imminent.recouvrement_prescription_date, TODAY + timedelta(20))
        states = {
            move: move.recouvrement_prescription_state
            for move in soon | imminent | barred | fresh
        }
        self.assertEqual(
            states,
            {soon: "soon", imminent: "imminent", barred: "barred", fresh: "ok"},
        )
        Move = self.env["account.move"]
        ours = [("id", "in", (soon | imminent | barred | fresh).ids)]
        self.assertEqual(
            Move.search(ours + [("recouvrement_prescription_soon", "=", True)]),
            soon | imminent,
        )
        self.assertEqual(
            Move.search(ours + [("recouvrement_time_barred", "=", True)]), barred
        )
        self.assertEqual(
            Move.search(ours + [("recouvrement_time_barred", "=", False)]),
            soon | imminent | fresh,
        )
        # Horizons are settings of the policy.
        self.policy_pro.write(
            {"prescription_warning_days": 30, "prescription_urgent_days": 10}
        )
        soon.invalidate_recordset(["recouvrement_prescription_state"])
        imminent.invalidate_recordset(["recouvrement_prescription_state"])
        self.assertEqual(soon.recouvrement_prescription_state, "ok")
        self.assertEqual(imminent.recouvrement_prescription_state, "soon")
        self.assertEqual(
            Move.search(ours + [("recouvrement_prescription_soon", "=", True)]),
            imminent,
        )
        # A paid invoice is no longer flagged.
        self.pay(imminent, imminent.amount_residual)
        imminent.invalidate_recordset(["recouvrement_prescription_state"])
        self.assertEqual(imminent.recouvrement_prescription_state, "ok")

    def test_time_barred_invoice_skipped_by_the_run(self):
        barred = self.invoice_dated(self.consumer, date(2024, 9, 4))
        self.assertEqual(
            barred._recouvrement_blocking_reasons(TODAY),
            {barred.id: "Time-barred since 09/05/2026"},
        )
        # Alone: no reminder at all.
        self.assertFalse(self.run_dunning())
        # With a recent overdue invoice: the reminder leaves it out.
        recent = self.invoice(self.consumer, 200.0, days_late=12)
        action = self.run_dunning()
        self.assertEqual(action.line_ids.move_id, recent)
        # The day before it became time-barred, it was still reminded.
        self.assertFalse(barred._recouvrement_blocking_reasons(date(2026, 9, 4)))
