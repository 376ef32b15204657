from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    recouvrement_policy_company_id = fields.Many2one(
        related="company_id.recouvrement_policy_company_id", readonly=False
    )
    recouvrement_policy_individual_id = fields.Many2one(
        related="company_id.recouvrement_policy_individual_id", readonly=False
    )
