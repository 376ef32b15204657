"""An SMS provider's error reaches its reminder.

Odoo queues SMS (``sms.sms``, state ``outgoing``) and its cron sends them
later through IAP; the provider's answer (no credit, number refused, server
error...) sets the SMS to ``error`` with a ``failure_type``. A reminder sent
by SMS is *done* when its SMS is queued: when that SMS comes back in error,
the reminder fails with the provider's reason and the next channel of its
level's chain (e-mail, then letter) is tried at once (see
``recouvrement.action._failed_after_sending``).
"""

from odoo import models


class SmsSms(models.Model):
    _inherit = "sms.sms"

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") == "error":
            self._recouvrement_provider_failed()
        return result

    def _recouvrement_provider_failed(self):
        """Tell the reminders whose SMS are in ``self`` (in error) why."""
        failed = self.filtered(lambda sms: sms.mail_message_id)
        if not failed:
            return
        labels = dict(self._fields["failure_type"]._description_selection(self.env))
        reasons = {
            sms.mail_message_id.id: self.env._(
                "provider error: %(error)s",
                error=labels.get(sms.failure_type) or self.env._("Unknown error"),
            )
            for sms in failed
        }
        # sudo: the SMS queue runs as whichever user sends it; the reminders
        # of every company are the run's, performed as the run does.
        self.env["recouvrement.action"].sudo()._sms_provider_failed(reasons)
