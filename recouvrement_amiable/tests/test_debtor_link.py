from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDebtorLink(RecouvrementCommon):
    """Every reminder carries a signed link to the debtor's account page."""

    def _mail_of(self, action):
        return self.env["mail.mail"].search(
            [("mail_message_id", "=", action.mail_message_id.id)]
        )

    def test_email_carries_the_link(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=8)
        action = self.run_dunning()
        self.assertEqual((action.channel, action.state), ("email", "done"))
        access = action.portal_access_id
        self.assertEqual(access.partner_id, self.debtor)
        self.assertEqual(access.company_ids, self.company)
        self.assertEqual(access.expires_on, TODAY + timedelta(days=60))
        self.assertTrue(access.is_valid)
        self.assertEqual(len(access.token), 43)
        url = f"{access.get_base_url()}/recouvrement/account/{access.token}"
        self.assertEqual(action.portal_link, url)
        body = str(self._mail_of(action).body_html)
        self.assertIn(f'href="{url}"', body)
        self.assertIn(invoice.name, body)

    def test_link_reused_extended_and_revoked(self):
        """A debtor keeps one link: the next reminder reuses it and extends
        it; once revoked, the next reminder gets a new one."""
        other = self.env["res.partner"].create(
            {"name": "Garage Petit", "is_company": True, "email": "gp@example.com"}
        )
        self.invoice(self.debtor, 100.0, days_late=8)
        self.invoice(other, 200.0, days_late=8)
        first = self.run_dunning()
        self.assertEqual(len(first), 2)
        self.assertEqual(len(first.portal_access_id), 2)
        access = first.filtered(lambda a: a.partner_id == self.debtor).portal_access_id
        # Ten days later, the second level: the same link, valid 60 days
        # from then.
        later = TODAY + timedelta(days=10)
        with freeze_time(datetime(2026, 12, 3, 9)):
            second = self.run_dunning(later).filtered(
                lambda a: a.partner_id == self.debtor
            )
        self.assertTrue(second)
        self.assertEqual(second.portal_access_id, access)
        self.assertEqual(access.expires_on, later + timedelta(days=60))
        access.action_revoke()
        self.assertFalse(access.is_valid)
        self.assertFalse(
            self.env["recouvrement.portal.access"]._from_token(access.token)
        )
        second._ensure_portal_access()
        self.assertNotEqual(second.portal_access_id, access)
        self.assertTrue(second.portal_access_id.is_valid)
        self.assertEqual(
            self.env["recouvrement.portal.access"]._from_token(
                second.portal_access_id.token
            ),
            second.portal_access_id,
        )

    def test_expired_and_forged_tokens_open_nothing(self):
        self.invoice(self.debtor, 100.0, days_late=8)
        access = self.run_dunning().portal_access_id
        Access = self.env["recouvrement.portal.access"]
        self.assertEqual(Access._from_token(access.token), access)
        for token in ("", None, access.token[:-1], access.token + "x", "x" * 500):
            self.assertFalse(Access._from_token(token), token)
        with freeze_time(datetime(2027, 1, 23, 9)):  # TODAY + 61 days
            access.invalidate_recordset(["is_valid"])
            self.assertFalse(Access._from_token(access.token))

    def test_sms_and_letter_carry_the_link(self):
        invoice = self.invoice(self.consumer, 90.0, days_late=21)
        self.reminder(
            self.consumer,
            invoice,
            self.consumer_levels[10],
            contact=datetime(2026, 11, 12, 9),
            channel="email",
        )
        action = self.run_dunning()
        self.assertEqual((action.channel, action.state), ("sms", "done"))
        sms = self.env["sms.sms"].sudo().search([("partner_id", "=", self.consumer.id)])
        self.assertTrue(sms.body.endswith(action.portal_link), sms.body)

        letter_debtor = self.env["res.partner"].create(
            {"name": "Boulangerie Roux", "street": "1 rue Haute", "city": "Lyon"}
        )
        self.invoice(letter_debtor, 75.0, days_late=11)
        with freeze_time(datetime(2026, 11, 24, 9)):
            letter = self.run_dunning(date(2026, 11, 24)).filtered(
                lambda a: a.partner_id == letter_debtor
            )
        self.assertEqual((letter.channel, letter.state), ("letter", "to_do"))
        html = letter.attachment_id.raw.decode()
        self.assertIn(letter.portal_link, html)
        self.assertIn("/report/barcode/?barcode_type=QR", html)

    def test_policy_rejects_bad_days(self):
        for field in ("portal_link_days", "portal_promise_max_days"):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.policy_pro.write({field: 0})
        for field in ("reply_pause_days", "portal_paid_pause_days"):
            with self.assertRaises(ValidationError), self.cr.savepoint():
                self.policy_pro.write({field: -1})
        self.policy_pro.portal_link_days = 15
        self.invoice(self.debtor, 100.0, days_late=8)
        action = self.run_dunning()
        self.assertEqual(action.portal_access_id.expires_on, TODAY + timedelta(15))


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDebtorReply(RecouvrementCommon):
    """A reply to a reminder comes back into Odoo as a debtor answer."""

    def _reply(self, action, body="Nous avons payé la semaine dernière."):
        parent = action.mail_message_id
        raw = (
            f"From: Menuiserie Durand <{self.debtor.email}>\r\n"
            f"To: {self.company.email}\r\n"
            f"Subject: Re: {parent.subject}\r\n"
            f"Message-ID: <reply-{action.id}@durand.example>\r\n"
            f"In-Reply-To: {parent.message_id}\r\n"
            f"References: {parent.message_id}\r\n"
            "Date: Mon, 23 Nov 2026 10:00:00 +0100\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            f"{body}\r\n"
        )
        self.env["mail.thread"].message_process(None, raw.encode())
        return self.env["recouvrement.debtor.answer"].search(
            [("action_id", "=", action.id)]
        )

    def test_reply_pauses_dunning_until_handled(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=8)
        action = self.run_dunning()
        answer = self._reply(action)
        self.assertEqual(len(answer), 1)
        self.assertEqual(
            (answer.kind, answer.state, answer.partner_id, answer.company_id),
            ("reply", "open", self.debtor, self.company),
        )
        self.assertEqual(answer.pause_until, TODAY + timedelta(days=5))
        self.assertEqual(answer.user_id, self.collector)
        self.assertIn("Nous avons payé", answer.note)
        self.assertEqual(answer.message_id.parent_id, action.mail_message_id)
        activity = answer.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.collector)
        self.assertEqual(
            activity.summary, f"Reply from the debtor to reminder {action.name}"
        )
        # The reply is threaded in the debtor's chatter.
        self.assertIn(answer.message_id, self.debtor.message_ids)
        # Eight days later the next level is due, but the debtor answered:
        # nothing goes out while the answer is open and the pause runs.
        blocked = invoice._recouvrement_blocking_reasons(TODAY + timedelta(days=4))
        self.assertIn("Debtor answered", blocked[invoice.id])
        # The collector marks the activity done: dunning resumes.
        activity.action_feedback(feedback="Appelé, paiement en cours")
        self.assertEqual(answer.state, "done")
        self.assertFalse(
            invoice._recouvrement_blocking_reasons(TODAY + timedelta(days=4))
        )

    def test_pause_ends_by_itself(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=8)
        answer = self._reply(self.run_dunning())
        self.assertTrue(invoice._recouvrement_blocking_reasons(TODAY + timedelta(5)))
        self.assertFalse(invoice._recouvrement_blocking_reasons(TODAY + timedelta(6)))
        self.assertEqual(answer.state, "open")

    def test_other_mail_is_not_an_answer(self):
        """A reply to another message of the debtor is not a reminder
        answer: nothing pauses."""
        self.invoice(self.debtor, 1200.0, days_late=8)
        note = self.debtor.message_post(body="Note interne", message_type="email")
        raw = (
            f"From: {self.debtor.email}\r\nTo: {self.company.email}\r\n"
            "Subject: Re: note\r\nMessage-ID: <other@durand.example>\r\n"
            f"In-Reply-To: {note.message_id}\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nBonjour\r\n"
        )
        self.env["mail.thread"].message_process(None, raw.encode())
        self.assertFalse(
            self.env["recouvrement.debtor.answer"].search(
                [("partner_id", "=", self.debtor.id)]
            )
        )
