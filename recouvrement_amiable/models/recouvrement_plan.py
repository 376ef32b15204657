"""Installment agreements (échéanciers): the agreement, its invoices, its
amounts and states. The plan's other concepts are mixed into the model, each
in its own file beside this one:

- ``recouvrement_plan_invoices``: which invoices a plan may cover;
- ``recouvrement_plan_schedule``: building and checking the schedule;
- ``recouvrement_plan_accounting``: tying the schedule to the invoices' due
  dates, and why it is done that way;
- ``recouvrement_plan_signature``: the agreement sent, signed online or on
  paper, and activated;
- ``recouvrement_plan_tracking``: the daily follow-up (paid, late, broken,
  installment reminders) and the hooks of the dunning run.
"""

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..rules import installments as rules
from .selections import (
    FREQUENCIES,
    HOLDING_STATES,
    PLAN_STATES,
    SCHEDULE_FIELDS,
    SCHEDULE_MODES,
    SIGNATURE_METHODS,
)


class RecouvrementPlan(models.Model):
    _name = "recouvrement.plan"
    _description = "Installment agreement"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "recouvrement.plan.invoices",
        "recouvrement.plan.schedule",
        "recouvrement.plan.accounting",
        "recouvrement.plan.signature",
        "recouvrement.plan.tracking",
    ]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference",
        required=True,
        readonly=True,
        copy=False,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('parent_id', '=', False)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Collector",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="Collector in charge: told when the plan breaks.",
    )
    policy_id = fields.Many2one(
        "recouvrement.policy",
        compute="_compute_policy_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        help="Dunning policy whose plan settings apply (reminders, breach "
        "delay, level after a breach).",
    )
    move_ids = fields.Many2many(
        "account.move",
        "recouvrement_plan_account_move_rel",
        "plan_id",
        "move_id",
        string="Invoices",
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), ('amount_residual', '>', 0)]",
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        precompute=True,
        help="Currency of the invoices: the schedule is in this currency.",
    )
    amount_agreed = fields.Monetary(
        readonly=True, copy=False, help="Total due when the plan was confirmed."
    )
    amount_total = fields.Monetary(
        string="Total due",
        compute="_compute_amounts",
        store=True,
        help="Residual of the invoices (frozen when the plan is confirmed).",
    )
    amount_paid = fields.Monetary(
        string="Paid",
        compute="_compute_amounts",
        store=True,
        help="Paid on the invoices since the plan was confirmed (payments and "
        "credit notes reconciled with them).",
    )
    amount_residual = fields.Monetary(
        string="Still due", compute="_compute_amounts", store=True
    )
    schedule_mode = fields.Selection(
        SCHEDULE_MODES, string="Split by", required=True, default="count"
    )
    installment_count = fields.Integer(string="Installments", default=3)
    installment_amount = fields.Monetary(string="Amount per installment")
    frequency = fields.Selection(FREQUENCIES, required=True, default=rules.MONTHLY)
    first_date = fields.Date(
        string="First installment",
        required=True,
        copy=False,
        default=lambda self: rules.add_months(fields.Date.context_today(self), 1),
        help="Date of the first installment; with a payment term, the date "
        "the term is applied from.",
    )
    payment_term_id = fields.Many2one(
        "account.payment.term", check_company=True, string="Payment term"
    )
    down_payment = fields.Monetary()
    down_payment_date = fields.Date(
        copy=False,
        help="Empty: the first installment date (the installments then start "
        "one period later).",
    )
    line_ids = fields.One2many(
        "recouvrement.plan.line", "plan_id", string="Schedule", copy=False
    )
    codebtor_ids = fields.One2many(
        "recouvrement.plan.codebtor", "plan_id", string="Co-debtors", copy=True
    )
    consent_missing = fields.Boolean(
        compute="_compute_consent_missing",
        help="A co-debtor has not consented yet: the plan cannot become active.",
    )
    state = fields.Selection(
        PLAN_STATES,
        required=True,
        default="draft",
        index=True,
        tracking=True,
        copy=False,
        group_expand="_expand_states",
    )
    confirm_date = fields.Date(string="Confirmed on", readonly=True, copy=False)
    signed_date = fields.Date(string="Signed on", copy=False, tracking=True)
    signed_by = fields.Char(copy=False)
    signature = fields.Image(
        copy=False, attachment=True, max_width=1024, max_height=1024
    )
    signature_method = fields.Selection(SIGNATURE_METHODS, copy=False)
    activation_date = fields.Date(string="Active since", readonly=True, copy=False)
    close_date = fields.Date(string="Closed on", readonly=True, copy=False)
    break_reason = fields.Text(readonly=True, copy=False)
    original_due_dates = fields.Json(
        readonly=True,
        copy=False,
        help="Due dates of the receivable lines and invoices before the plan, "
        "written back when it breaks or is cancelled.",
    )
    next_due_date = fields.Date(
        string="Next installment", compute="_compute_next", store=True
    )
    next_amount = fields.Monetary(
        string="Next amount due", compute="_compute_installment_counts"
    )
    installment_total = fields.Integer(compute="_compute_installment_counts")
    installment_paid = fields.Integer(
        string="Installments paid", compute="_compute_installment_counts"
    )
    is_late = fields.Boolean(compute="_compute_next", store=True)
    note = fields.Html(string="Special conditions")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("partner_id", "company_id")
    def _compute_policy_id(self):
        for plan in self:
            partner = plan.partner_id.with_company(plan.company_id)
            plan.policy_id = (
                partner._recouvrement_effective_policy() if partner else False
            )

    @api.depends("partner_id", "company_id", "policy_id")
    def _compute_user_id(self):
        for plan in self:
            partner = plan.partner_id.with_company(plan.company_id)
            plan.user_id = (
                plan.user_id
                or partner.recouvrement_collector_id
                or plan.policy_id.collector_id
                or self.env.user
            )

    @api.depends("move_ids")
    def _compute_invoice_count(self):
        for plan in self:
            plan.invoice_count = len(plan.move_ids)

    @api.depends("move_ids", "company_id")
    def _compute_currency_id(self):
        for plan in self:
            plan.currency_id = (
                plan.move_ids[:1].currency_id or plan.company_id.currency_id
            )

    @api.depends("move_ids.amount_residual", "state", "amount_agreed")
    def _compute_amounts(self):
        for plan in self:
            currency = plan.currency_id or plan.company_id.currency_id
            residual = currency.round(sum(plan.move_ids.mapped("amount_residual")))
            if plan.state == "draft":
                plan.amount_total = residual
                plan.amount_paid = 0.0
            else:
                plan.amount_total = plan.amount_agreed
                plan.amount_paid = max(currency.round(plan.amount_agreed - residual), 0)
            plan.amount_residual = currency.round(plan.amount_total - plan.amount_paid)

    @api.depends("codebtor_ids.consent_date", "codebtor_ids.consent_method")
    def _compute_consent_missing(self):
        for plan in self:
            plan.consent_missing = any(
                not codebtor.consent_date or not codebtor.consent_method
                for codebtor in plan.codebtor_ids
            )

    @api.depends(
        "line_ids.due_date",
        "line_ids.payment_state",
        "line_ids.is_late",
        "state",
    )
    def _compute_next(self):
        for plan in self:
            unpaid = plan._unpaid_lines()
            plan.next_due_date = (
                unpaid[:1].due_date if plan.state in HOLDING_STATES else False
            )
            plan.is_late = plan.state == "active" and any(
                plan.line_ids.mapped("is_late")
            )

    @api.depends("line_ids.amount_residual", "line_ids.payment_state")
    def _compute_installment_counts(self):
        for plan in self:
            unpaid = plan._unpaid_lines()
            plan.next_amount = unpaid[:1].amount_residual
            plan.installment_total = len(plan.line_ids)
            plan.installment_paid = len(plan.line_ids) - len(unpaid)

    def _unpaid_lines(self):
        return self.line_ids.filtered(lambda line: line.payment_state != "paid").sorted(
            lambda line: (line.due_date, line.sequence)
        )

    def _expand_states(self, states, domain):
        """Every state is a column of the kanban, even when empty."""
        return [key for key, _label in PLAN_STATES]

    # Portal (portal.mixin): defined here, the model's own class, which
    # comes before the mixins in the method resolution order.
    def _compute_access_url(self):
        for plan in self:
            plan.access_url = f"/my/payment_plans/{plan.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Installment agreement %(name)s", name=self.name)

    # ------------------------------------------------------------------
    # Create / write
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
            if not vals.get("name") or vals["name"] == self.env._("New"):
                company = self.env["res.company"].browse(
                    vals.get("company_id") or self.env.company.id
                )
                vals["name"] = self.env["ir.sequence"].with_company(
                    company
                ).next_by_code("recouvrement.plan") or self.env._("New")
        plans = super().create(vals_list)
        plans.filtered(lambda p: p.state == "draft")._generate_lines()
        return plans

    def write(self, vals):
        if vals.get("partner_id"):
            partner = self.env["res.partner"].browse(vals["partner_id"])
            vals["partner_id"] = partner.commercial_partner_id.id
        if set(SCHEDULE_FIELDS) & set(vals) and any(
            plan.state != "draft" for plan in self
        ):
            raise UserError(
                self.env._(
                    "The schedule of a confirmed plan cannot change: cancel it and "
                    "agree a new one."
                )
            )
        result = super().write(vals)
        if set(SCHEDULE_FIELDS + ("partner_id",)) & set(vals):
            self.filtered(lambda p: p.state == "draft")._generate_lines()
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_only_drafts(self):
        if any(plan.state not in ("draft", "cancelled") for plan in self):
            raise UserError(
                self.env._("Only draft or cancelled payment plans can be deleted.")
            )

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    def action_confirm(self):
        """Draft -> waiting signature: the schedule is checked against today
        and frozen; the agreement can be sent."""
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.state != "draft":
                raise UserError(self.env._("Only a draft plan can be confirmed."))
            plan._check_not_excluded()
            plan._generate_lines(today)
        for plan in self:
            plan.write(
                {
                    "state": "waiting_signature",
                    "amount_agreed": plan.amount_total,
                    "confirm_date": today,
                }
            )
        self._log_everywhere(
            lambda plan: self.env._(
                "Payment plan %(plan)s proposed: %(total)s in %(count)s "
                "installments, waiting for the signature.",
                plan=plan.name,
                total=format_amount(self.env, plan.amount_total, plan.currency_id),
                count=len(plan.line_ids),
            )
        )
        return True

    def action_cancel(self):
        for plan in self:
            if plan.state not in ("draft", "waiting_signature", "active"):
                raise UserError(
                    self.env._(
                        "A plan that is done or broken cannot be cancelled: it is "
                        "history."
                    )
                )
        active = self.filtered(lambda p: p.state == "active")
        active._restore_due_dates()
        logged = self.filtered(lambda p: p.state != "draft")
        self.write(
            {"state": "cancelled", "close_date": fields.Date.context_today(self)}
        )
        logged._log_everywhere(
            lambda plan: self.env._(
                "Payment plan %(plan)s cancelled: the invoices follow the dunning "
                "again with their original due dates.",
                plan=plan.name,
            )
        )
        return True

    def action_draft(self):
        for plan in self:
            if plan.state not in ("waiting_signature", "cancelled"):
                raise UserError(
                    self.env._(
                        "Only a plan waiting for its signature or cancelled can go "
                        "back to draft."
                    )
                )
        self.write(
            {
                "state": "draft",
                "signed_date": False,
                "signed_by": False,
                "signature": False,
                "signature_method": False,
                "close_date": False,
                "confirm_date": False,
                "amount_agreed": 0.0,
            }
        )
        self._generate_lines()
        return True

    # ------------------------------------------------------------------
    # Chatter
    # ------------------------------------------------------------------

    def _log_everywhere(self, body):
        """The same note on the plan, its customer and its invoices."""
        partner_bodies, move_bodies = {}, {}
        for plan in self:
            text = body(plan)
            plan.message_post(body=escape(text), subtype_xmlid="mail.mt_note")
            link = Markup(
                '<a href="#" data-oe-model="recouvrement.plan" data-oe-id="%s">%s</a>'
            ) % (
                plan.id,
                plan.name,
            )
            note = Markup("%s<br/>%s") % (link, text)
            partner_bodies[plan.partner_id.id] = note
            for move in plan.move_ids:
                move_bodies[move.id] = note
        if partner_bodies:
            # sudo: a note in the customer's and the invoices' chatter needs
            # no more than reading them (like mail.thread._message_log_batch).
            self.env["res.partner"].browse(
                list(partner_bodies)
            ).sudo()._message_log_batch(partner_bodies)
        if move_bodies:
            self.env["account.move"].browse(
                list(move_bodies)
            ).sudo()._message_log_batch(move_bodies)

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_view_invoices(self):
        self.ensure_one()
        return self.move_ids._get_records_action(name=self.env._("Invoices"))
