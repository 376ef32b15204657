from odoo import api, fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    recouvrement_policy_company_id = fields.Many2one(
        "recouvrement.policy",
        string="Default policy for companies",
        domain="[('company_id', '=', id)]",
        help="Dunning policy of customers that are companies (professional "
        "debtors) when none is set on the customer.",
    )
    recouvrement_policy_individual_id = fields.Many2one(
        "recouvrement.policy",
        string="Default policy for individuals",
        domain="[('company_id', '=', id)]",
        help="Dunning policy of customers that are individuals (consumers) "
        "when none is set on the customer.",
    )

    def _recouvrement_default_policy(self, debtor_type):
        """The company's default policy for a professional or consumer debtor."""
        self.ensure_one()
        if debtor_type == "consumer":
            return self.recouvrement_policy_individual_id
        return self.recouvrement_policy_company_id

    @api.model_create_multi
    def create(self, vals_list):
        companies = super().create(vals_list)
        companies._recouvrement_install_default_policies()
        return companies

    def _recouvrement_install_default_policies(self):
        """Give companies without a policy a copy of the shipped ones (the
        main company holds the originals), and make them their defaults."""
        templates = {
            "professional": self.env.ref(
                "recouvrement_amiable.policy_professional", raise_if_not_found=False
            ),
            "consumer": self.env.ref(
                "recouvrement_amiable.policy_consumer", raise_if_not_found=False
            ),
        }
        Policy = self.env[
            "recouvrement.policy"
        ].sudo()  # sudo: company setup, run by admins
        for company in self:
            if Policy.with_context(active_test=False).search_count(
                [("company_id", "=", company.id)], limit=1
            ):
                continue
            copies = {
                kind: template.sudo().copy(
                    {"company_id": company.id, "collector_id": False}
                )
                for kind, template in templates.items()
                if template
            }
            company.sudo().write(
                {
                    "recouvrement_policy_company_id": copies.get(
                        "professional", Policy
                    ).id,
                    "recouvrement_policy_individual_id": copies.get(
                        "consumer", Policy
                    ).id,
                }
            )

    # --- penalties ---

    recouvrement_contractual_rate = fields.Float(
        string="Contractual late-payment rate (%)",
        digits=(16, 2),
        help="Late-payment rate of the company's terms of sale, for professional "
        "customers (article L441-10); at least 3 × the legal interest rate. "
        "Empty: ECB rate + 10 points. A customer may have its own.",
    )
    recouvrement_interest_leap_years = fields.Boolean(
        string="366 days in leap years",
        help="Late-payment interest counts 366 days a year in leap years, not 365.",
    )
    recouvrement_penalty_account_id = fields.Many2one(
        "account.account",
        string="Penalty income account",
        check_company=True,
        domain="[('account_type', 'in', ('income', 'income_other'))]",
        help="Income account of penalty invoices (e.g. 763 other financial "
        "income). Empty: the sales journal's default account.",
    )

    @api.constrains("recouvrement_contractual_rate")
    def _check_recouvrement_contractual_rate(self):
        Rate = self.env["recouvrement.legal.rate"]
        for company in self:
            Rate._check_contractual_rate(
                company.recouvrement_contractual_rate,
                what=self.env._("%(company)s: ", company=company.name),
            )
