"""Proof of sending entered for one letter or a stack posted together."""

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.recouvrement_action_proof import DELIVERY_OUTCOMES, SENDING_METHODS
from ..models.recouvrement_level import PRINTED_CHANNELS


class RecouvrementProofEntry(models.TransientModel):
    """The way, the date sent and, per letter, its tracking number, date of
    first presentation, outcome and scanned receipt."""

    _name = "recouvrement.proof.entry"
    _description = "Proof of sending of letters"

    sending_method = fields.Selection(
        SENDING_METHODS, required=True, default="registered"
    )
    sent_date = fields.Date(
        string="Sent on", required=True, default=fields.Date.context_today
    )
    line_ids = fields.One2many(
        "recouvrement.proof.entry.line", "wizard_id", string="Letters"
    )

    @api.model
    def _action_open(self, actions):
        letters = actions.filtered(
            lambda a: a.channel in PRINTED_CHANNELS and a.state in ("to_do", "done")
        )
        if not letters or letters != actions:
            raise UserError(
                self.env._(
                    "Select letters or formal notices that were printed: only "
                    "they have a proof of sending."
                )
            )
        first = letters[:1]
        wizard = self.create(
            {
                "sending_method": first.sending_method
                or ("registered" if first.channel == "formal_notice" else "ordinary"),
                "sent_date": first.sent_date or fields.Date.context_today(self),
                "line_ids": [
                    fields.Command.create(
                        {
                            "action_id": action.id,
                            "tracking_ref": action.tracking_ref,
                            "presented_date": action.presented_date,
                            "delivery_outcome": action.delivery_outcome,
                        }
                    )
                    for action in letters
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Proof of sending"),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "target": "new",
        }

    def action_confirm(self):
        self.ensure_one()
        if not self.line_ids:
            raise UserError(self.env._("Add the letters whose proof you enter."))
        today = fields.Date.context_today(self)
        # Every letter checked before any is written: nothing half recorded.
        values = {}
        for line in self.line_ids:
            vals = {
                "sending_method": self.sending_method,
                "sent_date": self.sent_date,
                "tracking_ref": (line.tracking_ref or "").strip() or False,
                "presented_date": line.presented_date,
                "delivery_outcome": line.delivery_outcome,
            }
            if line.proof_scan:
                vals.update(
                    proof_scan=line.proof_scan, proof_scan_name=line.proof_scan_name
                )
            line.action_id._check_proof_values(vals, today)
            values[line.action_id] = vals
        refs = [v["tracking_ref"] for v in values.values() if v["tracking_ref"]]
        if len(refs) != len(set(refs)):
            raise UserError(
                self.env._("Two letters cannot have the same tracking number.")
            )
        for action, vals in values.items():
            action._record_proof(vals)
        return {"type": "ir.actions.act_window_close"}


class RecouvrementProofEntryLine(models.TransientModel):
    _name = "recouvrement.proof.entry.line"
    _description = "Proof of sending of one letter"

    wizard_id = fields.Many2one(
        "recouvrement.proof.entry", required=True, ondelete="cascade"
    )
    action_id = fields.Many2one(
        "recouvrement.action", string="Letter", required=True, ondelete="cascade"
    )
    partner_id = fields.Many2one(related="action_id.partner_id")
    channel = fields.Selection(related="action_id.channel")
    tracking_ref = fields.Char(string="Tracking number")
    presented_date = fields.Date(string="First presented on")
    delivery_outcome = fields.Selection(DELIVERY_OUTCOMES)
    proof_scan = fields.Binary(string="Scanned receipt")
    proof_scan_name = fields.Char()
