from datetime import date, timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestPenalties(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # 1 USD (company currency) = 0.5 EUR: 40 EUR = 80 USD.
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 0.5)])
        cls.Rate = cls.env["recouvrement.legal.rate"]
        cls.Penalty = cls.env["recouvrement.penalty"]
        cls.Wizard = cls.env["recouvrement.penalty.invoice"]
        # The first reminders state the penalties, to test them in one run.
        cls.levels[7].state_penalties = True
        cls.consumer_levels[10].state_penalties = True

    def add_h2_2026(self):
        """Enter H2 2026 again (RecouvrementCommon's test figures)."""
        return self.Rate.create(
            {
                "date_from": "2026-07-01",
                "ecb_rate": 2.0,  # late-payment rate 12.00 %
                "legal_rate": 2.5,  # floor of contractual rates 7.50 %
                "legal_rate_individual": 6.5,
            }
        )

    def wizard(self, moves, **values):
        return self.Wizard.with_context(
            active_model="account.move", active_ids=moves.ids
        ).create(values)

    # ------------------------------------------------------------------
    # Rates
    # ------------------------------------------------------------------

    def test_shipped_rates(self):
        rates = self.Rate.search([("date_from", "<=", "2026-01-01")])
        self.assertEqual(len(rates), 7)
        self.assertEqual(rates[-1].date_from, date(2023, 1, 1))
        h1_2025 = rates.filtered(lambda r: r.date_from == date(2025, 1, 1))
        self.assertRecordValues(
            h1_2025,
            [
                {
                    "name": "H1 2025",
                    "date_to": date(2025, 6, 30),
                    "ecb_rate": 3.15,
                    "late_payment_rate": 13.15,
                    "legal_rate": 3.71,
                    "contractual_floor": 11.13,
                    "legal_rate_individual": 7.21,
                }
            ],
        )
        with self.assertRaisesRegex(ValidationError, "1 January or 1 July"):
            self.Rate.create(
                {"date_from": "2026-08-01", "ecb_rate": 2, "legal_rate": 2}
            )

    def test_worked_examples_of_the_legal_notes(self):
        """LEGAL_FR.md section 1, in the add-on (EUR invoices paid late)."""
        examples = [
            (10000.0, date(2025, 3, 31), date(2025, 6, 30), 327.85),
            (5000.0, date(2025, 5, 15), date(2025, 8, 14), 157.76),
            (8000.0, date(2026, 1, 15), date(2026, 3, 16), 159.78),
        ]
        for amount, due, paid, interest in examples:
            invoice = self.invoice(
                self.debtor, amount, (TODAY - due).days, currency=self.eur
            )
            self.pay(invoice, amount, on_date=paid)
            claim = self.Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
            self.assertFalse(claim.error)
            self.assertAlmostEqual(claim.interest, interest, places=2)
            self.assertEqual(claim.indemnity, 40.0)
            self.assertEqual(claim.date_to, paid)

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------

    def test_reminder_lines_interest_and_indemnity_to_the_cent(self):
        late = self.invoice(self.debtor, 10000.0, days_late=35, currency=self.eur)
        old = self.invoice(self.debtor, 1000.0, days_late=156, currency=self.eur)
        # 4,000 paid on 3 November: 10,000 bore interest until that day.
        self.pay(late, 4000.0, on_date=date(2026, 11, 3))
        action = self.run_dunning()
        self.assertEqual(action.level_id, self.levels[7])
        self.assertEqual(action.state, "done")
        lines = {line.move_id: line for line in action.line_ids}
        # 2026-10-20..11-03: 15 days × 10,000 × 12 % / 365 = 49.32
        # 2026-11-04..11-23: 20 days × 6,000 × 12 % / 365 = 39.45
        self.assertEqual(lines[late].interest_amount, 88.77)
        self.assertEqual(lines[late].indemnity_amount, 40.0)
        # 2026-06-21..06-30: 10 days at 12.15 % = 3.33; then 146 days at
        # 12.00 % = 48.00 (split at 1 July).
        self.assertEqual(lines[old].interest_amount, 51.33)
        self.assertEqual(lines[old].indemnity_amount, 40.0)
        self.assertEqual(lines[old].move_currency_id, self.eur)
        table = action._invoice_table_values()
        self.assertTrue(table["penalties"])
        self.assertEqual(
            [row["interest"] for row in table["rows"]],
            [
                action._formatter().amount(lines[move].interest_amount, self.eur)
                for move in action.line_ids.move_id
            ],
        )

    def test_levels_without_penalties_state_none(self):
        self.levels[7].state_penalties = False
        invoice = self.invoice(self.debtor, 1000.0, days_late=10, currency=self.eur)
        action = self.run_dunning()
        self.assertEqual(action.line_ids.move_id, invoice)
        self.assertEqual(action.line_ids.interest_amount, 0.0)
        self.assertEqual(action.line_ids.indemnity_amount, 0.0)
        self.assertEqual(action.state, "done")

    def test_indemnity_in_the_invoice_currency(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=35)  # USD
        line = self.run_dunning().line_ids
        self.assertEqual(line.move_currency_id, self.company.currency_id)
        self.assertEqual(line.indemnity_amount, 80.0)  # 40 EUR
        self.assertEqual(line.interest_amount, 11.51)  # 1000 × 12 % × 35 / 365
        self.assertEqual(line.move_id, invoice)

    def test_missing_rate_is_an_error_never_zero(self):
        self.rate_h2_2026.unlink()
        invoice = self.invoice(self.debtor, 1000.0, days_late=10, currency=self.eur)
        action = self.run_dunning()
        # The reminder does not go out without its interest...
        self.assertEqual(action.state, "failed")
        self.assertTrue(action.recouvrement_penalty_missing)
        self.assertFalse(action.contact_date)
        self.assertIn(
            "No late-payment rate is known for the half-year from 07/01/2026 to "
            "12/31/2026",
            action.failure_reason,
        )
        # ... nor is a penalty invoice created.
        wizard = self.wizard(invoice)
        self.assertIn("07/01/2026", wizard.error)
        with self.assertRaisesRegex(UserError, "No late-payment rate is known"):
            wizard.action_create_invoice()
        # Retried later, still missing: still failed.
        action.action_retry()
        self.assertEqual(action.state, "failed")
        # Once the rate is entered, the retry computes it and sends.
        self.add_h2_2026()
        action.action_retry()
        self.assertEqual(action.state, "done")
        self.assertFalse(action.recouvrement_penalty_missing)
        self.assertFalse(action.failure_reason)
        self.assertEqual(action.line_ids.interest_amount, 3.29)  # 10 days at 12 %
        self.assertEqual(action.line_ids.indemnity_amount, 40.0)

    def test_missing_rate_on_a_reminder_to_validate(self):
        """A formal notice failed for a missing rate goes back to validation
        once the rate is known, never out without it."""
        self.rate_h2_2026.unlink()
        self.levels[45].state_penalties = True
        invoice = self.invoice(self.debtor, 1000.0, days_late=50, currency=self.eur)
        for level in (self.levels[7], self.levels[15], self.levels[30]):
            self.reminder(self.debtor, invoice, level, contact="2026-11-03 09:00:00")
        action = self.run_dunning()
        self.assertEqual(action.level_id, self.levels[45])
        self.assertEqual(action.state, "failed")
        self.add_h2_2026()
        action.action_retry()
        self.assertEqual(action.state, "to_validate")
        self.assertFalse(action.failure_reason)
        self.assertEqual(action.line_ids.interest_amount, 16.44)  # 50 days at 12 %

    # ------------------------------------------------------------------
    # Contractual rate
    # ------------------------------------------------------------------

    def test_contractual_rate_floor(self):
        self.rate_h2_2026.unlink()
        # Today's half-year has no rate yet: the latest known one (H1 2026,
        # legal rate 2.62 %) gives the floor.
        with self.assertRaisesRegex(ValidationError, "below the legal minimum of 7.86"):
            self.debtor.recouvrement_contractual_rate = 7.85
        with self.assertRaisesRegex(ValidationError, "below the legal minimum"):
            self.company.recouvrement_contractual_rate = 5.0
        self.debtor.recouvrement_contractual_rate = 7.86
        self.add_h2_2026()
        self.debtor.recouvrement_contractual_rate = 9.0
        invoice = self.invoice(self.debtor, 10000.0, days_late=35, currency=self.eur)
        claim = self.Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim.interest, 86.30)  # 10,000 × 9 % × 35 / 365
        # The customer's rate first, then the company's, then ECB + 10.
        self.debtor.recouvrement_contractual_rate = 0.0
        self.company.recouvrement_contractual_rate = 10.0
        claim = self.Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim.interest, 95.89)
        self.company.recouvrement_contractual_rate = 0.0
        claim = self.Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim.interest, 115.07)

    def test_leap_year_option(self):
        # 10,000 due 2024-01-31, paid 2024-03-01: 30 days at 14.50 %.
        invoice = self.invoice(
            self.debtor, 10000.0, (TODAY - date(2024, 1, 31)).days, currency=self.eur
        )
        self.pay(invoice, 10000.0, on_date=date(2024, 3, 1))
        claim = self.Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim.interest, 119.18)  # / 365
        self.company.recouvrement_interest_leap_years = True
        claim = self.Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim.interest, 118.85)  # / 366

    # ------------------------------------------------------------------
    # Consumers
    # ------------------------------------------------------------------

    def test_consumer_interest_from_formal_notice_no_indemnity(self):
        invoice = self.invoice(self.consumer, 2000.0, days_late=83, currency=self.eur)
        # Before any formal notice: nothing, and the reminder goes out.
        action = self.run_dunning()
        self.assertEqual(action.level_id, self.consumer_levels[10])
        self.assertEqual(action.state, "done")
        self.assertEqual(action.line_ids.interest_amount, 0.0)
        self.assertEqual(action.line_ids.indemnity_amount, 0.0)
        # A formal notice reached the consumer on 3 November.
        notice = self.consumer_levels[65]
        self.reminder(self.consumer, invoice, notice, contact="2026-11-03 09:00:00")
        claim = self.Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim.notice_date, date(2026, 11, 3))
        # 2026-11-04..11-23: 20 days × 2,000 × 2.50 % (legal rate) / 365
        self.assertEqual(claim.interest, 2.74)
        self.assertEqual(claim.indemnity, 0.0)
        # The same customer made professional: penalties from the due date.
        self.consumer.recouvrement_debtor_type = "professional"
        claim = self.Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        self.assertEqual(claim.indemnity, 40.0)
        self.assertEqual(claim.interest, 54.58)  # 2,000 × 12 % × 83 days / 365

    # ------------------------------------------------------------------
    # Penalty invoices
    # ------------------------------------------------------------------

    def test_penalty_invoice_exact_and_never_twice(self):
        late = self.invoice(self.debtor, 10000.0, days_late=35, currency=self.eur)
        wizard = self.wizard(late)
        self.assertEqual(wizard.partner_id, self.debtor)
        self.assertEqual(wizard.interest_total, 115.07)
        self.assertEqual(wizard.indemnity_total, 40.0)
        penalty = self.env["account.move"].browse(
            wizard.action_create_invoice()["res_id"]
        )
        self.assertRecordValues(
            penalty,
            [
                {
                    "move_type": "out_invoice",
                    "partner_id": self.debtor.id,
                    "currency_id": self.eur.id,
                    "invoice_date": TODAY,
                    "amount_untaxed": 155.07,
                    "amount_tax": 0.0,
                    "amount_total": 155.07,
                    "recouvrement_is_penalty_invoice": True,
                    "invoice_origin": late.name,
                }
            ],
        )
        self.assertEqual(
            sorted(penalty.invoice_line_ids.mapped("price_subtotal")), [40.0, 115.07]
        )
        self.assertFalse(penalty.invoice_line_ids.tax_ids)
        self.assertIn("L441-10", str(penalty.narration))
        self.assertIn("40 €", str(penalty.narration))
        self.assertIn("D441-5", " ".join(penalty.invoice_line_ids.mapped("name")))
        self.assertRecordValues(
            late.recouvrement_penalty_ids,
            [
                {
                    "invoice_id": penalty.id,
                    "date_from": date(2026, 10, 20),
                    "date_to": TODAY,
                    "interest_amount": 115.07,
                    "indemnity_amount": 40.0,
                }
            ],
        )
        self.assertEqual(penalty.recouvrement_penalty_source_ids.move_id, late)
        penalty.action_post()
        # The same period again: nothing to invoice.
        with self.assertRaisesRegex(UserError, "Nothing to invoice"):
            self.wizard(late).action_create_invoice()
        # Ten days later: those ten days only, no second indemnity.
        later = self.wizard(late, date=TODAY + timedelta(days=10))
        self.assertEqual(later.interest_total, 32.88)
        self.assertEqual(later.indemnity_total, 0.0)
        # A penalty invoice bears no penalties and cannot be charged.
        self.assertFalse(self.Penalty._recouvrement_claims(penalty, TODAY))
        with self.assertRaisesRegex(UserError, "not on penalty invoices"):
            self.wizard(penalty)
        # A cancelled penalty invoice frees its period.
        penalty.button_draft()
        penalty.button_cancel()
        again = self.wizard(late)
        self.assertEqual(again.interest_total, 115.07)
        self.assertEqual(again.indemnity_total, 40.0)

    def test_penalty_invoice_from_the_customer(self):
        first = self.invoice(self.debtor, 1000.0, days_late=35)
        second = self.invoice(self.debtor, 500.0, days_late=10)
        self.invoice(self.debtor, 300.0, days_late=-5)  # not due
        self.invoice(self.consumer, 300.0, days_late=20)  # someone else
        wizard = self.Wizard.with_context(
            active_model="res.partner", active_ids=self.debtor.ids
        ).create({})
        self.assertEqual(wizard.move_ids, first | second)
        # 11.51 + 500 × 12 % × 10 / 365 = 1.64; 2 × 40 EUR = 160 USD
        self.assertEqual(wizard.interest_total, 13.15)
        self.assertEqual(wizard.indemnity_total, 160.0)
        penalty = self.env["account.move"].browse(
            wizard.action_create_invoice()["res_id"]
        )
        self.assertEqual(penalty.amount_total, 173.15)
        self.assertEqual(penalty.amount_tax, 0.0)
        self.assertEqual(len(penalty.invoice_line_ids), 4)
        self.assertEqual(
            penalty.recouvrement_penalty_source_ids.move_id, first | second
        )

    def test_penalty_invoice_one_customer_one_currency(self):
        first = self.invoice(self.debtor, 1000.0, days_late=35)
        other = self.invoice(self.consumer, 1000.0, days_late=35)
        euro = self.invoice(self.debtor, 1000.0, days_late=35, currency=self.eur)
        with self.assertRaisesRegex(UserError, "one customer"):
            self.wizard(first | other)
        with self.assertRaisesRegex(UserError, "one currency"):
            self.wizard(first | euro)
