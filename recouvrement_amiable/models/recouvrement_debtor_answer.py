from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.tools import format_amount, format_date

ANSWER_KINDS = [
    ("reply", "Reply to a reminder"),
    ("paid", "Says already paid"),
    ("promise", "Promise to pay"),
    ("plan", "Asks for a payment plan"),
]
ANSWER_STATES = [("open", "To handle"), ("done", "Handled")]
PAID_STATES = ("paid", "in_payment", "reversed")


class RecouvrementDebtorAnswer(models.Model):
    """What a debtor told us in answer to the reminders (a reply e-mail or a
    step on the account page). While it is open, dunning of the debtor (or
    of the invoices it names) pauses until the collector has handled it or
    the pause ends."""

    _name = "recouvrement.debtor.answer"
    _description = "Debtor answer"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "create_date desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, index=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company", required=True, index=True, readonly=True
    )
    kind = fields.Selection(ANSWER_KINDS, required=True, readonly=True)
    state = fields.Selection(
        ANSWER_STATES, required=True, default="open", index=True, tracking=True
    )
    action_id = fields.Many2one(
        "recouvrement.action",
        string="Reminder",
        readonly=True,
        index="btree_not_null",
        check_company=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        readonly=True,
        check_company=True,
        help="Invoices the answer is about; none: all the debtor's invoices.",
    )
    pause_until = fields.Date(
        readonly=True,
        help="Reminders of the invoices concerned wait until this day, unless "
        "the answer is handled before.",
    )
    paid_date = fields.Date(string="Payment date", readonly=True)
    amount = fields.Monetary(readonly=True, currency_field="currency_id")
    currency_id = fields.Many2one("res.currency", readonly=True)
    note = fields.Text(readonly=True)
    message_id = fields.Many2one(
        "mail.message", string="E-mail", readonly=True, ondelete="set null"
    )
    attachment_ids = fields.Many2many("ir.attachment", string="Proof", readonly=True)
    user_id = fields.Many2one(
        "res.users", string="Collector", index=True, tracking=True
    )

    @api.depends("kind", "partner_id")
    def _compute_display_name(self):
        kinds = dict(self._fields["kind"]._description_selection(self.env))
        for answer in self:
            answer.display_name = f"{answer.partner_id.name}: {kinds[answer.kind]}"

    # ------------------------------------------------------------------
    # Registering answers
    # ------------------------------------------------------------------

    @api.model
    def _record_answers(self, vals_list, pause_days):
        """Record the answers, pause dunning for ``pause_days`` (by answer,
        a dict keyed by kind), give the collector an activity and write the
        step in the chatter of the debtor and the invoices."""
        today = fields.Date.context_today(self)
        for vals in vals_list:
            days = pause_days.get(vals["kind"], 0)
            vals.setdefault(
                "pause_until", today + timedelta(days=days) if days else False
            )
        answers = self.create(vals_list)
        answers._assign_collectors()
        answers._schedule_follow_up()
        for answer in answers:
            body = answer._summary()
            answer.partner_id.message_post(
                body=body, message_type="comment", subtype_xmlid="mail.mt_note"
            )
            for move in answer.move_ids:
                move.message_post(
                    body=body, message_type="comment", subtype_xmlid="mail.mt_note"
                )
        return answers

    def _assign_collectors(self):
        policies = self.env["recouvrement.policy"].search(
            [("company_id", "in", self.company_id.ids)], order="sequence, id"
        )
        for answer in self:
            collector = (
                answer.action_id.user_id
                or answer.partner_id.recouvrement_collector_id
                or policies.filtered(lambda p, a=answer: p.company_id == a.company_id)[
                    :1
                ].collector_id
            )
            answer.user_id = collector or self.env.ref("base.user_admin", False)

    def _schedule_follow_up(self):
        activity_type = self.env.ref("mail.mail_activity_data_todo")
        for answer in self:
            answer.activity_schedule(
                activity_type_id=activity_type.id,
                summary=answer._activity_summary(),
                note=answer._summary(),
                user_id=answer.user_id.id,
                date_deadline=fields.Date.context_today(self),
            )

    def _activity_summary(self):
        self.ensure_one()
        if self.kind == "reply":
            return self.env._(
                "Reply from the debtor to reminder %(ref)s",
                ref=self.action_id.name or "",
            )
        return self.env._(
            "%(debtor)s: %(kind)s",
            debtor=self.partner_id.name,
            kind=dict(self._fields["kind"]._description_selection(self.env))[self.kind],
        )

    def _summary(self):
        """What the debtor said, as a chatter note (escaped)."""
        self.ensure_one()
        parts = [self._activity_summary()]
        if self.amount:
            parts.append(
                self.env._(
                    "Amount: %(amount)s",
                    amount=format_amount(self.env, self.amount, self.currency_id),
                )
            )
        if self.paid_date:
            parts.append(
                self.env._("Date: %(date)s", date=format_date(self.env, self.paid_date))
            )
        if self.move_ids:
            parts.append(
                self.env._(
                    "Invoices: %(names)s", names=", ".join(self.move_ids.mapped("name"))
                )
            )
        if self.pause_until:
            parts.append(
                self.env._(
                    "Reminders paused until %(date)s.",
                    date=format_date(self.env, self.pause_until),
                )
            )
        if self.note:
            parts.append(self.note)
        return Markup("<br/>").join(parts)

    # ------------------------------------------------------------------
    # Handling
    # ------------------------------------------------------------------

    def action_done(self):
        """The collector handled the answer: dunning resumes."""
        open_answers = self.filtered(lambda a: a.state == "open")
        open_answers.write({"state": "done"})
        # The follow-up activity is done with the answer (no feedback loop:
        # the activity's own _action_done comes back here on open answers).
        open_answers.activity_ids.action_feedback(
            feedback=self.env._("Answer handled.")
        )
        return True

    def _close_settled(self):
        """End the "already paid" claims whose invoices are now paid."""
        settled = self.filtered(
            lambda a: (
                a.state == "open"
                and a.kind == "paid"
                and a.move_ids
                and all(m.payment_state in PAID_STATES for m in a.move_ids)
            )
        )
        for answer in settled:
            answer.message_post(
                body=self.env._("The payment was received and reconciled."),
                subtype_xmlid="mail.mt_note",
            )
        settled.action_done()
        return settled

    # ------------------------------------------------------------------
    # Hooks of the dunning run (models/account_move.py)
    # ------------------------------------------------------------------

    @api.model
    def _recouvrement_blocked_moves(self, moves, on_date):
        answers = self.search(
            [
                ("state", "=", "open"),
                ("pause_until", ">=", on_date),
                ("partner_id", "in", moves.commercial_partner_id.ids),
            ]
        )
        if not answers:
            return {}
        blocked = {}
        for answer in answers:
            reason = self.env._(
                "Debtor answered (%(kind)s), paused until %(date)s",
                kind=dict(self._fields["kind"]._description_selection(self.env))[
                    answer.kind
                ],
                date=format_date(self.env, answer.pause_until),
            )
            concerned = answer.move_ids or moves.filtered(
                lambda m, a=answer: (
                    m.commercial_partner_id == a.partner_id
                    and m.company_id == a.company_id
                )
            )
            for move_id in set(concerned.ids) & set(moves.ids):
                blocked[move_id] = reason
        return blocked
