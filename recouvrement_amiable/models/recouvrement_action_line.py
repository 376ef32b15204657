from odoo import fields, models


class RecouvrementActionLine(models.Model):
    _name = "recouvrement.action.line"
    _description = "Invoice of a reminder"
    _order = "action_id, date_due, id"
    _check_company_auto = True

    action_id = fields.Many2one(
        "recouvrement.action", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="action_id.company_id", store=True, index=True)
    move_id = fields.Many2one(
        "account.move", string="Invoice", required=True, index=True, check_company=True
    )
    level_id = fields.Many2one(
        "recouvrement.level",
        index=True,
        help="Level the invoice reached with this reminder (empty: listed "
        "because overdue, before its first level).",
    )
    date_due = fields.Date(string="Due date", required=True)
    days_late = fields.Integer()
    currency_id = fields.Many2one(related="action_id.currency_id")
    move_currency_id = fields.Many2one(
        related="move_id.currency_id", store=True, string="Invoice currency"
    )
    amount_total = fields.Monetary(
        related="move_id.amount_total",
        store=True,
        currency_field="move_currency_id",
        string="Invoice total",
    )
    amount_residual = fields.Monetary(
        string="Amount due",
        help="Amount due in the company currency when the reminder was planned.",
    )
    amount_residual_currency = fields.Monetary(
        currency_field="move_currency_id", string="Amount due (invoice currency)"
    )
    interest_amount = fields.Monetary(
        currency_field="move_currency_id",
        string="Interest",
        help="Late-payment interest to the reminder's date (levels that state "
        "penalties).",
    )
    indemnity_amount = fields.Monetary(
        currency_field="move_currency_id",
        string="Recovery indemnity",
        help="Flat recovery indemnity (professional debtors, levels that state "
        "penalties).",
    )
    portal_url = fields.Char(compute="_compute_portal_url")
    action_state = fields.Selection(related="action_id.state", store=True, index=True)
    contact_date = fields.Datetime(related="action_id.contact_date", store=True)

    def _compute_portal_url(self):
        for line in self:
            move = line.move_id
            line.portal_url = (
                move.get_base_url() + move.get_portal_url() if move else False
            )
