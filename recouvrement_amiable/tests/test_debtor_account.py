import base64
import re
from datetime import timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import HttpCase, tagged

from .common import NOW, TODAY, RecouvrementCommon

PDF = b"%PDF-1.4 proof of transfer"


class DebtorAccountCommon(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.neighbour = cls.env["res.partner"].create(
            {"name": "Garage Voisin", "is_company": True, "email": "v@voisin.example"}
        )
        cls.Account = cls.env["recouvrement.debtor.account"]

    def access(self, partner=None, days=30, **values):
        return self.env["recouvrement.portal.access"].create(
            {
                "partner_id": (partner or self.debtor).id,
                "company_ids": [Command.set(self.company.ids)],
                "expires_on": fields.Date.today() + timedelta(days=days),
                **values,
            }
        )

    def answers(self, partner=None):
        return self.env["recouvrement.debtor.answer"].search(
            [("partner_id", "=", (partner or self.debtor).id)]
        )


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDebtorAccount(DebtorAccountCommon):
    """What the account page shows and the steps the debtor takes on it."""

    def test_account_shows_own_open_invoices_credits_and_totals(self):
        first = self.invoice(self.debtor, 1200.0, days_late=20)
        second = self.invoice(self.debtor, 300.0, days_late=-5)
        self.invoice(self.neighbour, 999.0, days_late=20)
        paid = self.invoice(self.debtor, 50.0, days_late=10)
        self.pay(paid, 50.0)
        self.invoice(self.debtor, 77.0, days_late=10, post=False)
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.debtor.id,
                "invoice_date": TODAY,
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Avoir", "price_unit": 100.0, "tax_ids": []}
                    )
                ],
            }
        )
        refund.action_post()
        values = self.Account._account_values(self.debtor, self.company)
        self.assertEqual(values["invoices"], first | second)
        self.assertEqual(
            [(r["name"], r["days_late"]) for r in values["rows"]],
            [(first.name, 20), (second.name, 0)],
        )
        self.assertEqual(len(values["credit_rows"]), 1)
        self.assertEqual(values["credit_rows"][0]["name"], refund.name)
        self.assertEqual(len(values["totals"]), 1)
        total = values["totals"][0]
        self.assertEqual(total["currency"], self.company.currency_id)
        self.assertIn("1,500.00", total["due"])
        self.assertIn("100.00", total["credit"])
        self.assertIn("1,400.00", total["to_pay"])

    def test_companies_of_the_link_and_currencies(self):
        """The page shows the invoices of the link's companies only, with a
        total per currency (the company's first)."""
        chf = self.setup_other_currency("CHF", rounding=0.01)
        other_company = self.setup_other_company(name="Filiale Sud")["company"]
        eur_invoice = self.invoice(self.debtor, 1000.0, days_late=20)
        chf_invoice = self.invoice(self.debtor, 250.0, days_late=5, currency=chf)
        other_invoice = self.invoice(
            self.debtor, 400.0, days_late=10, company=other_company
        )
        values = self.Account._account_values(self.debtor, self.company)
        self.assertEqual(values["invoices"], eur_invoice | chf_invoice)
        self.assertEqual(
            [t["currency"] for t in values["totals"]],
            [self.company.currency_id, chf],
        )
        with self.assertRaisesRegex(ValidationError, "Choose among"):
            self.Account._claim_paid(
                self.debtor, self.company, str(other_invoice.id), "2026-11-20", "1"
            )
        with self.assertRaisesRegex(ValidationError, "single currency"):
            self.Account._claim_paid(
                self.debtor,
                self.company,
                f"{eur_invoice.id},{chf_invoice.id}",
                "2026-11-20",
                "1",
            )
        both = self.company | other_company
        values = self.Account._account_values(self.debtor, both)
        self.assertEqual(values["invoices"], eur_invoice | chf_invoice | other_invoice)
        answers = self.Account._claim_paid(
            self.debtor,
            both,
            f"{eur_invoice.id},{other_invoice.id}",
            "2026-11-20",
            "1400",
        )
        self.assertEqual(
            [(a.company_id, a.move_ids, a.amount) for a in answers],
            [
                (self.company, eur_invoice, 1000.0),
                (other_company, other_invoice, 400.0),
            ],
        )

    def test_already_paid_pauses_and_closes_when_reconciled(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=20)
        other = self.invoice(self.debtor, 300.0, days_late=20)
        answer = self.Account._claim_paid(
            self.debtor,
            self.company,
            str(invoice.id),
            "2026-11-20",
            "1200,00",
            proof=("virement.pdf", PDF),
            note="Virement du 20/11",
        )
        self.assertEqual(
            (answer.kind, answer.state, answer.amount, answer.move_ids),
            ("paid", "open", 1200.0, invoice),
        )
        self.assertEqual(answer.paid_date, TODAY - timedelta(days=3))
        self.assertEqual(answer.pause_until, TODAY + timedelta(days=10))
        self.assertEqual(answer.attachment_ids.raw, PDF)
        self.assertEqual(answer.attachment_ids.name, "virement.pdf")
        self.assertEqual(answer.activity_ids.user_id, self.collector)
        self.assertIn("1,200.00", str(self.debtor.message_ids[0].body))
        self.assertIn("1,200.00", str(invoice.message_ids[0].body))
        blocked = (invoice | other)._recouvrement_blocking_reasons(
            TODAY + timedelta(days=5)
        )
        self.assertIn(invoice.id, blocked)
        self.assertNotIn(other.id, blocked)
        self.pay(invoice, 1200.0)
        self.assertEqual(answer.state, "done")

    def test_bad_values_are_refused_and_nothing_written(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=20)
        neighbour_invoice = self.invoice(self.neighbour, 500.0, days_late=20)
        attachments = self.env["ir.attachment"].search_count([])
        cases = [
            (str(invoice.id), "2026-11-20", "1200.01", None, "above what is due"),
            (str(invoice.id), "2026-11-24", "100", None, "in the future"),
            (str(invoice.id), "20/11/2026", "100", None, "valid date"),
            (str(invoice.id), "2026-11-20", "-5", None, "positive"),
            (str(invoice.id), "2026-11-20", "abc", None, "as a number"),
            (str(neighbour_invoice.id), "2026-11-20", "100", None, "Choose among"),
            (f"{invoice.id},{neighbour_invoice.id}", "2026-11-20", "1", None, "among"),
            (str(invoice.id), "2026-11-20", "100", ("x.exe", b"MZ"), "PDF, PNG"),
            (str(invoice.id), "2026-11-20", "100", ("x.pdf", b"<html>"), "PDF, PNG"),
        ]
        for ids, day, amount, proof, message in cases:
            with self.assertRaisesRegex(ValidationError, message):
                self.Account._claim_paid(
                    self.debtor, self.company, ids, day, amount, proof=proof
                )
        self.assertFalse(self.answers())
        self.assertFalse(self.answers(self.neighbour))
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)

    def test_promise_as_after_a_call(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=8)
        action = self.run_dunning()
        self.assertTrue(action)
        with self.assertRaisesRegex(ValidationError, "no later than"):
            self.Account._promise(self.debtor, self.company, False, "2026-12-24", "100")
        with self.assertRaisesRegex(ValidationError, "past"):
            self.Account._promise(self.debtor, self.company, False, "2026-11-22", "100")
        self.assertFalse(action.promise_state)
        answer = self.Account._promise(
            self.debtor, self.company, False, "2026-12-23", "800", note="Fin de mois"
        )
        self.assertEqual(
            (action.promise_state, action.promise_date, action.promise_amount),
            ("pending", TODAY + timedelta(days=30), 800.0),
        )
        self.assertEqual(
            (answer.kind, answer.action_id, answer.amount, answer.move_ids),
            ("promise", action, 800.0, invoice),
        )
        self.assertEqual(answer.activity_ids.user_id, self.collector)

    def test_plan_for_a_collector_or_self_service(self):
        self.invoice(self.debtor, 1200.0, days_late=20)
        with self.assertRaisesRegex(ValidationError, "at most 24"):
            self.Account._ask_plan(self.debtor, self.company, False, "25")
        with self.assertRaisesRegex(ValidationError, "at least two"):
            self.Account._ask_plan(self.debtor, self.company, False, "1")
        self.assertFalse(
            self.env["recouvrement.plan"].search([("partner_id", "=", self.debtor.id)])
        )
        answer, plan = self.Account._ask_plan(self.debtor, self.company, False, "4")
        self.assertEqual(
            (plan.state, plan.installment_count, len(plan.line_ids), plan.amount_total),
            ("draft", 4, 4, 1200.0),
        )
        self.assertEqual((answer.kind, answer.move_ids), ("plan", plan.move_ids))
        self.assertEqual(
            plan.with_user(self.collector).search([("id", "=", plan.id)]), plan
        )
        plan.action_cancel()
        # Self-service: the plan is proposed for signature at once.
        other = self.env["res.partner"].create(
            {"name": "Atelier Libre", "is_company": True}
        )
        self.invoice(other, 600.0, days_late=20)
        self.company.recouvrement_policy_company_id.portal_plan_self_service = True
        _answer, plan = self.Account._ask_plan(other, self.company, False, "3")
        self.assertEqual(plan.state, "waiting_signature")

    def test_rate_limit(self):
        self.invoice(self.debtor, 5000.0, days_late=20)
        for _i in range(10):
            self.Account._claim_paid(self.debtor, self.company, "", "2026-11-20", "1")
        with self.assertRaisesRegex(ValidationError, "many requests"):
            self.Account._claim_paid(self.debtor, self.company, "", "2026-11-20", "1")
        self.assertEqual(len(self.answers()), 10)

    def test_pdfs(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=20)
        # The invoice PDF Odoo stored when it was sent is served as is.
        self.env["ir.attachment"].create(
            {
                "name": "stored.pdf",
                "raw": b"%PDF-stored",
                "res_model": "account.move",
                "res_id": invoice.id,
                "res_field": "invoice_pdf_report_file",
            }
        )
        invoice.invalidate_recordset(["invoice_pdf_report_id"])
        self.assertEqual(
            self.Account._invoice_pdf(invoice), (b"%PDF-stored", "stored.pdf")
        )
        # The statement is rendered and not stored.
        attachments = self.env["ir.attachment"].search_count([])
        content = self.Account._statement_pdf(self.debtor, self.company)
        self.assertIn(invoice.name, content.decode())
        self.assertEqual(self.env["ir.attachment"].search_count([]), attachments)


