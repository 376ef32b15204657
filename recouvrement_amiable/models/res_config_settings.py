from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    recouvrement_policy_company_id = fields.Many2one(
        related="company_id.recouvrement_policy_company_id", readonly=False
    )
    recouvrement_policy_individual_id = fields.Many2one(
        related="company_id.recouvrement_policy_individual_id", readonly=False
    )

    # --- penalties ---
    recouvrement_contractual_rate = fields.Float(
        related="company_id.recouvrement_contractual_rate", readonly=False
    )
    recouvrement_interest_leap_years = fields.Boolean(
        related="company_id.recouvrement_interest_leap_years", readonly=False
    )
    recouvrement_penalty_account_id = fields.Many2one(
        related="company_id.recouvrement_penalty_account_id", readonly=False
    )
