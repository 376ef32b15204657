from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tests.common import JsonRpcException

from .common import NOW, TODAY, RecouvrementCommon

YESTERDAY = TODAY - timedelta(days=1)


class DebtorPaymentCommon(RecouvrementCommon):
    """A debtor's link, and a demo payment provider in the test company
    when ``payment_demo`` is installed."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.neighbour = cls.env["res.partner"].create(
            {"name": "Garage Petit", "is_company": True, "email": "gp@example.com"}
        )
        cls.access = cls._access(cls.debtor)
        cls.demo_provider = cls.env["payment.provider"]
        demo = cls.env["ir.module.module"]._get("payment_demo")
        if demo.state == "installed":
            base = (
                cls.env["payment.provider"]
                .sudo()
                .search([("code", "=", "demo")], limit=1)
            )
            cls.demo_provider = base.copy({"company_id": cls.company.id})
            cls.demo_provider.write({"state": "test", "is_published": True})
        cls.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", "True"
        )

    @classmethod
    def _access(cls, partner, company=None, days=30):
        company = company or cls.company
        Access = cls.env["recouvrement.portal.access"]
        return Access._for_debtors([(partner.id, company.id)], days)[
            (partner.id, company.id)
        ]

    def _require_demo(self):
        if not self.demo_provider:
            self.skipTest("payment_demo is not installed")

    def _selection(self, invoices, access=None):
        ids = invoices if isinstance(invoices, list) else invoices.ids
        return self.env["recouvrement.portal.payment"]._payment_selection(
            access or self.access, ids
        )


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDebtorPaymentSelection(DebtorPaymentCommon):
    """Which invoices a link may pay online, and for what amount."""

    def test_open_invoices_amount_to_the_cent(self):
        first = self.invoice(self.debtor, 1200.0, days_late=8)
        second = self.invoice(self.debtor, 300.50, days_late=20)
        self.pay(second, 100.25)
        selection = self._selection(second + first)
        self.assertEqual(selection.state, "ok")
        self.assertEqual(selection.invoices.ids, [second.id, first.id])
        self.assertEqual(selection.amount, 1400.25)
        self.assertEqual(selection.currency, self.company.currency_id)

    def test_parse_invoice_ids(self):
        Payment = self.env["recouvrement.portal.payment"]
        self.assertEqual(Payment._parse_invoice_ids(["3, 1,3", "2"]), [3, 1, 2])
        self.assertEqual(Payment._parse_invoice_ids([""]), [])
        for bad in (["1,x"], ["-1"], ["1.5"], ["9" * 13], ["1;2"]):
            self.assertIsNone(Payment._parse_invoice_ids(bad), bad)
        many = ",".join(str(i) for i in range(1, 202))
        self.assertIsNone(Payment._parse_invoice_ids([many]))

    def test_nothing_of_another_debtor(self):
        mine = self.invoice(self.debtor, 100.0, days_late=8)
        neighbours = self.invoice(self.neighbour, 200.0, days_late=8)
        draft = self.invoice(self.debtor, 50.0, days_late=8, post=False)
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.debtor.id,
                "invoice_line_ids": [
                    Command.create({"name": "Avoir", "price_unit": 10.0, "tax_ids": []})
                ],
            }
        )
        refund.action_post()
        for ids in (
            [mine.id, neighbours.id],
            [neighbours.id],
            [draft.id],
            [refund.id],
            [mine.id, 0],
            [mine.id, max(mine.id, neighbours.id, draft.id, refund.id) + 1000],
        ):
            self.assertEqual(self._selection(ids).state, "not_found", ids)
        # A link of another company shows none of this company's invoices.
        other_company = self.env["res.company"].create({"name": "Autre société"})
        other_access = self._access(self.debtor, company=other_company)
        self.assertEqual(self._selection(mine, other_access).state, "not_found")
        self.assertEqual(self._selection(mine).state, "ok")

    def test_paid_processing_and_currencies_get_a_message(self):
        paid = self.invoice(self.debtor, 100.0, days_late=8)
        self.pay(paid, 100.0)
        selection = self._selection(paid)
        self.assertEqual(selection.state, "paid")
        self.assertEqual(selection.amount, None)
        due = self.invoice(self.debtor, 250.0, days_late=8)
        selection = self._selection(paid + due)
        self.assertEqual(selection.state, "error")
        self.assertIn(paid.name, selection.message)
        self.assertEqual(self._selection([]).state, "error")
        chf = self.setup_other_currency("CHF", rounding=0.01)
        in_chf = self.invoice(self.debtor, 80.0, days_late=8, currency=chf)
        selection = self._selection(due + in_chf)
        self.assertEqual(selection.state, "error")
        self.assertIn("one currency at a time", selection.message)
        self.assertEqual(self._selection(in_chf).amount, 80.0)
        self.assertEqual(self._selection(in_chf).currency, chf)
        self.env["ir.config_parameter"].sudo().set_param(
            "account_payment.enable_portal_payment", "False"
        )
        self.assertEqual(self._selection(due).state, "error")

    def test_one_company_at_a_time(self):
        """A link of two companies shows the invoices of both; they are
        paid one company at a time."""
        other = self.setup_other_company()["company"]
        access = (
            self.env["recouvrement.portal.access"]
            .sudo()
            .create(
                {
                    "partner_id": self.debtor.id,
                    "company_ids": [Command.set((self.company + other).ids)],
                    "expires_on": TODAY,
                }
            )
        )
        here = self.invoice(self.debtor, 100.0, days_late=8)
        there = self.invoice(self.debtor, 60.0, days_late=8, company=other)
        selection = self._selection(here + there, access)
        self.assertEqual(selection.state, "error")
        self.assertIn("one company at a time", selection.message)
        self.assertEqual(self._selection(there, access).amount, 60.0)
        self.assertEqual(self._selection(there).state, "not_found")


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDebtorPaymentDone(DebtorPaymentCommon):
    """A successful demo payment reconciles the invoices; the next run
    leaves them out."""

    def test_demo_payment_reconciles_and_stops_reminders(self):
        self._require_demo()
        paid = self.invoice(self.debtor, 1200.0, days_late=8)
        other = self.invoice(self.debtor, 300.0, days_late=8)
        partial = self.invoice(self.debtor, 500.0, days_late=8)
        self.pay(partial, 120.40)
        selection = self._selection(paid + partial)
        self.assertEqual(selection.amount, 1579.60)
        # A reminder planned but not sent yet (waiting for its moment) about
        # the invoices paid, and one about an invoice left open.
        waiting = self.reminder(
            self.debtor,
            paid,
            self.levels[7],
            state="waiting",
            contact=False,
            planned_date=YESTERDAY,
        )
        waiting.line_ids = [
            Command.create(
                {
                    "move_id": partial.id,
                    "level_id": self.levels[7].id,
                    "date_due": partial.invoice_date_due,
                    "amount_residual": partial.amount_residual,
                    "amount_residual_currency": partial.amount_residual,
                }
            )
        ]
        still_due = self.reminder(
            self.debtor,
            other,
            self.levels[7],
            state="waiting",
            contact=False,
            planned_date=YESTERDAY,
        )
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .create(
                {
                    "provider_id": self.demo_provider.id,
                    "payment_method_id": self.demo_provider.payment_method_ids[:1].id,
                    "reference": "RA-TEST-1",
                    "amount": selection.amount,
                    "currency_id": selection.currency.id,
                    "partner_id": self.debtor.id,
                    "operation": "online_direct",
                    "invoice_ids": [Command.set(selection.invoices.ids)],
                    "recouvrement_portal_access_id": self.access.id,
                }
            )
        )
        # A payment made but not yet in the accounts cannot be paid twice.
        tx._handle_notification_data(
            "demo", {"reference": tx.reference, "simulated_state": "done"}
        )
        self.assertEqual(tx.state, "done")
        self.assertEqual(self._selection(paid).state, "error")
        tx._post_process()
        self.assertTrue(tx.payment_id)
        for invoice in paid + partial:
            self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
            self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(other.amount_residual, 300.0)
        self.assertEqual(waiting.state, "cancelled")
        self.assertEqual(still_due.state, "waiting")
        still_due.action_cancel()
        self.assertEqual(self._selection(paid + partial).state, "paid")
        # Written in the debtor's chatter.
        self.assertIn(
            tx.reference,
            " ".join(str(body) for body in self.debtor.message_ids.mapped("body")),
        )
        # The next run plans the unpaid invoice only (a reminder not sent
        # yet holds the debtor's next one back: cancel it, as a collector
        # would).
        actions = self.run_dunning().filtered(lambda a: a.partner_id == self.debtor)
        self.assertEqual(actions.line_ids.move_id, other)


@tagged("post_install", "-at_install")
class TestDebtorPaymentHttp(DebtorPaymentCommon, HttpCase):
    """The pay page and its transaction route, reached by a public visitor."""

    def _url(self, invoices, token=None):
        if not isinstance(invoices, str):
            invoices = ",".join(map(str, invoices.ids))
        token = token or self.access.token
        return f"/recouvrement/account/{token}/pay?invoice_ids={invoices}"

    def test_pay_page_shows_the_selected_invoices(self):
        self._require_demo()
        first = self.invoice(self.debtor, 1200.0, days_late=8)
        second = self.invoice(self.debtor, 345.67, days_late=20)
        self.invoice(self.debtor, 999.0, days_late=8)  # not selected
        response = self.url_open(self._url(first + second))
        self.assertEqual(response.status_code, 200)
        html = response.text
        self.assertEqual(html.count('data-invoice-id="'), 2)
        self.assertIn(f'data-invoice-id="{first.id}"', html)
        self.assertIn(f'data-invoice-id="{second.id}"', html)
        self.assertIn("1,545.67", html)
        self.assertNotIn("999.00", html)
        self.assertIn('id="o_payment_form"', html)
        self.assertIn('data-amount="1545.67"', html)
        self.assertIn(
            f'data-transaction-route="/recouvrement/account/{self.access.token}'
            f'/pay/transaction/{first.id},{second.id}"',
            html,
        )

    def test_tampered_ids_and_bad_links_open_no_form(self):
        mine = self.invoice(self.debtor, 100.0, days_late=8)
        neighbours = self.invoice(self.neighbour, 200.0, days_late=8)
        for url in (
            self._url(f"{mine.id},{neighbours.id}"),
            self._url(f"{neighbours.id}"),
            self._url(f"{mine.id + 1000}"),
            self._url(f"{mine.id};drop"),
            self._url(mine, token="x" * 43),
            self._url(mine, token=self.access.token[:-1]),
        ):
            response = self.url_open(url)
            self.assertEqual(response.status_code, 404, url)
            self.assertNotIn("o_payment_form", response.text)
        # Paid: a message, no form.
        paid = self.invoice(self.debtor, 70.0, days_late=8)
        self.pay(paid, 70.0)
        response = self.url_open(self._url(paid))
        self.assertEqual(response.status_code, 200)
        self.assertIn("o_recouvrement_pay_paid", response.text)
        self.assertNotIn("o_payment_form", response.text)
        # Expired, then revoked.
        with freeze_time(datetime(2027, 6, 1, 9)):
            self.assertEqual(self.url_open(self._url(mine)).status_code, 404)
        self.assertEqual(self.url_open(self._url(mine)).status_code, 200)
        self.access.action_revoke()
        self.assertEqual(self.url_open(self._url(mine)).status_code, 404)

    def _transaction(self, invoices, page_invoices=None, **params):
        """Call the transaction route of ``invoices`` with the access token
        of the pay page of ``page_invoices`` (by default, the same)."""
        route = (
            f"/recouvrement/account/{self.access.token}/pay/transaction/"
            + ",".join(map(str, invoices.ids))
        )
        page = self.url_open(self._url(page_invoices or invoices)).text
        access_token = page.split('data-access-token="', 1)[1].split('"', 1)[0]
        values = {
            "provider_id": self.demo_provider.id,
            "payment_method_id": self.demo_provider.payment_method_ids[:1].id,
            "token_id": None,
            "amount": 0.01,  # tampered: the amount comes from the invoices
            "flow": "direct",
            "tokenization_requested": True,
            "landing_route": "https://evil.example",
            "is_validation": False,
            "access_token": access_token,
        }
        values.update(params)
        return self.make_jsonrpc_request(route, values)

    def test_transaction_amount_from_the_invoices(self):
        self._require_demo()
        first = self.invoice(self.debtor, 1200.0, days_late=8)
        second = self.invoice(self.debtor, 300.0, days_late=8)
        self.pay(second, 99.99)
        result = self._transaction(first + second)
        tx = (
            self.env["payment.transaction"]
            .sudo()
            .search([("reference", "=", result["reference"])])
        )
        self.assertEqual(len(tx), 1)
        self.assertEqual(tx.amount, 1400.01)
        self.assertEqual(tx.currency_id, first.currency_id)
        self.assertEqual(tx.invoice_ids, first + second)
        self.assertEqual(tx.partner_id, self.debtor)
        self.assertEqual(tx.recouvrement_portal_access_id, self.access)
        self.assertFalse(tx.tokenize)
        self.assertTrue(tx.landing_route.startswith("/recouvrement/account/"))
        # Another provider, another debtor's invoice or a stale amount: no
        # transaction.
        count = self.env["payment.transaction"].sudo().search_count([])
        neighbours = self.invoice(self.neighbour, 200.0, days_late=8)
        third = self.invoice(self.debtor, 90.0, days_late=8)
        page = self.url_open(self._url(third)).text
        stale_token = page.split('data-access-token="', 1)[1].split('"', 1)[0]
        self.pay(third, 40.0)
        for invoices, params in (
            (first, {"provider_id": self.demo_provider.id + 100000}),
            (first + neighbours, {"page_invoices": first}),
            (third, {"access_token": stale_token}),
            (first, {"flow": "token", "token_id": 1}),
        ):
            with (
                self.assertRaises(JsonRpcException),
                self.assertLogs("odoo.http", level="WARNING"),
            ):
                self._transaction(invoices, **params)
        self.assertEqual(self.env["payment.transaction"].sudo().search_count([]), count)

    def test_saved_methods_only_for_the_debtors_own_user(self):
        """A visitor of the link neither sees nor uses the debtor's saved
        payment methods; the debtor's own portal user sees theirs."""
        self._require_demo()
        invoice = self.invoice(self.debtor, 100.0, days_late=8)
        contact = self.env["res.partner"].create(
            {"name": "Paul Durand", "parent_id": self.debtor.id, "email": "p@d.example"}
        )
        new_test_user(
            self.env, "paul.durand", groups="base.group_portal", partner_id=contact.id
        )
        Token = self.env["payment.token"]
        saved = Token.create(
            [
                {
                    "provider_id": self.demo_provider.id,
                    "payment_method_id": self.demo_provider.payment_method_ids[:1].id,
                    "partner_id": partner.id,
                    "payment_details": "4242",
                    "provider_ref": f"demo-{partner.id}",
                }
                for partner in (self.debtor, contact)
            ]
        )
        html = self.url_open(self._url(invoice)).text
        self.assertIn('id="o_payment_form"', html)
        self.assertNotIn("o_payment_token_", html)
        with (
            self.assertRaises(JsonRpcException),
            self.assertLogs("odoo.http", level="WARNING"),
        ):
            self._transaction(invoice, flow="token", token_id=saved[0].id)
        self.authenticate("paul.durand", "paul.durand")
        html = self.url_open(self._url(invoice)).text
        self.assertIn(f'id="o_payment_token_{saved[1].id}"', html)
        self.assertNotIn(f'id="o_payment_token_{saved[0].id}"', html)

    def test_tour_debtor_pays_one_invoice(self):
        self._require_demo()
        invoice = self.invoice(self.debtor, 480.0, days_late=8)
        other = self.invoice(self.debtor, 150.0, days_late=8)
        self.start_tour(self._url(invoice), "recouvrement_debtor_pay")
        self.assertTrue(invoice.currency_id.is_zero(invoice.amount_residual))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        actions = self.run_dunning(TODAY)
        actions = actions.filtered(lambda a: a.partner_id == self.debtor)
        self.assertEqual(actions.line_ids.move_id, other)
