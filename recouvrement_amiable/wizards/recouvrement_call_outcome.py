from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..models.selections import OUTCOMES


class RecouvrementCallOutcome(models.TransientModel):
    """What came out of a call to a debtor, recorded in one click."""

    _name = "recouvrement.call.outcome"
    _description = "Call outcome"

    action_id = fields.Many2one(
        "recouvrement.action", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="action_id.partner_id")
    currency_id = fields.Many2one(related="action_id.currency_id")
    amount_due = fields.Monetary(related="action_id.amount_due")
    outcome = fields.Selection(OUTCOMES, required=True, default="reached")
    promise_date = fields.Date(string="Promised payment date")
    promise_amount = fields.Monetary(string="Promised amount")
    note = fields.Text()

    @api.onchange("outcome")
    def _onchange_outcome(self):
        # A promise defaults to the whole amount due within a week.
        if self.outcome == "promise":
            self.promise_amount = self.promise_amount or self.amount_due
            self.promise_date = self.promise_date or fields.Date.context_today(
                self
            ) + timedelta(days=7)

    def action_confirm(self):
        self.ensure_one()
        action = self.action_id
        if action.state not in ("to_do", "done"):
            raise UserError(
                self.env._("Record the outcome of a call that was planned.")
            )
        if self.outcome == "promise":
            action._record_promise(self.promise_date, self.promise_amount, self.note)
        action.write(
            {
                "outcome": self.outcome,
                "outcome_note": self.note or False,
                "state": "done",
            }
        )
        if action.activity_id:
            action.activity_id.with_context(
                recouvrement_outcome_recorded=True
            ).action_feedback(feedback=self.note or dict(OUTCOMES)[self.outcome])
        action._log_on_partners({action.id: escape(self._summary())})
        return action._after_outcome(self.outcome)

    def _summary(self):
        label = dict(self._fields["outcome"]._description_selection(self.env))[
            self.outcome
        ]
        text = self.env._(
            "Call %(ref)s: %(outcome)s.", ref=self.action_id.name, outcome=label
        )
        if self.outcome == "promise":
            text += " " + self.env._(
                "Promise to pay %(amount)s by %(date)s.",
                amount=format_amount(self.env, self.promise_amount, self.currency_id),
                date=format_date(self.env, self.promise_date),
            )
        if self.note:
            text += " " + self.note
        return text

    # --- plans ---

    def action_confirm_propose_plan(self):
        """Record the call, then propose a payment plan for the invoices of
        the reminder (the debtor cannot pay at once)."""
        self.ensure_one()
        self.action_confirm()
        action = self.action_id.partner_id.action_recouvrement_propose_plan()
        moves = self.action_id.line_ids.move_id.filtered(
            lambda m: m.state == "posted" and m.amount_residual > 0
        )
        if moves:
            action["context"] = dict(
                action["context"], default_move_ids=[fields.Command.set(moves.ids)]
            )
        return action
