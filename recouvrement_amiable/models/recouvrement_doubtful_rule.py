"""When an invoice becomes doubtful, and the depreciation rate proposed
(LEGAL_FR.md section 9): rules of a dunning policy."""

from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..rules import doubtful as rules
from .recouvrement_proceeding import PROCEEDING_KINDS

DOUBTFUL_TRIGGERS = [
    (rules.LEVEL, "Dunning level reached"),
    (rules.AGENCY, "Handed to a collection agency"),
    (rules.PROCEEDING, "Collective proceedings"),
    (rules.DISPUTE, "Dispute older than N days"),
    (rules.OVERDUE, "Overdue beyond N days"),
]
DISPUTE_ACTIVE_STATES = ("open", "in_progress")


class RecouvrementDoubtfulRule(models.Model):
    _name = "recouvrement.doubtful.rule"
    _description = "Doubtful receivable rule of a dunning policy"
    _order = "policy_id, sequence, id"
    _check_company_auto = True

    sequence = fields.Integer(default=10)
    policy_id = fields.Many2one(
        "recouvrement.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="policy_id.company_id", store=True)
    trigger = fields.Selection(DOUBTFUL_TRIGGERS, required=True)
    level_id = fields.Many2one(
        "recouvrement.level",
        check_company=True,
        domain="[('policy_id', '=', policy_id)]",
        help="The invoice is doubtful once it reached this level or a later one.",
    )
    proceeding_kind = fields.Selection(
        PROCEEDING_KINDS,
        string="Proceeding type",
        help="Only this type of proceedings; empty: any.",
    )
    days = fields.Integer(help="Days of dispute, or days overdue.")
    rate = fields.Float(
        string="Depreciation rate (%)",
        digits=(5, 2),
        required=True,
        help="Proposed depreciation of the amount excluding VAT.",
    )

    @api.constrains("rate")
    def _check_rate(self):
        for rule in self:
            _check_rate(self.env, rule.rate)

    def _matches(self, move, on_date):
        """Whether ``move`` is doubtful under this rule on ``on_date``."""
        self.ensure_one()
        debtor = move.commercial_partner_id
        if self.trigger == rules.LEVEL:
            level = move.recouvrement_level_id
            return bool(
                level
                and self.level_id
                and (level.sequence, level.days)
                >= (self.level_id.sequence, self.level_id.days)
            )
        if self.trigger == rules.AGENCY:
            return move.recouvrement_with_agency
        if self.trigger == rules.PROCEEDING:
            judgment = debtor.recouvrement_proceeding_date
            return bool(
                judgment
                and judgment <= on_date
                and (
                    not self.proceeding_kind
                    or debtor.recouvrement_proceeding_type == self.proceeding_kind
                )
            )
        if self.trigger == rules.DISPUTE:
            return any(
                dispute.state in DISPUTE_ACTIVE_STATES
                and dispute.date_open
                and (on_date - dispute.date_open).days > self.days
                for dispute in move.recouvrement_dispute_ids
            )
        if self.trigger == rules.OVERDUE:
            due = move.invoice_date_due
            return bool(due and (on_date - due).days > self.days)
        return False


def _check_rate(env, rate):
    try:
        rules.check_rate(rate)
    except ValueError as error:
        raise ValidationError(
            env._(
                "A depreciation rate is between 0 %% and 100 %%, not %(rate)s %%.",
                rate=rate,
            )
        ) from error
