from odoo import api, fields, models
from odoo.exceptions import UserError


class RecouvrementDisputeResolve(models.TransientModel):
    """Close a dispute: the customer was right (credit note) or not (dunning
    resumes)."""

    _name = "recouvrement.dispute.resolve"
    _description = "Resolve a dispute"

    dispute_id = fields.Many2one(
        "recouvrement.dispute", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="dispute_id.currency_id")
    amount_residual = fields.Monetary(related="dispute_id.amount_residual")
    resolution = fields.Selection(
        [
            ("justified", "Justified: credit the customer"),
            ("rejected", "Rejected: the invoices are due"),
        ],
        required=True,
        default="justified",
    )
    amount_credit = fields.Monetary(
        string="Amount to credit",
        compute="_compute_amount_credit",
        store=True,
        readonly=False,
        help="Tax included. The whole disputed amount by default; less for a "
        "partial credit note.",
    )
    note = fields.Html(string="Resolution note", required=True)

    @api.depends("dispute_id")
    def _compute_amount_credit(self):
        for wizard in self:
            wizard.amount_credit = wizard.dispute_id.amount_disputed

    def action_confirm(self):
        self.ensure_one()
        dispute = self.dispute_id
        dispute._check_state(("open", "in_progress"))
        if not self.note or not self.note.striptags().strip():
            raise UserError(self.env._("Explain the resolution to close the dispute."))
        if self.resolution == "justified":
            dispute._resolve_justified(self.amount_credit, self.note)
        else:
            dispute._resolve_rejected(self.note)
        return {"type": "ir.actions.act_window_close"}
