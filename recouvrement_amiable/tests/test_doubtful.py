from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import NOW, TODAY, RecouvrementCommon

JUDGMENT = date(2026, 11, 13)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDoubtful(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vat_account = cls.env["account.account"].create(
            {
                "code": "445719",
                "name": "TVA collectée test",
                "account_type": "liability_current",
            }
        )
        cls.vat20 = cls.env["account.tax"].create(
            {"name": "TVA 20 % test", "amount": 20.0, "type_tax_use": "sale"}
        )
        (
            cls.vat20.invoice_repartition_line_ids
            | cls.vat20.refund_repartition_line_ids
        ).filtered(lambda r: r.repartition_type == "tax").account_id = cls.vat_account
        cls.garage = cls.env["res.partner"].create(
            {"name": "Garage Petit SAS", "is_company": True}
        )
        cls.accounts = cls.company._recouvrement_doubtful_accounts()

    def taxed_invoice(self, partner, untaxed, days_late=60):
        due = TODAY - timedelta(days=days_late)
        move = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "invoice_date": due - timedelta(days=30),
                "invoice_date_due": due,
                "invoice_payment_term_id": False,
                "invoice_line_ids": [
                    Command.create(
                        {
                            "name": "Prestation",
                            "price_unit": untaxed,
                            "tax_ids": [Command.set(self.vat20.ids)],
                        }
                    )
                ],
            }
        )
        move.action_post()
        return move

    def proceeding(self, partner, kind="redressement"):
        return self.env["recouvrement.proceeding"].create(
            {"partner_id": partner.id, "kind": kind, "judgment_date": JUDGMENT}
        )

    def closing(self, on_date):
        closing = self.env["recouvrement.doubtful.closing"].create({"date": on_date})
        closing.action_compute()
        return closing

    def balance(self, moves, key, partner=None):
        lines = moves.line_ids.filtered(
            lambda ml: (
                ml.account_id == self.accounts[key]
                and (partner is None or ml.partner_id == partner)
            )
        )
        return round(sum(lines.mapped("balance")), 2)

    def test_first_and_second_closing(self):
        durand = self.taxed_invoice(self.debtor, 1000.0)  # 1,200.00 incl. VAT
        garage = self.taxed_invoice(self.garage, 2000.0)  # 2,400.00 incl. VAT
        self.taxed_invoice(self.consumer, 500.0)  # not doubtful
        durand_proceeding = self.proceeding(self.debtor)
        self.proceeding(self.garage)

        first = self.closing(TODAY)
        lines = {line.partner_id: line for line in first.line_ids}
        self.assertEqual(set(lines), {self.debtor, self.garage})
        # LEGAL_FR §9: 1,200.00 incl. 200.00 VAT at 50 % = 500.00.
        self.assertAlmostEqual(lines[self.debtor].amount_total, 1200.00, places=2)
        self.assertAlmostEqual(lines[self.debtor].amount_untaxed, 1000.00, places=2)
        self.assertEqual(lines[self.debtor].rate, 50.0)
        self.assertAlmostEqual(lines[self.debtor].depreciation, 500.00, places=2)
        self.assertAlmostEqual(lines[self.debtor].increase, 500.00, places=2)
        self.assertAlmostEqual(lines[self.garage].depreciation, 1000.00, places=2)
        first.action_post()
        self.assertEqual(first.state, "posted")
        self.assertEqual(len(first.move_ids), 2)
        self.assertEqual(set(first.move_ids.mapped("state")), {"posted"})
        moves = first.move_ids
        self.assertEqual(self.balance(moves, "doubtful", self.debtor), 1200.00)
        self.assertEqual(self.balance(moves, "doubtful", self.garage), 2400.00)
        receivable = durand.line_ids.filtered(
            lambda ml: ml.account_type == "asset_receivable"
        ).account_id
        self.assertEqual(
            round(
                sum(
                    moves.line_ids.filtered(
                        lambda ml: ml.account_id == receivable
                    ).mapped("balance")
                ),
                2,
            ),
            -3600.00,
        )
        self.assertEqual(self.balance(moves, "expense"), 1500.00)
        self.assertEqual(self.balance(moves, "provision", self.debtor), -500.00)
        self.assertEqual(self.balance(moves, "provision", self.garage), -1000.00)
        self.assertIn(durand, first.line_ids.invoice_ids)
        self.assertIn(
            first.line_ids[0], first.line_ids.invoice_ids.recouvrement_doubtful_line_ids
        )
        # The invoices stay open: the reclassification does not settle them.
        self.assertAlmostEqual(durand.amount_residual, 1200.00, places=2)

        # A month later: Durand in liquidation (100 %), the garage paid half
        # and its rate lowered to 20 % by the accountant.
        durand_proceeding.action_convert_liquidation()
        self.pay(garage, 1200.0)
        second = self.closing(TODAY + timedelta(days=38))
        self.assertEqual(second.previous_id, first)
        lines = {line.partner_id: line for line in second.line_ids}
        self.assertEqual(lines[self.debtor].rate, 100.0)
        self.assertAlmostEqual(lines[self.debtor].depreciation, 1000.00, places=2)
        self.assertAlmostEqual(lines[self.debtor].increase, 500.00, places=2)
        lines[self.garage].rate = 20.0
        self.assertAlmostEqual(lines[self.garage].amount_total, 1200.00, places=2)
        self.assertAlmostEqual(lines[self.garage].amount_untaxed, 1000.00, places=2)
        self.assertAlmostEqual(lines[self.garage].depreciation, 200.00, places=2)
        self.assertAlmostEqual(lines[self.garage].reversal, 800.00, places=2)
        second.action_post()
        moves = second.move_ids
        self.assertEqual(len(moves), 3)  # reversal, reclassification, depreciation
        for move in moves:
            self.assertEqual(round(sum(move.line_ids.mapped("balance")), 2), 0.0)
        self.assertEqual(self.balance(moves, "doubtful"), 2400.00 - 3600.00)
        self.assertEqual(self.balance(moves, "expense", self.debtor), 500.00)
        self.assertEqual(self.balance(moves, "provision", self.debtor), -500.00)
        self.assertEqual(self.balance(moves, "provision", self.garage), 800.00)
        self.assertEqual(self.balance(moves, "reversal", self.garage), -800.00)
        # Over both closings: 416 holds 2,400.00, 491 holds 1,200.00.
        both = first.move_ids | moves
        self.assertEqual(self.balance(both, "doubtful"), 2400.00)
        self.assertEqual(self.balance(both, "provision"), -1200.00)

    def test_debtor_rate_and_bad_rates(self):
        self.taxed_invoice(self.debtor, 1000.0)
        self.proceeding(self.debtor)
        self.debtor.recouvrement_doubtful_rate = 30.0
        closing = self.closing(TODAY)
        self.assertEqual(closing.line_ids.rate, 30.0)
        self.assertAlmostEqual(closing.line_ids.depreciation, 300.00, places=2)
        with self.assertRaisesRegex(ValidationError, "between 0 % and 100 %"):
            closing.line_ids.rate = 100.5
        with self.assertRaisesRegex(ValidationError, "between 0 % and 100 %"):
            self.debtor.recouvrement_doubtful_rate = 120.0
        with self.assertRaisesRegex(ValidationError, "between 0 % and 100 %"):
            self.policy_pro.doubtful_rule_ids[:1].rate = 101.0

    def test_access(self):
        self.taxed_invoice(self.debtor, 1000.0)
        self.proceeding(self.debtor)
        closing = self.closing(TODAY)
        with self.assertRaises(AccessError):
            closing.with_user(self.collector).read(["date"])
        other = self.env["res.company"].create({"name": "Autre société"})
        accountant = new_test_user(
            self.env,
            "accountant_other",
            groups="account.group_account_user",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(
            self.env["recouvrement.doubtful.closing"]
            .with_user(accountant)
            .search([("id", "=", closing.id)])
        )

    def write_off(self, moves, reason, on_date=TODAY):
        wizard = (
            self.env["recouvrement.write.off"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create({"reason": reason, "date": on_date})
        )
        action = wizard.action_write_off()
        if action.get("res_id"):
            return self.env["account.move"].browse(action["res_id"])
        return self.env["account.move"].search(action["domain"])

    def test_write_off_vat_on_debits(self):
        # LEGAL_FR §9: 1,200.00 incl. 200.00 VAT on debits, provision 500.00
        # -> 654 1,000.00 + 44571 200.00 / 1,200.00; 491 500.00 / 7817 500.00.
        invoice = self.taxed_invoice(self.debtor, 1000.0)
        proceeding = self.proceeding(self.debtor, "liquidation")
        self.debtor.recouvrement_doubtful_rate = 50.0
        self.closing(TODAY).action_post()
        with self.assertRaisesRegex(UserError, "insufficient assets"):
            self.write_off(invoice, "liquidation")
        proceeding.action_close_insufficient()
        entries = self.write_off(invoice, "liquidation")
        self.assertIn(invoice.payment_state, ("paid", "reversed"))
        credit_note = entries.filtered(lambda m: m.move_type == "out_refund")
        self.assertAlmostEqual(credit_note.amount_total, 1200.00, places=2)
        self.assertAlmostEqual(credit_note.amount_tax, 200.00, places=2)
        self.assertEqual(self.balance(credit_note, "loss_year"), 1000.00)
        vat = credit_note.line_ids.filtered("tax_line_id")
        self.assertEqual(vat.account_id, self.vat_account)
        self.assertAlmostEqual(sum(vat.mapped("balance")), 200.00, places=2)
        self.assertEqual(self.balance(entries, "provision", self.debtor), 500.00)
        self.assertEqual(self.balance(entries, "reversal", self.debtor), -500.00)
        for entry in entries:
            self.assertEqual(round(sum(entry.line_ids.mapped("balance")), 2), 0.0)
        # The next closing finds nothing left to depreciate.
        self.assertFalse(self.closing(TODAY + timedelta(days=38)).line_ids)

    def test_write_off_vat_on_receipts(self):
        self.company.tax_exigibility = True
        transition = self.env["account.account"].create(
            {
                "code": "445740",
                "name": "TVA en attente test",
                "account_type": "liability_current",
                "reconcile": True,
            }
        )
        self.vat20.write(
            {
                "tax_exigibility": "on_payment",
                "cash_basis_transition_account_id": transition.id,
            }
        )
        invoice = self.taxed_invoice(self.debtor, 1000.0, days_late=2000)
        self.assertTrue(invoice.recouvrement_prescription_date <= TODAY)
        entries = self.write_off(invoice, "prescription")
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(len(entries), 1)
        # Claim of an earlier year, no VAT to recover: 6544 1,200.00.
        self.assertEqual(self.balance(entries, "loss_earlier"), 1200.00)
        self.assertAlmostEqual(
            sum(entries.line_ids.mapped("credit")), 1200.00, places=2
        )
        self.assertFalse(entries.line_ids.filtered("tax_line_id"))
        # The VAT was never due: no cash-basis entry moved it.
        self.assertFalse(
            self.env["account.move"].search(
                [("tax_cash_basis_origin_move_id", "=", invoice.id)]
            )
        )
        with self.assertRaisesRegex(UserError, "still due"):
            self.write_off(invoice, "prescription")

    def test_write_off_not_time_barred(self):
        invoice = self.taxed_invoice(self.debtor, 1000.0)
        with self.assertRaisesRegex(UserError, "not time-barred"):
            self.write_off(invoice, "prescription")

    def test_rules_overdue_and_level(self):
        self.env["recouvrement.doubtful.rule"].create(
            [
                {
                    "policy_id": self.policy_pro.id,
                    "trigger": "overdue",
                    "days": 90,
                    "rate": 25.0,
                },
                {
                    "policy_id": self.policy_pro.id,
                    "trigger": "level",
                    "level_id": self.levels[45].id,
                    "rate": 40.0,
                },
            ]
        )
        old = self.taxed_invoice(self.debtor, 1000.0, days_late=120)
        recent = self.taxed_invoice(self.debtor, 500.0, days_late=60)
        self.taxed_invoice(self.garage, 800.0, days_late=60)  # nothing matches
        self.reminder(self.debtor, recent, self.levels[45], contact=NOW)
        closing = self.closing(TODAY)
        self.assertEqual(closing.line_ids.partner_id, self.debtor)
        self.assertEqual(closing.line_ids.invoice_ids, old | recent)
        # The debtor's line takes the highest rate of its invoices.
        self.assertEqual(closing.line_ids.rate, 40.0)
        self.assertAlmostEqual(closing.line_ids.amount_total, 1800.00, places=2)
        self.assertAlmostEqual(closing.line_ids.depreciation, 600.00, places=2)
