from odoo import api, fields, models
from odoo.exceptions import UserError

from ..models.selections import FILE_FORMATS


class RecouvrementCaseTransmit(models.TransientModel):
    """Hand invoices over to a collection agency in one click: the agency,
    the invoices (pre-selected from the invoice list, the customer or the
    agency-proposal reminder) and a note to the agency."""

    _name = "recouvrement.case.transmit"
    _description = "Transmit to a collection agency"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    agency_id = fields.Many2one(
        "res.partner",
        required=True,
        check_company=True,
        domain="[('recouvrement_is_agency', '=', True)]",
        default=lambda self: self._default_agency(),
    )
    move_ids = fields.Many2many(
        "account.move",
        "recouvrement_case_transmit_move_rel",
        "wizard_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('amount_residual', '>', 0), ('recouvrement_with_agency', '=', False)]",
    )
    action_id = fields.Many2one(
        "recouvrement.action",
        string="Agency proposal",
        help="The reminder proposing the hand-over: done once transmitted.",
    )
    note = fields.Text(
        string="Note to the agency",
        help="Sent with the file; say only what the agency needs to act.",
    )
    file_format = fields.Selection(
        FILE_FORMATS,
        compute="_compute_from_agency",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    send_email = fields.Boolean(
        string="Send by e-mail",
        compute="_compute_from_agency",
        store=True,
        readonly=False,
        precompute=True,
        help="E-mail the file to the agency; it can be downloaded in any case.",
    )
    debtor_count = fields.Integer(string="Debtors", compute="_compute_summary")
    amount_due = fields.Monetary(compute="_compute_summary")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        # Opened from an agency-proposal reminder: its open invoices.
        if values.get("action_id") and not values.get("move_ids"):
            action = self.env["recouvrement.action"].browse(values["action_id"])
            moves = action.line_ids.move_id.filtered(
                lambda m: not m.currency_id.is_zero(m.amount_residual)
            )
            values["move_ids"] = [fields.Command.set(moves.ids)]
            if "company_id" in fields_list:
                values["company_id"] = action.company_id.id
        return values

    def _default_agency(self):
        agencies = self.env["res.partner"].search(
            [
                ("recouvrement_is_agency", "=", True),
                ("company_id", "in", (False, self.env.company.id)),
            ],
            limit=2,
        )
        return agencies if len(agencies) == 1 else agencies.browse()

    @api.depends("agency_id")
    def _compute_from_agency(self):
        for wizard in self:
            agency = wizard.agency_id.with_company(wizard.company_id)
            wizard.file_format = agency.recouvrement_agency_file_format or "xlsx"
            wizard.send_email = agency.recouvrement_agency_send_email

    @api.depends("move_ids")
    def _compute_summary(self):
        for wizard in self:
            wizard.debtor_count = len(wizard.move_ids.commercial_partner_id)
            wizard.amount_due = sum(wizard.move_ids.mapped("amount_residual_signed"))

    @api.model
    def _action_open(self, moves, action=None):
        """The wizard's window with ``moves`` pre-selected."""
        if not moves:
            raise UserError(
                self.env._("There is no overdue invoice to transmit to an agency.")
            )
        context = {
            "default_move_ids": [fields.Command.set(moves.ids)],
            "default_company_id": moves.company_id[:1].id or self.env.company.id,
        }
        if action:
            context["default_action_id"] = action.id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Transmit to agency"),
            "res_model": self._name,
            "view_mode": "form",
            "target": "new",
            "context": context,
        }

    def action_transmit(self):
        self.ensure_one()
        export = self.env["recouvrement.case"]._transmit(
            self.move_ids,
            self.agency_id,
            note=self.note,
            file_format=self.file_format,
            send_email=self.send_email,
        )
        if self.action_id and self.action_id.state == "to_do":
            # The proposal was answered (when its invoices were not all
            # covered by _stop_internal_reminders).
            if self.action_id.activity_id:
                self.action_id.activity_id.action_feedback(
                    feedback=self.env._("Handed over to the collection agency.")
                )
            else:
                self.action_id.state = "done"
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Agency file"),
            "res_model": export._name,
            "res_id": export.id,
            "view_mode": "form",
            "target": "current",
        }
