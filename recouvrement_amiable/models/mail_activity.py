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
        # --- debtor page --- marking the follow-up of a debtor's answer
        # done handles the answer: dunning resumes.
        answer_ids = [
            a.res_id for a in self if a.res_model == "recouvrement.debtor.answer"
        ]
        result = super()._action_done(feedback=feedback, attachment_ids=attachment_ids)
        for action in actions:
            values = {"state": "done"}
            if action.channel == "phone" and not action.outcome:
                values.update(outcome="reached", outcome_note=feedback or False)
            action.write(values)
        if answer_ids:
            answers = self.env["recouvrement.debtor.answer"].browse(answer_ids)
            answers.filtered(lambda a: a.state == "open").write({"state": "done"})
        return result
