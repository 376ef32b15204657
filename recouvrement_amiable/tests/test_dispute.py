from contextlib import contextmanager
from datetime import timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, HttpCase, new_test_user, tagged

from .common import NOW, TODAY, RecouvrementCommon


class DisputeCommon(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesrep = new_test_user(
            cls.env,
            "salesrep_disputes",
            name="Sophie Commerciale",
            groups="base.group_user,recouvrement_amiable.group_recouvrement_salesrep",
            email="sophie@creancier.example",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.other_salesrep = new_test_user(
            cls.env,
            "other_salesrep",
            groups="base.group_user,recouvrement_amiable.group_recouvrement_salesrep",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.debtor.user_id = cls.salesrep
        cls.reason_price = cls.env.ref("recouvrement_amiable.dispute_reason_price")
        cls.reason_quality = cls.env.ref("recouvrement_amiable.dispute_reason_quality")

    def open_dispute(self, invoices, amount=None, user=None, reason=None):
        Dispute = self.env["recouvrement.dispute"]
        if user:
            Dispute = Dispute.with_user(user)
        vals = {
            "partner_id": invoices[:1].commercial_partner_id.id,
            "move_ids": [Command.set(invoices.ids)],
            "reason_id": (reason or self.reason_price).id,
            "description": "Le prix facturé ne correspond pas au devis.",
        }
        if amount is not None:
            vals["amount_disputed"] = amount
        return Dispute.create(vals)

    @contextmanager
    def assertRefused(self, exception, pattern):
        """assertRaisesRegex, rolling back what the failed call wrote (like
        Odoo's assertRaises)."""
        with self.assertRaises(exception) as caught:
            yield
        self.assertRegex(str(caught.exception), pattern)

    def resolve(self, dispute, resolution, amount=None, user=None):
        Wizard = self.env["recouvrement.dispute.resolve"]
        if user:
            Wizard = Wizard.with_user(user)
        vals = {
            "dispute_id": dispute.id,
            "resolution": resolution,
            "note": "<p>Vu avec le client.</p>",
        }
        if amount is not None:
            vals["amount_credit"] = amount
        Wizard.create(vals).action_confirm()


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDispute(DisputeCommon):
    def test_open_defaults_and_notifications(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=10)
        invoice.invoice_user_id = self.salesrep
        action = invoice.action_recouvrement_open_dispute()
        with Form(
            self.env["recouvrement.dispute"].with_context(**action["context"])
        ) as form:
            form.reason_id = self.reason_quality
            form.description = "Pièces abîmées à la livraison."
        dispute = form.save()
        self.assertEqual(dispute.partner_id, self.debtor)
        self.assertEqual(dispute.move_ids, invoice)
        self.assertEqual(dispute.amount_disputed, 1200.0)
        self.assertEqual(dispute.user_id, self.salesrep)
        self.assertEqual(dispute.collector_id, self.collector)
        self.assertEqual(dispute.state, "open")
        self.assertEqual(dispute.date_open, TODAY)
        # Quality: 30 days to resolve.
        self.assertEqual(dispute.date_deadline, TODAY + timedelta(days=30))
        self.assertRegex(dispute.name, r"^LIT\d{5}$")
        self.assertTrue(invoice.recouvrement_in_dispute)
        self.assertEqual(invoice.recouvrement_dispute_count, 1)
        self.assertEqual(self.debtor.recouvrement_dispute_count, 1)
        activity = dispute.activity_ids
        self.assertEqual(activity.user_id, self.salesrep)
        self.assertEqual(activity.date_deadline, TODAY + timedelta(days=30))
        self.assertIn(dispute.name, invoice.message_ids[0].body)
        self.assertIn(dispute.name, self.debtor.message_ids[0].body)

    def test_bad_input_is_refused(self):
        invoice = self.invoice(self.debtor, 300.0, days_late=10)
        other = self.invoice(self.consumer, 100.0, days_late=10)
        with self.assertRefused(ValidationError, "cannot exceed"):
            self.open_dispute(invoice, amount=300.01)
        with self.assertRefused(ValidationError, "one dispute per customer"):
            self.open_dispute(invoice + other)
        draft = self.invoice(self.debtor, 50.0, days_late=1, post=False)
        with self.assertRefused(ValidationError, "Only posted customer invoices"):
            self.open_dispute(draft, amount=50.0)
        self.open_dispute(invoice)
        with self.assertRefused(ValidationError, "already in dispute"):
            self.open_dispute(invoice)
        paid = self.invoice(self.debtor, 80.0, days_late=5)
        self.pay(paid, 80.0)
        with self.assertRefused(UserError, "amount due"):
            paid.action_recouvrement_open_dispute()

    def test_run_skips_disputed_invoice_and_resumes_after_rejection(self):
        disputed = self.invoice(self.debtor, 1000.0, days_late=8)
        other = self.invoice(self.debtor, 400.0, days_late=8)
        dispute = self.open_dispute(disputed)
        action = self.run_dunning()
        # One reminder for the undisputed invoice only, at D+7.
        self.assertEqual(action.line_ids.move_id, other)
        self.assertEqual(action.level_id, self.levels[7])
        self.assertFalse(disputed.recouvrement_level_id)
        self.assertEqual(other.recouvrement_level_id, self.levels[7])

        # 21 days in dispute, then rejected: the invoice resumes at D+7,
        # its clock without the 21 days (29 days late, 8 counted).
        with freeze_time("2026-12-14 09:00:00"):
            self.resolve(dispute, "rejected")
            self.assertEqual(dispute.state, "resolved_rejected")
            self.assertEqual(dispute.date_resolved, TODAY + timedelta(days=21))
            self.assertFalse(disputed.recouvrement_in_dispute)
            resumed = self.run_dunning(TODAY + timedelta(days=21))
        line = resumed.line_ids.filtered(lambda line: line.move_id == disputed)
        self.assertEqual(line.level_id, self.levels[7])
        self.assertEqual(disputed.recouvrement_level_id, self.levels[7])
        paused = self.env["recouvrement.dispute"]._recouvrement_paused_days(
            disputed, TODAY + timedelta(days=21)
        )
        self.assertEqual(paused, {disputed.id: 21})

    def test_level_frozen_while_in_dispute(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=8)
        self.run_dunning()
        self.assertEqual(invoice.recouvrement_level_id, self.levels[7])
        self.open_dispute(invoice)
        later = self.run_dunning(TODAY + timedelta(days=30))
        self.assertFalse(later)
        self.assertEqual(invoice.recouvrement_level_id, self.levels[7])

    def test_justified_partial_credit_note(self):
        tax = self.env["account.tax"].create(
            {"name": "TVA 20 % test", "amount": 20.0, "type_tax_use": "sale"}
        )
        invoice = self.invoice(self.debtor, 1000.0, days_late=10)
        invoice.button_draft()
        invoice.invoice_line_ids.tax_ids = tax
        invoice.action_post()
        self.assertEqual(invoice.amount_total, 1200.0)
        dispute = self.open_dispute(invoice, amount=300.0)
        self.resolve(dispute, "justified", amount=250.0)
        self.assertEqual(dispute.state, "resolved_justified")
        credit = dispute.credit_note_ids
        self.assertEqual(len(credit), 1)
        self.assertEqual(credit.move_type, "out_refund")
        self.assertEqual(credit.state, "posted")
        self.assertEqual(credit.reversed_entry_id, invoice)
        self.assertEqual(credit.amount_total, 250.0)
        self.assertEqual(credit.amount_tax, 41.67)
        self.assertEqual(invoice.amount_residual, 950.0)
        self.assertEqual(invoice.payment_state, "partial")
        # The rest is due again: the next run reminds 950.00.
        action = self.run_dunning()
        self.assertEqual(action.amount_due, 950.0)

    def test_justified_full_credit_note_on_two_invoices(self):
        first = self.invoice(self.debtor, 100.0, days_late=20)
        second = self.invoice(self.debtor, 0.3, days_late=10)
        dispute = self.open_dispute(first + second)
        self.assertEqual(dispute.amount_disputed, 100.3)
        self.resolve(dispute, "justified")
        self.assertEqual(
            sorted(dispute.credit_note_ids.mapped("amount_total")), [0.3, 100.0]
        )
        self.assertEqual(
            (first + second).mapped("payment_state"), ["reversed", "reversed"]
        )
        self.assertFalse(self.run_dunning())

    def test_justified_by_salesrep_leaves_a_draft_for_accounting(self):
        invoice = self.invoice(self.debtor, 600.0, days_late=10)
        dispute = self.open_dispute(invoice, user=self.salesrep)
        self.resolve(
            dispute.with_user(self.salesrep), "justified", 200.0, self.salesrep
        )
        credit = dispute.credit_note_ids
        self.assertEqual((credit.state, credit.amount_total), ("draft", 200.0))
        self.assertEqual(credit.activity_ids.user_id, self.collector)
        # Reminders stay suspended until accounting posts the credit note.
        self.assertFalse(self.run_dunning())
        credit = credit.with_user(self.env.user)
        credit.action_post()
        # Posting the reversal settles the invoice's part (Odoo reconciles a
        # credit note with the invoice it reverses).
        self.assertEqual(invoice.amount_residual, 400.0)
        action = self.run_dunning()
        self.assertEqual(action.amount_due, 400.0)

    def test_cancel_and_wizard_guards(self):
        invoice = self.invoice(self.debtor, 500.0, days_late=10)
        dispute = self.open_dispute(invoice)
        dispute.action_start()
        self.assertEqual(dispute.state, "in_progress")
        with self.assertRefused(UserError, "cannot exceed"):
            self.resolve(dispute, "justified", amount=500.01)
        with self.assertRefused(UserError, "greater than zero"):
            self.resolve(dispute, "justified", amount=0.0)
        with self.assertRefused(UserError, "Explain the resolution"):
            self.env["recouvrement.dispute.resolve"].create(
                {"dispute_id": dispute.id, "resolution": "rejected", "note": "<p> </p>"}
            ).action_confirm()
        dispute.action_cancel()
        self.assertEqual(dispute.state, "cancelled")
        self.assertFalse(dispute.activity_ids)
        with self.assertRaises(UserError):
            dispute.action_resolve()
        self.assertEqual(self.run_dunning().line_ids.move_id, invoice)

    def test_opened_from_call_outcome(self):
        invoice = self.invoice(self.debtor, 700.0, days_late=16)
        level = self.levels[15]
        call = self.reminder(self.debtor, invoice, level, state="to_do")
        outcome = self.env["recouvrement.call.outcome"].create(
            {"action_id": call.id, "outcome": "dispute", "note": "Conteste la quantité"}
        )
        window = outcome.action_confirm()
        self.assertEqual(window["res_model"], "recouvrement.dispute")
        context = window["context"]
        self.assertEqual(context["default_move_ids"], invoice.ids)
        self.assertEqual(context["default_source"], "call")
        self.assertEqual(context["default_action_id"], call.id)
        with Form(self.env["recouvrement.dispute"].with_context(**context)) as form:
            form.reason_id = self.env.ref(
                "recouvrement_amiable.dispute_reason_quantity"
            )
        dispute = form.save()
        self.assertEqual((dispute.source, dispute.amount_disputed), ("call", 700.0))
        self.assertEqual(dispute.description, "Conteste la quantité")


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDisputeSecurity(DisputeCommon):
    def test_salesrep_handles_own_customers_only(self):
        mine = self.invoice(self.debtor, 500.0, days_late=10)
        theirs = self.invoice(self.consumer, 200.0, days_late=10)
        self.consumer.user_id = self.other_salesrep
        # A sales rep reads the invoices of their customers, no others.
        Move = self.env["account.move"].with_user(self.salesrep)
        self.assertEqual(Move.search([("id", "in", (mine + theirs).ids)]), mine)
        dispute = self.open_dispute(mine, user=self.salesrep)
        self.assertEqual(dispute.user_id, self.salesrep)
        with self.assertRaises(AccessError):
            self.open_dispute(theirs, user=self.salesrep)
        other_dispute = self.open_dispute(theirs)
        Dispute = self.env["recouvrement.dispute"].with_user(self.salesrep)
        self.assertEqual(Dispute.search([]), dispute)
        with self.assertRaises(AccessError):
            other_dispute.with_user(self.salesrep).action_start()
        # Nothing else of the add-on is writable for them.
        with self.assertRaises(AccessError):
            self.policy_pro.with_user(self.salesrep).name = "X"
        with self.assertRaises(AccessError):
            self.reason_price.with_user(self.salesrep).deadline_days = 3
        # Collectors see all disputes of their companies.
        visible = self.env["recouvrement.dispute"].with_user(self.collector).search([])
        self.assertEqual(visible, dispute + other_dispute)

    def test_multi_company(self):
        other_company = self.env["res.company"].create({"name": "Filiale SAS"})
        invoice = self.invoice(self.debtor, 500.0, days_late=10)
        dispute = self.open_dispute(invoice)
        foreign = self.env["recouvrement.dispute"].with_company(other_company)
        user = new_test_user(
            self.env,
            "filiale_collector",
            groups="account.group_account_invoice,recouvrement_amiable.group_recouvrement_collector",
            company_id=other_company.id,
            company_ids=[Command.set(other_company.ids)],
        )
        self.assertFalse(foreign.with_user(user).search([("id", "=", dispute.id)]))
        with self.assertRaises(AccessError):
            dispute.with_user(user).read(["name"])


@tagged("post_install", "-at_install")
class TestDisputePortal(DisputeCommon, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_contact = cls.env["res.partner"].create(
            {
                "name": "Jean Durand",
                "parent_id": cls.debtor.id,
                "email": "jean@durand.example",
            }
        )
        cls.portal_user = new_test_user(
            cls.env,
            "durand_portal",
            groups="base.group_portal",
            partner_id=cls.portal_contact.id,
            password="durand_portal",
        )

    def _posted(self, partner, amount):
        invoice = self.invoice(partner, amount, days_late=10)
        invoice.message_subscribe(partner_ids=partner.ids)
        return invoice

    def test_portal_customer_contests_own_invoice(self):
        invoice = self._posted(self.debtor, 840.0)
        self.authenticate("durand_portal", "durand_portal")
        page = self.url_open(f"/my/invoices/{invoice.id}")
        self.assertIn("Contest this invoice", page.text)
        form = self.url_open(f"/my/invoices/{invoice.id}/contest")
        self.assertEqual(form.status_code, 200)
        # Missing message: refused with a message, nothing created.
        response = self.url_open(
            f"/my/invoices/{invoice.id}/contest",
            data={
                "reason_id": self.reason_price.id,
                "message": " ",
                "csrf_token": http_csrf(self),
            },
        )
        self.assertIn("Tell us what is wrong", response.text)
        self.assertFalse(invoice.recouvrement_dispute_ids)
        response = self.url_open(
            f"/my/invoices/{invoice.id}/contest",
            data={
                "reason_id": self.reason_price.id,
                "message": "Remise de 10 % oubliée",
                "csrf_token": http_csrf(self),
            },
        )
        self.assertIn("Your dispute has been recorded", response.text)
        dispute = invoice.recouvrement_dispute_ids
        self.assertEqual(
            (dispute.source, dispute.state, dispute.amount_disputed, dispute.user_id),
            ("portal", "open", 840.0, self.salesrep),
        )
        self.assertEqual(dispute.partner_id, self.debtor)
        comment = dispute.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(comment.author_id, self.portal_contact)
        self.assertIn("Remise de 10 % oubliée", comment.body)
        self.assertTrue(invoice.recouvrement_in_dispute)
        # The button is gone once contested.
        self.assertNotIn(
            "Contest this invoice", self.url_open(f"/my/invoices/{invoice.id}").text
        )

    def test_portal_cannot_contest_another_company_invoice(self):
        invoice = self._posted(self.consumer, 120.0)
        self.authenticate("durand_portal", "durand_portal")
        response = self.url_open(
            f"/my/invoices/{invoice.id}/contest",
            data={
                "reason_id": self.reason_price.id,
                "message": "Pas à nous",
                "csrf_token": http_csrf(self),
            },
        )
        self.assertTrue(response.url.endswith("/my"))
        self.assertFalse(invoice.recouvrement_dispute_ids)


def http_csrf(case):
    """The CSRF token of the test's HTTP session."""
    page = case.url_open("/my")
    marker = 'csrf_token: "'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


@tagged("post_install", "-at_install")
class TestDisputeTour(DisputeCommon, HttpCase):
    def test_salesrep_resolves_a_dispute(self):
        invoice = self.invoice(self.debtor, 480.0, days_late=12)
        dispute = self.open_dispute(invoice, reason=self.reason_quality)
        self.start_tour(
            "/odoo/action-recouvrement_amiable.action_recouvrement_my_dispute",
            "recouvrement_salesrep_dispute",
            login=self.salesrep.login,
        )
        self.assertEqual(dispute.state, "resolved_rejected")
        self.assertIn("Livraison conforme", dispute.resolution_note)
        self.assertFalse(invoice.recouvrement_in_dispute)
