"""Proof of sending of letters and formal notices (LEGAL_FR.md section 6).

A formal notice takes effect on the day the letter is first presented to the
debtor (a letter returned unclaimed still counts as presented): consumers owe
interest from that day, and a court file needs the proof. This mixin of
``recouvrement.action`` records how a letter was sent, its tracking number,
the date sent, the date of first presentation, the outcome and the scanned
receipt; the daily check raises an activity for a formal notice still
without proof some days (set on the policy) after it was prepared.
"""

from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from .recouvrement_level import PRINTED_CHANNELS

SENDING_METHODS = [
    ("registered", "Registered letter with acknowledgment of receipt"),
    ("electronic", "Electronic registered letter"),
    ("hand", "Delivered by hand"),
    ("ordinary", "Ordinary letter"),
]
# Methods whose proof is a tracking number.
TRACKED_METHODS = ("registered", "electronic")
DELIVERY_OUTCOMES = [
    ("signed", "Receipt signed"),
    ("unclaimed", "Returned unclaimed"),
    ("refused", "Refused"),
]


class RecouvrementActionProof(models.AbstractModel):
    _name = "recouvrement.action.proof"
    _description = "Proof of sending of a letter or formal notice"

    sending_method = fields.Selection(
        SENDING_METHODS,
        copy=False,
        help="How the letter was sent: a formal notice goes by registered "
        "letter with acknowledgment of receipt (or its electronic equivalent).",
    )
    tracking_ref = fields.Char(
        string="Tracking number",
        copy=False,
        help="Number of the registered letter (La Poste) or of the electronic "
        "registered letter.",
    )
    sent_date = fields.Date(string="Sent on", copy=False)
    presented_date = fields.Date(
        string="First presented on",
        copy=False,
        index="btree_not_null",
        help="Date the letter was first presented to the debtor: the day a "
        "formal notice takes effect (consumers owe interest from it). A letter "
        "returned unclaimed still counts as presented.",
    )
    delivery_outcome = fields.Selection(DELIVERY_OUTCOMES, copy=False)
    proof_scan = fields.Binary(string="Scanned receipt", attachment=True, copy=False)
    proof_scan_name = fields.Char(string="Receipt file name", copy=False)
    proof_activity_id = fields.Many2one(
        "mail.activity",
        string="Proof reminder",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    # Ordinary letters through Odoo's postal service (snailmail).
    snailmail_letter_id = fields.Many2one(
        "snailmail.letter",
        string="Postal letter",
        readonly=True,
        copy=False,
        ondelete="set null",
    )
    snailmail_state = fields.Selection(
        related="snailmail_letter_id.state", string="Postal status"
    )
    effective_date = fields.Date(
        string="Takes effect on",
        compute="_compute_effective_date",
        help="Date of first presentation when recorded, else the day the "
        "letter went out.",
    )

    @api.depends("presented_date", "sent_date")
    def _compute_effective_date(self):
        for action in self:
            action.effective_date = (
                action.presented_date
                or action.sent_date
                or (action.contact_date and action.contact_date.date())
                or False
            )

    @api.constrains("sending_method", "tracking_ref", "sent_date", "presented_date")
    def _check_proof(self):
        today = fields.Date.context_today(self)
        for action in self:
            action._check_proof_values(
                {
                    "sending_method": action.sending_method,
                    "tracking_ref": action.tracking_ref,
                    "sent_date": action.sent_date,
                    "presented_date": action.presented_date,
                },
                today,
            )

    def _check_proof_values(self, values, today):
        """Raise a clear ``ValidationError`` on inconsistent proof values."""
        self.ensure_one()
        method = values.get("sending_method")
        sent = values.get("sent_date")
        presented = values.get("presented_date")
        if not (method or sent or presented or values.get("tracking_ref")):
            return
        ref = self.name or self.env._("this letter")
        if self.channel not in PRINTED_CHANNELS:
            raise ValidationError(
                self.env._(
                    "%(ref)s is not a letter or a formal notice: it has no proof "
                    "of sending.",
                    ref=ref,
                )
            )
        if method in TRACKED_METHODS and not (values.get("tracking_ref") or "").strip():
            raise ValidationError(
                self.env._(
                    "%(ref)s: a registered letter needs its tracking number.",
                    ref=ref,
                )
            )
        if presented and not sent:
            raise ValidationError(
                self.env._(
                    "%(ref)s: enter the date the letter was sent before its "
                    "date of presentation.",
                    ref=ref,
                )
            )
        for day in (sent, presented):
            if day and day > today:
                raise ValidationError(
                    self.env._(
                        "%(ref)s: the date %(date)s is in the future.",
                        ref=ref,
                        date=fields.Date.to_string(day),
                    )
                )
        if sent and presented and presented < sent:
            raise ValidationError(
                self.env._(
                    "%(ref)s: the letter cannot be presented (%(presented)s) "
                    "before it was sent (%(sent)s).",
                    ref=ref,
                    presented=fields.Date.to_string(presented),
                    sent=fields.Date.to_string(sent),
                )
            )

    def _record_proof(self, values):
        """Write proof ``values`` on these letters, post them (a letter to
        print becomes done) and close their proof reminders."""
        to_post = self.filtered(lambda a: a.state == "to_do")
        self.write(values)
        if to_post:
            to_post.write({"state": "done"})
        activities = self.proof_activity_id
        if activities and values.get("presented_date"):
            activities.action_feedback(
                feedback=self.env._("Proof of sending recorded.")
            )
        self._log_on_partners(
            {action.id: escape(action._proof_summary()) for action in self}
        )
        return True

    def _proof_summary(self):
        self.ensure_one()
        method = dict(self._fields["sending_method"]._description_selection(self.env))
        outcome = dict(
            self._fields["delivery_outcome"]._description_selection(self.env)
        )
        parts = [
            self.env._(
                "%(ref)s: %(method)s",
                ref=self.name,
                method=method.get(self.sending_method, "-"),
            )
        ]
        if self.tracking_ref:
            parts.append(self.env._("no. %(number)s", number=self.tracking_ref))
        if self.sent_date:
            parts.append(
                self.env._(
                    "sent on %(date)s", date=format_date(self.env, self.sent_date)
                )
            )
        if self.presented_date:
            parts.append(
                self.env._(
                    "first presented on %(date)s",
                    date=format_date(self.env, self.presented_date),
                )
            )
        if self.delivery_outcome:
            parts.append(outcome[self.delivery_outcome])
        return ", ".join(parts)

    def action_send_by_post(self):
        """Ordinary letters sent through Odoo's postal service (snailmail):
        the address is checked now, the service's cron posts them, and the
        letter's postal status fills its sending fields."""
        letters = self.filtered(
            lambda a: (
                a.channel == "letter"
                and a.state == "to_do"
                and a.attachment_id
                and not a.snailmail_letter_id
            )
        )
        if not letters or letters != self:
            raise UserError(
                self.env._(
                    "Only printed letters not posted yet can go through the postal "
                    "service (a formal notice goes by registered letter)."
                )
            )
        not_pdf = letters.filtered(
            lambda a: a.attachment_id.mimetype != "application/pdf"
        )
        if not_pdf:
            raise UserError(
                self.env._(
                    "The postal service needs the letter as a PDF: %(refs)s.",
                    refs=", ".join(not_pdf.mapped("name")),
                )
            )
        created = self.env["snailmail.letter"].create(
            [
                {
                    "model": "res.partner",
                    "res_id": action.partner_id.id,
                    "partner_id": action.partner_id.id,
                    "company_id": action.company_id.id,
                    "user_id": self.env.uid,
                    "attachment_id": action.attachment_id.id,
                }
                for action in letters
            ]
        )
        for action, letter in zip(letters, created, strict=True):
            action.snailmail_letter_id = letter
        # Not immediate: the postal service's cron sends them (and commits).
        created._snailmail_print(immediate=False)
        return True

    def _sync_snailmail(self):
        """The postal letter's status in the sending fields: sent, the letter
        is posted (ordinary letter, sent today); in error, the reason."""
        today = fields.Date.context_today(self)
        for action in self:
            letter = action.snailmail_letter_id
            if letter.state == "sent" and not action.sent_date:
                values = {"sending_method": "ordinary", "sent_date": today}
                if action.state == "to_do":
                    values["state"] = "done"
                action.write(values)
            elif letter.state == "error":
                action.failure_reason = self.env._(
                    "Postal service: %(error)s",
                    error=letter.error_code or "",
                )

    def action_open_proof_entry(self):
        """The proof entry window for these letters (one or a stack)."""
        return self.env["recouvrement.proof.entry"]._action_open(self)

    @api.model
    def _cron_check_notice_proofs(self, on_date=None):
        """An activity for each formal notice prepared more than the
        policy's ``notice_proof_days`` ago with no date of presentation."""
        on_date = on_date or fields.Date.context_today(self)
        candidates = self.search(
            [
                ("company_id", "in", self.env.companies.ids),
                ("channel", "=", "formal_notice"),
                ("state", "in", ("to_do", "done")),
                ("presented_date", "=", False),
                ("proof_activity_id", "=", False),
                ("contact_date", "!=", False),
                ("policy_id.notice_proof_days", ">", 0),
            ]
        )
        late = candidates.filtered(
            lambda a: (
                a.contact_date.date() + timedelta(days=a.policy_id.notice_proof_days)
                <= on_date
            )
        )
        if not late:
            return late
        todo = self.env.ref("mail.mail_activity_data_todo")
        activities = late._schedule_activities(
            lambda a: self.env._("Proof of the formal notice %(ref)s", ref=a.name),
            lambda a: escape(
                self.env._(
                    "The formal notice %(ref)s has no proof of sending yet: "
                    "record its tracking number and its date of first "
                    "presentation, and attach the signed receipt.",
                    ref=a.name,
                )
            ),
            lambda a: todo,
        )
        for action in late:
            action.proof_activity_id = activities[action.id]
        return late
