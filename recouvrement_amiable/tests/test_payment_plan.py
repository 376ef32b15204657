from datetime import date, timedelta

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestPaymentPlan(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Plan = cls.env["recouvrement.plan"]
        cls.codebtor = cls.env["res.partner"].create(
            {"name": "Jean Durand", "email": "jean.durand@particulier.example"}
        )
        cls.policy_pro.plan_break_days = 15

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def make_plan(self, invoices, **values):
        vals = {
            "partner_id": invoices[:1].partner_id.id,
            "move_ids": [Command.set(invoices.ids)],
            "first_date": date(2026, 12, 15),
            "frequency": "monthly",
            "installment_count": 3,
        }
        vals.update(values)
        return self.Plan.create(vals)

    def sign(self, plan):
        plan.action_confirm()
        plan.action_mark_signed()
        self.assertEqual(plan.state, "active")
        return plan

    def schedule(self, plan):
        return [
            (line.due_date, line.amount, line.is_down_payment)
            for line in plan.line_ids.sorted(lambda li: (li.due_date, li.sequence))
        ]

    def tracking(self, plan):
        return [
            (line.amount_paid, line.amount_residual, line.payment_state, line.is_late)
            for line in plan.line_ids.sorted(lambda li: (li.due_date, li.sequence))
        ]

    def receivable(self, invoices):
        return invoices.line_ids.filtered(
            lambda line: line.account_type == "asset_receivable"
        ).sorted("id")

    # ------------------------------------------------------------------
    # Schedules
    # ------------------------------------------------------------------

    def test_schedule_1000_in_3(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.make_plan(invoice)
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertEqual(plan.currency_id, invoice.currency_id)
        self.assertEqual(
            self.schedule(plan),
            [
                (date(2026, 12, 15), 333.33, False),
                (date(2027, 1, 15), 333.33, False),
                (date(2027, 2, 15), 333.34, False),
            ],
        )
        self.assertEqual(plan.state, "draft")
        self.assertTrue(plan.name.startswith("ECH/"))

    def test_schedule_010_in_3(self):
        invoice = self.invoice(self.debtor, 0.10, days_late=20)
        plan = self.make_plan(invoice)
        self.assertEqual(
            [amount for _due, amount, _dp in self.schedule(plan)], [0.03, 0.03, 0.04]
        )

    def test_schedule_999999_99_in_12(self):
        invoice = self.invoice(self.debtor, 999999.99, days_late=20)
        plan = self.make_plan(
            invoice, installment_count=12, first_date=date(2027, 1, 31)
        )
        schedule = self.schedule(plan)
        self.assertEqual([a for _d, a, _dp in schedule], [83333.33] * 11 + [83333.36])
        self.assertEqual(
            [d for d, _a, _dp in schedule][:3],
            [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)],
        )
        self.assertEqual(schedule[-1][0], date(2027, 12, 31))
        self.assertAlmostEqual(sum(plan.line_ids.mapped("amount")), 999999.99, places=2)

    def test_schedule_100_with_down_payment_in_2(self):
        invoice = self.invoice(self.debtor, 100.0, days_late=20)
        plan = self.make_plan(invoice, installment_count=2, down_payment=33.33)
        self.assertEqual(
            self.schedule(plan),
            [
                (date(2026, 12, 15), 33.33, True),
                (date(2027, 1, 15), 33.33, False),
                (date(2027, 2, 15), 33.34, False),
            ],
        )

    def test_schedule_by_amount_per_installment(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.make_plan(
            invoice,
            schedule_mode="amount",
            installment_amount=300.0,
            frequency="weekly",
        )
        self.assertEqual(
            self.schedule(plan),
            [
                (date(2026, 12, 15), 300.0, False),
                (date(2026, 12, 22), 300.0, False),
                (date(2026, 12, 29), 300.0, False),
                (date(2027, 1, 5), 100.0, False),
            ],
        )

    def test_schedule_from_a_payment_term(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "30 % at 30 days, balance at 60 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 30, "nb_days": 30}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 70, "nb_days": 60}
                    ),
                ],
            }
        )
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.make_plan(
            invoice,
            schedule_mode="payment_term",
            payment_term_id=term.id,
            first_date=date(2026, 12, 1),
        )
        self.assertEqual(
            self.schedule(plan),
            [(date(2026, 12, 31), 300.0, False), (date(2027, 1, 30), 700.0, False)],
        )
        self.sign(plan)
        # One receivable line: due when the last installment completes it.
        self.assertEqual(self.receivable(invoice).date_maturity, date(2027, 1, 30))
        self.assertEqual(invoice.invoice_date_due, date(2027, 1, 30))

    def test_invoice_with_a_multi_line_term_gets_one_date_per_line(self):
        term = self.env["account.payment.term"].create(
            {
                "name": "Half now, half in 30 days",
                "line_ids": [
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 0}
                    ),
                    Command.create(
                        {"value": "percent", "value_amount": 50, "nb_days": 30}
                    ),
                ],
            }
        )
        invoice = self.env["account.move"].create(
            {
                "move_type": "out_invoice",
                "partner_id": self.debtor.id,
                "invoice_date": date(2026, 9, 1),
                "invoice_payment_term_id": term.id,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Prestation", "price_unit": 1000.0, "tax_ids": []}
                    )
                ],
            }
        )
        invoice.action_post()
        lines = self.receivable(invoice).sorted("date_maturity")
        self.assertEqual(
            lines.mapped("date_maturity"), [date(2026, 9, 1), date(2026, 10, 1)]
        )
        plan = self.sign(self.make_plan(invoice, installment_count=2))
        self.assertEqual(
            [(line.balance, line.date_maturity) for line in lines],
            [(500.0, date(2026, 12, 15)), (500.0, date(2027, 1, 15))],
        )
        self.assertEqual(invoice.invoice_date_due, date(2027, 1, 15))
        plan.action_cancel()
        self.assertEqual(
            lines.mapped("date_maturity"), [date(2026, 9, 1), date(2026, 10, 1)]
        )
        self.assertEqual(invoice.invoice_date_due, date(2026, 10, 1))

    def test_multi_invoice_plan(self):
        first = self.invoice(self.debtor, 300.0, days_late=40)
        second = self.invoice(self.debtor, 300.0, days_late=30)
        third = self.invoice(self.debtor, 400.0, days_late=20)
        invoices = first | second | third
        plan = self.make_plan(invoices, installment_count=2)
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertEqual(plan.invoice_count, 3)
        self.assertEqual(
            self.schedule(plan),
            [(date(2026, 12, 15), 500.0, False), (date(2027, 1, 15), 500.0, False)],
        )
        self.sign(plan)
        # Oldest first: 300 within the first installment, the next 300 and
        # the 400 are completed by the second one.
        self.assertEqual(
            [self.receivable(inv).date_maturity for inv in (first, second, third)],
            [date(2026, 12, 15), date(2027, 1, 15), date(2027, 1, 15)],
        )
        self.assertEqual(first.recouvrement_plan_ids, plan)
        self.assertEqual(self.debtor.recouvrement_plan_count, 1)

    # ------------------------------------------------------------------
    # Tracking
    # ------------------------------------------------------------------

    def test_payments_settle_installments_in_date_order(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.sign(self.make_plan(invoice))
        self.pay(invoice, 400.0)
        self.assertEqual(plan.amount_paid, 400.0)
        self.assertEqual(plan.amount_residual, 600.0)
        self.assertEqual(
            self.tracking(plan),
            [
                (333.33, 0.0, "paid", False),
                (66.67, 266.66, "partial", False),
                (0.0, 333.34, "upcoming", False),
            ],
        )
        self.assertEqual(plan.next_due_date, date(2027, 1, 15))
        self.assertEqual(plan.next_amount, 266.66)
        self.assertEqual(plan.installment_paid, 1)
        # A second payment completes the second installment.
        self.pay(invoice, 266.66)
        self.assertEqual(
            [state for _p, _r, state, _l in self.tracking(plan)],
            ["paid", "paid", "upcoming"],
        )

    def test_partial_payment_and_lateness(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.sign(self.make_plan(invoice, first_date=TODAY))
        self.pay(invoice, 100.0)
        self.assertEqual(
            self.tracking(plan)[0], (100.0, 233.33, "partial", False)
        )  # due today: not late yet
        with freeze_time("2026-11-24 09:00:00"):
            plan.line_ids._refresh_payment_state()
            self.assertEqual(self.tracking(plan)[0], (100.0, 233.33, "partial", True))
            self.assertTrue(plan.is_late)
        # Unreconciling the payment takes it back from the plan.
        payment_lines = invoice.line_ids.matched_credit_ids.credit_move_id
        payment_lines.remove_move_reconcile()
        self.assertEqual(plan.amount_paid, 0.0)

    def test_reminder_before_each_installment(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.sign(self.make_plan(invoice))
        # 3 days before the first installment (policy default).
        result = self.Plan._check_plans(date(2026, 12, 11))
        self.assertFalse(result["reminded"])
        result = self.Plan._check_plans(date(2026, 12, 12))
        self.assertEqual(result["reminded"], plan.line_ids.sorted("due_date")[0])
        message = plan.message_ids.filtered(
            lambda m: m.message_type == "comment" and self.debtor in m.partner_ids
        )
        self.assertEqual(len(message), 1)
        self.assertIn("333.33", message.body)
        self.assertIn("12/15/2026", message.subject)
        # Once only.
        self.assertFalse(self.Plan._check_plans(date(2026, 12, 13))["reminded"])
        # SMS channel.
        self.policy_pro.plan_reminder_channel = "sms"
        self.pay(invoice, 333.33)
        result = self.Plan._check_plans(date(2027, 1, 14))
        self.assertEqual(len(result["reminded"]), 1)
        sms = self.env["sms.sms"].search([("partner_id", "=", self.debtor.id)])
        self.assertEqual(sms.number, "+33612345678")
        self.assertIn("333.33", sms.body)

    def test_breach_resumes_dunning_at_the_forced_level(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        original_due = invoice.invoice_date_due
        # Without a plan the debtor would get a reminder today.
        plan = self.sign(self.make_plan(invoice))
        self.assertFalse(self.run_dunning())
        self.assertEqual(
            invoice._recouvrement_blocking_reasons(TODAY),
            {invoice.id: f"In payment plan {plan.name}"},
        )
        # First installment 2026-12-15, 15 days of tolerance.
        self.assertFalse(self.Plan._check_plans(date(2026, 12, 30))["broken"])
        result = self.Plan._check_plans(date(2026, 12, 31))
        self.assertEqual(result["broken"], plan)
        self.assertEqual(plan.state, "broken")
        self.assertIn("16 days late", plan.break_reason)
        # The original due dates are back.
        self.assertEqual(invoice.invoice_date_due, original_due)
        self.assertEqual(self.receivable(invoice).date_maturity, original_due)
        # The collector is told.
        activity = plan.activity_ids
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.summary, "Payment plan broken")
        # The dunning resumes at the formal notice at once.
        notice = self.levels[45]
        self.assertEqual(invoice._recouvrement_forced_levels(), {invoice.id: notice.id})
        actions = self.run_dunning(date(2026, 12, 31))
        self.assertEqual(actions.partner_id, self.debtor)
        self.assertEqual(actions.level_id, notice)
        self.assertEqual(actions.line_ids.move_id, invoice)

    def test_broken_plan_level_from_the_policy(self):
        letter = self.levels[30]
        self.policy_pro.plan_broken_level_id = letter
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.sign(self.make_plan(invoice))
        self.Plan._check_plans(date(2027, 1, 1))
        self.assertEqual(plan.state, "broken")
        self.assertEqual(invoice._recouvrement_forced_levels(), {invoice.id: letter.id})
        with self.assertRaises(ValidationError):
            self.policy_pro.plan_broken_level_id = self.consumer_levels[65]

    def test_fully_paid_plan_closes_itself(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.sign(self.make_plan(invoice))
        self.pay(invoice, 1000.0)
        self.assertEqual(plan.amount_residual, 0.0)
        result = self.Plan._check_plans(TODAY)
        self.assertEqual(result["done"], plan)
        self.assertEqual(plan.state, "done")
        self.assertEqual(plan.close_date, TODAY)
        self.assertEqual(
            [s for _p, _r, s, _l in self.tracking(plan)], ["paid", "paid", "paid"]
        )
        # The signed plan acknowledged the debt (prescription restarts).
        if "recouvrement_acknowledgment_date" in invoice._fields:
            self.assertEqual(invoice.recouvrement_acknowledgment_date, TODAY)

    def test_unsigned_plan_lapses(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        plan = self.make_plan(invoice)
        plan.action_confirm()
        self.assertEqual(plan.state, "waiting_signature")
        self.assertIn(invoice.id, invoice._recouvrement_blocking_reasons(TODAY))
        self.assertFalse(self.Plan._check_plans(date(2026, 12, 30))["lapsed"])
        self.assertEqual(self.Plan._check_plans(date(2026, 12, 31))["lapsed"], plan)
        self.assertEqual(plan.state, "cancelled")
        self.assertFalse(invoice._recouvrement_blocking_reasons(TODAY))

    # ------------------------------------------------------------------
    # Co-debtors, signature, document
    # ------------------------------------------------------------------

    def test_codebtor_consent_blocks_activation(self):
        invoice = self.invoice(self.consumer, 1200.0, days_late=20)
        plan = self.make_plan(
            invoice, codebtor_ids=[Command.create({"partner_id": self.codebtor.id})]
        )
        plan.action_confirm()
        with self.assertRaisesRegex(UserError, "Jean Durand"):
            plan.action_mark_signed()
        self.assertEqual(plan.state, "waiting_signature")
        self.assertTrue(plan.consent_missing)
        # Date without the way it was given: refused.
        with self.assertRaises(ValidationError):
            plan.codebtor_ids.consent_date = TODAY
        plan.codebtor_ids.write({"consent_date": TODAY, "consent_method": "letter"})
        plan.action_mark_signed()
        self.assertEqual(plan.state, "active")
        # The debtor cannot be their own co-debtor.
        with self.assertRaises(ValidationError):
            plan.codebtor_ids = [Command.create({"partner_id": self.consumer.id})]

    def test_online_signature_waits_for_codebtors(self):
        invoice = self.invoice(self.consumer, 1200.0, days_late=20)
        plan = self.make_plan(
            invoice, codebtor_ids=[Command.create({"partner_id": self.codebtor.id})]
        )
        plan.action_confirm()
        signature = (
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8"
            "AAAAASUVORK5CYII="
        )
        self.assertFalse(plan.sudo()._sign_online("Camille Martin", signature))
        self.assertEqual(plan.state, "waiting_signature")
        self.assertEqual(plan.signed_date, TODAY)
        self.assertEqual(plan.signature_method, "portal")
        plan.codebtor_ids.write({"consent_date": TODAY, "consent_method": "portal"})
        plan.action_activate()
        self.assertEqual(plan.state, "active")
        with self.assertRaises(UserError):
            plan.sudo()._sign_online("Camille Martin", signature)
        self.assertTrue(plan.access_url.startswith("/my/payment_plans/"))

    def test_agreement_document(self):
        invoice = self.invoice(self.debtor, 100.0, days_late=20)
        plan = self.make_plan(
            invoice,
            installment_count=2,
            down_payment=33.33,
            codebtor_ids=[Command.create({"partner_id": self.codebtor.id})],
        )
        plan.action_confirm()
        html, _type = self.env["ir.actions.report"]._render_qweb_html(
            "recouvrement_amiable.action_report_plan_agreement", plan.ids
        )
        html = html.decode()
        for text in (
            "Installment agreement / settlement",
            plan.name,
            "Menuiserie Durand SARL",
            "Jean Durand",
            invoice.name,
            "Acknowledgment of debt",
            "article 2240",
            "15 days after its due",
            "Down payment",
            "33.33",
            "33.34",
            "12/15/2026",
            "Read and approved",
        ):
            self.assertIn(text, html)
        # Sending: the composer opens with the agreement template.
        action = plan.action_send_agreement()
        composer = Form(
            self.env["mail.compose.message"].with_context(**action["context"])
        ).save()
        composer.action_send_mail()
        sent = plan.message_ids.filtered(lambda m: self.debtor in m.partner_ids)
        self.assertEqual(len(sent), 1)
        self.assertIn(plan.get_portal_url(), sent.body)
        self.assertEqual(len(sent.attachment_ids), 1)

    def test_propose_a_plan_from_the_customer(self):
        old = self.invoice(self.debtor, 600.0, days_late=40)
        recent = self.invoice(self.debtor, 400.0, days_late=10)
        self.invoice(self.consumer, 50.0, days_late=10)
        action = self.debtor.with_user(
            self.collector
        ).action_recouvrement_propose_plan()
        form = Form(
            self.env["recouvrement.plan"]
            .with_user(self.collector)
            .with_context(**action["context"])
        )
        self.assertEqual(form.partner_id, self.debtor)
        self.assertEqual(set(form.move_ids.ids), set((old | recent).ids))
        self.assertEqual(form.amount_total, 1000.0)
        # The schedule is previewed while the plan is drafted.
        self.assertEqual(len(form.line_ids), 3)
        form.installment_count = 4
        self.assertEqual(len(form.line_ids), 4)
        form.installment_count = 0
        self.assertEqual(len(form.line_ids), 0)  # a warning, no schedule
        form.installment_count = 4
        plan = form.save()
        self.assertEqual(plan.user_id, self.collector)
        self.assertEqual(plan.policy_id, self.policy_pro)
        self.assertEqual(plan.line_ids.mapped("amount"), [250.0] * 4)

    def test_propose_a_plan_from_a_call(self):
        invoice = self.invoice(self.debtor, 900.0, days_late=16)
        self.invoice(self.debtor, 100.0, days_late=2)
        level = self.levels[15]
        call = self.reminder(self.debtor, invoice, level, state="to_do")
        wizard = (
            self.env["recouvrement.call.outcome"]
            .with_user(self.collector)
            .create({"action_id": call.id, "outcome": "reached", "note": "Cash flow"})
        )
        action = wizard.action_confirm_propose_plan()
        self.assertEqual(call.state, "done")
        self.assertEqual(action["res_model"], "recouvrement.plan")
        form = Form(
            self.env["recouvrement.plan"]
            .with_user(self.collector)
            .with_context(**action["context"])
        )
        self.assertEqual(form.partner_id, self.debtor)
        self.assertEqual(form.move_ids.ids, invoice.ids)
        self.assertEqual(form.amount_total, 900.0)
        self.assertEqual(form.save().line_ids.mapped("amount"), [300.0] * 3)

    # ------------------------------------------------------------------
    # Currency and accounting
    # ------------------------------------------------------------------

    def test_plan_in_a_foreign_currency(self):
        usd = self.env.ref("base.USD")
        if usd == self.company.currency_id:
            usd = self.setup_other_currency("CHF")
        else:
            usd.active = True
            self.env["res.currency.rate"].create(
                {"currency_id": usd.id, "name": "2026-01-01", "rate": 1.25}
            )
        invoice = self.invoice(self.debtor, 1000.0, days_late=20, currency=usd)
        receivable = self.receivable(invoice)
        balance = receivable.balance
        self.assertNotEqual(balance, 1000.0)
        plan = self.make_plan(invoice)
        self.assertEqual(plan.currency_id, usd)
        self.assertEqual(plan.amount_total, 1000.0)
        self.assertEqual(
            [line.amount for line in plan.line_ids], [333.33, 333.33, 333.34]
        )
        self.sign(plan)
        self.assertEqual(receivable.date_maturity, date(2027, 2, 15))
        self.assertEqual(receivable.balance, balance)
        self.assertEqual(receivable.amount_currency, 1000.0)
        self.pay(invoice, 400.0)  # in the invoice currency
        self.assertEqual(plan.amount_paid, 400.0)
        self.assertEqual(
            [s for _p, _r, s, _l in self.tracking(plan)],
            ["paid", "partial", "upcoming"],
        )
        # Invoices in another currency cannot join the plan.
        eur_invoice = self.invoice(self.debtor, 50.0, days_late=20)
        with self.assertRaisesRegex(ValidationError, "one plan per currency"):
            self.make_plan(invoice | eur_invoice).action_confirm()

    def test_accounting_unchanged(self):
        journal = invoice_journal = self.company_data["default_journal_sale"]
        journal.restrict_mode_hash_table = True
        first = self.invoice(self.debtor, 600.0, days_late=40)
        second = self.invoice(self.debtor, 400.0, days_late=20)
        invoices = first | second
        self.assertTrue(first.inalterable_hash and second.inalterable_hash)
        self.assertEqual(first.journal_id, invoice_journal)

        def snapshot():
            invoices.invalidate_recordset()
            return [
                (
                    move.inalterable_hash,
                    move.amount_total,
                    move.amount_residual,
                    [
                        (
                            line.name,
                            line.account_id.id,
                            line.partner_id.id,
                            line.debit,
                            line.credit,
                            line.amount_currency,
                        )
                        for line in move.line_ids.sorted("id")
                    ],
                )
                for move in invoices
            ]

        before = snapshot()
        originals = [move.invoice_date_due for move in invoices]
        # (Odoo's tracking is off in tests by default: turn it on.)
        plan = self.make_plan(invoices, installment_count=2).with_context(
            tracking_disable=False, mail_notrack=False
        )
        self.sign(plan)
        self.assertEqual(snapshot(), before)
        for move in invoices:
            self.assertEqual(
                sum(move.line_ids.mapped("debit")), sum(move.line_ids.mapped("credit"))
            )
        # The partner ledger / aged receivable read the new due dates.
        aged = self.env["account.move.line"]._read_group(
            [
                ("partner_id", "=", self.debtor.id),
                ("account_type", "=", "asset_receivable"),
                ("reconciled", "=", False),
            ],
            groupby=["date_maturity:day"],
            aggregates=["amount_residual:sum"],
        )
        self.assertEqual(
            [(due, amount) for due, amount in aged],
            [(date(2027, 1, 15), 1000.0)],
        )
        self.assertEqual(invoices.mapped("invoice_date_due"), [date(2027, 1, 15)] * 2)
        # Nothing of what the hash covers changed: the chain is intact.
        integrity = self.company._check_hash_integrity()
        statuses = {
            result["status"]
            for result in integrity["results"]
            if result["journal_name"].startswith(journal.name)
        }
        self.assertEqual(statuses, {"verified"})
        # The date changes are in the invoices' chatter (Odoo's tracking).
        tracked = first.message_ids.tracking_value_ids.filtered(
            lambda t: t.field_id.name == "date_maturity"
        )
        self.assertTrue(tracked)
        # Payments still reconcile with the invoices.
        self.pay(first, 600.0)
        self.assertEqual(first.payment_state, "paid")
        # Cancelling restores the original state.
        plan.action_cancel()
        self.assertEqual([move.invoice_date_due for move in invoices], originals)
        self.assertEqual(self.receivable(second).date_maturity, originals[1])
        self.assertEqual(snapshot()[1], before[1])

    # ------------------------------------------------------------------
    # Refused inputs
    # ------------------------------------------------------------------

    def test_refused_inputs(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        cases = [
            ({"installment_count": 0}, "at least 1"),
            ({"installment_count": -2}, "at least 1"),
            (
                {"schedule_mode": "amount", "installment_amount": -50.0},
                "must be positive",
            ),
            (
                {"schedule_mode": "amount", "installment_amount": 10.0},
                "cannot cover",
            ),
            ({"installment_count": 25}, "at most 24"),
            ({"first_date": date(2026, 11, 20)}, "in the past"),
            ({"down_payment": 1000.0}, "down payment"),
            ({"down_payment": -1.0}, "down payment"),
            (
                {"down_payment": 100.0, "down_payment_date": date(2027, 1, 1)},
                "between today and the first installment",
            ),
            ({"schedule_mode": "payment_term"}, "Choose the payment term"),
            (
                {
                    "schedule_mode": "payment_term",
                    "payment_term_id": self.env.ref(
                        "account.account_payment_term_30days"
                    ).id,
                },
                "single line",
            ),
        ]
        for values, message in cases:
            with (
                self.subTest(values=values),
                self.assertRaisesRegex(ValidationError, message),
            ):
                self.make_plan(invoice, **values)
        tiny = self.invoice(self.debtor, 0.02, days_late=20)
        with self.assertRaisesRegex(ValidationError, "cannot be split into 3"):
            self.make_plan(tiny)
        with self.assertRaisesRegex(ValidationError, "Select the invoices"):
            self.Plan.create({"partner_id": self.debtor.id, "first_date": TODAY})
        # Invoices of another customer, draft invoices, credit notes.
        other = self.invoice(self.consumer, 100.0, days_late=20)
        with self.assertRaisesRegex(ValidationError, "belongs to Camille Martin"):
            self.make_plan(invoice | other)
        draft = self.invoice(self.debtor, 100.0, days_late=20, post=False)
        with self.assertRaisesRegex(ValidationError, "not a posted customer invoice"):
            self.make_plan(invoice | draft)
        # An invoice in a plan in progress cannot join another one.
        plan = self.make_plan(invoice)
        plan.action_confirm()
        with self.assertRaisesRegex(ValidationError, "already belong"):
            self.make_plan(invoice).action_confirm()
        # A confirmed schedule does not change.
        with self.assertRaises(UserError):
            plan.installment_count = 6
        with self.assertRaises(UserError):
            plan.unlink()
        # A paid invoice has nothing left to schedule.
        paid = self.invoice(self.debtor, 100.0, days_late=20)
        self.pay(paid, 100.0)
        with self.assertRaisesRegex(ValidationError, "Nothing is left to pay"):
            self.make_plan(paid)

    def test_disputed_invoice_cannot_join_a_plan(self):
        if "recouvrement.dispute" not in self.env:
            self.skipTest("disputes not installed")
        disputed = self.invoice(self.debtor, 1000.0, days_late=20)
        other = self.invoice(self.debtor, 500.0, days_late=10)
        plan = self.make_plan(disputed | other)
        dispute = self.env["recouvrement.dispute"].create(
            {
                "partner_id": self.debtor.id,
                "move_ids": [Command.set(disputed.ids)],
                "reason_id": self.env.ref(
                    "recouvrement_amiable.dispute_reason_price"
                ).id,
            }
        )
        with self.assertRaisesRegex(UserError, dispute.name):
            plan.action_confirm()
        # A new proposal leaves the disputed invoice out.
        self.assertEqual(self.Plan._eligible_moves(self.debtor), other)

    # ------------------------------------------------------------------
    # Access rights
    # ------------------------------------------------------------------

    def test_access_rights(self):
        salesrep = new_test_user(
            self.env,
            "plan_salesrep",
            groups="base.group_user,recouvrement_amiable.group_recouvrement_salesrep",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        billing = new_test_user(
            self.env,
            "plan_billing",
            groups="account.group_account_invoice",
            company_id=self.company.id,
            company_ids=[Command.set(self.company.ids)],
        )
        self.debtor.user_id = salesrep
        mine = self.invoice(self.debtor, 1000.0, days_late=20)
        theirs = self.invoice(self.consumer, 500.0, days_late=20)
        # The collector proposes, confirms and records the signature.
        Plan = self.Plan.with_user(self.collector)
        plan = Plan.create(
            {
                "partner_id": self.debtor.id,
                "move_ids": [Command.set(mine.ids)],
                "first_date": date(2026, 12, 15),
            }
        )
        plan.action_confirm()
        plan.action_mark_signed()
        self.assertEqual(plan.state, "active")
        other_plan = self.make_plan(theirs)
        with self.assertRaises(AccessError):
            plan.unlink()
        # The sales rep reads the plans of their customers only.
        visible = self.Plan.with_user(salesrep).search([])
        self.assertEqual(visible, plan)
        self.assertEqual(
            self.env["recouvrement.plan.line"].with_user(salesrep).search([]),
            plan.line_ids,
        )
        with self.assertRaises(AccessError):
            plan.with_user(salesrep).write({"note": "changed"})
        with self.assertRaises(AccessError):
            self.Plan.with_user(salesrep).create(
                {"partner_id": self.debtor.id, "move_ids": [Command.set(mine.ids)]}
            )
        # A plain invoicing user sees nothing of the plans.
        with self.assertRaises(AccessError):
            self.Plan.with_user(billing).search([])
        # The manager deletes drafts.
        other_plan.unlink()
        self.assertFalse(other_plan.exists())

    def test_multi_company_isolation(self):
        other = self.env["res.company"].create(
            {"name": "Filiale Nord", "currency_id": self.company.currency_id.id}
        )
        self.env.user.company_ids |= other
        self.env["account.chart.template"].try_loading(
            "generic_coa", other, install_demo=False
        )
        invoice = self.invoice(self.debtor, 700.0, days_late=20, company=other)
        plan = self.make_plan(invoice, company_id=other.id)
        self.assertEqual(plan.policy_id.company_id, other)
        self.assertFalse(self.Plan.with_user(self.collector).search([]))
        self.assertEqual(
            self.Plan.with_context(
                allowed_company_ids=[other.id, self.company.id]
            ).search([("id", "=", plan.id)]),
            plan,
        )


@tagged("post_install", "-at_install")
class TestPaymentPlanPortal(RecouvrementCommon, HttpCase):
    def test_debtor_signs_online(self):
        invoice = self.invoice(self.debtor, 600.0, days_late=20)
        plan = self.env["recouvrement.plan"].create(
            {
                "partner_id": self.debtor.id,
                "move_ids": [Command.set(invoice.ids)],
                "first_date": fields.Date.today() + timedelta(days=30),
                "installment_count": 2,
            }
        )
        plan.action_confirm()
        # Without the token: no access.
        self.assertNotIn(plan.name, self.url_open(plan.access_url).text)
        page = self.url_open(plan.get_portal_url())
        self.assertEqual(page.status_code, 200)
        self.assertIn(plan.name, page.text)
        self.assertIn("Sign the agreement", page.text)
        document = self.url_open(plan.get_portal_url(report_type="html"))
        self.assertIn("Installment agreement / settlement", document.text)
        signature = (
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8"
            "AAAAASUVORK5CYII="
        )
        result = self.make_jsonrpc_request(
            plan.get_portal_url(suffix="/accept"),
            {"name": "Paul Durand", "signature": signature},
        )
        self.assertTrue(result["force_refresh"])
        plan.invalidate_recordset()
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.signed_by, "Paul Durand")
        self.assertEqual(plan.signature_method, "portal")
        self.assertTrue(plan.signature)
        # Signing twice is refused.
        result = self.make_jsonrpc_request(
            plan.get_portal_url(suffix="/accept"),
            {"name": "Paul Durand", "signature": signature},
        )
        self.assertIn("error", result)
