from datetime import timedelta

from markupsafe import Markup, escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount

from .selections import ACTIVE_STATES, DISPUTE_STATES


class RecouvrementDispute(models.Model):
    """A customer contests one or more invoices: no reminder mentions them
    until the owner (the sales rep) resolves the dispute."""

    _name = "recouvrement.dispute"
    _description = "Dispute on invoices"
    _inherit = [
        "mail.thread",
        "mail.activity.mixin",
        "recouvrement.dispute.resolution",
        "recouvrement.dispute.dunning",
    ]
    _order = "date_open desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", readonly=True, copy=False, default="/", index="trigram"
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
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
    move_ids = fields.Many2many(
        "account.move",
        "recouvrement_dispute_move_rel",
        "dispute_id",
        "move_id",
        string="Invoices",
        required=True,
        check_company=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id)]",
    )
    reason_id = fields.Many2one(
        "recouvrement.dispute.reason", required=True, tracking=True
    )
    description = fields.Text(help="What the customer says.")
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency", store=True, precompute=True
    )
    amount_residual = fields.Monetary(
        string="Amount due", compute="_compute_amount_residual"
    )
    amount_disputed = fields.Monetary(
        string="Disputed amount",
        compute="_compute_amount_disputed",
        store=True,
        readonly=False,
        precompute=True,
        tracking=True,
        help="Part of the amount due the customer contests (all of it by default).",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Owner",
        tracking=True,
        index=True,
        compute="_compute_user_id",
        store=True,
        readonly=False,
        precompute=True,
        help="Who resolves the dispute: the invoice's salesperson by default.",
    )
    collector_id = fields.Many2one("res.users", tracking=True)
    state = fields.Selection(
        DISPUTE_STATES, default="open", required=True, tracking=True, index=True
    )
    date_open = fields.Date(
        string="Opened on",
        required=True,
        default=fields.Date.context_today,
        readonly=True,
    )
    date_deadline = fields.Date(
        string="Deadline",
        compute="_compute_date_deadline",
        store=True,
        readonly=False,
        precompute=True,
    )
    date_resolved = fields.Date(string="Resolved on", readonly=True, copy=False)
    age_days = fields.Integer(string="Age (days)", compute="_compute_age")
    is_overdue = fields.Boolean(
        string="Past deadline",
        compute="_compute_age",
        search="_search_is_overdue",
    )
    resolution_note = fields.Html(copy=False)
    credit_note_ids = fields.Many2many(
        "account.move",
        "recouvrement_dispute_credit_note_rel",
        "dispute_id",
        "move_id",
        string="Credit notes",
        copy=False,
        readonly=True,
    )
    source = fields.Selection(
        [("internal", "Internal"), ("call", "Phone call"), ("portal", "Portal")],
        default="internal",
        required=True,
        readonly=True,
    )
    action_id = fields.Many2one(
        "recouvrement.action",
        string="From the call",
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )

    _sql_constraints = [
        (
            "amount_disputed_positive",
            "CHECK(amount_disputed IS NULL OR amount_disputed >= 0)",
            "The disputed amount cannot be negative.",
        ),
    ]

    # ------------------------------------------------------------------
    # Defaults and computes
    # ------------------------------------------------------------------

    @api.depends("move_ids", "partner_id")
    def _compute_user_id(self):
        for dispute in self:
            if not dispute.user_id:
                dispute.user_id = (
                    dispute.move_ids[:1].invoice_user_id
                    or dispute.partner_id.user_id
                    or self.env.user
                )

    @api.depends("move_ids")
    def _compute_currency(self):
        for dispute in self:
            dispute.currency_id = (
                dispute.move_ids[:1].currency_id or dispute.company_id.currency_id
            )

    @api.depends("move_ids.amount_residual")
    def _compute_amount_residual(self):
        for dispute in self:
            dispute.amount_residual = sum(dispute.move_ids.mapped("amount_residual"))

    @api.depends("reason_id", "date_open")
    def _compute_date_deadline(self):
        for dispute in self:
            if dispute.reason_id and dispute.date_open:
                dispute.date_deadline = dispute.date_open + timedelta(
                    days=dispute.reason_id.deadline_days
                )

    @api.depends("date_open", "date_resolved", "date_deadline", "state")
    def _compute_age(self):
        today = fields.Date.context_today(self)
        for dispute in self:
            end = dispute.date_resolved or today
            dispute.age_days = (
                (end - dispute.date_open).days if dispute.date_open else 0
            )
            dispute.is_overdue = bool(
                dispute.state in ACTIVE_STATES
                and dispute.date_deadline
                and dispute.date_deadline < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on 'Past deadline'."))
        today = fields.Date.context_today(self)
        domain = [("state", "in", ACTIVE_STATES), ("date_deadline", "<", today)]
        if (operator == "=") == value:
            return domain
        return ["!", "&", *domain]

    @api.depends("move_ids")
    def _compute_amount_disputed(self):
        # The whole amount due is disputed unless the user says otherwise.
        for dispute in self:
            dispute.amount_disputed = sum(dispute.move_ids.mapped("amount_residual"))

    @api.onchange("move_ids")
    def _onchange_move_ids(self):
        if self.move_ids and not self.partner_id:
            self.partner_id = self.move_ids[:1].commercial_partner_id

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    @api.constrains("move_ids", "partner_id", "amount_disputed", "state")
    def _check_invoices(self):
        for dispute in self:
            moves = dispute.move_ids
            if not moves:
                raise ValidationError(
                    self.env._("A dispute concerns at least one invoice.")
                )
            wrong = moves.filtered(
                lambda m: m.move_type != "out_invoice" or m.state != "posted"
            )
            if wrong:
                raise ValidationError(
                    self.env._(
                        "Only posted customer invoices can be disputed: %(names)s.",
                        names=", ".join(wrong.mapped("display_name")),
                    )
                )
            others = moves.filtered(
                lambda m, d=dispute: (
                    m.commercial_partner_id != d.partner_id.commercial_partner_id
                )
            )
            if others:
                raise ValidationError(
                    self.env._(
                        "The invoices %(names)s are not %(customer)s's: open one "
                        "dispute per customer.",
                        names=", ".join(others.mapped("name")),
                        customer=dispute.partner_id.display_name,
                    )
                )
            if len(moves.currency_id) > 1:
                raise ValidationError(
                    self.env._("The invoices of a dispute must share one currency.")
                )
            if dispute.state not in ACTIVE_STATES:
                continue
            residual = sum(moves.mapped("amount_residual"))
            if dispute.currency_id.compare_amounts(dispute.amount_disputed, 0) <= 0:
                raise ValidationError(
                    self.env._("The disputed amount must be greater than zero.")
                )
            if (
                dispute.currency_id.compare_amounts(dispute.amount_disputed, residual)
                > 0
            ):
                raise ValidationError(
                    self.env._(
                        "The disputed amount (%(disputed)s) cannot exceed the "
                        "amount due on the invoices (%(due)s).",
                        disputed=format_amount(
                            self.env, dispute.amount_disputed, dispute.currency_id
                        ),
                        due=format_amount(self.env, residual, dispute.currency_id),
                    )
                )
        # One open dispute per invoice: a second would hide who owns it.
        active = self.filtered(lambda d: d.state in ACTIVE_STATES)
        if active:
            # sudo: the clash may be in a dispute the user cannot see (another
            # sales rep's); only its reference is shown.
            clash = self.sudo().search(
                [
                    ("id", "not in", active.ids),
                    ("state", "in", ACTIVE_STATES),
                    ("move_ids", "in", active.move_ids.ids),
                ],
                limit=1,
            )
            if clash:
                raise ValidationError(
                    self.env._(
                        "%(invoices)s already in dispute %(dispute)s.",
                        invoices=", ".join(
                            (clash.move_ids & active.move_ids).mapped("name")
                        ),
                        dispute=clash.name,
                    )
                )

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                vals["name"] = (
                    self.env["ir.sequence"].next_by_code("recouvrement.dispute") or "/"
                )
        disputes = super().create(vals_list)
        # A user disputes only invoices they may read (a sales rep: those of
        # their customers).
        disputes.move_ids.check_access("read")
        for dispute in disputes:
            if not dispute.collector_id:
                policy = dispute.partner_id.with_company(
                    dispute.company_id
                )._recouvrement_effective_policy()
                dispute.collector_id = policy.collector_id
        disputes._check_invoices()
        disputes._notify_owner()
        disputes._log_everywhere(
            {
                d.id: self.env._(
                    "Dispute %(ref)s opened (%(reason)s) for %(amount)s: no reminder "
                    "until it is resolved.",
                    ref=d.name,
                    reason=d.reason_id.name,
                    amount=format_amount(self.env, d.amount_disputed, d.currency_id),
                )
                for d in disputes
            }
        )
        return disputes

    def _notify_owner(self):
        todo = self.env.ref("mail.mail_activity_data_todo")
        for dispute in self.filtered("user_id"):
            dispute.activity_schedule(
                activity_type_id=todo.id,
                summary=self.env._("Resolve dispute %(ref)s", ref=dispute.name),
                note=escape(dispute.description or dispute.reason_id.name),
                user_id=dispute.user_id.id,
                date_deadline=dispute.date_deadline or fields.Date.context_today(self),
            )

    def _log_everywhere(self, texts):
        """The chatter is the audit trail: each step is noted on the dispute,
        its invoices and its customer."""
        for dispute in self:
            body = escape(texts[dispute.id])
            link = Markup("%s<br/>%s") % (dispute._get_html_link(), body)
            dispute.message_post(body=body, subtype_xmlid="mail.mt_note")
            dispute.move_ids._message_log_batch(
                bodies=dict.fromkeys(dispute.move_ids.ids, link)
            )
            dispute.partner_id._message_log(body=link)

    def action_start(self):
        self._check_state(ACTIVE_STATES)
        self.write({"state": "in_progress"})

    def action_resolve(self):
        self.ensure_one()
        self._check_state(ACTIVE_STATES)
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Resolve dispute"),
            "res_model": "recouvrement.dispute.resolve",
            "view_mode": "form",
            "target": "new",
            "context": {"default_dispute_id": self.id},
        }

    def action_cancel(self):
        self._check_state(ACTIVE_STATES)
        self._close(
            "cancelled",
            {
                d.id: self.env._(
                    "Dispute %(ref)s cancelled: dunning resumes.", ref=d.name
                )
                for d in self
            },
        )

    def action_reopen(self):
        self._check_state(("cancelled", "resolved_rejected"))
        self.write({"state": "open", "date_resolved": False})
        self._check_invoices()
        self._log_everywhere(
            {d.id: self.env._("Dispute %(ref)s reopened.", ref=d.name) for d in self}
        )

    def _check_state(self, allowed):
        wrong = self.filtered(lambda d: d.state not in allowed)
        if wrong:
            raise UserError(
                self.env._(
                    "Dispute %(ref)s is %(state)s: this step is not possible.",
                    ref=wrong[0].name,
                    state=dict(self._fields["state"]._description_selection(self.env))[
                        wrong[0].state
                    ],
                )
            )

    def _action_form(self, defaults):
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Open a dispute"),
            "res_model": "recouvrement.dispute",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {f"default_{key}": value for key, value in defaults.items()},
        }

    @api.model
    def _action_open_from_call(self, action):
        """The call outcome says the customer contests: open a dispute on the
        invoices of the call."""
        moves = action.line_ids.move_id.filtered(lambda m: m.amount_residual > 0)
        return self._action_form(
            {
                "partner_id": action.partner_id.commercial_partner_id.id,
                "move_ids": moves.ids,
                "amount_disputed": sum(moves.mapped("amount_residual")),
                "source": "call",
                "action_id": action.id,
                "description": action.outcome_note or False,
                "user_id": (moves[:1].invoice_user_id or self.env.user).id,
            }
        )

    @api.model
    def _open_from_portal(self, invoice, reason, message, author):
        """A customer contests an invoice from the portal (called with the
        rights checked by the controller)."""
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise UserError(self.env._("Only a posted invoice can be contested."))
        if invoice.currency_id.is_zero(invoice.amount_residual):
            raise UserError(
                self.env._("This invoice is paid: there is nothing to contest.")
            )
        if self.search_count(
            [("move_ids", "in", invoice.ids), ("state", "in", ACTIVE_STATES)]
        ):
            raise UserError(
                self.env._("This invoice is already contested; we are looking into it.")
            )
        dispute = self.create(
            {
                "company_id": invoice.company_id.id,
                "partner_id": invoice.commercial_partner_id.id,
                "move_ids": [fields.Command.set(invoice.ids)],
                "reason_id": reason.id,
                "description": message,
                "amount_disputed": invoice.amount_residual,
                "source": "portal",
                "user_id": (
                    invoice.invoice_user_id
                    or invoice.company_id.recouvrement_policy_company_id.collector_id
                ).id,
            }
        )
        dispute.message_post(
            body=escape(message),
            author_id=author.id,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return dispute
