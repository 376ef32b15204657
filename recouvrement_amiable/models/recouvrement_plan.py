"""Installment agreements (échéanciers) and how they tie to the accounting.

How a schedule is tied to the invoices
--------------------------------------

Once the agreement is signed (state ``active``), the due date
(``date_maturity``) of every open receivable line of its invoices becomes
the date of the installment that completes the payment of that line (plain
rule ``rules.installments.assign_due_dates``), and the invoice's
``invoice_date_due`` the latest of its lines' dates, as Odoo computes it.

Why this mechanism: on a posted entry Odoo protects the amounts, accounts
and partners of the journal items (fiscal lock dates, and the inalterability
hash of French companies: name, debit, credit, account, partner), but not
``date_maturity``, which is what the aged receivable report, the partner
ledger and the follow-up read. Rewriting it changes no amount and no
balance, keeps the invoice open so payments reconcile with it as usual, is
logged by Odoo's own tracking on the invoice, and is undone exactly by
writing the original dates back (they are kept on the plan). Splitting a
receivable line into one line per installment would alter the posted
entry; a rescheduling entry reconciled with the invoices would show them
as paid and make every payment reconcile with another entry. An invoice
with several receivable lines (multi-line payment term) gets one date per
line; an invoice with one line is due, in the ledger, by the installment
that completes it, while the plan itself follows each installment.

A broken or cancelled plan writes the original due dates back; a plan paid
in full keeps the agreed ones.
"""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..rules import installments as rules

PLAN_STATES = [
    ("draft", "Draft"),
    ("waiting_signature", "Waiting signature"),
    ("active", "Active"),
    ("done", "Done"),
    ("broken", "Broken"),
    ("cancelled", "Cancelled"),
]
# States in which the plan holds its invoices out of the dunning.
HOLDING_STATES = ("waiting_signature", "active")
# An invoice belongs to one plan at a time in these states.
LOCKING_STATES = ("waiting_signature", "active")
SCHEDULE_MODES = [
    ("count", "Number of installments"),
    ("amount", "Amount per installment"),
    ("payment_term", "Payment term"),
]
FREQUENCIES = [
    (rules.WEEKLY, "Weekly"),
    (rules.MONTHLY, "Monthly"),
    (rules.QUARTERLY, "Quarterly"),
]
SIGNATURE_METHODS = [
    ("paper", "Signed paper copy"),
    ("portal", "Online signature"),
    ("email", "Written agreement by e-mail"),
]
# Changing one of these in draft rebuilds the schedule.
SCHEDULE_FIELDS = (
    "move_ids",
    "schedule_mode",
    "installment_count",
    "installment_amount",
    "frequency",
    "first_date",
    "payment_term_id",
    "down_payment",
    "down_payment_date",
)
# Feature models whose blocking reasons forbid a plan (disputed invoice,
# invoice handed to an agency).
EXCLUDING_FEATURES = ("recouvrement.dispute", "recouvrement.case")


def _decimal(value):
    """A float amount already rounded to its currency, as a Decimal."""
    return Decimal(repr(float(value)))


