from odoo import api, fields, models
from odoo.exceptions import ValidationError

CONSENT_METHODS = [
    ("signature", "Signed the agreement"),
    ("portal", "Online signature"),
    ("email", "Written agreement by e-mail"),
    ("letter", "Letter"),
]


class RecouvrementPlanCodebtor(models.Model):
    """A co-debtor of a payment plan and their consent: restructuring a
    debt needs the agreement of every co-debtor, so the plan cannot become
    active before each consent is recorded."""

    _name = "recouvrement.plan.codebtor"
    _description = "Co-debtor of a payment plan"
    _order = "plan_id, id"
    _check_company_auto = True

    plan_id = fields.Many2one(
        "recouvrement.plan", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Co-debtor", required=True, check_company=True
    )
    consent_date = fields.Date(string="Consented on")
    consent_method = fields.Selection(CONSENT_METHODS, string="How")
    note = fields.Char()

    _sql_constraints = [
        (
            "partner_unique",
            "UNIQUE(plan_id, partner_id)",
            "A co-debtor appears once per payment plan.",
        ),
    ]

    @api.constrains("partner_id", "consent_date", "consent_method")
    def _check_consent(self):
        today = fields.Date.context_today(self)
        for codebtor in self:
            plan = codebtor.plan_id
            if codebtor.partner_id.commercial_partner_id == plan.partner_id:
                raise ValidationError(
                    self.env._(
                        "%(partner)s is the debtor of plan %(plan)s, not a co-debtor.",
                        partner=codebtor.partner_id.display_name,
                        plan=plan.name,
                    )
                )
            if codebtor.consent_date and codebtor.consent_date > today:
                raise ValidationError(
                    self.env._("A consent date cannot be in the future.")
                )
            if bool(codebtor.consent_date) != bool(codebtor.consent_method):
                raise ValidationError(
                    self.env._(
                        "Record both the date and the way %(partner)s consented.",
                        partner=codebtor.partner_id.display_name,
                    )
                )