@tagged("post_install", "-at_install")
class TestDebtorAccountSecurity(DebtorAccountCommon, HttpCase):
    """Nothing of another debtor is reachable from a link."""

    def test_token_reaches_only_its_debtor(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=20)
        neighbour_invoice = self.invoice(self.neighbour, 777.0, days_late=20)
        access = self.access()
        base = f"/recouvrement/account/{access.token}"
        page = self.url_open(base)
        self.assertEqual(page.status_code, 200)
        self.assertIn(invoice.name, page.text)
        self.assertNotIn(neighbour_invoice.name, page.text)
        self.assertTrue(access.last_used_at)
        own = self.url_open(f"{base}/invoice/{invoice.id}/pdf")
        self.assertEqual(own.status_code, 200)
        self.assertEqual(own.headers["Content-Type"], "application/pdf")
        for path in (
            f"/invoice/{neighbour_invoice.id}/pdf",
            f"/invoice/{neighbour_invoice.id}/contest",
            f"/pay-selection?invoice_ids={neighbour_invoice.id}",
        ):
            response = self.url_open(base + path, allow_redirects=False)
            self.assertEqual(response.status_code, 404, path)
        contest = self.url_open(
            f"{base}/invoice/{invoice.id}/contest", allow_redirects=False
        )
        self.assertEqual(contest.status_code, 303)
        self.assertIn(
            f"/my/invoices/{invoice.id}/contest?access_token=",
            contest.headers["Location"],
        )
        selection = self.url_open(
            f"{base}/pay-selection?invoice_ids={invoice.id}", allow_redirects=False
        )
        self.assertTrue(
            selection.headers["Location"].endswith(
                f"{base}/pay?invoice_ids={invoice.id}"
            )
        )
        # A post naming the neighbour's invoice is refused, nothing written.
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        response = self.url_open(
            f"{base}/paid",
            data={
                "csrf_token": csrf,
                "invoice_ids": str(neighbour_invoice.id),
                "paid_date": fields.Date.to_string(fields.Date.today()),
                "amount": "10",
            },
        )
        self.assertIn("Choose among the invoices", response.text)
        self.assertFalse(self.answers() | self.answers(self.neighbour))
        # The same post about the debtor's own invoice is recorded.
        response = self.url_open(
            f"{base}/paid",
            data={
                "csrf_token": csrf,
                "invoice_ids": str(invoice.id),
                "paid_date": fields.Date.to_string(fields.Date.today()),
                "amount": "10",
            },
            files={"proof": ("recu.pdf", PDF, "application/pdf")},
        )
        self.assertIn("o_recouvrement_account_done", response.text)
        answer = self.answers()
        self.assertEqual(
            (answer.kind, answer.amount, answer.move_ids), ("paid", 10.0, invoice)
        )
        self.assertEqual(base64.b64decode(answer.attachment_ids.datas), PDF)

    def test_pay_online_only_with_a_provider(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=20)
        access = self.access()
        Action = type(self.env["recouvrement.action"])
        with patch.object(
            Action, "_pay_online_companies", lambda s: s.env["res.company"]
        ):
            page = self.url_open(f"/recouvrement/account/{access.token}").text
        self.assertNotIn("o_recouvrement_pay_online", page)
        with patch.object(Action, "_pay_online_companies", lambda s: s.company_id):
            page = self.url_open(f"/recouvrement/account/{access.token}").text
        self.assertIn("o_recouvrement_pay_online", page)
        self.assertIn(f'form="o_recouvrement_pay_form" value="{invoice.id}"', page)
        self.assertIn(
            f'action="/recouvrement/account/{access.token}/pay-selection"', page
        )

    def test_stale_revoked_and_forged_tokens_open_nothing(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=20)
        expired = self.access(days=-1)
        revoked = self.access()
        revoked.action_revoke()
        for token in (expired.token, revoked.token, revoked.token[:-1] + "x", "x"):
            for path in ("", "/statement", f"/invoice/{invoice.id}/pdf"):
                response = self.url_open(f"/recouvrement/account/{token}{path}")
                self.assertEqual(response.status_code, 404, (token, path))
                self.assertNotIn(invoice.name, response.text)
        self.assertFalse(expired.last_used_at or revoked.last_used_at)

    def test_portal_user_sees_own_account_under_my(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=20)
        neighbour_invoice = self.invoice(self.neighbour, 777.0, days_late=20)
        contact = self.env["res.partner"].create(
            {
                "name": "Paul Durand",
                "parent_id": self.debtor.id,
                "email": "paul@durand.example",
            }
        )
        user = self.env["res.users"].create(
            {
                "name": "Paul Durand",
                "login": "paul.durand",
                "password": "paul.durand",
                "partner_id": contact.id,
                "groups_id": [Command.set(self.env.ref("base.group_portal").ids)],
            }
        )
        self.assertTrue(user)
        self.authenticate("paul.durand", "paul.durand")
        page = self.url_open("/my/recouvrement")
        self.assertEqual(page.status_code, 200)
        self.assertIn(invoice.name, page.text)
        self.assertNotIn(neighbour_invoice.name, page.text)
        response = self.url_open(f"/my/recouvrement/invoice/{neighbour_invoice.id}/pdf")
        self.assertEqual(response.status_code, 404)
        # Paying goes through the invoice's own portal page.
        self.assertIn(f'href="/my/invoices/{invoice.id}"', page.text)
        self.assertNotIn("o_recouvrement_pay_online", page.text)
        self.assertIn("/my/recouvrement", self.url_open("/my").text)
