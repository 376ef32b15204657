from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .recouvrement_policy import DEBTOR_TYPES


class ResPartner(models.Model):
    _inherit = "res.partner"

    recouvrement_debtor_type = fields.Selection(
        DEBTOR_TYPES,
        string="Debtor type",
        compute="_compute_recouvrement_debtor_type",
        store=True,
        readonly=False,
        precompute=True,
        recursive=True,
        help="Professionals owe late-payment penalties and the 40 EUR recovery "
        "indemnity; consumers do not. Defaults from company / individual.",
    )
    recouvrement_policy_id = fields.Many2one(
        "recouvrement.policy",
        string="Dunning policy",
        company_dependent=True,
        domain="[('company_id', 'in', (False, current_company_id))]",
        help="Empty: the company's default policy for this kind of debtor.",
    )
    recouvrement_collector_id = fields.Many2one(
        "res.users",
        string="Collector",
        company_dependent=True,
        domain="[('share', '=', False)]",
        help="Collector in charge of this customer's recovery. Empty: the "
        "policy's default collector.",
    )
    recouvrement_no_dunning = fields.Boolean(
        string="No dunning",
        company_dependent=True,
        help="No reminder goes to this customer (until the end date, if any).",
    )
    recouvrement_no_dunning_reason = fields.Char(
        string="Reason for no dunning", company_dependent=True
    )
    recouvrement_no_dunning_until = fields.Date(
        string="No dunning until", company_dependent=True
    )
    recouvrement_action_ids = fields.One2many(
        "recouvrement.action", "partner_id", string="Reminders"
    )
    recouvrement_action_count = fields.Integer(
        string="Reminder count", compute="_compute_recouvrement_summary"
    )
    recouvrement_overdue_amount = fields.Monetary(
        string="Overdue amount",
        compute="_compute_recouvrement_summary",
        currency_field="recouvrement_currency_id",
    )
    recouvrement_overdue_count = fields.Integer(
        string="Overdue invoices", compute="_compute_recouvrement_summary"
    )
    recouvrement_oldest_due_date = fields.Date(
        string="Oldest due date", compute="_compute_recouvrement_summary"
    )
    recouvrement_currency_id = fields.Many2one(
        "res.currency", compute="_compute_recouvrement_summary"
    )

    @api.depends("is_company", "parent_id.recouvrement_debtor_type")
    def _compute_recouvrement_debtor_type(self):
        for partner in self:
            if partner.parent_id:
                partner.recouvrement_debtor_type = (
                    partner.parent_id.recouvrement_debtor_type
                )
            else:
                partner.recouvrement_debtor_type = (
                    "professional" if partner.is_company else "consumer"
                )

    @api.depends_context("company")
    def _compute_recouvrement_summary(self):
        company = self.env.company
        today = fields.Date.context_today(self)
        commercial = self.commercial_partner_id
        overdue = {
            partner: (amount, count, oldest)
            for partner, amount, count, oldest in self.env[
                "account.move.line"
            ]._read_group(
                [
                    ("company_id", "=", company.id),
                    ("partner_id", "in", commercial.ids),
                    ("account_type", "=", "asset_receivable"),
                    ("parent_state", "=", "posted"),
                    ("reconciled", "=", False),
                    ("move_id.move_type", "=", "out_invoice"),
                    ("amount_residual", ">", 0),
                    ("date_maturity", "<", today),
                ],
                groupby=["partner_id"],
                aggregates=[
                    "amount_residual:sum",
                    "move_id:count_distinct",
                    "date_maturity:min",
                ],
            )
        }
        actions = dict(
            self.env["recouvrement.action"]._read_group(
                [("partner_id", "in", commercial.ids), ("state", "!=", "cancelled")],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            amount, count, oldest = overdue.get(
                partner.commercial_partner_id, (0.0, 0, False)
            )
            partner.recouvrement_overdue_amount = amount
            partner.recouvrement_overdue_count = count
            partner.recouvrement_oldest_due_date = oldest
            partner.recouvrement_currency_id = company.currency_id
            partner.recouvrement_action_count = actions.get(
                partner.commercial_partner_id, 0
            )

    @api.constrains("recouvrement_no_dunning", "recouvrement_no_dunning_reason")
    def _check_no_dunning_reason(self):
        for partner in self:
            if (
                partner.recouvrement_no_dunning
                and not (partner.recouvrement_no_dunning_reason or "").strip()
            ):
                raise ValidationError(
                    self.env._(
                        "Say why %(partner)s must not be reminded (reason for no "
                        "dunning).",
                        partner=partner.display_name,
                    )
                )

    @api.constrains("recouvrement_no_dunning_until")
    def _check_no_dunning_until(self):
        today = fields.Date.context_today(self)
        for partner in self:
            until = partner.recouvrement_no_dunning_until
            if until and until < today:
                raise ValidationError(
                    self.env._(
                        "The end of the no-dunning period cannot be in the past."
                    )
                )

    def _recouvrement_effective_policy(self):
        """The customer's policy in the current company: its own, or the
        company's default for its kind of debtor."""
        self.ensure_one()
        partner = self.commercial_partner_id
        return (
            partner.recouvrement_policy_id
            or self.env.company._recouvrement_default_policy(
                partner.recouvrement_debtor_type
            )
        )

    def action_view_recouvrement_actions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_action"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"search_default_filter_not_cancelled": 1}
        return action

    def action_view_recouvrement_invoices(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_invoices"
        )
        action["domain"] = [
            ("commercial_partner_id", "=", self.commercial_partner_id.id),
            ("move_type", "=", "out_invoice"),
            ("state", "=", "posted"),
            ("amount_residual", ">", 0),
        ]
        return action
