import re
from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import format_amount

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDunningRun(RecouvrementCommon):
    def test_first_reminder_on_its_day_not_before(self):
        invoice = self.invoice(self.debtor, 1000.0, days_late=6)
        self.assertFalse(self.run_dunning())
        actions = self.run_dunning(TODAY + timedelta(days=1))
        self.assertEqual(len(actions), 1)
        self.assertEqual(actions.level_id, self.levels[7])
        self.assertEqual(actions.line_ids.move_id, invoice)
        self.assertEqual(invoice.recouvrement_level_id, self.levels[7])

    def test_courtesy_before_due_date(self):
        invoice = self.invoice(self.debtor, 250.0, days_late=-3)
        action = self.run_dunning()
        self.assertEqual(action.level_id, self.levels[-3])
        self.assertEqual(action.state, "done")
        self.assertEqual(action.line_ids.move_id, invoice)
        self.assertEqual(action.line_ids.days_late, -3)

    def test_one_reminder_per_debtor_at_the_highest_level(self):
        old = self.invoice(self.debtor, 700.0, days_late=20)
        recent = self.invoice(self.debtor, 300.0, days_late=9)
        fresh = self.invoice(self.debtor, 100.0, days_late=2)
        not_due = self.invoice(self.debtor, 999.0, days_late=-20)
        # ``old`` already had its first reminder (D+7) ten days ago.
        with freeze_time("2026-11-13 09:00:00"):
            first = self.run_dunning(TODAY - timedelta(days=10))
        # ``recent`` was then due the next day: its courtesy e-mail went too.
        self.assertEqual(
            {line.move_id: line.level_id for line in first.line_ids},
            {old: self.levels[7], recent: self.levels[-3]},
        )
        action = self.run_dunning()
        self.assertEqual(len(action), 1)
        # The call (D+15) for ``old`` is the highest level: one call, listing
        # every overdue invoice, each at its own level.
        self.assertEqual(action.level_id, self.levels[15])
        self.assertEqual(action.channel, "phone")
        levels = {line.move_id: line.level_id for line in action.line_ids}
        self.assertEqual(
            levels,
            {
                old: self.levels[15],
                recent: self.levels[7],
                fresh: self.env["recouvrement.level"],
            },
        )
        self.assertNotIn(not_due, action.line_ids.move_id)
        self.assertEqual(action.amount_due, 1100.0)
        self.assertEqual(action.state, "to_do")
        activity = action.activity_id
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(activity.res_id, self.debtor.id)
        self.assertIn("+33142685300", activity.note)
        self.assertEqual(recent.recouvrement_level_id, self.levels[7])
        self.assertFalse(fresh.recouvrement_level_id)

    def test_reminder_email_queued_with_statement_and_chatter(self):
        # The statement PDF attached to the e-mails (the shipped levels
        # attach the stored invoice PDFs).
        self.policy_pro.level_ids.attach = "statement"
        self.debtor.write(
            {"street": "12 rue des Lilas", "zip": "69003", "city": "Lyon"}
        )
        invoice = self.invoice(self.debtor, 1234.56, days_late=8)
        action = self.run_dunning()
        self.assertEqual(action.state, "done")
        self.assertEqual(action.email_to, "compta@durand.example")
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", action.mail_message_id.id)])
        )
        self.assertEqual(mail.recipient_ids, self.debtor)
        self.assertEqual(mail.model, "res.partner")
        self.assertEqual(mail.res_id, self.debtor.id)
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn("1,234.56", mail.body_html)
        self.assertEqual(len(mail.attachment_ids), 1)
        # Odoo renders reports as HTML in tests (see test_letters_rendered_as_pdf).
        self.assertEqual(mail.attachment_ids.mimetype, "text/html")
        page = mail.attachment_ids.raw.decode()
        # A whole page per debtor, in Odoo's report layout, markup unescaped.
        self.assertTrue(page.strip().startswith("<!DOCTYPE html>"))
        self.assertEqual(page.count("<html"), 1)
        self.assertEqual(page.count('class="article'), 1)
        self.assertNotIn("&lt;", page)
        self.assertIn(invoice.name, page)
        self.assertIn("1,234.56", page)
        # The debtor's postal address, its name first, then each line.
        self.assertRegex(
            page,
            r"(?s)<address[^>]*>\s*<div>Menuiserie Durand SARL</div>\s*"
            r"12 rue des Lilas<br/?>\s*69003 Lyon<br/?>\s*France\s*</address>",
        )
        # The company's logo is linked in an HTML document, not embedded.
        self.assertTrue(self.company.logo)
        logo = f"{self.company.get_base_url()}/logo.png?company={self.company.id}"
        self.assertIn(f'src="{logo}"', page)
        self.assertNotIn("data:image", page)
        self.assertEqual(action.attachment_id, mail.attachment_ids)
        # The lines carry the companies' and the invoice's currencies.
        self.assertEqual(action.line_ids.company_id, self.company)
        self.assertEqual(action.line_ids.currency_id, self.company.currency_id)
        self.assertEqual(action.line_ids.move_currency_id, invoice.currency_id)
        # Logged on the invoice's chatter.
        note = invoice.message_ids.filtered(lambda m: action.name in (m.body or ""))
        self.assertEqual(len(note), 1)

    def test_skip_paid_credited_and_covered(self):
        paid = self.invoice(self.debtor, 500.0, days_late=10)
        self.pay(paid, 500.0)
        credited = self.invoice(self.consumer, 200.0, days_late=12)
        refund = credited._reverse_moves([{"invoice_date": TODAY}])
        refund.action_post()
        open_lines = (credited + refund).line_ids.filtered(
            lambda line: line.account_type == "asset_receivable" and not line.reconciled
        )
        if open_lines:
            open_lines.reconcile()
        self.assertEqual(credited.payment_state, "reversed")
        self.assertFalse(self.run_dunning())
        # An unallocated payment covering what is overdue: no reminder either.
        covered = self.invoice(self.debtor, 300.0, days_late=10)
        payment = self.env["account.payment"].create(
            {
                "partner_id": self.debtor.id,
                "amount": 300.0,
                "payment_type": "inbound",
                "partner_type": "customer",
            }
        )
        payment.action_post()
        self.assertEqual(covered.amount_residual, 300.0)
        self.assertFalse(self.run_dunning())

    def test_skip_no_dunning_until_its_end(self):
        self.invoice(self.debtor, 500.0, days_late=10)
        with self.assertRaises(ValidationError):
            self.debtor.recouvrement_no_dunning = True
        self.debtor.write(
            {
                "recouvrement_no_dunning": True,
                "recouvrement_no_dunning_reason": "Litige commercial en cours",
                "recouvrement_no_dunning_until": TODAY + timedelta(days=5),
            }
        )
        self.assertFalse(self.run_dunning())
        with freeze_time("2026-11-29 09:00:00"):
            self.assertEqual(len(self.run_dunning(TODAY + timedelta(days=6))), 1)

    def test_level_minimum_amount(self):
        # 60 days late, already at the formal notice: the agency proposal needs 300.
        invoice = self.invoice(self.debtor, 250.0, days_late=60)
        self.levels[45].needs_validation = False
        self.env["recouvrement.action.line"].create(
            {
                "action_id": self.env["recouvrement.action"]
                .create(
                    {
                        "company_id": self.company.id,
                        "partner_id": self.debtor.id,
                        "policy_id": self.policy_pro.id,
                        "level_id": self.levels[45].id,
                        "channel": "formal_notice",
                        "state": "done",
                        "planned_date": TODAY - timedelta(days=10),
                        "contact_date": datetime(2026, 11, 13, 9),
                    }
                )
                .id,
                "move_id": invoice.id,
                "level_id": self.levels[45].id,
                "date_due": invoice.invoice_date_due,
                "amount_residual": 250.0,
            }
        )
        self.assertEqual(invoice.recouvrement_level_id, self.levels[45])
        self.assertFalse(self.run_dunning())
        # With a second invoice the debtor owes 350: the agency is proposed
        # for the first invoice; the new one does not climb with an internal
        # proposal (the debtor is not contacted) and gets its first reminder
        # at the next run.
        second = self.invoice(self.debtor, 100.0, days_late=61)
        action = self.run_dunning()
        self.assertEqual((action.level_id, action.channel), (self.levels[60], "agency"))
        self.assertEqual(
            {line.move_id: line.level_id for line in action.line_ids},
            {invoice: self.levels[60], second: self.env["recouvrement.level"]},
        )
        self.assertEqual(action.activity_id.user_id, self.collector)
        # An internal proposal: no account page link is made for it.
        self.assertFalse(action.portal_access_id)
        with freeze_time("2026-11-24 09:00:00"):
            following = self.run_dunning(TODAY + timedelta(days=1))
        self.assertEqual(following.level_id, self.levels[7])
        self.assertEqual(
            {line.move_id: line.level_id for line in following.line_ids},
            {invoice: self.levels[60], second: self.levels[7]},
        )

    def test_idempotent_on_the_same_day(self):
        self.invoice(self.debtor, 500.0, days_late=10)
        self.invoice(self.consumer, 80.0, days_late=12)
        first = self.run_dunning()
        self.assertEqual(len(first), 2)
        self.assertFalse(self.run_dunning())
        self.assertEqual(self.env["recouvrement.action"].search_count([]), 2)

    def test_failure_then_retry_only_what_failed(self):
        self.invoice(self.debtor, 500.0, days_late=10)
        lost = self.env["res.partner"].create(
            {"name": "Sans Contact SAS", "is_company": True}
        )
        self.invoice(lost, 400.0, days_late=10)
        self.policy_pro.report_id = False  # no letter to fall back on
        actions = self.run_dunning()
        failed = actions.filtered(lambda a: a.partner_id == lost)
        self.assertEqual(failed.state, "failed")
        self.assertIn("no valid e-mail address", failed.failure_reason)
        self.assertEqual(
            actions.filtered(lambda a: a.partner_id == self.debtor).state, "done"
        )
        # Fixed contact data: the next run retries the failed action only.
        lost.email = "compta@sans-contact.example"
        self.assertFalse(self.run_dunning())
        self.assertEqual(failed.state, "done")
        self.assertEqual(self.env["recouvrement.action"].search_count([]), 2)

    def test_channel_fallback_sms_email_letter(self):
        self.consumer.mobile = "01 42 68 53 00"  # a landline: no SMS
        invoice = self.invoice(self.consumer, 90.0, days_late=21)
        sms_level = self.consumer_levels[20]
        self.env["recouvrement.action.line"].create(
            {
                "action_id": self.env["recouvrement.action"]
                .create(
                    {
                        "company_id": self.company.id,
                        "partner_id": self.consumer.id,
                        "policy_id": self.policy_consumer.id,
                        "level_id": self.consumer_levels[10].id,
                        "channel": "email",
                        "state": "done",
                        "planned_date": TODAY - timedelta(days=11),
                        "contact_date": datetime(2026, 11, 12, 9),
                    }
                )
                .id,
                "move_id": invoice.id,
                "level_id": self.consumer_levels[10].id,
                "date_due": invoice.invoice_date_due,
                "amount_residual": 90.0,
            }
        )
        action = self.run_dunning()
        self.assertEqual(action.level_id, sms_level)
        self.assertEqual(action.channel, "email")
        self.assertEqual(action.state, "done")
        self.assertIn("not a mobile number", action.failure_reason)

    def test_fallback_to_letter_without_mobile_nor_email(self):
        self.consumer.write({"mobile": False, "email": False})
        invoice = self.invoice(self.consumer, 90.0, days_late=11)
        action = self.run_dunning()
        self.assertEqual(action.level_id, self.consumer_levels[10])
        self.assertEqual((action.channel, action.state), ("letter", "to_do"))
        self.assertEqual(action.attachment_id.mimetype, "text/html")
        self.assertIn("Camille Martin", action.attachment_id.raw.decode())
        self.assertEqual(action.line_ids.move_id, invoice)
        self.assertIn("no valid e-mail address", action.failure_reason)

    def test_sms_sent_through_odoo_sms(self):
        invoice = self.invoice(self.consumer, 90.0, days_late=21)
        self.reminder(
            self.consumer,
            invoice,
            self.consumer_levels[10],
            contact=datetime(2026, 11, 12, 9),
            channel="email",
        )
        action = self.run_dunning()
        self.assertEqual(
            (action.channel, action.state), ("sms", "done"), action.failure_reason
        )
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.consumer.id)])
        self.assertEqual(sms.number, "+33781223344")
        self.assertEqual(sms.state, "outgoing")
        self.assertIn("90.00", sms.body)
        self.assertIn(action.name, sms.body)

    def test_validation_flow_formal_notice(self):
        invoice = self.invoice(self.debtor, 2000.0, days_late=46)
        self.reminder(
            self.debtor, invoice, self.levels[30], contact=datetime(2026, 11, 7, 9)
        )
        salesrep = new_test_user(
            self.env,
            "notice_salesrep",
            groups="base.group_user,recouvrement_amiable.group_recouvrement_salesrep",
        )
        self.debtor.user_id = salesrep
        action = self.run_dunning()
        self.assertEqual(action.level_id, self.levels[45])
        self.assertEqual(action.state, "to_validate")
        self.assertIn(invoice.name, action.mail_body)
        self.assertFalse(action.attachment_id)
        action.with_user(self.collector).mail_subject = "Mise en demeure - dernier avis"
        action.with_user(self.collector).action_validate()
        self.assertEqual(action.state, "to_do")
        self.assertEqual(action.validated_by_id, self.collector)
        # HTML rendering in tests, stored as plain text for a non-admin user.
        self.assertIn(action.attachment_id.mimetype, ("text/html", "text/plain"))
        notice = action.attachment_id.raw.decode()
        self.assertIn("Formal notice", notice)
        self.assertIn("2,000.00", notice)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", action.mail_message_id.id)])
        )
        self.assertEqual(mail.subject, "Mise en demeure - dernier avis")
        self.assertEqual(mail.attachment_ids, action.attachment_id)
        # The customer's sales rep is told, in their inbox.
        told = self.debtor.message_ids.filtered(
            lambda m: salesrep.partner_id in m.partner_ids
        )
        self.assertEqual(len(told), 1)
        self.assertIn(action.name, told.body)
        self.assertIn("2,000.00", told.body)
        action.with_user(self.collector).action_mark_sent()
        self.assertEqual(action.state, "done")

    def test_cancel_to_validate(self):
        invoice = self.invoice(self.debtor, 2000.0, days_late=46)
        self.levels[7].needs_validation = True
        action = self.run_dunning()
        self.assertEqual(action.line_ids.move_id, invoice)
        action.with_user(self.collector).action_cancel()
        self.assertEqual(action.state, "cancelled")
        self.assertFalse(self.run_dunning())

    def test_letters_rendered_as_pdf_one_per_debtor(self):
        """Real wkhtmltopdf rendering: one PDF per reminder (one call for
        several debtors where wkhtmltopdf can split it, one call each where
        it cannot, as Debian's)."""
        from io import BytesIO

        from PyPDF2 import PdfFileReader

        # No web server to fetch the style sheets from during the test: an
        # address that refuses at once (wkhtmltopdf then renders unstyled).
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:9"
        )
        self.levels[7].write(
            {
                "channel": "letter",
                "report_id": self.env.ref(
                    "recouvrement_amiable.action_report_letter"
                ).id,
            }
        )
        debtors = self.debtor | self.env["res.partner"].create(
            [{"name": f"Garage Petit {i}", "is_company": True} for i in range(2)]
        )
        for debtor in debtors:
            self.invoice(debtor, 500.0, days_late=8)
        actions = (
            self.env["recouvrement.policy"]
            .with_context(force_report_rendering=True)
            .run_dunning(TODAY)
        )
        self.assertEqual(len(actions), 3)
        for action in actions:
            self.assertEqual(action.attachment_id.mimetype, "application/pdf")
            reader = PdfFileReader(BytesIO(action.attachment_id.raw))
            text = " ".join(
                "".join(page.extractText() for page in reader.pages).split()
            )
            self.assertIn(action.partner_id.name, text)
            for other in actions - action:
                self.assertNotIn(other.partner_id.name, text)

    def test_logo_embedded_in_pdf_documents_only(self):
        """wkhtmltopdf reads nothing from the server: a PDF document embeds
        the logo; an HTML one links it at the server's public address, even
        when reports are rendered from an internal one."""
        # The statement PDF attached to the e-mails (the shipped levels
        # attach the stored invoice PDFs).
        self.policy_pro.level_ids.attach = "statement"
        self.env["ir.config_parameter"].sudo().set_param(
            "report.url", "http://127.0.0.1:8069"
        )
        self.invoice(self.debtor, 100.0, days_late=8)
        action = self.run_dunning()
        Report = self.env["ir.actions.report"]
        report = self.env.ref("recouvrement_amiable.action_report_statement")
        logo = f"{self.company.get_base_url()}/logo.png?company={self.company.id}"
        pages = {}
        for report_type in ("pdf", "html"):
            values = Report._get_rendering_context(
                report, action.ids, {"report_type": report_type}
            )
            pages[report_type] = str(
                Report._render_template(report.report_name, values)
            )
        self.assertIn('src="data:image/png;base64,', pages["pdf"])
        self.assertNotIn(logo, pages["pdf"])
        self.assertIn(f'src="{logo}"', pages["html"])
        self.assertNotIn("data:image", pages["html"])
        # The statement e-mailed (HTML in tests) is framed at the reports'
        # address; its logo is at the public one.
        self.assertNotEqual(self.company.get_base_url(), "http://127.0.0.1:8069")
        statement = action.attachment_id.raw.decode()
        self.assertIn('<base href="http://127.0.0.1:8069"', statement)
        self.assertIn(f'src="{logo}"', statement)

    def test_amounts_claimed_in_each_invoice_currency(self):
        """A debtor owes each invoice in its own currency: the e-mail, the
        statement, the SMS and the formal notice ask for 300.00 in the
        company's currency and 500.00 CHF, never for their sum converted at
        today's rate (550.00 here, the reminder's internal amount due)."""
        # The statement PDF attached to the e-mails (the shipped levels
        # attach the stored invoice PDFs).
        self.policy_pro.level_ids.attach = "statement"
        chf = self.setup_other_currency("CHF", rounding=0.01)
        company_currency = self.company.currency_id
        self.assertNotEqual(company_currency, chf)
        self.invoice(self.debtor, 300.0, days_late=20)
        self.invoice(self.debtor, 500.0, days_late=10, currency=chf)
        action = self.run_dunning()
        self.assertEqual(action.state, "done")
        self.assertEqual(action.amount_due, 550.0)
        here = format_amount(self.env, 300.0, company_currency)
        francs = format_amount(self.env, 500.0, chf)
        converted = format_amount(self.env, 550.0, company_currency)
        self.assertEqual(action.amount_due_text, f"{here} and {francs}")
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", action.mail_message_id.id)])
        )
        self.assertIn(f"<strong>{here} and {francs}</strong>", mail.body_html)
        self.assertIn(f"{here}<br/>{francs}", mail.body_html)
        self.assertNotIn(converted, mail.body_html)
        statement = action.attachment_id.raw.decode()
        self.assertIn(f"{here}<br/>{francs}", statement)
        self.assertNotIn(converted, statement)
        sms = self.env.ref("recouvrement_amiable.sms_template_reminder")
        self.assertIn(
            f"2 invoice(s) totalling {here} and {francs} remain unpaid",
            sms._render_field("body", action.ids)[action.id],
        )
        # The formal notice: principal and total claimed per currency.
        self.assertEqual(
            action._claim_totals(),
            [
                {
                    "currency": company_currency,
                    "due": 300.0,
                    "interest": 0.0,
                    "indemnity": 0.0,
                    "credit": 0.0,
                    "to_pay": 300.0,
                    "claimed": 300.0,
                },
                {
                    "currency": chf,
                    "due": 500.0,
                    "interest": 0.0,
                    "indemnity": 0.0,
                    "credit": 0.0,
                    "to_pay": 500.0,
                    "claimed": 500.0,
                },
            ],
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("recouvrement_amiable.report_formal_notice", action.ids)[
                0
            ]
            .decode()
        )
        self.assertIn(f"<strong>{company_currency.name}</strong>", html)
        self.assertIn("<strong>CHF</strong>", html)
        self.assertNotIn(converted, html)
        # A debtor owing in the company's currency only: one amount.
        invoice = self.invoice(self.consumer, 120.0, days_late=20)
        single = self.reminder(
            self.consumer, invoice, self.consumer_levels[min(self.consumer_levels)]
        )
        self.assertEqual(
            single.amount_due_text, format_amount(self.env, 120.0, company_currency)
        )

    def test_open_credits_offset_the_amount_claimed(self):
        """A credit note of 100.00 not yet allocated offsets the 300.00
        overdue (set-off): the e-mail, the statement and the formal notice
        list it and ask for 200.00."""
        # The statement PDF attached to the e-mails (the shipped levels
        # attach the stored invoice PDFs).
        self.policy_pro.level_ids.attach = "statement"
        self.invoice(self.debtor, 300.0, days_late=20)
        refund = self.env["account.move"].create(
            {
                "move_type": "out_refund",
                "partner_id": self.debtor.id,
                "invoice_date": TODAY - timedelta(days=5),
                "invoice_line_ids": [
                    Command.create(
                        {"name": "Avoir", "price_unit": 100.0, "tax_ids": []}
                    )
                ],
            }
        )
        refund.action_post()
        action = self.run_dunning()
        currency = self.company.currency_id
        to_pay = format_amount(self.env, 200.0, currency)
        credit = format_amount(self.env, -100.0, currency)
        self.assertEqual(action.amount_due, 300.0)
        self.assertEqual(action.amount_due_text, to_pay)
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", action.mail_message_id.id)])
        )
        self.assertIn(f"<strong>{to_pay}</strong>", mail.body_html)
        self.assertRegex(
            mail.body_html,
            r"(?s)Credit notes and payments not yet allocated</td>\s*"
            rf"<td[^>]*>{re.escape(credit)}</td>.*"
            rf"Total due</td>\s*<td[^>]*>{re.escape(to_pay)}</td>",
        )
        self.assertIn(credit, action.attachment_id.raw.decode())
        self.assertEqual(
            action._claim_totals(),
            [
                {
                    "currency": currency,
                    "due": 300.0,
                    "interest": 0.0,
                    "indemnity": 0.0,
                    "credit": -100.0,
                    "to_pay": 200.0,
                    "claimed": 200.0,
                }
            ],
        )

    def test_lines_inserted_in_batch_equal_created_ones(self):
        """The lines a run inserts in one statement are the rows ``create``
        writes: same values, amounts rounded to their currency, and the
        invoices' dunning fields recomputed once the reminder is performed."""
        usd = self.setup_other_currency("USD", rounding=0.01)
        first = self.invoice(self.debtor, 100.0, days_late=20)
        second = self.invoice(self.debtor, 50.0, days_late=10, currency=usd)
        Action = self.env["recouvrement.action"]
        Line = self.env["recouvrement.action.line"]
        fields_ = [
            "move_id",
            "company_id",
            "currency_id",
            "move_currency_id",
            "level_id",
            "date_due",
            "days_late",
            "amount_residual",
            "amount_residual_currency",
            "interest_amount",
            "indemnity_amount",
        ]
        results = []
        for create in ("create", "_create_batch"):
            action = Action.create(
                {
                    "company_id": self.company.id,
                    "partner_id": self.debtor.id,
                    "policy_id": self.policy_pro.id,
                    "level_id": self.levels[7].id,
                    "channel": "email",
                    "state": "waiting",
                    "planned_date": TODAY,
                }
            )
            lines = getattr(Line, create)(
                [
                    {
                        "action_id": action.id,
                        "move_id": first.id,
                        "level_id": self.levels[15].id,
                        "date_due": first.invoice_date_due,
                        "days_late": 20,
                        "amount_residual": 100.004,
                        "amount_residual_currency": 100.004,
                        "interest_amount": 1.235,
                    },
                    {
                        "action_id": action.id,
                        "move_id": second.id,
                        "level_id": False,
                        "date_due": second.invoice_date_due,
                        "days_late": 10,
                        "amount_residual": 25.0,
                        "amount_residual_currency": 49.996,
                    },
                ]
            )
            self.assertEqual(action.line_ids, lines)
            self.assertIn(lines[0], first.recouvrement_action_line_ids)
            self.env.invalidate_all()
            results.append(
                [
                    {k: v for k, v in row.items() if k != "id"}
                    for row in lines.read(fields_, load=None)
                ]
            )
            action.write({"state": "done", "contact_date": datetime(2026, 11, 23, 9)})
            self.assertEqual(first.recouvrement_last_action_id, action)
            self.assertEqual(first.recouvrement_level_id, self.levels[15])
            self.assertEqual(second.recouvrement_last_action_id, action)
        self.assertEqual(results[0], results[1])
        row = results[1][0]
        self.assertEqual(row["amount_residual"], 100.0)
        self.assertEqual(row["interest_amount"], 1.24)
        self.assertEqual(row["company_id"], self.company.id)
        self.assertEqual(results[1][1]["move_currency_id"], usd.id)
        self.assertEqual(results[1][1]["amount_residual_currency"], 50.0)
        self.assertFalse(results[1][1]["level_id"])
