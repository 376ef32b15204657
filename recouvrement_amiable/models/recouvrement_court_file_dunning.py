from markupsafe import escape

from odoo import api, models

from ..tools.chatter import insert_notes
from .selections import JUDICIAL_STATES


class RecouvrementCourtFileDunning(models.AbstractModel):
    """What sending invoices to court does to their recovery: pending
    reminders cancelled, notes written, and the invoices kept out of the
    dunning run, payment plans and agencies (feature hook)."""

    _name = "recouvrement.court.file.dunning"
    _description = "Court file: effect on dunning"

    def _stop_reminders(self):
        """Pending reminders about the judicial invoices are cancelled."""
        actions = self.env["recouvrement.action"].search(
            [
                ("line_ids.move_id", "in", self.move_ids.ids),
                ("state", "in", ("waiting", "to_validate", "failed")),
            ]
        )
        if actions:
            actions.action_cancel()

    def _log_judicial(self):
        self.ensure_one()
        body = escape(
            self.env._(
                "Court file %(file)s prepared: reminders stop, the claim goes "
                "to %(route)s.",
                file=self.name,
                route=dict(self._fields["route"]._description_selection(self.env))[
                    self.route
                ],
            )
        )
        insert_notes(self.env, "account.move", dict.fromkeys(self.move_ids.ids, body))
        insert_notes(self.env, "res.partner", {self.partner_id.id: body})

    @api.model
    def _judicial_files_of(self, moves):
        # sudo: whether an invoice went to court is part of its recovery
        # status, for the run (cron) and whoever reads the invoice.
        return self.sudo().search(
            [("move_ids", "in", moves.ids), ("state", "in", JUDICIAL_STATES)]
        )

    @api.model
    def _recouvrement_blocked_moves(self, moves, on_date):
        """{invoice id: reason} for the invoices sent to court: no reminder,
        no payment plan, no agency."""
        blocked = {}
        for court_file in self._judicial_files_of(moves):
            reason = self.env._("Sent to court (file %(file)s)", file=court_file.name)
            for move in court_file.move_ids & moves:
                blocked[move.id] = reason
        return blocked
