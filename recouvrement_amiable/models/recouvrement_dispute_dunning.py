from odoo import api, models

from .selections import ACTIVE_STATES, CLOSED_STATES


class RecouvrementDisputeDunning(models.AbstractModel):
    """Hooks of the dunning run (models/account_move.py): no reminder
    mentions a disputed invoice, and days in dispute do not count."""

    _name = "recouvrement.dispute.dunning"
    _description = "Dispute: effect on dunning"

    @api.model
    def _recouvrement_blocked_moves(self, moves, on_date):
        disputes = self.search(
            [
                ("move_ids", "in", moves.ids),
                "|",
                ("state", "in", ACTIVE_STATES),
                "&",
                ("state", "=", "resolved_justified"),
                ("credit_note_ids.state", "=", "draft"),
            ]
        )
        blocked = {}
        wanted = set(moves.ids)
        for dispute in disputes:
            reason = self.env._("In dispute %(ref)s", ref=dispute.name)
            for move_id in set(dispute.move_ids.ids) & wanted:
                blocked[move_id] = reason
        return blocked

    @api.model
    def _recouvrement_paused_days(self, moves, on_date):
        """Days spent in dispute after the due date are not counted against
        the debtor when the dispute ends with dunning resuming."""
        disputes = self.search(
            [("move_ids", "in", moves.ids), ("state", "in", CLOSED_STATES)]
        )
        paused = {}
        if not disputes:
            return paused
        # The due dates of the disputed invoices only.
        disputed = moves & disputes.move_ids
        due = dict(zip(disputed.ids, disputed.mapped("invoice_date_due"), strict=True))
        for dispute in disputes:
            end = dispute.date_resolved or on_date
            for move_id in dispute.move_ids.ids:
                due_date = due.get(move_id)
                if not due_date:
                    continue
                days = (end - max(dispute.date_open, due_date)).days
                if days > 0:
                    paused[move_id] = paused.get(move_id, 0) + days
        return paused
