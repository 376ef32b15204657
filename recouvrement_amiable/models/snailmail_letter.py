from odoo import models


class SnailmailLetter(models.Model):
    _inherit = "snailmail.letter"

    # --- proof of sending --- a reminder letter posted by the service.

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            actions = self.env["recouvrement.action"].search(
                [("snailmail_letter_id", "in", self.ids)]
            )
            actions._sync_snailmail()
        return result
