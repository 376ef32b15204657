from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
class TestPressureAndPromises(RecouvrementCommon):
    def _past_action(self, partner, invoice, level, contact, channel="email"):
        """A reminder already performed on ``contact`` (a datetime, UTC)."""
        return self.reminder(partner, invoice, level, contact=contact, channel=channel)

    @freeze_time(NOW)
    def test_waits_for_the_minimum_gap_then_goes_out(self):
        invoice = self.invoice(self.debtor, 900.0, days_late=30)
        # Call (D+15) made yesterday: the letter (D+30) waits 3 days between contacts.
        self._past_action(
            self.debtor, invoice, self.levels[15], datetime(2026, 11, 22, 9), "phone"
        )
        action = self.run_dunning()
        self.assertEqual(action.level_id, self.levels[30])
        self.assertEqual(action.state, "waiting")
        self.assertEqual(action.wait_reason, "min_gap")
        # 2026-11-25 00:00 in Paris is 2026-11-24 23:00 UTC.
        self.assertEqual(action.scheduled_at, datetime(2026, 11, 24, 23, 0))
        self.assertFalse(action.attachment_id)
        # The hourly job sends it once the moment has come, not before.
        with freeze_time("2026-11-24 12:00:00"):
            self.env["recouvrement.run"]._cron_perform_waiting()
        self.assertEqual(action.state, "waiting")
        with freeze_time("2026-11-25 08:00:00"):
            self.env["recouvrement.run"]._cron_perform_waiting()
        self.assertEqual(action.state, "to_do")
        self.assertTrue(action.attachment_id)
        # The debtor had no second action meanwhile.
        with freeze_time("2026-11-25 09:00:00"):
            self.assertFalse(self.run_dunning(TODAY + timedelta(days=2)))

    @freeze_time(NOW)
    def test_weekly_limit(self):
        invoice = self.invoice(self.debtor, 900.0, days_late=30)
        self._past_action(
            self.debtor, invoice, self.levels[7], datetime(2026, 11, 17, 9)
        )
        self._past_action(
            self.debtor, invoice, self.levels[15], datetime(2026, 11, 20, 9), "phone"
        )
        action = self.run_dunning()
        self.assertEqual(action.wait_reason, "week_limit")
        # The contact of the 17th leaves the window on the 24th (00:00 Paris).
        self.assertEqual(action.scheduled_at, datetime(2026, 11, 23, 23, 0))

    @freeze_time(NOW)
    def test_one_formal_notice_per_gap(self):
        """A debtor who received a formal notice 10 days ago gets no other
        for an invoice reaching it since: that invoice waits at its letter
        until the policy's gap has passed, then the notice lists both."""
        self.levels[45].needs_validation = False
        first = self.invoice(self.debtor, 800.0, days_late=55)
        self._past_action(
            self.debtor,
            first,
            self.levels[45],
            datetime(2026, 11, 13, 9),
            "formal_notice",
        )
        second = self.invoice(self.debtor, 600.0, days_late=46)
        self._past_action(
            self.debtor, second, self.levels[30], datetime(2026, 11, 6, 9), "letter"
        )
        self.assertEqual(self.policy_pro.notice_gap_days, 30)
        self.assertFalse(self.run_dunning())
        self.assertEqual(second.recouvrement_level_id, self.levels[30])
        # With a gap of 10 days, the notice of the 13th is far enough.
        self.policy_pro.notice_gap_days = 10
        notice = self.run_dunning()
        self.assertEqual(
            (notice.level_id, notice.channel, notice.state),
            (self.levels[45], "formal_notice", "to_do"),
        )
        self.assertEqual(
            {line.move_id: line.level_id for line in notice.line_ids},
            {first: self.levels[45], second: self.levels[45]},
        )
        self.assertEqual(second.recouvrement_level_id, self.levels[45])

    def test_no_sms_on_sunday_nor_outside_hours_nor_holidays(self):
        invoice = self.invoice(self.consumer, 90.0, days_late=21)
        self._past_action(
            self.consumer, invoice, self.consumer_levels[10], datetime(2026, 11, 12, 9)
        )
        # Sunday 2026-11-22, noon in Paris.
        with freeze_time("2026-11-22 11:00:00"):
            action = self.run_dunning(TODAY - timedelta(days=1))
        self.assertEqual(
            (action.level_id, action.state), (self.consumer_levels[20], "waiting")
        )
        self.assertEqual(action.wait_reason, "rest_day")
        # Monday 08:00 in Paris.
        self.assertEqual(action.scheduled_at, datetime(2026, 11, 23, 7, 0))
        action.state = "cancelled"
        # Monday 06:30 in Paris: SMS from 08:00.
        with freeze_time("2026-11-23 05:30:00"):
            action = self.run_dunning(TODAY)
        self.assertEqual(action.wait_reason, "hours")
        self.assertEqual(action.scheduled_at, datetime(2026, 11, 23, 7, 0))
        action.state = "cancelled"
        # A public holiday on the company calendar (Tuesday 24th).
        self.env["resource.calendar.leaves"].create(
            {
                "name": "Jour férié",
                "calendar_id": self.company.resource_calendar_id.id,
                "company_id": self.company.id,
                "date_from": datetime(2026, 11, 23, 23, 0),
                "date_to": datetime(2026, 11, 24, 22, 59),
            }
        )
        with freeze_time("2026-11-24 10:00:00"):
            action = self.run_dunning(TODAY + timedelta(days=1))
        self.assertEqual(action.wait_reason, "rest_day")
        self.assertEqual(action.scheduled_at, datetime(2026, 11, 25, 7, 0))

    def test_policy_hours_are_validated(self):
        with self.assertRaises(ValidationError):
            self.policy_pro.call_morning_end = 9.0  # before its start (10:00)
        with self.assertRaises(ValidationError):
            self.policy_pro.sms_end = 25.0
        with self.assertRaises(ValidationError):
            self.policy_pro.write({"max_contacts_7_days": 5, "max_contacts_30_days": 3})
        with self.assertRaisesRegex(ValidationError, "cannot be negative"):
            self.policy_pro.notice_gap_days = -1

    def _call(self):
        invoice = self.invoice(self.debtor, 1500.0, days_late=16)
        self._past_action(
            self.debtor, invoice, self.levels[7], datetime(2026, 11, 14, 9)
        )
        with freeze_time(NOW):
            call = self.run_dunning()
        self.assertEqual((call.channel, call.state), ("phone", "to_do"))
        return invoice, call

    def _record(self, call, **values):
        form = Form(
            self.env["recouvrement.call.outcome"]
            .with_user(self.collector)
            .with_context(default_action_id=call.id)
        )
        for name, value in values.items():
            setattr(form, name, value)
        return form.save().action_confirm()

    def test_promise_kept(self):
        invoice, call = self._call()
        with freeze_time(NOW):
            self._record(
                call,
                outcome="promise",
                promise_date=TODAY + timedelta(days=10),
                promise_amount=600.0,
            )
        self.assertEqual(
            (call.state, call.outcome, call.promise_state),
            ("done", "promise", "pending"),
        )
        self.assertFalse(call.activity_id.exists())
        # Reminders are suspended until the promised date, even at D+30.
        with freeze_time("2026-12-01 09:00:00"):
            self.assertFalse(self.run_dunning(TODAY + timedelta(days=8)))
        self.pay(invoice, 600.0, TODAY + timedelta(days=9))
        with freeze_time("2026-12-04 09:00:00"):
            self.run_dunning(TODAY + timedelta(days=11))
        self.assertEqual(call.promise_state, "kept")

    def test_promise_broken_moves_on_at_once(self):
        invoice, call = self._call()
        with freeze_time(NOW):
            self._record(
                call,
                outcome="promise",
                promise_date=TODAY + timedelta(days=2),
                promise_amount=1500.0,
            )
        self.pay(invoice, 100.0, TODAY + timedelta(days=1))
        # Day after the promise, only 100 of 1,500 paid: broken; the letter
        # (D+30) goes out at once although the invoice is only 19 days late.
        with freeze_time("2026-11-26 09:00:00"):
            action = self.run_dunning(TODAY + timedelta(days=3))
        self.assertEqual(call.promise_state, "broken")
        self.assertEqual(action.level_id, self.levels[30])
        self.assertEqual(action.line_ids.amount_residual, 1400.0)

    def test_promise_is_checked(self):
        _invoice, call = self._call()
        with freeze_time(NOW):
            with self.assertRaises(ValidationError):
                self._record(
                    call,
                    outcome="promise",
                    promise_date=TODAY - timedelta(days=1),
                    promise_amount=100.0,
                )
            with self.assertRaises(ValidationError):
                self._record(
                    call, outcome="promise", promise_date=TODAY, promise_amount=0.0
                )
            with self.assertRaises(ValidationError):
                self._record(
                    call, outcome="promise", promise_date=TODAY, promise_amount=1500.01
                )
        self.assertEqual(call.state, "to_do")

    def test_activity_done_from_the_chatter_counts_as_reached(self):
        _invoice, call = self._call()
        call.activity_id.with_user(self.collector).action_feedback(
            feedback="Parlé au comptable"
        )
        self.assertEqual((call.state, call.outcome), ("done", "reached"))
        self.assertEqual(call.outcome_note, "Parlé au comptable")

    def test_wrong_number_is_logged_on_the_customer(self):
        _invoice, call = self._call()
        self._record(
            call, outcome="wrong_number", note="Numéro attribué à un particulier"
        )
        self.assertEqual(call.outcome, "wrong_number")
        messages = self.debtor.message_ids.mapped("body")
        self.assertTrue(any("is wrong" in (body or "") for body in messages))

    @freeze_time(NOW)
    def test_reminder_rendered_in_french(self):
        # The statement PDF attached to the e-mails (the shipped levels
        # attach the stored invoice PDFs).
        self.policy_pro.level_ids.attach = "statement"
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["recouvrement_amiable"], ["fr_FR"], overwrite=True
        )
        self.debtor.lang = "fr_FR"
        invoice = self.invoice(self.debtor, 1234.56, days_late=8)
        action = self.run_dunning()
        mail = (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", action.mail_message_id.id)])
        )
        self.assertIn("relance de paiement", mail.subject)
        self.assertIn(invoice.name, mail.body_html)
        self.assertIn("234,56", mail.body_html)
        self.assertIn("Date d'échéance", mail.body_html)
        self.assertIn(invoice.invoice_date_due.strftime("%d/%m/%Y"), mail.body_html)
        statement = mail.attachment_ids.raw.decode()
        self.assertIn("Relevé des factures échues", statement)

    @freeze_time(NOW)
    def test_documents_rendered_per_reminder_equal_report(self):
        """Without wkhtmltopdf, each reminder's document is rendered from its
        template once per language: the pages are those of Odoo's report
        rendering of all the reminders, cut per reminder."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["recouvrement_amiable"], ["fr_FR"], overwrite=True
        )
        self.debtor.lang = "fr_FR"
        self.invoice(self.debtor, 1234.56, days_late=8)
        self.invoice(self.consumer, 99.9, days_late=12)
        actions = self.run_dunning()
        self.assertEqual(len(actions), 2)
        Action = self.env["recouvrement.action"]
        Report = self.env["ir.actions.report"]
        for xmlid in ("report_statement", "report_letter", "report_formal_notice"):
            report = self.env.ref(f"recouvrement_amiable.action_{xmlid}")
            pages = Action._render_html_pages(report, actions)
            html = Report._render_qweb_html(report.report_name, actions.ids)[0]
            expected = Action._split_html_documents(report, html)
            self.assertEqual(set(pages), set(actions.ids))
            for action in actions:
                self.assertEqual(
                    " ".join(str(pages[action.id]).split()),
                    " ".join(str(expected[action.id]).split()),
                )
            french = pages[(actions & self.debtor.recouvrement_action_ids).id]
            self.assertIn('data-oe-lang="fr_FR"', french)
