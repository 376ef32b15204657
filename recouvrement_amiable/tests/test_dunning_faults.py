import io
import smtplib
from unittest.mock import patch

from freezegun import freeze_time

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.sms.tools.sms_api import SmsApi

from ..models import recouvrement_run_batches
from ..tools import pdf_split
from .common import NOW, TODAY, RecouvrementCommon

CRASH = (
    "Wkhtmltopdf failed (error code: -6). Message: qt.qpa.xcb: could not "
    "connect to display"
)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDunningFaults(RecouvrementCommon):
    """What a run does when wkhtmltopdf, the SMS provider or the SMTP
    server fails: the reason on the reminder, nothing lost."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Report = type(cls.env["ir.actions.report"])
        cls.other = cls.env["res.partner"].create(
            {
                "name": "Boulangerie Petit SAS",
                "is_company": True,
                "email": "compta@petit.example",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.third = cls.env["res.partner"].create(
            {
                "name": "Plomberie Roux SARL",
                "is_company": True,
                "email": "compta@roux.example",
                "street": "3 rue des Lilas",
                "zip": "69003",
                "city": "Lyon",
                "country_id": cls.env.ref("base.fr").id,
            }
        )

    def waiting(self, partner, level, amount, days_late):
        invoice = self.invoice(partner, amount, days_late=days_late)
        return self.reminder(partner, invoice, level, state="waiting", scheduled_at=NOW)

    def run_pdf(self):
        """A run that renders PDFs as in production (not Odoo's HTML of
        tests)."""
        return (
            self.env["recouvrement.policy"]
            .with_context(force_report_rendering=True)
            .run_dunning(TODAY)
        )

    def mail_of(self, action):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", action.mail_message_id.id)])
        )

    # ------------------------------------------------------------------
    # wkhtmltopdf
    # ------------------------------------------------------------------

    def test_wkhtmltopdf_missing_fails_letters_and_the_next_run_retries(self):
        letter = self.waiting(self.debtor, self.levels[30], 300.0, 31)
        email = self.waiting(self.other, self.levels[7], 200.0, 8)
        sms = self.waiting(self.consumer, self.consumer_levels[20], 150.0, 21)
        with (
            patch.object(self.Report, "get_wkhtmltopdf_state", lambda self: "install"),
            patch.object(
                self.Report,
                "_run_wkhtmltopdf",
                side_effect=AssertionError("wkhtmltopdf called"),
            ),
        ):
            self.run_pdf()
        self.assertEqual(letter.state, "failed")
        self.assertEqual(
            letter.failure_reason,
            "Letter: document error: wkhtmltopdf is not installed on the server: "
            "no PDF can be rendered",
        )
        self.assertFalse(letter.attachment_id)
        # E-mail (the invoices' stored PDFs) and SMS go on.
        self.assertEqual((email.state, email.failure_reason), ("done", False))
        self.assertEqual(email.email_to, "compta@petit.example")
        self.assertEqual((sms.state, sms.failure_reason), ("done", False))
        self.assertEqual(
            self.env["sms.sms"]
            .sudo()
            .search([("mail_message_id", "=", sms.mail_message_id.id)])
            .state,
            "outgoing",
        )

        # wkhtmltopdf installed: the next run retries the letter.
        def prepare_streams(report_self, report_ref, data, res_ids=None):
            return {
                res_id: {"stream": io.BytesIO(b"%%PDF %d" % res_id), "attachment": None}
                for res_id in res_ids
            }

        with (
            patch.object(self.Report, "get_wkhtmltopdf_state", lambda self: "ok"),
            patch.dict(pdf_split.WKHTMLTOPDF, {"splits": False}, clear=True),
            patch.object(
                self.Report, "_render_qweb_pdf_prepare_streams", prepare_streams
            ),
        ):
            self.run_pdf()
        self.assertEqual((letter.state, letter.failure_reason), ("to_do", False))
        self.assertEqual(letter.attachment_id.mimetype, "application/pdf")
        self.assertEqual(letter.attachment_id.raw, b"%%PDF %d" % letter.id)
        self.assertEqual(email.state, "done")
        self.assertEqual(len(self.mail_of(email)), 1)

    def test_documents_past_the_deadline_wait_for_the_hourly_job(self):
        """Past the caller's deadline (the cron's budget, "Run now"), letters
        are not rendered: they stay waiting, e-mails go on, and the hourly
        job prepares the letters."""
        letter = self.waiting(self.debtor, self.levels[30], 300.0, 31)
        email = self.waiting(self.other, self.levels[7], 200.0, 8)
        spent = recouvrement_run_batches._clock() - 1
        (letter | email).with_context(recouvrement_deadline=spent)._perform_due_now(
            fields.Datetime.now()
        )
        self.assertEqual(
            (letter.state, letter.failure_reason, letter.attachment_id),
            ("waiting", False, self.env["ir.attachment"]),
        )
        self.assertEqual(email.state, "done")
        self.env["recouvrement.run"]._cron_perform_waiting()
        self.assertEqual(letter.state, "to_do")
        self.assertTrue(letter.attachment_id)

    def test_wkhtmltopdf_crashing_fails_letters_and_notices_not_emails(self):
        letter = self.waiting(self.debtor, self.levels[30], 300.0, 31)
        notice = self.waiting(self.third, self.levels[45], 500.0, 46)
        self.levels[7].attach = "statement"
        email = self.waiting(self.other, self.levels[7], 200.0, 8)
        sms = self.waiting(self.consumer, self.consumer_levels[20], 150.0, 21)
        with (
            patch.object(self.Report, "get_wkhtmltopdf_state", lambda self: "ok"),
            patch.dict(pdf_split.WKHTMLTOPDF, clear=True),
            patch.object(self.Report, "_run_wkhtmltopdf", side_effect=UserError(CRASH)),
        ):
            self.run_pdf()
        self.assertEqual(
            (letter.state, letter.failure_reason),
            ("failed", f"Letter: document error: {CRASH}"),
        )
        self.assertEqual(
            (notice.state, notice.failure_reason),
            ("failed", f"Formal notice: document error: {CRASH}"),
        )
        # The e-mail goes without its statement, the reason noted; no letter.
        self.assertEqual(
            (email.state, email.channel, email.failure_reason),
            ("done", "email", f"Statement not attached: {CRASH}"),
        )
        mail = self.mail_of(email)
        self.assertEqual((len(mail), mail.attachment_ids.ids), (1, []))
        self.assertEqual((sms.state, sms.failure_reason), ("done", False))

    # ------------------------------------------------------------------
    # SMS provider
    # ------------------------------------------------------------------

    def send_sms_queue(self, iap_state):
        """Odoo's SMS queue sends the queued SMS; IAP answers ``iap_state``
        for each."""
        answers = []

        def send_batch(api, messages, delivery_reports_url=False):
            answers.extend(
                {"uuid": number["uuid"], "state": iap_state}
                for message in messages
                for number in message["numbers"]
            )
            return answers

        with patch.object(SmsApi, "_send_sms_batch", send_batch):
            self.env["sms.sms"].sudo().search([("state", "=", "outgoing")]).send(
                unlink_failed=False, unlink_sent=False
            )
        return answers

    def test_sms_provider_error_fails_and_tries_the_next_channel(self):
        sms_action = self.waiting(self.consumer, self.consumer_levels[20], 150.0, 21)
        email = self.waiting(self.other, self.levels[7], 200.0, 8)
        self.run_dunning()
        self.assertEqual((sms_action.state, sms_action.channel), ("done", "sms"))
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("mail_message_id", "=", sms_action.mail_message_id.id)])
        )
        self.assertEqual((sms.state, sms.number), ("outgoing", "+33781223344"))
        answers = self.send_sms_queue("insufficient_credit")
        self.assertIn({"uuid": sms.uuid, "state": "insufficient_credit"}, answers)
        self.assertEqual((sms.state, sms.failure_type), ("error", "sms_credit"))
        # The reminder went on by e-mail, the SMS's reason kept.
        self.assertEqual(
            (sms_action.state, sms_action.channel, sms_action.failure_reason),
            ("done", "email", "SMS: provider error: Insufficient Credit"),
        )
        self.assertEqual(sms_action.email_to, "camille.martin@particulier.example")
        mail = self.mail_of(sms_action)
        self.assertEqual(
            (len(mail), mail.state, mail.recipient_ids), (1, "outgoing", self.consumer)
        )
        # The other reminder is untouched.
        self.assertEqual((email.state, email.failure_reason), ("done", False))

    def test_sms_provider_error_during_a_run_waits_for_the_next_run(self):
        """While a dunning run holds the run's lock, the failed SMS is not
        followed by an e-mail from the SMS queue: the reminder stays failed
        and the next run sends it again."""
        sms_action = self.waiting(self.consumer, self.consumer_levels[20], 150.0, 21)
        self.run_dunning()
        first_message = sms_action.mail_message_id
        # Another worker's run holds the lock (this test's transaction took
        # it for its own run above: the lock itself is tested in TestRunLock).
        Run = type(self.env["recouvrement.run"])
        with patch.object(Run, "_try_lock", lambda self: False):
            self.send_sms_queue("insufficient_credit")
        self.assertEqual(
            (sms_action.state, sms_action.channel, sms_action.failure_reason),
            ("failed", "sms", "SMS: provider error: Insufficient Credit"),
        )
        self.assertFalse(
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", "res.partner"), ("res_id", "=", self.consumer.id)])
        )
        # The run's lock is free: the next run sends the SMS again.
        self.run_dunning()
        self.assertEqual(
            (sms_action.state, sms_action.channel, sms_action.failure_reason),
            ("done", "sms", False),
        )
        self.assertNotEqual(sms_action.mail_message_id, first_message)
        sms = (
            self.env["sms.sms"]
            .sudo()
            .search([("mail_message_id", "=", sms_action.mail_message_id.id)])
        )
        self.assertEqual((sms.state, sms.number), ("outgoing", "+33781223344"))

    def test_sms_provider_error_without_email_goes_to_a_letter(self):
        self.consumer.write(
            {
                "email": False,
                "street": "12 rue Victor Hugo",
                "zip": "33000",
                "city": "Bordeaux",
            }
        )
        sms_action = self.waiting(self.consumer, self.consumer_levels[20], 150.0, 21)
        self.run_dunning()
        self.assertEqual((sms_action.state, sms_action.channel), ("done", "sms"))
        self.send_sms_queue("server_error")
        self.assertEqual(
            (sms_action.state, sms_action.channel, sms_action.failure_reason),
            (
                "to_do",
                "letter",
                (
                    "SMS: provider error: Server Error\n"
                    "E-mail: no valid e-mail address for Camille Martin"
                ),
            ),
        )
        self.assertTrue(sms_action.attachment_id)

    # ------------------------------------------------------------------
    # SMTP server
    # ------------------------------------------------------------------

    def test_smtp_down_keeps_the_email_queued_until_sent(self):
        email = self.waiting(self.other, self.levels[7], 200.0, 8)
        self.run_dunning()
        mail = self.mail_of(email)
        self.assertEqual((email.state, mail.state), ("done", "outgoing"))
        Server = type(self.env["ir.mail_server"])
        with patch.object(
            Server,
            "connect",
            side_effect=ConnectionRefusedError(111, "Connection refused"),
        ):
            mail.send()
        # Still queued, the reason on the e-mail and on the reminder.
        self.assertEqual(
            (mail.state, mail.failure_reason),
            ("outgoing", "111\nConnection refused"),
        )
        self.assertEqual(
            (email.state, email.channel, email.failure_reason),
            (
                "done",
                "email",
                "E-mail waiting in Odoo's mail queue: 111 Connection refused",
            ),
        )
        # The queue's next pass, the server back: sent, the note gone.
        self.env["mail.mail"].sudo().process_email_queue(ids=mail.ids)
        self.assertEqual((mail.state, mail.failure_reason), ("sent", False))
        self.assertEqual((email.state, email.failure_reason), ("done", False))
        self.assertEqual(len(self.mail_of(email)), 1)
        self.assertFalse(
            self.env["recouvrement.action"].search(
                [("partner_id", "=", self.other.id), ("id", "!=", email.id)]
            )
        )

    def test_smtp_session_lost_keeps_the_email_queued(self):
        """The server drops the connection while sending: Odoo's queue gives
        up this pass; the e-mail stays queued and the next pass sends it."""
        email = self.waiting(self.other, self.levels[7], 200.0, 8)
        self.run_dunning()
        mail = self.mail_of(email)
        Server = type(self.env["ir.mail_server"])
        with (
            patch.object(
                Server,
                "send_email",
                side_effect=smtplib.SMTPServerDisconnected(
                    "Connection unexpectedly closed"
                ),
            ),
            mute_logger(
                "odoo.addons.mail.models.mail_mail",
                "odoo.addons.recouvrement_amiable.models.mail_mail",
            ),
        ):
            self.env["mail.mail"].sudo().process_email_queue(ids=mail.ids)
        self.assertEqual(
            (mail.state, mail.failure_reason),
            ("outgoing", "Connection unexpectedly closed"),
        )
        self.assertEqual(
            (email.state, email.failure_reason),
            (
                "done",
                "E-mail waiting in Odoo's mail queue: Connection unexpectedly closed",
            ),
        )
        self.env["mail.mail"].sudo().process_email_queue(ids=mail.ids)
        self.assertEqual(
            (mail.state, email.state, email.failure_reason), ("sent", "done", False)
        )
        self.assertEqual(len(self.mail_of(email)), 1)

    def test_email_refused_fails_and_tries_the_next_channel(self):
        email = self.waiting(self.other, self.levels[7], 200.0, 8)
        self.run_dunning()
        mail = self.mail_of(email)
        Server = type(self.env["ir.mail_server"])
        refused = smtplib.SMTPRecipientsRefused(
            {"compta@petit.example": (550, b"5.1.1 User unknown")}
        )
        with (
            patch.object(Server, "send_email", side_effect=refused),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            mail.send()
        self.assertEqual((mail.state, mail.failure_type), ("exception", "unknown"))
        self.assertEqual(
            mail.failure_reason,
            "{'compta@petit.example': (550, b'5.1.1 User unknown')}",
        )
        # The reminder went on as a letter, the e-mail's reason kept.
        self.assertEqual(
            (email.state, email.channel, email.failure_reason),
            (
                "to_do",
                "letter",
                (
                    "E-mail: not delivered: "
                    "{'compta@petit.example': (550, b'5.1.1 User unknown')}"
                ),
            ),
        )
        self.assertTrue(email.attachment_id)

    def test_sms_then_email_failing_goes_to_the_letter_not_back_to_sms(self):
        self.consumer.write(
            {"street": "12 rue Victor Hugo", "zip": "33000", "city": "Bordeaux"}
        )
        sms_action = self.waiting(self.consumer, self.consumer_levels[20], 150.0, 21)
        self.run_dunning()
        self.send_sms_queue("wrong_number_format")
        self.assertEqual((sms_action.state, sms_action.channel), ("done", "email"))
        mail = self.mail_of(sms_action)
        Server = type(self.env["ir.mail_server"])
        refused = smtplib.SMTPRecipientsRefused(
            {"camille.martin@particulier.example": (550, b"5.1.1 User unknown")}
        )
        with (
            patch.object(Server, "send_email", side_effect=refused),
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            mail.send()
        self.assertEqual(
            (sms_action.state, sms_action.channel, sms_action.failure_reason),
            (
                "to_do",
                "letter",
                (
                    "SMS: provider error: Wrong Number Format\n"
                    "E-mail: not delivered: {'camille.martin@particulier.example': "
                    "(550, b'5.1.1 User unknown')}"
                ),
            ),
        )
        # One SMS only: the failed channel is not tried again.
        self.assertEqual(
            self.env["sms.sms"]
            .sudo()
            .search_count([("partner_id", "=", self.consumer.id)]),
            1,
        )
