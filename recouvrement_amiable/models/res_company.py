from odoo import api, fields, models

# --- doubtful receivables ---
# key: (company field, code prefixes searched, code and name when created,
# account type)
DOUBTFUL_ACCOUNTS = {
    "doubtful": (
        "recouvrement_doubtful_account_id",
        ("416",),
        "416000",
        "Clients douteux ou litigieux",
        "asset_current",
    ),
    "provision": (
        "recouvrement_provision_account_id",
        ("491",),
        "491000",
        "Dépréciations des comptes de clients",
        "asset_current",
    ),
    "expense": (
        "recouvrement_provision_expense_account_id",
        ("68174", "6817"),
        "681740",
        "Dotations aux dépréciations des créances",
        "expense",
    ),
    "reversal": (
        "recouvrement_provision_reversal_account_id",
        ("78174", "7817"),
        "781740",
        "Reprises sur dépréciations des créances",
        "income",
    ),
    "loss_year": (
        "recouvrement_loss_year_account_id",
        ("6541",),
        "654100",
        "Pertes sur créances irrécouvrables de l'exercice",
        "expense",
    ),
    "loss_earlier": (
        "recouvrement_loss_earlier_account_id",
        ("6544",),
        "654400",
        "Pertes sur créances irrécouvrables des exercices antérieurs",
        "expense",
    ),
}


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

    def _recouvrement_journal(self, journal_type):
        """The company's first journal of ``journal_type`` ("sale",
        "general"): where the add-on's wizards and closings post by default."""
        Journal = self.env["account.journal"]
        if not self:
            return Journal
        return Journal.search(
            [*Journal._check_company_domain(self), ("type", "=", journal_type)],
            limit=1,
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

    # --- doubtful receivables ---

    recouvrement_doubtful_account_id = fields.Many2one(
        "account.account",
        string="Doubtful receivables account",
        check_company=True,
        help="416 Clients douteux ou litigieux. Empty: the chart's 416, "
        "created when missing.",
    )
    recouvrement_provision_account_id = fields.Many2one(
        "account.account",
        string="Receivable depreciation account",
        check_company=True,
        help="491 Dépréciations des comptes de clients.",
    )
    recouvrement_provision_expense_account_id = fields.Many2one(
        "account.account",
        string="Depreciation expense account",
        check_company=True,
        help="6817 Dotations aux dépréciations des actifs circulants.",
    )
    recouvrement_provision_reversal_account_id = fields.Many2one(
        "account.account",
        string="Depreciation reversal account",
        check_company=True,
        help="7817 Reprises sur dépréciations des actifs circulants.",
    )
    recouvrement_loss_year_account_id = fields.Many2one(
        "account.account",
        string="Bad debts of the year account",
        check_company=True,
        help="6541 Pertes sur créances irrécouvrables de l'exercice.",
    )
    recouvrement_loss_earlier_account_id = fields.Many2one(
        "account.account",
        string="Bad debts of earlier years account",
        check_company=True,
        help="6544 Pertes sur créances irrécouvrables des exercices antérieurs.",
    )

    def _recouvrement_doubtful_accounts(self):
        """{key: account} of the doubtful receivables entries: the accounts
        set on the company, else the French chart's (found by code, created
        when the chart has none)."""
        self.ensure_one()
        Account = self.env["account.account"].with_company(self)
        result = {}
        for key, (
            field,
            prefixes,
            code,
            name,
            account_type,
        ) in DOUBTFUL_ACCOUNTS.items():
            account = self[field]
            for prefix in prefixes:
                if account:
                    break
                account = Account.search(
                    [
                        *Account._check_company_domain(self),
                        ("code", "=like", f"{prefix}%"),
                    ],
                    order="code",
                    limit=1,
                )
            if not account:
                # sudo: creating the account the chart lacks is part of the
                # closing the accountant runs, whatever their chart rights.
                account = Account.sudo().create(
                    {
                        "code": code,
                        "name": name,
                        "account_type": account_type,
                        "company_ids": [(6, 0, self.ids)],
                    }
                )
                self.sudo()[field] = account
            result[key] = account
        return result