class RecouvrementPlan(models.Model):
    _name = "recouvrement.plan"
    _description = "Installment agreement"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
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

    def _compute_access_url(self):
        for plan in self:
            plan.access_url = f"/my/payment_plans/{plan.id}"

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Installment agreement %(name)s", name=self.name)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    @api.constrains("move_ids", "partner_id", "state")
    def _check_moves(self):
        for plan in self.filtered(lambda p: p.state in ("draft", "waiting_signature")):
            customer = plan.partner_id.commercial_partner_id
            for move in plan.move_ids:
                if move.move_type != "out_invoice" or move.state != "posted":
                    raise ValidationError(
                        self.env._(
                            "%(move)s is not a posted customer invoice: only those "
                            "can be part of a payment plan.",
                            move=move.display_name,
                        )
                    )
                if move.commercial_partner_id != customer:
                    raise ValidationError(
                        self.env._(
                            "Invoice %(move)s belongs to %(other)s, not to "
                            "%(customer)s: a payment plan covers the invoices of "
                            "one customer.",
                            move=move.name,
                            other=move.commercial_partner_id.display_name,
                            customer=customer.display_name,
                        )
                    )
                if move.currency_id != plan.currency_id:
                    raise ValidationError(
                        self.env._(
                            "Invoice %(move)s is in %(currency)s, the plan in "
                            "%(plan_currency)s: make one plan per currency.",
                            move=move.name,
                            currency=move.currency_id.name,
                            plan_currency=plan.currency_id.name,
                        )
                    )
            if plan.state == "draft":
                paid = plan.move_ids.filtered(
                    lambda m: m.currency_id.compare_amounts(m.amount_residual, 0) <= 0
                )
                if paid:
                    raise ValidationError(
                        self.env._(
                            "Nothing is left to pay on %(moves)s: remove them from "
                            "the plan.",
                            moves=", ".join(paid.mapped("name")),
                        )
                    )
            others = self.search(
                [
                    ("id", "!=", plan.id),
                    ("move_ids", "in", plan.move_ids.ids),
                    ("state", "in", LOCKING_STATES),
                ]
            )
            if others:
                taken = others.move_ids & plan.move_ids
                raise ValidationError(
                    self.env._(
                        "%(moves)s already belong to payment plan %(plan)s.",
                        moves=", ".join(taken.mapped("name")),
                        plan=others[0].name,
                    )
                )

    @api.constrains("signed_date")
    def _check_signed_date(self):
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.signed_date and plan.signed_date > today:
                raise ValidationError(
                    self.env._("The signature date cannot be in the future.")
                )

    # ------------------------------------------------------------------
    # Create / write
    # ------------------------------------------------------------------

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            "move_ids" in fields_list
            and values.get("partner_id")
            and not values.get("move_ids")
        ):
            partner = self.env["res.partner"].browse(values["partner_id"])
            values["move_ids"] = [Command.set(self._eligible_moves(partner).ids)]
        return values

    @api.model
    def _eligible_moves(self, partner):
        """Open posted invoices of ``partner`` that may join a new plan: not
        in another plan, not blocked (disputed, with an agency), in the
        currency of the oldest one."""
        customer = partner.commercial_partner_id
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", self.env.company.id),
                ("commercial_partner_id", "=", customer.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
            ],
            order="invoice_date_due, id",
        )
        taken = self.search(
            [("move_ids", "in", moves.ids), ("state", "in", LOCKING_STATES)]
        ).move_ids
        blocked = self._excluding_reasons(moves)
        moves = moves.filtered(lambda m: m not in taken and m.id not in blocked)
        currency = moves[:1].currency_id
        return moves.filtered(lambda m: m.currency_id == currency)

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        customer = self.partner_id.commercial_partner_id
        if customer and (
            not self.move_ids or self.move_ids.commercial_partner_id != customer
        ):
            self.move_ids = self._eligible_moves(self.partner_id)

    @api.onchange(*SCHEDULE_FIELDS)
    def _onchange_schedule(self):
        """Preview the schedule while the plan is drafted."""
        if self.state != "draft":
            return None
        commands = [Command.clear()]
        try:
            commands += [Command.create(vals) for vals in self._schedule_values()]
        except (UserError, ValidationError) as error:
            self.line_ids = commands
            return {
                "warning": {
                    "title": self.env._("The schedule cannot be built"),
                    "message": error.args[0],
                }
            }
        self.line_ids = commands
        return None

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
    # Schedule
    # ------------------------------------------------------------------

    def _rounding(self):
        return _decimal(self.currency_id.rounding)

    def _schedule_values(self, today=None):
        """The values of the plan lines (``recouvrement.plan.line``) of the
        schedule, or a ValidationError saying what is wrong."""
        self.ensure_one()
        if today is None:
            today = fields.Date.context_today(self)
        if not self.move_ids:
            raise ValidationError(
                self.env._("Select the invoices the payment plan covers.")
            )
        currency = self.currency_id
        max_count = self.policy_id.plan_max_installments or None
        common = {
            "down_payment": _decimal(currency.round(self.down_payment)),
            "down_payment_date": self.down_payment_date or None,
            "rounding": self._rounding(),
            "max_count": max_count,
            "today": today,
        }
        total = _decimal(currency.round(self.amount_total))
        try:
            if self.schedule_mode == "payment_term":
                term = self.payment_term_id
                if not term:
                    raise ValidationError(
                        self.env._("Choose the payment term the schedule follows.")
                    )
                if len(term.line_ids) < 2:
                    raise ValidationError(
                        self.env._(
                            "Payment term %(term)s has a single line: choose a term "
                            "with several lines, or split by number of installments.",
                            term=term.display_name,
                        )
                    )
                schedule = rules.build_term_schedule(
                    total,
                    shares=[(line.value, line.value_amount) for line in term.line_ids],
                    dates=[
                        line._get_due_date(self.first_date) for line in term.line_ids
                    ],
                    start_date=self.first_date,
                    **common,
                )
            else:
                by_count = self.schedule_mode == "count"
                schedule = rules.build_schedule(
                    total,
                    first_date=self.first_date,
                    frequency=self.frequency,
                    count=self.installment_count if by_count else None,
                    installment_amount=None
                    if by_count
                    else _decimal(currency.round(self.installment_amount)),
                    **common,
                )
        except rules.InstallmentError as error:
            raise ValidationError(self._installment_error_message(error)) from error
        return [
            {
                "sequence": installment.sequence,
                "due_date": installment.due_date,
                "amount": float(installment.amount),
                "is_down_payment": installment.is_down_payment,
            }
            for installment in schedule
        ]

    def _installment_error_message(self, error):
        """A clear, translated message for a schedule refused by the rules."""
        currency = self.currency_id

        def amount(value):
            return format_amount(self.env, float(value), currency)

        def day(value):
            return format_date(self.env, value)

        _ = self.env._
        if isinstance(error, rules.NonPositiveTotalError):
            return _("Nothing is left to pay on the selected invoices.")
        if isinstance(error, rules.AmountNotMultipleError):
            return _(
                "The amount %(amount)s has more decimals than %(currency)s allows.",
                amount=error.amount,
                currency=currency.name,
            )
        if isinstance(error, rules.NonPositiveCountError):
            return _("The number of installments must be at least 1.")
        if isinstance(error, rules.NonPositiveInstallmentAmountError):
            return _("The amount per installment must be positive.")
        if isinstance(error, rules.InvalidDownPaymentError):
            return _(
                "The down payment must be positive and less than the total due "
                "(%(total)s).",
                total=amount(error.total),
            )
        if isinstance(error, rules.TooManyInstallmentsError):
            return _(
                "%(amount)s cannot be split into %(count)s installments: choose "
                "fewer installments.",
                amount=amount(error.remaining),
                count=error.count,
            )
        if isinstance(error, rules.CountAboveMaximumError):
            return _(
                "%(count)s installments requested: the policy allows at most %(max)s.",
                count=error.count,
                max=error.max_count,
            )
        if isinstance(error, rules.InstallmentAmountTooSmallError):
            return _(
                "Installments of %(amount)s cannot cover %(total)s in the %(max)s "
                "installments the policy allows (%(needed)s would be needed): "
                "raise the amount per installment.",
                amount=amount(error.installment_amount),
                total=amount(error.remaining),
                max=error.max_count,
                needed=error.needed_count,
            )
        if isinstance(error, rules.FirstDateInPastError):
            return _(
                "The first installment date %(date)s is in the past.",
                date=day(error.first_date),
            )
        if isinstance(error, rules.DownPaymentDateError):
            return _(
                "The down payment must be due between today and the first "
                "installment (%(date)s).",
                date=day(error.first_date),
            )
        if isinstance(error, rules.InvalidTermShareError):
            return _(
                "Line %(position)s of payment term %(term)s gives an installment of "
                "%(amount)s: choose another payment term.",
                position=error.position,
                term=self.payment_term_id.display_name,
                amount=amount(error.amount),
            )
        return str(error)

    def _generate_lines(self, today=None):
        """(Re)build the schedule of draft plans."""
        for plan in self:
            values = plan._schedule_values(today)
            plan.line_ids = [Command.clear()] + [
                Command.create(vals) for vals in values
            ]

    def _installments(self):
        """The schedule as the plain rules' installments."""
        self.ensure_one()
        return [
            rules.Installment(
                line.sequence,
                line.due_date,
                _decimal(self.currency_id.round(line.amount)),
                line.is_down_payment,
            )
            for line in self.line_ids
        ]

    def _allocations(self, today):
        """{plan line: allocation} of what is paid, in date order."""
        self.ensure_one()
        by_key = {(line.sequence, line.due_date): line for line in self.line_ids}
        allocations = rules.allocate_payments(
            self._installments(), _decimal(self.amount_paid), today=today
        )
        return {
            by_key[(a.installment.sequence, a.installment.due_date)]: a
            for a in allocations
        }

    def _breaching_line(self, today):
        """The installment that breaks the plan on ``today``, if any."""
        self.ensure_one()
        allocations = self._allocations(today)
        breach = rules.first_breaching_installment(
            list(allocations.values()),
            today=today,
            break_after_days=self.policy_id.plan_break_days,
        )
        if not breach:
            return self.env["recouvrement.plan.line"]
        return next(line for line, a in allocations.items() if a is breach)

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

    def action_mark_signed(self):
        """The collector records the signed agreement (paper or e-mail)."""
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.state != "waiting_signature":
                raise UserError(
                    self.env._("Only a plan waiting for its signature can be signed.")
                )
            plan.write(
                {
                    "signed_date": plan.signed_date or today,
                    "signed_by": plan.signed_by or plan.partner_id.name,
                    "signature_method": plan.signature_method or "paper",
                }
            )
        self._activate()
        return True

    def _sign_online(self, name, signature):
        """Signature from the portal: recorded, then the plan becomes active
        if every co-debtor consented (otherwise it waits for them)."""
        self.ensure_one()
        if self.state != "waiting_signature" or self.signed_date:
            raise UserError(
                self.env._("This agreement is not waiting for a signature.")
            )
        self.write(
            {
                "signed_date": fields.Date.context_today(self),
                "signed_by": name,
                "signature": signature,
                "signature_method": "portal",
            }
        )
        if self.consent_missing:
            self.message_post(
                body=self.env._(
                    "Signed online by %(name)s; waiting for the co-debtors' consent.",
                    name=name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.user_id.id or self.env.uid,
                summary=self.env._("Collect the co-debtors' consent"),
            )
            return False
        self._activate()
        return True

    def action_activate(self):
        """Activate a signed plan once the co-debtors' consents are in."""
        self._activate()
        return True

    def _activate(self):
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.state != "waiting_signature":
                raise UserError(
                    self.env._("Only a plan waiting for its signature can start.")
                )
            if not plan.signed_date:
                raise UserError(
                    self.env._(
                        "Record the debtor's signature of plan %(plan)s first.",
                        plan=plan.name,
                    )
                )
            missing = plan.codebtor_ids.filtered(
                lambda c: not c.consent_date or not c.consent_method
            )
            if missing:
                raise UserError(
                    self.env._(
                        "Plan %(plan)s cannot become active until every co-debtor "
                        "consents: record the consent (date and how) of %(names)s.",
                        plan=plan.name,
                        names=", ".join(missing.partner_id.mapped("display_name")),
                    )
                )
            plan._check_not_excluded()
        for plan in self:
            plan._tie_schedule_to_invoices()
            plan.write({"state": "active", "activation_date": today})
            # A signed plan acknowledges the debt (Code civil art. 2240): a
            # new prescription period starts (prescription feature).
            moves = plan.move_ids.sudo()  # sudo: see _write_due_dates
            if hasattr(moves, "_recouvrement_record_acknowledgment"):
                moves._recouvrement_record_acknowledgment(plan.signed_date)
        self._log_everywhere(
            lambda plan: self.env._(
                "Payment plan %(plan)s signed on %(date)s by %(name)s and active: "
                "no reminder while it is honoured. The signed plan acknowledges "
                "the debt.",
                plan=plan.name,
                date=format_date(self.env, plan.signed_date),
                name=plan.signed_by or plan.partner_id.name,
            )
        )

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

    def _check_not_excluded(self):
        """Refuse invoices that are disputed or handed to an agency."""
        for plan in self:
            reasons = self._excluding_reasons(plan.move_ids)
            if reasons:
                moves = self.env["account.move"].browse(list(reasons))
                raise UserError(
                    self.env._(
                        "These invoices cannot be part of a payment plan: %(list)s.",
                        list="; ".join(
                            f"{move.name} ({reasons[move.id]})" for move in moves
                        ),
                    )
                )

    @api.model
    def _excluding_reasons(self, moves):
        """{invoice id: reason} of the invoices disputed or with an agency."""
        reasons = {}
        today = fields.Date.context_today(self)
        for model_name in EXCLUDING_FEATURES:
            model = self.env.get(model_name)
            if model is not None and hasattr(model, "_recouvrement_blocked_moves"):
                reasons.update(model._recouvrement_blocked_moves(moves, today))
        return reasons

    # ------------------------------------------------------------------
    # Accounting: due dates of the receivable lines (see module docstring)
    # ------------------------------------------------------------------

    def _receivable_lines(self, open_only=True):
        self.ensure_one()
        domain = [
            ("move_id", "in", self.move_ids.ids),
            ("account_type", "=", "asset_receivable"),
        ]
        if open_only:
            domain.append(("reconciled", "=", False))
        lines = self.env["account.move.line"].search(domain)
        return lines.sorted(
            lambda line: (
                line.date_maturity or line.date,
                line.move_id.invoice_date or line.date,
                line.move_id.id,
                line.id,
            )
        )

    def _tie_schedule_to_invoices(self):
        """Rewrite the due dates of the open receivable lines (and of the
        invoices) after the schedule, keeping the originals."""
        self.ensure_one()
        currency = self.currency_id
        lines = self._receivable_lines().filtered(
            lambda line: currency.compare_amounts(line.amount_residual_currency, 0) > 0
        )
        all_lines = self._receivable_lines(open_only=False)
        original = {
            "lines": {
                str(line.id): fields.Date.to_string(line.date_maturity)
                for line in all_lines
            },
            "moves": {
                str(move.id): fields.Date.to_string(move.invoice_date_due)
                for move in self.move_ids
            },
        }
        new_dates = rules.assign_due_dates(
            [_decimal(currency.round(line.amount_residual_currency)) for line in lines],
            self._installments(),
            already_paid=_decimal(self.amount_paid),
        )
        self.original_due_dates = original
        self._write_due_dates(dict(zip(lines, new_dates, strict=True)))

    def _restore_due_dates(self):
        """Write back the due dates the invoices had before the plan."""
        for plan in self:
            original = plan.original_due_dates or {}
            AccountMoveLine = self.env["account.move.line"]
            lines = AccountMoveLine.browse(
                [int(i) for i in original.get("lines", {})]
            ).exists()
            plan._write_due_dates(
                {
                    line: fields.Date.to_date(original["lines"][str(line.id)])
                    for line in lines
                    if not line.reconciled
                },
                move_dates={
                    int(move_id): fields.Date.to_date(value)
                    for move_id, value in original.get("moves", {}).items()
                },
            )
            plan.original_due_dates = False

    def _write_due_dates(self, line_dates, move_dates=None):
        """Write ``date_maturity`` of receivable lines ({line: date}) and the
        invoices' due dates (``move_dates`` {move id: date}, by default the
        latest date of each invoice's receivable lines, as Odoo computes it).

        Only dates change: no amount, account or partner, so the entries
        stay balanced and hashed entries stay valid. ``skip_invoice_sync``
        keeps Odoo from regenerating the payment term lines of the invoice
        from its payment term while we write the agreed dates.
        """
        # sudo: the signed agreement, not the collector's accounting rights,
        # decides these due dates; nothing but the dates is written.
        AccountMoveLine = self.env["account.move.line"].sudo()
        context = {"skip_invoice_sync": True, "skip_is_manually_modified": True}
        by_date = defaultdict(list)
        for line, due in line_dates.items():
            if line.date_maturity != due:
                by_date[due].append(line.id)
        for due, ids in by_date.items():
            AccountMoveLine.browse(ids).with_context(**context).write(
                {"date_maturity": due}
            )
        moves = self.move_ids.sudo()
        if move_dates is None:
            move_dates = {}
            for move in moves:
                dates = move.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                ).mapped("date_maturity")
                if dates:
                    move_dates[move.id] = max(dates)
        by_date = defaultdict(list)
        for move in moves:
            due = move_dates.get(move.id)
            if due and move.invoice_date_due != due:
                by_date[due].append(move.id)
        for due, ids in by_date.items():
            moves.browse(ids).with_context(**context).write({"invoice_date_due": due})

    # ------------------------------------------------------------------
    # Daily follow-up (cron)
    # ------------------------------------------------------------------

    @api.model
    def _cron_check_plans(self):
        """Daily: close paid plans, break late ones, lapse unsigned ones, and
        remind the installments soon due (every company)."""
        # sudo: the cron's user may not belong to every company.
        companies = self.env["res.company"].sudo().search([])
        self.sudo().with_context(allowed_company_ids=companies.ids)._check_plans(
            fields.Date.context_today(self)
        )

    @api.model
    def _check_plans(self, on_date):
        """Follow every plan in progress on ``on_date``; returns
        {"done": plans, "broken": plans, "lapsed": plans, "reminded": lines}."""
        plans = self.search([("state", "in", HOLDING_STATES)])
        plans.line_ids._refresh_payment_state()
        done = broken = lapsed = self.browse()
        for plan in plans:
            if plan.state == "waiting_signature":
                first = plan.line_ids.sorted("due_date")[:1]
                delay = timedelta(days=plan.policy_id.plan_break_days)
                if first and first.due_date + delay < on_date:
                    lapsed |= plan
                continue
            if plan.currency_id.compare_amounts(plan.amount_residual, 0) <= 0:
                done |= plan
                continue
            breach = plan._breaching_line(on_date)
            if breach:
                plan._break(breach, on_date)
                broken |= plan
        done._close(on_date)
        lapsed._lapse(on_date)
        reminded = (plans - done - broken - lapsed)._send_installment_reminders(on_date)
        return {"done": done, "broken": broken, "lapsed": lapsed, "reminded": reminded}

    def _close(self, on_date):
        if not self:
            return
        self.write({"state": "done", "close_date": on_date})
        self._log_everywhere(
            lambda plan: self.env._(
                "Payment plan %(plan)s fully paid: closed.", plan=plan.name
            )
        )

    def _lapse(self, on_date):
        if not self:
            return
        self.write(
            {
                "state": "cancelled",
                "close_date": on_date,
                "break_reason": self.env._("Not signed in time."),
            }
        )
        self._log_everywhere(
            lambda plan: self.env._(
                "Payment plan %(plan)s was not signed in time: cancelled, the "
                "invoices follow the dunning again.",
                plan=plan.name,
            )
        )
        self._notify_collector(self.env._("Payment plan not signed"))

    def _break(self, line, on_date):
        self.ensure_one()
        currency = self.currency_id
        reason = self.env._(
            "The installment of %(date)s (%(amount)s, %(residual)s unpaid) is "
            "%(days)s days late.",
            date=format_date(self.env, line.due_date),
            amount=format_amount(self.env, line.amount, currency),
            residual=format_amount(self.env, line.amount_residual, currency),
            days=(on_date - line.due_date).days,
        )
        self._restore_due_dates()
        self.write({"state": "broken", "close_date": on_date, "break_reason": reason})
        level = self.policy_id._recouvrement_plan_broken_level()
        if level:
            message = self.env._(
                "Payment plan %(plan)s broken: %(reason)s Recovery resumes at level "
                "%(level)s, with the original due dates.",
                plan=self.name,
                reason=reason,
                level=level.name,
            )
        else:
            message = self.env._(
                "Payment plan %(plan)s broken: %(reason)s Recovery resumes with the "
                "original due dates.",
                plan=self.name,
                reason=reason,
            )
        self._log_everywhere(lambda plan: message)
        self._notify_collector(self.env._("Payment plan broken"), reason)

    def _notify_collector(self, summary, note=""):
        """A to-do for the collector of each plan."""
        for plan in self:
            plan.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(plan.user_id or plan.policy_id.collector_id).id
                or self.env.uid,
                summary=summary,
                note=escape(note),
            )

    def _send_installment_reminders(self, on_date):
        """Remind the debtor of the installments due within the policy's
        delay, through the policy's channel; returns the lines reminded."""
        lines = self.line_ids.filtered(
            lambda line: (
                line.plan_id.state == "active"
                and line.payment_state != "paid"
                and not line.reminder_date
                and line.plan_id.policy_id.plan_reminder_channel != "none"
                and line.due_date
                - timedelta(days=line.plan_id.policy_id.plan_reminder_days)
                <= on_date
                <= line.due_date
            )
        )
        mail_template = self.env.ref(
            "recouvrement_amiable.mail_template_plan_reminder", raise_if_not_found=False
        )
        sms_template = self.env.ref(
            "recouvrement_amiable.sms_template_plan_reminder", raise_if_not_found=False
        )
        reminded = self.env["recouvrement.plan.line"]
        for plan, plan_lines in lines.grouped("plan_id").items():
            line = plan_lines.sorted("due_date")[:1]
            channel = plan.policy_id.plan_reminder_channel
            if channel == "sms" and sms_template and plan.partner_id.mobile:
                plan._message_sms_with_template(
                    template=sms_template, partner_ids=plan.partner_id.ids
                )
            elif mail_template and plan.partner_id.email:
                plan.message_post_with_source(
                    mail_template,
                    subtype_xmlid="mail.mt_comment",
                    message_type="comment",
                )
            else:
                plan.message_post(
                    body=self.env._(
                        "No reminder of the installment of %(date)s: the customer "
                        "has no e-mail address or mobile number.",
                        date=format_date(self.env, line.due_date),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            reminded |= plan_lines
        reminded.write({"reminder_date": on_date})
        return reminded

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

    def action_send_agreement(self):
        """Open the composer with the agreement (PDF and portal link)."""
        self.ensure_one()
        if self.state == "draft":
            raise UserError(self.env._("Confirm the plan before sending it."))
        template = self.env.ref(
            "recouvrement_amiable.mail_template_plan_agreement",
            raise_if_not_found=False,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
            },
        }

    def action_print_agreement(self):
        return self.env.ref(
            "recouvrement_amiable.action_report_plan_agreement"
        ).report_action(self)

    def action_view_invoices(self):
        self.ensure_one()
        return self.move_ids._get_records_action(name=self.env._("Invoices"))

    # ------------------------------------------------------------------
    # Hooks of the dunning run (see models/account_move.py)
    # ------------------------------------------------------------------

    @api.model
    def _recouvrement_plans_of(self, moves, states):
        # sudo: whether an invoice is in a plan must not depend on who runs
        # the dunning (record rules of sales reps); the callers only return
        # invoice ids, level ids and dates.
        return self.sudo().search(
            [("move_ids", "in", moves.ids), ("state", "in", states)]
        )

    @api.model
    def _recouvrement_blocked_moves(self, moves, on_date):
        """Invoices of a plan waiting for its signature, or active and
        honoured on ``on_date``: no reminder."""
        result = {}
        for plan in self._recouvrement_plans_of(moves, HOLDING_STATES):
            if plan.state == "active" and plan._breaching_line(on_date):
                continue
            reason = self.env._("In payment plan %(plan)s", plan=plan.name)
            for move in plan.move_ids & moves:
                result[move.id] = reason
        return result

    @api.model
    def _recouvrement_forced_levels(self, moves):
        """Invoices of a broken plan reach the policy's level for broken
        plans at once (unless a newer plan holds them)."""
        held = {
            move.id
            for plan in self._recouvrement_plans_of(moves, HOLDING_STATES)
            for move in plan.move_ids
        }
        result = {}
        broken = self._recouvrement_plans_of(moves, ("broken",))
        for plan in broken.sorted(
            lambda p: (p.close_date or fields.Date.today(), p.id)
        ):
            level = plan.policy_id._recouvrement_plan_broken_level()
            if not level:
                continue
            for move in plan.move_ids & moves:
                if move.id not in held:
                    result[move.id] = level.id
        return result
