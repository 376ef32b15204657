from odoo import fields, models


class MailActivity(models.Model):
    _inherit = "mail.activity"

    recouvrement_action_id = fields.Many2one(
        "recouvrement.action",
        string="Reminder",
        index="btree_not_null",
        ondelete="cascade",
    )

    def _action_done(self, feedback=False, attachment_ids=None):
        # A call marked done from the chatter without recording an outcome
        # still counts as done: the collector reached the debtor.
        actions = self.recouvrement_action_id.filtered(lambda a: a.state == "to_do")
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        for action in actions:
            values = {"state": "done"}
            if action.channel == "phone" and not action.outcome:
                values.update(outcome="reached", outcome_note=feedback or False)
            action.write(values)
        return result
