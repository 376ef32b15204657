"""What becomes of a reminder whose e-mail Odoo's mail queue cannot send.

The run queues reminder e-mails (``mail.mail``, state ``outgoing``) and marks
the reminders done; Odoo's mail queue sends them later.

- The outgoing mail server cannot be reached (Odoo's failure type
  ``mail_smtp``: connection refused, timeout, authentication), or drops the
  connection while sending (``SMTPServerDisconnected``): Odoo would
  leave the e-mail in *Delivery Failed* and never try it again. A reminder's
  e-mail goes back to the queue instead (it stays queued and the queue's
  next pass sends it) and the reminder notes why it has not gone yet; the
  note goes once the e-mail is sent.
- The server refuses the e-mail itself (a recipient refused, a sender
  refused...): the reminder fails with the reason and the next channel of
  its level's chain is tried at once (see
  ``recouvrement.action._failed_after_sending``).
"""

import smtplib

from odoo import fields, models
from odoo.tools import exception_to_unicode


class RecouvrementAction(models.Model):
    _inherit = "recouvrement.action"

    # Looked up for every e-mail Odoo's queue sends (see below): indexed.
    mail_message_id = fields.Many2one(index="btree_not_null")


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _postprocess_sent_message(
        self, success_pids, failure_reason=False, failure_type=None
    ):
        reminders = self._recouvrement_reminders()
        result = super()._postprocess_sent_message(
            success_pids, failure_reason=failure_reason, failure_type=failure_type
        )
        if reminders:
            self._recouvrement_outcome(reminders, failure_type)
        return result

    def _send(self, *args, **kwargs):
        try:
            return super()._send(*args, **kwargs)
        except smtplib.SMTPServerDisconnected as error:
            # The server went away while sending: Odoo stops this pass and
            # leaves the e-mail being sent in "Delivery Failed" with no
            # failure type ("Error without exception"), never tried again.
            # A reminder's e-mail goes back to the queue like one whose
            # server could not be reached.
            lost = self.browse(list(self._recouvrement_reminders())).filtered(
                lambda mail: mail.state == "exception" and not mail.failure_type
            )
            if lost:
                lost.write({"failure_reason": exception_to_unicode(error)})
                lost._postprocess_sent_message(
                    success_pids=[], failure_type="mail_smtp"
                )
            raise

    def _recouvrement_reminders(self):
        """{mail.mail id: recouvrement.action} of the reminder e-mails in
        ``self`` (not the copies of letters, which stay to print)."""
        # Reminder e-mails are outgoing e-mails on the debtor (not Odoo's
        # notifications, not mass mailings): only those are looked up.
        messages = self.filtered(
            lambda mail: (
                mail.model == "res.partner"
                and mail.message_type == "email_outgoing"
                and not mail.is_notification
            )
        ).mail_message_id
        if not messages:
            return {}
        # sudo: the mail queue runs as whichever user sends it.
        actions = (
            self.env["recouvrement.action"]
            .sudo()
            .search(
                [
                    ("mail_message_id", "in", messages.ids),
                    ("channel", "=", "email"),
                ]
            )
        )
        by_message = {action.mail_message_id.id: action for action in actions}
        return {
            mail.id: by_message[mail.mail_message_id.id]
            for mail in self
            if mail.mail_message_id.id in by_message
        }

    def _recouvrement_outcome(self, reminders, failure_type):
        Action = self.env["recouvrement.action"].sudo()
        prefix = self.env._("E-mail waiting in Odoo's mail queue")
        refused = {}
        for mail in self.browse(list(reminders)).exists():
            action = reminders[mail.id]
            # Earlier notes, without the queue's.
            lines = [
                line
                for line in (action.failure_reason or "").splitlines()
                if not line.startswith(prefix)
            ]
            if failure_type == "mail_smtp":
                # The server was down: back to the queue, the reason noted.
                mail.write({"state": "outgoing"})
                # On one line (Odoo joins an error's arguments with newlines).
                reason = " ".join((mail.failure_reason or "").split())
                lines.append(f"{prefix}: {reason}" if reason else prefix)
            elif mail.state == "exception" and action.state == "done":
                refused[mail.mail_message_id.id] = self.env._(
                    "not delivered: %(reason)s",
                    reason=" ".join(
                        (mail.failure_reason or failure_type or "").split()
                    ),
                )
            note = "\n".join(lines) or False
            if note != (action.failure_reason or False):
                action.failure_reason = note
        if refused:
            Action._failed_after_sending("email", refused)
