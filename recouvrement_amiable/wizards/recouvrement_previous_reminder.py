from datetime import datetime, time

from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..models.recouvrement_level import CHANNELS


class RecouvrementPreviousReminder(models.TransientModel):
    """Record on a customer a reminder sent outside the add-on (by hand,
    before recovery started): its date, level and channel. It is kept as a
    performed reminder marked "sent outside the add-on": the invoices reach
    its level, it counts as a contact for the contact limits, and the next
    reminder follows from it. Nothing is sent."""

    _name = "recouvrement.previous.reminder"
    _description = "Record a reminder sent outside the add-on"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        domain="[('parent_id', '=', False)]",
        check_company=True,
    )
    policy_id = fields.Many2one(
        "recouvrement.policy",
        compute="_compute_policy_id",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
        check_company=True,
    )
    date = fields.Date(
        string="Sent on", required=True, default=fields.Date.context_today
    )
    level_id = fields.Many2one(
        "recouvrement.level",
        required=True,
        domain="[('policy_id', '=', policy_id)]",
        check_company=True,
        help="The level of the policy this reminder stood for: the next "
        "reminder is the level after it.",
    )
    channel = fields.Selection(
        CHANNELS,
        compute="_compute_channel",
        store=True,
        precompute=True,
        readonly=False,
        required=True,
    )
    note = fields.Char(help="e.g. “Letter posted by the accountant”.")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        store=True,
        precompute=True,
        readonly=False,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
        "('payment_state', 'not in', ('paid', 'in_payment', 'reversed'))]",
        help="The invoices the reminder was about: by default the customer's "
        "invoices overdue on that day and still open.",
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "res.partner" and (
            active_id := self.env.context.get("active_id")
        ):
            values["partner_id"] = (
                self.env["res.partner"].browse(active_id).commercial_partner_id.id
            )
        return values

    @api.depends("partner_id", "company_id")
    def _compute_policy_id(self):
        for wizard in self:
            wizard.policy_id = (
                wizard.partner_id.with_company(
                    wizard.company_id
                )._recouvrement_effective_policy()
                if wizard.partner_id
                else False
            )

    @api.depends("level_id")
    def _compute_channel(self):
        for wizard in self:
            wizard.channel = wizard.level_id.channel or wizard.channel or "email"

    @api.depends("partner_id", "date", "company_id")
    def _compute_move_ids(self):
        for wizard in self:
            if not wizard.partner_id or not wizard.date:
                wizard.move_ids = False
                continue
            wizard.move_ids = self.env["account.move"].search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("company_id", "=", wizard.company_id.id),
                    ("commercial_partner_id", "=", wizard.partner_id.id),
                    ("payment_state", "not in", ("paid", "in_payment", "reversed")),
                    ("invoice_date_due", "<", wizard.date),
                ]
            )

    def action_record(self):
        self.ensure_one()
        today = fields.Date.context_today(self)
        if self.date > today:
            raise ValidationError(
                self.env._("A reminder already sent cannot be dated in the future.")
            )
        if self.level_id.policy_id != self.policy_id:
            raise ValidationError(
                self.env._("The level must be one of the customer's policy.")
            )
        if not self.move_ids:
            raise UserError(
                self.env._(
                    "Choose the invoices the reminder was about: none of "
                    "%(customer)s's open invoices was overdue on %(date)s.",
                    customer=self.partner_id.display_name,
                    date=format_date(self.env, self.date),
                )
            )
        late = self.move_ids.filtered(
            lambda m: m.invoice_date_due and m.invoice_date_due < self.date
        )
        if late != self.move_ids:
            raise UserError(
                self.env._(
                    "These invoices were not overdue on %(date)s: %(invoices)s.",
                    date=format_date(self.env, self.date),
                    invoices=", ".join((self.move_ids - late).mapped("name")),
                )
            )
        collector = (
            self.partner_id.recouvrement_collector_id
            or self.policy_id.collector_id
            or self.env.user
        )
        action = self.env["recouvrement.action"].create(
            {
                "company_id": self.company_id.id,
                "partner_id": self.partner_id.id,
                "policy_id": self.policy_id.id,
                "level_id": self.level_id.id,
                "channel": self.channel,
                "state": "done",
                "recouvrement_import": "external",
                "planned_date": self.date,
                # The hour is unknown: nine in the morning, UTC.
                "contact_date": datetime.combine(self.date, time(9)),
                "outcome_note": self.note or False,
                "user_id": collector.id,
                "line_ids": [
                    Command.create(
                        {
                            "move_id": move.id,
                            "level_id": self.level_id.id,
                            "date_due": move.invoice_date_due,
                            "days_late": (self.date - move.invoice_date_due).days,
                            "amount_residual": move.amount_residual_signed,
                            "amount_residual_currency": move.amount_residual,
                        }
                    )
                    for move in self.move_ids
                ],
            }
        )
        action._log_on_partners(
            {
                action.id: Markup("<p>%s</p>")
                % self.env._(
                    "Reminder sent outside the add-on recorded: %(level)s by "
                    "%(channel)s on %(date)s, about %(invoices)s.",
                    level=escape(self.level_id.display_name),
                    channel=dict(
                        self._fields["channel"]._description_selection(self.env)
                    )[self.channel],
                    date=format_date(self.env, self.date),
                    invoices=", ".join(self.move_ids.mapped("name")),
                )
            }
        )
        return {"type": "ir.actions.act_window_close"}
