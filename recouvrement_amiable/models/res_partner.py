from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .recouvrement_doubtful_rule import _check_rate as _check_doubtful_rate
from .recouvrement_policy import DEBTOR_TYPES
from .selections import ACTING_NAMES, FILE_FORMATS


class ResPartner(models.Model):
    _name = "res.partner"
    _inherit = ["res.partner", "recouvrement.partner.proceedings"]

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

    # --- disputes ---

    recouvrement_dispute_count = fields.Integer(
        string="Open disputes", compute="_compute_recouvrement_dispute_count"
    )

    def _compute_recouvrement_dispute_count(self):
        counts = dict(
            self.env["recouvrement.dispute"]._read_group(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("state", "in", ("open", "in_progress")),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            partner.recouvrement_dispute_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_view_recouvrement_disputes(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_dispute"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {
            "default_partner_id": self.commercial_partner_id.id,
            "search_default_filter_active": 1,
        }
        return action

    def action_recouvrement_open_dispute(self):
        self.ensure_one()
        partner = self.commercial_partner_id
        # The user picks the contested invoices; the amount follows them.
        return self.env["recouvrement.dispute"]._action_form(
            {
                "partner_id": partner.id,
                "user_id": (partner.user_id or self.env.user).id,
            }
        )

    # --- plans ---

    recouvrement_plan_count = fields.Integer(
        string="Payment plan count",
        compute="_compute_recouvrement_plan_count",
        groups="recouvrement_amiable.group_recouvrement_salesrep",
    )

    def _compute_recouvrement_plan_count(self):
        counts = dict(
            self.env["recouvrement.plan"]._read_group(
                [("partner_id", "in", self.commercial_partner_id.ids)],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            partner.recouvrement_plan_count = counts.get(
                partner.commercial_partner_id, 0
            )

    def action_view_recouvrement_plans(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_plan"
        )
        action["domain"] = [("partner_id", "=", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.commercial_partner_id.id}
        return action

    def action_recouvrement_propose_plan(self):
        """A new payment plan for the customer, with its open invoices."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose a plan"),
            "res_model": "recouvrement.plan",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    # --- agency ---

    recouvrement_is_agency = fields.Boolean(
        string="Collection agency",
        help="This partner recovers debts for the company under a written "
        "mandate: files can be handed over to it.",
    )
    recouvrement_agency_mandate_ref = fields.Char(
        string="Mandate reference",
        company_dependent=True,
        help="Reference of the written mandate given to the agency (R124-3 "
        "CPCE); repeated in every file.",
    )
    recouvrement_agency_mandate_date = fields.Date(
        string="Mandate date", company_dependent=True
    )
    recouvrement_agency_commission = fields.Float(
        string="Commission (%)",
        company_dependent=True,
        digits=(16, 2),
        help="Share of the recovered amounts the agency keeps, paid by the "
        "creditor (never charged to the debtor).",
    )
    recouvrement_agency_acting = fields.Selection(
        ACTING_NAMES,
        string="Acts",
        default="own",
        help="Whether the agency contacts debtors in the company's name (white "
        "label) or in its own name.",
    )
    recouvrement_agency_file_format = fields.Selection(
        FILE_FORMATS,
        string="File format",
        default="xlsx",
        help="XLSX, or CSV files (semicolon, UTF-8) for French spreadsheets.",
    )
    recouvrement_agency_send_email = fields.Boolean(
        string="Send files by e-mail",
        help="E-mail the file to the agency at each hand-over (it can always "
        "be downloaded).",
    )
    recouvrement_case_count = fields.Integer(
        string="Agency cases",
        compute="_compute_recouvrement_case_count",
        groups="recouvrement_amiable.group_recouvrement_collector",
    )

    @api.constrains("recouvrement_agency_commission")
    def _check_recouvrement_agency_commission(self):
        for partner in self:
            if not 0 <= partner.recouvrement_agency_commission <= 100:
                raise ValidationError(
                    self.env._(
                        "The commission of %(agency)s must be between 0 and 100 %%.",
                        agency=partner.display_name,
                    )
                )

    def _compute_recouvrement_case_count(self):
        Case = self.env["recouvrement.case"]
        commercial = self.commercial_partner_id
        as_debtor = dict(
            Case._read_group(
                [("partner_id", "in", commercial.ids)],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        )
        as_agency = dict(
            Case._read_group(
                [("agency_id", "in", self.ids)],
                groupby=["agency_id"],
                aggregates=["__count"],
            )
        )
        for partner in self:
            partner.recouvrement_case_count = as_debtor.get(
                partner.commercial_partner_id, 0
            ) + as_agency.get(partner._origin, 0)

    def action_view_recouvrement_cases(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_case"
        )
        action["domain"] = [
            "|",
            ("partner_id", "=", self.commercial_partner_id.id),
            ("agency_id", "=", self.id),
        ]
        return action

    def _recouvrement_overdue_invoices(self, domain=()):
        """The customer's posted overdue invoices in the current company,
        with ``domain`` on top (wizards opened from the customer)."""
        return self.env["account.move"].search(
            [
                ("commercial_partner_id", "=", self.commercial_partner_id.id),
                ("company_id", "=", self.env.company.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
                ("invoice_date_due", "<", fields.Date.context_today(self)),
                *domain,
            ]
        )

    def action_recouvrement_transmit_to_agency(self):
        """The customer's overdue invoices not yet with an agency, in the
        "Transmit to agency" wizard."""
        self.ensure_one()
        moves = self._recouvrement_overdue_invoices(
            [("recouvrement_with_agency", "=", False)]
        )
        return self.env["recouvrement.case.transmit"]._action_open(moves)

    # --- penalties ---

    recouvrement_contractual_rate = fields.Float(
        string="Contractual late-payment rate (%)",
        company_dependent=True,
        digits=(16, 2),
        help="Late-payment rate agreed with this professional customer (at least "
        "3 × the legal interest rate). Empty: the company's rate, or the ECB "
        "rate + 10 points.",
    )

    @api.constrains("recouvrement_contractual_rate")
    def _check_recouvrement_contractual_rate(self):
        Rate = self.env["recouvrement.legal.rate"]
        for partner in self:
            Rate._check_contractual_rate(
                partner.recouvrement_contractual_rate,
                what=self.env._("%(partner)s: ", partner=partner.display_name),
            )

    # --- debtor page ---

    recouvrement_answer_ids = fields.One2many(
        "recouvrement.debtor.answer", "partner_id", string="Debtor answers"
    )
    recouvrement_portal_access_ids = fields.One2many(
        "recouvrement.portal.access", "partner_id", string="Account page links"
    )

    def _message_post_after_hook(self, message, msg_vals):
        """A reply e-mail to a reminder (threaded by the mail gateway on the
        debtor) becomes a debtor answer: the collector gets an activity and
        dunning pauses until they act."""
        result = super()._message_post_after_hook(message, msg_vals)
        if message.message_type == "email" and message.parent_id:
            # sudo: the gateway posts as the public/odoobot user; the reminder
            # is looked up only by the message it answers.
            action = (
                self.env["recouvrement.action"]
                .sudo()
                .search([("mail_message_id", "=", message.parent_id.id)], limit=1)
            )
            if action:
                policy = action.policy_id
                self.env["recouvrement.debtor.answer"].sudo().with_company(
                    action.company_id
                )._record_answers(
                    [
                        {
                            "partner_id": action.partner_id.commercial_partner_id.id,
                            "company_id": action.company_id.id,
                            "kind": "reply",
                            "action_id": action.id,
                            "message_id": message.id,
                            "note": message.preview or False,
                        }
                    ],
                    {"reply": policy.reply_pause_days},
                )
        return result

    # --- doubtful receivables ---

    recouvrement_doubtful_rate = fields.Float(
        string="Depreciation rate (%)",
        company_dependent=True,
        digits=(5, 2),
        help="Depreciation rate of this debtor's doubtful receivables at the "
        "closings. Empty: the rate the policy rules propose.",
    )

    @api.constrains("recouvrement_doubtful_rate")
    def _check_recouvrement_doubtful_rate(self):
        for partner in self:
            _check_doubtful_rate(self.env, partner.recouvrement_doubtful_rate)

    # --- court file ---

    recouvrement_judicial_count = fields.Integer(
        string="Judicial invoices",
        compute="_compute_recouvrement_judicial_count",
        help="Invoices of this customer sent to court: reminders stopped.",
    )

    def _compute_recouvrement_judicial_count(self):
        # sudo: see recouvrement.court.file._judicial_files_of.
        files = (
            self.env["recouvrement.court.file"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("state", "in", ("prepared", "filed")),
                ]
            )
        )
        for partner in self:
            partner.recouvrement_judicial_count = len(
                files.filtered(
                    lambda f, p=partner: f.partner_id == p.commercial_partner_id
                ).move_ids
            )

    def action_recouvrement_prepare_court_file(self):
        """A court file of the customer's overdue invoices that no agency or
        payment plan holds and no other court file has."""
        self.ensure_one()
        moves = self._recouvrement_overdue_invoices(
            [
                ("recouvrement_judicial", "=", False),
                ("recouvrement_with_agency", "=", False),
            ]
        )
        if not moves:
            raise UserError(
                self.env._(
                    "%(customer)s has no overdue invoice to claim in court.",
                    customer=self.commercial_partner_id.display_name,
                )
            )
        return self.env["recouvrement.court.file"]._action_open_for(moves)
