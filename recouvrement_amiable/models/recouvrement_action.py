from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date
from odoo.tools.i18n import format_list

from ..tools.chatter import insert_notes
from .recouvrement_level import CHANNELS, PRINTED_CHANNELS
from .selections import (
    ACTION_STATES,
    OUTCOMES,
    PROMISE_STATES,
    WAIT_REASONS,
)


class RecouvrementAction(models.Model):
    _name = "recouvrement.action"
    _description = "Reminder"
    _order = "planned_date desc, id desc"
    _inherit = [
        "recouvrement.action.statement",
        "recouvrement.action.timing",
        "recouvrement.action.documents",
        "recouvrement.action.activities",
        "recouvrement.action.channels",
        "recouvrement.action.portal",
        "recouvrement.action.proof",
    ]
    # Checked in one pass by _check_record_companies: Odoo's automatic check
    # evaluates a domain per field and reminder, and a run creates thousands.
    _check_company_auto = False

    name = fields.Char(
        string="Reference", compute="_compute_name", store=True, index=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, index=True, check_company=True
    )
    policy_id = fields.Many2one(
        "recouvrement.policy", required=True, index=True, check_company=True
    )
    level_id = fields.Many2one(
        "recouvrement.level", required=True, index=True, check_company=True
    )
    channel = fields.Selection(CHANNELS, required=True)
    state = fields.Selection(
        ACTION_STATES, required=True, default="waiting", index=True
    )
    run_id = fields.Many2one("recouvrement.run", index=True, ondelete="set null")
    user_id = fields.Many2one(
        "res.users", string="Collector", index=True, help="Collector in charge."
    )
    planned_date = fields.Date(
        required=True, index=True, help="Day of the run that planned it."
    )
    scheduled_at = fields.Datetime(
        string="Goes out at", help="First moment the contact limits allow it."
    )
    wait_reason = fields.Selection(WAIT_REASONS)
    contact_date = fields.Datetime(
        readonly=True, index=True, help="When the reminder went out to the debtor."
    )
    line_ids = fields.One2many(
        "recouvrement.action.line", "action_id", string="Invoices"
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices ",
        compute="_compute_move_ids",
        search="_search_move_ids",
    )
    invoice_count = fields.Integer(compute="_compute_amount_due", store=True)
    amount_due = fields.Monetary(compute="_compute_amount_due", store=True)
    # What the debtor is asked to pay: each invoice in its own currency, less
    # its open credits.
    amount_due_text = fields.Char(
        string="Amount to pay",
        compute="_compute_amount_due_text",
        help="What the debtor is asked to pay: the amounts due less its credit "
        "notes and payments not yet allocated, one amount per currency of the "
        "invoices, in the debtor's language.",
    )
    failure_reason = fields.Text(readonly=True)
    mail_subject = fields.Char(string="Subject")
    mail_body = fields.Html(string="E-mail", sanitize_style=True)
    sms_body = fields.Text(string="SMS")
    sms_number = fields.Char(string="Phone numbers", readonly=True)
    email_to = fields.Char(string="Sent to", readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="Document", readonly=True)
    mail_message_id = fields.Many2one("mail.message", readonly=True)
    activity_id = fields.Many2one("mail.activity", readonly=True, ondelete="set null")
    outcome = fields.Selection(OUTCOMES, readonly=True, index=True)
    outcome_note = fields.Text(readonly=True)
    promise_date = fields.Date(readonly=True, index=True)
    promise_amount = fields.Monetary(readonly=True)
    promise_state = fields.Selection(PROMISE_STATES, readonly=True, index=True)
    validated_by_id = fields.Many2one("res.users", readonly=True)
    payment_deadline = fields.Date(
        compute="_compute_payment_deadline",
        help="Date by which the reminder asks the debtor to pay.",
    )
    invoice_table_html = fields.Html(
        compute="_compute_invoice_table_html",
        sanitize=False,
        help="The invoices of the reminder as a table, for e-mail templates.",
    )
    # --- penalties ---
    recouvrement_penalty_missing = fields.Boolean(
        string="Interest rate missing",
        readonly=True,
        copy=False,
        help="The interest this reminder states could not be computed (a "
        "half-year rate is missing): it waits, failed, until the rate is "
        "entered and it is retried.",
    )

    # --- start recovery ---
    recouvrement_import = fields.Selection(
        [
            ("placement", "Placed when recovery started"),
            ("external", "Sent outside the add-on"),
        ],
        string="Imported",
        readonly=True,
        copy=False,
        help="Placed when recovery started: the invoices were put at the level "
        "their age called for, nothing was sent. Sent outside the add-on: a "
        "reminder sent by hand before recovery started, recorded so that the "
        "next one follows from it.",
    )

    _sql_constraints = [
        (
            "promise_amount_positive",
            "CHECK(promise_amount IS NULL OR promise_amount >= 0)",
            "A promised amount cannot be negative.",
        ),
    ]

    @api.model
    def mail_allowed_qweb_expressions(self):
        # The field paths of the shipped templates' subject, sender, recipient
        # and language: Odoo reads such paths field by field instead of
        # evaluating an expression per debtor (and lets any user with the
        # right to edit templates use them, like the default paths).
        return (
            *super().mail_allowed_qweb_expressions(),
            "object.company_id.name",
            "object.company_id.email_formatted",
            "object.partner_id.id",
            "object.partner_id.lang",
            "object.amount_due_text",
            "object.portal_link",
            "object.portal_link_html",
        )

    @api.depends("create_date")
    def _compute_name(self):
        for action in self:
            action.name = f"REL{action.id:07d}" if action.id else False

    @api.constrains("company_id", "partner_id", "policy_id", "level_id")
    def _check_record_companies(self):
        for action in self:
            for record in (action.partner_id, action.policy_id, action.level_id):
                if record.company_id and record.company_id != action.company_id:
                    raise ValidationError(
                        self.env._(
                            "%(record)s belongs to %(other)s, not to the "
                            "reminder's company %(company)s.",
                            record=record.display_name,
                            other=record.company_id.name,
                            company=action.company_id.name,
                        )
                    )

    @api.depends("line_ids.move_id")
    def _compute_move_ids(self):
        for action in self:
            action.move_ids = action.line_ids.move_id

    def _search_move_ids(self, operator, value):
        return [("line_ids.move_id", operator, value)]

    @api.depends("line_ids.amount_residual")
    def _compute_amount_due(self):
        for action in self:
            action.amount_due = sum(action.line_ids.mapped("amount_residual"))
            action.invoice_count = len(action.line_ids)

    @api.depends(
        "partner_id.lang",
        "line_ids.move_currency_id",
        "line_ids.amount_residual_currency",
    )
    def _compute_amount_due_text(self):
        for action in self:
            formatter = action._formatter()
            amounts = [
                formatter.amount(total["to_pay"], total["currency"])
                for total in action._claim_totals()
            ] or [formatter.amount(0.0, action.currency_id)]
            # One currency, the common case: no list to format.
            action.amount_due_text = (
                amounts[0]
                if len(amounts) == 1
                else format_list(self.env, amounts, lang_code=formatter.lang_code)
            )

    def _pay_online_companies(self):
        """Companies where customers can pay invoices online (payment module
        installed with an enabled provider): reminders link each invoice."""
        if "payment.provider" not in self.env:
            return self.env["res.company"]
        # sudo: providers are configuration records a collector cannot read.
        providers = (
            self.env["payment.provider"]
            .sudo()
            ._read_group(
                [
                    ("state", "in", ("enabled", "test")),
                    ("company_id", "in", self.company_id.ids),
                ],
                groupby=["company_id"],
            )
        )
        return self.env["res.company"].union(*(company for (company,) in providers))

    @api.depends("name", "partner_id", "level_id")
    def _compute_display_name(self):
        for action in self:
            action.display_name = (
                f"{action.name or ''} {action.partner_id.name or ''} "
                f"- {action.level_id.name or ''}".strip()
            )

    # ------------------------------------------------------------------
    # Recipients
    # ------------------------------------------------------------------

    def _contact_partner(self):
        """Who receives the reminder: the debtor's invoicing contact when it
        has an e-mail, the debtor otherwise."""
        self.ensure_one()
        debtor = self.partner_id
        for child in debtor.child_ids:
            if child.type == "invoice" and child.email:
                return child
        return debtor

    def _country_code(self):
        return (
            self.partner_id.country_id.code or self.company_id.country_id.code or "FR"
        ).upper()

    # ------------------------------------------------------------------
    # User actions
    # ------------------------------------------------------------------

    def action_validate(self):
        """Send the reminders a collector previewed (one or many)."""
        actions = self.filtered(lambda a: a.state == "to_validate")
        if not actions:
            raise UserError(self.env._("Only reminders to validate can be sent."))
        actions.write({"validated_by_id": self.env.uid, "state": "waiting"})
        actions._perform_due_now(fields.Datetime.now())
        return True

    def action_cancel(self):
        if any(
            action.state in ("done", "to_do") and action.contact_date for action in self
        ):
            raise UserError(
                self.env._(
                    "A reminder that already reached the debtor cannot be cancelled."
                )
            )
        self.activity_id.unlink()
        self.write({"state": "cancelled"})
        return True

    def action_retry(self):
        failed = self.filtered(lambda a: a.state == "failed")
        if not failed:
            raise UserError(self.env._("Only failed reminders can be retried."))
        failed._perform_due_now(fields.Datetime.now())
        return True

    def action_mark_sent(self):
        """Letters and formal notices: printed and posted."""
        letters = self.filtered(
            lambda a: a.state == "to_do" and a.channel in PRINTED_CHANNELS
        )
        if not letters:
            raise UserError(self.env._("Only letters to print can be marked as sent."))
        letters.write({"state": "done"})
        return True

    def action_preview_document(self):
        self.ensure_one()
        report = self._document_report()
        if not report:
            raise UserError(self.env._("This reminder has no document to preview."))
        return report.report_action(self)

    def action_record_outcome(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Call outcome"),
            "res_model": "recouvrement.call.outcome",
            "view_mode": "form",
            "target": "new",
            "context": {"default_action_id": self.id},
        }

    def _after_outcome(self, outcome):
        """What follows a recorded call outcome (the window to open next)."""
        self.ensure_one()
        if outcome == "wrong_number":
            self._log_on_partners(
                {
                    self.id: escape(
                        self.env._(
                            "The number %(number)s is wrong: update the customer's "
                            "contact details.",
                            number=self.sms_number or "",
                        )
                    )
                }
            )
        if outcome == "dispute" and "recouvrement.dispute" in self.env:
            return self.env["recouvrement.dispute"]._action_open_from_call(self)
        return {"type": "ir.actions.act_window_close"}

    def action_open_invoices(self):
        return self.line_ids.move_id._get_records_action(name=self.env._("Invoices"))

    # ------------------------------------------------------------------
    # Preparing (validation) and performing
    # ------------------------------------------------------------------

    def _mail_template(self):
        self.ensure_one()
        return self.level_id.mail_template_id or self.policy_id.mail_template_id

    def _document_report(self):
        self.ensure_one()
        if (
            self.channel in PRINTED_CHANNELS
            or self.level_id.channel in PRINTED_CHANNELS
        ):
            return self.level_id.report_id or self.policy_id.report_id
        return self.policy_id.report_id

    def _prepare_previews(self):
        """Render the e-mail / SMS of actions waiting for validation so the
        collector can read and edit them before sending (batch render)."""
        for template, actions in (
            self.filtered(
                lambda a: (
                    a.channel in ("email",) + PRINTED_CHANNELS and a._mail_template()
                )
            )
            .grouped(lambda a: a._mail_template())
            .items()
        ):
            rendered = self._render_mail_safely(template, actions)
            for action in actions:
                values = rendered.get(action.id)
                if values:
                    action.mail_subject = values.get("subject")
                    action.mail_body = values.get("body_html")
        for template, actions in (
            self.filtered(lambda a: a.channel == "sms" and a.level_id.sms_template_id)
            .grouped(lambda a: a.level_id.sms_template_id)
            .items()
        ):
            bodies = template._render_field("body", actions.ids, compute_lang=True)
            for action in actions:
                action.sms_body = bodies.get(action.id)

    # ------------------------------------------------------------------
    # Chatter
    # ------------------------------------------------------------------

    def _log_on_partners(self, bodies, attachments=None, message_type="notification"):
        """One note per action in its debtor's chatter (batch create);
        returns {action_id: mail.message}."""
        if not self:
            return {}
        note = self.env.ref("mail.mt_note").id
        # Record names in one batch (mail.message computes them one by one).
        self.partner_id.mapped("display_name")
        vals_list = []
        for action in self:
            attachment = (attachments or {}).get(action.id)
            vals_list.append(
                {
                    "model": "res.partner",
                    "res_id": action.partner_id.id,
                    "record_name": action.partner_id.display_name,
                    "body": bodies[action.id],
                    "message_type": message_type,
                    "subtype_id": note,
                    "author_id": self.env.user.partner_id.id,
                    "attachment_ids": [fields.Command.link(attachment.id)]
                    if attachment
                    else [],
                }
            )
        # sudo: writing log messages on the debtor needs no more than read
        # access to it, like mail.thread._message_log_batch.
        messages = self.env["mail.message"].sudo().create(vals_list)
        return dict(zip(self.ids, messages, strict=True))

    def _log_on_invoices(self, body):
        """A short note on every invoice a reminder concerns (batch)."""
        bodies = {}
        for action in self:
            text = escape(body(action))
            for line in action.line_ids:
                bodies[line.move_id.id] = text
        insert_notes(self.env, "account.move", bodies)

    # ------------------------------------------------------------------
    # Promises to pay
    # ------------------------------------------------------------------

    def _record_promise(self, promise_date, amount, note=False):
        self.ensure_one()
        today = fields.Date.context_today(self)
        if not promise_date or promise_date < today:
            raise ValidationError(
                self.env._("The promised payment date cannot be in the past.")
            )
        if amount <= 0:
            raise ValidationError(self.env._("The promised amount must be positive."))
        if self.currency_id.compare_amounts(amount, self.amount_due) > 0:
            raise ValidationError(
                self.env._(
                    "The promised amount (%(promised)s) exceeds the amount due "
                    "(%(due)s).",
                    promised=format_amount(self.env, amount, self.currency_id),
                    due=format_amount(self.env, self.amount_due, self.currency_id),
                )
            )
        self.write(
            {
                "promise_date": promise_date,
                "promise_amount": amount,
                "promise_state": "pending",
            }
        )

    def _check_promises(self, on_date):
        """Settle the pending promises whose date has passed: kept when the
        debtor paid at least the promised amount on the reminder's invoices
        since the promise, broken otherwise. Returns the broken ones."""
        due = self.search(
            [
                ("promise_state", "=", "pending"),
                ("promise_date", "<", on_date),
                ("company_id", "in", self.env.companies.ids),
            ]
        )
        broken = self.browse()
        for action in due:
            lines = action.line_ids
            before = sum(lines.mapped("amount_residual"))
            now_due = sum(lines.move_id.mapped("amount_residual_signed"))
            paid = before - now_due
            if action.currency_id.compare_amounts(paid, action.promise_amount) >= 0:
                action.promise_state = "kept"
            else:
                action.promise_state = "broken"
                broken |= action
        if broken:
            broken._log_on_partners(
                {
                    a.id: escape(
                        self.env._(
                            "Promise to pay %(amount)s by %(date)s not kept: "
                            "recovery moves on.",
                            amount=format_amount(
                                self.env, a.promise_amount, a.currency_id
                            ),
                            date=format_date(self.env, a.promise_date),
                        )
                    )
                    for a in broken
                }
            )
        return broken
