import base64
from datetime import date
from unittest.mock import patch

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from odoo.addons.iap.tools import iap_tools

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestNoticeProof(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Entry = cls.env["recouvrement.proof.entry"]

    def notice(self, partner, invoice, contact="2026-11-03 09:00:00", state="to_do"):
        level = (
            self.consumer_levels[65] if partner == self.consumer else self.levels[45]
        )
        return self.reminder(partner, invoice, level, state=state, contact=contact)

    def entry(self, actions):
        action = actions.action_open_proof_entry()
        return self.Entry.browse(action["res_id"])

    def test_single_proof_entry(self):
        invoice = self.invoice(self.debtor, 1500.0, days_late=50)
        notice = self.notice(self.debtor, invoice)
        wizard = self.entry(notice)
        self.assertEqual(wizard.sending_method, "registered")
        self.assertEqual(wizard.sent_date, TODAY)
        scan = base64.b64encode(b"%PDF-1.4 receipt")
        with Form(wizard) as form:
            form.sent_date = date(2026, 11, 4)
            with form.line_ids.edit(0) as line:
                line.tracking_ref = " 1A 123 456 7890 1 "
                line.presented_date = date(2026, 11, 6)
                line.delivery_outcome = "signed"
                line.proof_scan = scan
                line.proof_scan_name = "receipt.pdf"
        wizard.action_confirm()
        self.assertRecordValues(
            notice,
            [
                {
                    "state": "done",
                    "sending_method": "registered",
                    "tracking_ref": "1A 123 456 7890 1",
                    "sent_date": date(2026, 11, 4),
                    "presented_date": date(2026, 11, 6),
                    "delivery_outcome": "signed",
                    "effective_date": date(2026, 11, 6),
                    "proof_scan_name": "receipt.pdf",
                }
            ],
        )
        self.assertEqual(notice.proof_scan, scan)
        note = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", self.debtor.id)],
            limit=1,
        )
        self.assertIn("1A 123 456 7890 1", note.body)

    def test_bulk_proof_entry(self):
        invoices = [self.invoice(self.debtor, 100.0 * n, days_late=50) for n in (1, 2)]
        letters = self.notice(self.debtor, invoices[0]) | self.reminder(
            self.consumer,
            self.invoice(self.consumer, 80.0, days_late=40),
            self.consumer_levels[50],
            state="to_do",
            contact="2026-11-03 09:00:00",
        )
        wizard = self.entry(letters)
        self.assertEqual(len(wizard.line_ids), 2)
        wizard.sent_date = date(2026, 11, 5)
        wizard.line_ids[0].write({"tracking_ref": "1A001", "presented_date": TODAY})
        wizard.line_ids[1].write({"tracking_ref": "1A002"})
        wizard.action_confirm()
        self.assertRecordValues(
            letters,
            [
                {"state": "done", "tracking_ref": "1A001", "presented_date": TODAY},
                {"state": "done", "tracking_ref": "1A002", "presented_date": False},
            ],
        )
        self.assertEqual(set(letters.mapped("sent_date")), {date(2026, 11, 5)})

    def test_bad_input_is_refused_and_nothing_written(self):
        invoice = self.invoice(self.debtor, 1500.0, days_late=50)
        notices = self.notice(self.debtor, invoice) | self.notice(self.debtor, invoice)
        wizard = self.entry(notices)
        wizard.sent_date = date(2026, 11, 10)
        wizard.line_ids[0].write({"tracking_ref": "1A001", "presented_date": TODAY})
        # A registered letter without its tracking number.
        with self.assertRaisesRegex(ValidationError, "tracking number"):
            wizard.action_confirm()
        self.assertFalse(notices.filtered("sent_date"))
        # Presented before it was sent.
        wizard.line_ids[1].write(
            {"tracking_ref": "1A002", "presented_date": date(2026, 11, 9)}
        )
        with self.assertRaisesRegex(ValidationError, "before it was sent"):
            wizard.action_confirm()
        # In the future.
        wizard.line_ids[1].presented_date = date(2026, 11, 24)
        with self.assertRaisesRegex(ValidationError, "in the future"):
            wizard.action_confirm()
        # The same number twice.
        wizard.line_ids[1].write({"tracking_ref": "1A001", "presented_date": False})
        with self.assertRaises(UserError):
            wizard.action_confirm()
        self.assertFalse(notices.filtered("sent_date"))
        # Written directly on the reminder: the same checks.
        with self.assertRaisesRegex(ValidationError, "tracking number"):
            notices[0].write({"sending_method": "registered", "sent_date": TODAY})
        # An e-mail has no proof of sending.
        email = self.reminder(self.debtor, invoice, self.levels[7])
        with self.assertRaises(UserError):
            email.action_open_proof_entry()

    def test_consumer_interest_from_presentation_date(self):
        invoice = self.invoice(self.consumer, 2000.0, days_late=83)
        notice = self.notice(self.consumer, invoice, state="done")
        Penalty = self.env["recouvrement.penalty"]
        claim = Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        # Prepared on 3 November: 20 days × 2,000 × 2.50 % / 365.
        self.assertEqual(claim.notice_date, date(2026, 11, 3))
        self.assertEqual(claim.interest, 2.74)
        notice._record_proof(
            {
                "sending_method": "registered",
                "tracking_ref": "1A999",
                "sent_date": date(2026, 11, 4),
                "presented_date": date(2026, 11, 7),
                "delivery_outcome": "unclaimed",
            }
        )
        claim = Penalty._recouvrement_claims(invoice, TODAY)[invoice.id]
        # From the presentation: 2026-11-08..11-23, 16 days × 2,000 × 2.50 % / 365.
        self.assertEqual(claim.notice_date, date(2026, 11, 7))
        self.assertEqual(claim.interest, 2.19)

    def test_missing_proof_raises_an_activity(self):
        self.policy_pro.notice_proof_days = 15
        invoice = self.invoice(self.debtor, 1500.0, days_late=50)
        late = self.notice(self.debtor, invoice, contact="2026-11-03 09:00:00")
        recent = self.notice(self.debtor, invoice, contact="2026-11-20 09:00:00")
        Action = self.env["recouvrement.action"]
        self.assertEqual(Action._cron_check_notice_proofs(TODAY), late)
        activity = late.proof_activity_id
        self.assertEqual(activity.res_id, self.debtor.id)
        self.assertEqual(activity.user_id, self.collector)
        self.assertFalse(recent.proof_activity_id)
        # Raised once only.
        self.assertFalse(Action._cron_check_notice_proofs(TODAY))
        # The proof closes it.
        late._record_proof(
            {
                "sending_method": "registered",
                "tracking_ref": "1A777",
                "sent_date": date(2026, 11, 4),
                "presented_date": date(2026, 11, 6),
            }
        )
        self.assertFalse(activity.exists())


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestLetterByPost(RecouvrementCommon):
    def letter(self, partner, amount):
        invoice = self.invoice(partner, amount, days_late=35)
        document = self.env["ir.attachment"].create(
            {
                "name": "letter.pdf",
                "raw": b"%PDF-1.4 letter",
                "mimetype": "application/pdf",
            }
        )
        return self.reminder(
            partner,
            invoice,
            self.levels[30],
            state="to_do",
            contact="2026-11-20 09:00:00",
            attachment_id=document.id,
        )

    def test_letters_through_the_postal_service(self):
        self.debtor.write(
            {"street": "12 rue de la République", "zip": "69002", "city": "Lyon"}
        )
        posted = self.letter(self.debtor, 700.0)
        # No street: the postal service refuses the address.
        incomplete = self.letter(self.consumer, 90.0)
        (posted | incomplete).action_send_by_post()
        self.assertEqual(posted.snailmail_state, "pending")
        self.assertEqual(posted.snailmail_letter_id.attachment_id, posted.attachment_id)
        self.assertEqual(incomplete.snailmail_state, "error")
        self.assertEqual(
            incomplete.failure_reason, "Postal service: MISSING_REQUIRED_FIELDS"
        )
        self.assertEqual(incomplete.state, "to_do")
        letter = posted.snailmail_letter_id
        response = {
            "request_code": 200,
            "total_cost": 1,
            "request": {
                "documents": [{"letter_id": letter.id, "sent": True, "send_id": "S1"}]
            },
        }
        with patch.object(iap_tools, "iap_jsonrpc", return_value=response) as iap:
            letter._snailmail_print_valid_address()
        self.assertEqual(iap.call_count, 1)
        self.assertRecordValues(
            posted,
            [
                {
                    "snailmail_state": "sent",
                    "state": "done",
                    "sending_method": "ordinary",
                    "sent_date": TODAY,
                }
            ],
        )
        # Posted once only; a formal notice goes by registered letter.
        with self.assertRaises(UserError):
            posted.action_send_by_post()
        notice = self.reminder(
            self.debtor,
            self.invoice(self.debtor, 50.0, days_late=50),
            self.levels[45],
            state="to_do",
        )
        with self.assertRaises(UserError):
            notice.action_send_by_post()
