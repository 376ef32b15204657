from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RecouvrementActionLine(models.Model):
    _name = "recouvrement.action.line"
    _description = "Invoice of a reminder"
    _order = "action_id, date_due, id"
    # The invoice's company is checked in one pass by _check_move_company:
    # Odoo's automatic check evaluates a domain per line, and a run creates
    # thousands of lines.
    _check_company_auto = False

    action_id = fields.Many2one(
        "recouvrement.action", required=True, ondelete="cascade", index=True
    )
    # The reminder's company, filled at creation (see create): a stored
    # related field would be written again by an UPDATE after the INSERT.
    company_id = fields.Many2one("res.company", readonly=True, index=True)
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
    # Plain fields filled at creation (see create) rather than related ones:
    # a Monetary field then finds its currency among the values being
    # created, instead of reading it through a new record for every amount
    # of the thousands of lines a run creates.
    currency_id = fields.Many2one("res.currency", readonly=True)
    move_currency_id = fields.Many2one(
        "res.currency", string="Invoice currency", readonly=True
    )
    amount_total = fields.Monetary(
        related="move_id.amount_total",
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
    # Not stored: performing a reminder would rewrite every one of its lines.
    action_state = fields.Selection(related="action_id.state")
    contact_date = fields.Datetime(related="action_id.contact_date")

    @api.model_create_multi
    def create(self, vals_list):
        missing = [
            vals
            for vals in vals_list
            if not vals.get("company_id")
            or not vals.get("currency_id")
            or not vals.get("move_currency_id")
        ]
        if missing:
            actions = self.env["recouvrement.action"].browse(
                {vals["action_id"] for vals in missing if vals.get("action_id")}
            )
            moves = self.env["account.move"].browse(
                {vals["move_id"] for vals in missing if vals.get("move_id")}
            )
            companies = {a.id: a.company_id for a in actions}
            move_currencies = {m.id: m.currency_id.id for m in moves}
            for vals in missing:
                company = companies.get(vals.get("action_id"), self.env["res.company"])
                if not vals.get("company_id"):
                    vals["company_id"] = company.id
                if not vals.get("currency_id"):
                    vals["currency_id"] = company.currency_id.id
                if not vals.get("move_currency_id"):
                    vals["move_currency_id"] = move_currencies.get(vals.get("move_id"))
        return super().create(vals_list)

    @api.constrains("move_id", "action_id", "company_id")
    def _check_move_company(self):
        for line in self:
            company = line.action_id.company_id
            if line.company_id != company:
                raise ValidationError(
                    self.env._(
                        "A reminder's invoices belong to the reminder's company."
                    )
                )
            if line.move_id.company_id != company:
                raise ValidationError(
                    self.env._(
                        "Invoice %(invoice)s belongs to %(invoice_company)s, "
                        "not to the reminder's company %(company)s.",
                        invoice=line.move_id.name,
                        invoice_company=line.move_id.company_id.name,
                        company=line.action_id.company_id.name,
                    )
                )

    def _compute_portal_url(self):
        for line in self:
            move = line.move_id
            line.portal_url = (
                move.get_base_url() + move.get_portal_url() if move else False
            )
