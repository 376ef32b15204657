from datetime import date, datetime
from unittest.mock import patch

import psycopg2
from freezegun import freeze_time
from markupsafe import escape

from odoo.tests import tagged
from odoo.tools import format_amount, format_date

from odoo.addons.mail.models.mail_render_mixin import MailRenderMixin

from ..tools.chatter import insert_notes
from ..tools.formatting import Formatter
from .common import NOW, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestReminderBodies(RecouvrementCommon):
    def test_batch_render_equals_odoo_render(self):
        """The reminder bodies rendered for a batch with one compilation are
        exactly those Odoo renders record by record."""
        invoices = self.invoice(self.debtor, 1234.56, days_late=8) + self.invoice(
            self.consumer, 99.9, days_late=12
        )
        # The run renders the batch in one go, without falling back on
        # Odoo's record-by-record method (which logs a warning).
        with self.assertNoLogs(
            "odoo.addons.recouvrement_amiable.models.mail_template", "WARNING"
        ):
            actions = self.run_dunning()
        self.assertEqual(len(actions), 2)
        Template = self.env["mail.template"]
        # Nothing computed one by one left in the cache.
        self.env.invalidate_all()
        for template in actions.level_id.mail_template_id:
            # The batch path itself, not its fallback on Odoo's method.
            batch = Template._render_template_qweb_once(
                template.body_html, "recouvrement.action", actions.ids, None, {}
            )
            # Odoo's own method, record by record.
            one_by_one = {
                action.id: MailRenderMixin._render_template_qweb(
                    Template, template.body_html, "recouvrement.action", action.ids
                )[action.id]
                for action in actions
            }
            self.assertEqual(batch, one_by_one)
            for action in actions:
                invoice = invoices.filtered(
                    lambda m, a=action: m.partner_id == a.partner_id
                )
                self.assertIn(invoice.name, batch[action.id])
                # Each debtor's own account page link.
                self.assertTrue(action.portal_access_id)
                self.assertIn(action.portal_access_id.token, batch[action.id])
        # The e-mails the run queued (tables read for the whole batch) list
        # each debtor's own invoice, with its amounts, and only it.
        for action in actions:
            invoice = invoices.filtered(
                lambda m, a=action: m.partner_id == a.partner_id
            )
            other = invoices - invoice
            mail = self.env["mail.mail"].search(
                [("mail_message_id", "=", action.mail_message_id.id)]
            )
            body = str(mail.body_html)
            self.assertIn(invoice.name, body)
            self.assertNotIn(other.name, body)
            amount = format_amount(
                self.env,
                invoice.amount_total,
                invoice.currency_id,
                action.partner_id.lang,
            )
            # The table of the e-mail is the one rendered for this reminder
            # alone: invoice total, amount due and total due.
            table = str(
                action.with_context(lang=action.partner_id.lang).invoice_table_html
            )
            self.assertIn(table, body)
            self.assertEqual(table.count(amount), 3)
            self.assertIn(
                format_date(
                    self.env, invoice.invoice_date_due, lang_code=action.partner_id.lang
                ),
                body,
            )


@tagged("post_install", "-at_install")
class TestFormatter(RecouvrementCommon):
    def test_same_text_as_odoo(self):
        """The batch formatter writes amounts and dates exactly as Odoo's
        format_amount and format_date, whatever the language's formats."""
        self.env["res.lang"]._activate_lang("fr_FR")
        usd = self.env.ref("base.USD")
        usd.active = True
        amounts = [0.0, 0.004, 1234567.891, -98765.4321, 1e-9, 40.0]
        days = [date(2026, 1, 5), datetime(2026, 11, 23, 23, 30), "2026-02-03", False]
        for lang_code, date_format in (
            ("fr_FR", None),
            ("en_US", None),
            ("fr_FR", "%d %B %Y"),  # a month name: Odoo's babel names it
            ("en_US", "%A %d/%m/%y"),
        ):
            lang = self.env["res.lang"]._lang_get(lang_code)
            if date_format:
                lang.date_format = date_format
            formatter = Formatter(self.env, lang_code)
            for currency in (self.env.company.currency_id, usd):
                for amount in amounts:
                    self.assertEqual(
                        formatter.amount(amount, currency),
                        format_amount(self.env, amount, currency, lang_code),
                    )
            for day in days:
                self.assertEqual(
                    formatter.date(day),
                    format_date(self.env, day, lang_code=lang_code) or "",
                    (lang_code, date_format, day),
                )
        self.assertEqual(
            Formatter(self.env, "fr_FR").date(date(2026, 1, 5)), "05 janvier 2026"
        )
        # Numeric formats never go through babel, frozen clock or not.
        self.env["res.lang"]._lang_get("en_US").date_format = "%m/%d/%y"
        formatter = Formatter(self.env, "en_US")
        with (
            freeze_time(NOW),
            patch(
                "odoo.addons.recouvrement_amiable.tools.formatting.format_date",
                side_effect=AssertionError("babel called"),
            ),
        ):
            self.assertEqual(formatter.date(date(2026, 1, 5)), "01/05/26")


@tagged("post_install", "-at_install")
class TestBatchNotes(RecouvrementCommon):
    def _notes(self, invoices, text):
        return self.env["mail.message"].search(
            [
                ("model", "=", "account.move"),
                ("res_id", "in", invoices.ids),
                ("body", "ilike", text),
            ]
        )

    def test_notes_written_in_one_insert(self):
        invoices = self.invoice(self.debtor, 10.0, 5) + self.invoice(
            self.consumer, 20.0, 5
        )
        insert_notes(
            self.env,
            "account.move",
            {move.id: escape(f"Note <b>{move.name}</b>") for move in invoices},
        )
        notes = self._notes(invoices, "Note &lt;b&gt;")
        self.assertEqual(sorted(notes.mapped("res_id")), sorted(invoices.ids))
        self.assertEqual(set(notes.mapped("message_type")), {"notification"})
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(notes.author_id, self.env.user.partner_id)
        self.assertTrue(all(notes.mapped("is_internal")))
        self.assertEqual(len(set(notes.mapped("message_id"))), 2)
        # The chatter shows them.
        self.assertIn(notes[0], invoices[0].message_ids | invoices[1].message_ids)

    def test_falls_back_to_odoo_batch_log(self):
        invoice = self.invoice(self.debtor, 10.0, 5)
        with (
            patch(
                "odoo.addons.recouvrement_amiable.tools.chatter._insert",
                side_effect=psycopg2.Error("refused"),
            ),
            self.assertLogs(
                "odoo.addons.recouvrement_amiable.tools.chatter", level="WARNING"
            ),
        ):
            insert_notes(self.env, "account.move", {invoice.id: escape("Repli")})
        self.assertEqual(len(self._notes(invoice, "Repli")), 1)
