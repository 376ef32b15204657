"""Collective proceedings of a debtor (LEGAL_FR.md section 8).

From the opening judgment, nothing may be done to obtain payment of a
claim born before it: the run leaves the debtor out, pending reminders are
cancelled, payment plans stop, agency cases are recalled, the penalty
wizard refuses. The creditor declares its claim to the mandataire within
the deadline (``rules.proceedings``).
"""

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.misc import format_date

from ..rules import proceedings as rules

# The mixin's class must exist before this model's (res_partner imports this
# file before models/__init__ reaches the mixin).
from .recouvrement_proceeding_declaration import (  # noqa: F401
    RecouvrementProceedingDeclaration,
)
from .selections import ACTIVE_CASE_STATES, HOLDING_STATES

PROCEEDING_KINDS = [
    (rules.SAUVEGARDE, "Sauvegarde"),
    (rules.REDRESSEMENT, "Redressement judiciaire"),
    (rules.LIQUIDATION, "Liquidation judiciaire"),
]
PROCEEDING_STATES = [
    ("open", "Open"),
    ("plan", "Plan adopted"),
    ("closed_insufficient", "Closed for insufficient assets"),
    ("closed", "Closed"),
]
# Reminders not yet sent to the debtor, cancelled at the judgment.
CANCELLED_REMINDER_STATES = ("waiting", "to_validate", "failed", "to_do")
DEADLINE_ACTIVITY = "recouvrement_amiable.mail_activity_claim_declaration"


class RecouvrementProceeding(models.Model):
    _name = "recouvrement.proceeding"
    _description = "Collective proceedings of a debtor"
    _inherit = [
        "recouvrement.proceeding.declaration",
        "mail.thread",
        "mail.activity.mixin",
    ]
    _order = "judgment_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
        help="The creditor that declares its claim.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        ondelete="cascade",
        tracking=True,
        domain="[('is_company', '=', True)]",
    )
    kind = fields.Selection(
        PROCEEDING_KINDS, string="Type", required=True, tracking=True
    )
    state = fields.Selection(
        PROCEEDING_STATES, default="open", required=True, tracking=True
    )
    judgment_date = fields.Date(
        string="Judgment date",
        required=True,
        tracking=True,
        help="Opening judgment: from this day no reminder, formal notice, "
        "agency pursuit or penalty may concern the claims born before it, and "
        "interest stops (Code de commerce L622-21, L622-28).",
    )
    court = fields.Char(tracking=True)
    bodacc_date = fields.Date(
        string="BODACC publication",
        tracking=True,
        help="The claim must be declared within 2 months of this publication "
        "(4 months outside metropolitan France).",
    )
    outside_metropolitan = fields.Boolean(
        string="Creditor outside metropolitan France",
        help="The declaration deadline is 4 months instead of 2 (R622-24).",
    )
    mandataire_id = fields.Many2one(
        "res.partner",
        string="Mandataire / liquidator",
        tracking=True,
        help="Mandataire judiciaire or liquidator the claim is declared to.",
    )
    plan_date = fields.Date(string="Plan adopted on", tracking=True)
    conversion_date = fields.Date(string="Converted to liquidation on", tracking=True)
    closure_date = fields.Date(string="Closed on", tracking=True)
    deadline = fields.Date(
        string="Declaration deadline",
        compute="_compute_deadline",
        store=True,
        help="BODACC publication + 2 months (4 outside metropolitan France).",
    )
    privilege = fields.Char(
        help="Nature of the privilege or security of the claim, if any; "
        "the declaration states none when empty."
    )
    declaration_date = fields.Date(string="Declaration sent on", tracking=True)
    declaration_reference = fields.Char(
        string="Registered letter / e-filing reference", tracking=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    declared_amount = fields.Monetary(
        compute="_compute_declaration", string="Amount due at the judgment"
    )
    paid_after_amount = fields.Monetary(
        compute="_compute_declaration",
        string="Received after the judgment",
        help="Payments received after the judgment for claims born before it: "
        "they must be returned to the mandataire, never asked for again.",
    )

    _sql_constraints = [
        (
            "partner_judgment_unique",
            "unique(company_id, partner_id, judgment_date)",
            "This debtor already has proceedings opened on that date.",
        ),
    ]

    @api.depends("partner_id", "kind", "judgment_date")
    def _compute_name(self):
        labels = dict(PROCEEDING_KINDS)
        for proceeding in self:
            proceeding.name = " - ".join(
                part
                for part in (
                    proceeding.partner_id.name,
                    labels.get(proceeding.kind),
                    proceeding.judgment_date
                    and fields.Date.to_string(proceeding.judgment_date),
                )
                if part
            )

    @api.depends("bodacc_date", "outside_metropolitan")
    def _compute_deadline(self):
        for proceeding in self:
            proceeding.deadline = rules.declaration_deadline(
                proceeding.bodacc_date, proceeding.outside_metropolitan
            )

    @api.depends("judgment_date", "partner_id", "company_id")
    def _compute_declaration(self):
        for proceeding in self:
            lines = proceeding._declaration_lines() if proceeding.id else []
            proceeding.declared_amount = sum(line["total_company"] for line in lines)
            proceeding.paid_after_amount = sum(
                line["paid_after_company"] for line in lines
            )

    @api.constrains("judgment_date", "bodacc_date")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        for proceeding in self:
            errors = rules.date_errors(
                proceeding.judgment_date, proceeding.bodacc_date, today
            )
            if "judgment_future" in errors:
                raise ValidationError(
                    self.env._(
                        "The judgment date of %(debtor)s cannot be in the future.",
                        debtor=proceeding.partner_id.display_name,
                    )
                )
            if "bodacc_before_judgment" in errors:
                raise ValidationError(
                    self.env._(
                        "The BODACC publication cannot come before the judgment "
                        "it publishes (%(debtor)s).",
                        debtor=proceeding.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Opening: pursuit stops
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("partner_id"):
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["partner_id"] = partner.commercial_partner_id.id
        proceedings = super().create(vals_list)
        proceedings._stop_pursuit()
        proceedings._schedule_deadline_activities()
        return proceedings

    def write(self, vals):
        result = super().write(vals)
        if {"bodacc_date", "outside_metropolitan"} & set(vals):
            self._schedule_deadline_activities()
        if vals.get("declaration_date"):
            activity_type = self.env.ref(DEADLINE_ACTIVITY, raise_if_not_found=False)
            self.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            ).action_feedback(feedback=self.env._("Claim declared."))
        return result

    def _stop_pursuit(self):
        """Cancel the reminders not sent yet, stop the payment plans, recall
        the agency cases of the debtors, and log it."""
        for proceeding in self:
            debtor = proceeding.partner_id
            company = proceeding.company_id
            domain = [
                ("company_id", "=", company.id),
                ("partner_id", "child_of", debtor.id),
            ]
            reminders = self.env["recouvrement.action"].search(
                [
                    *domain,
                    ("state", "in", CANCELLED_REMINDER_STATES),
                    ("contact_date", "=", False),
                ]
            )
            reminders.action_cancel()
            plans = self.env["recouvrement.plan"].search(
                [*domain, ("state", "in", HOLDING_STATES)]
            )
            plans.action_cancel()
            cases = self.env["recouvrement.case"].search(
                [*domain, ("state", "in", ACTIVE_CASE_STATES)]
            )
            cases.action_recall()
            proceeding._tell_agencies(cases)
            text = self.env._(
                "%(kind)s opened on %(date)s: no reminder, formal notice, agency "
                "pursuit or penalty from this date (Code de commerce L622-21). "
                "Reminders cancelled: %(reminders)s; payment plans suspended: "
                "%(plans)s; agency cases recalled: %(cases)s.",
                kind=dict(PROCEEDING_KINDS)[proceeding.kind],
                date=format_date(self.env, proceeding.judgment_date),
                reminders=len(reminders),
                plans=len(plans),
                cases=len(cases),
            )
            proceeding.message_post(body=escape(text))
            debtor.message_post(body=escape(text))

    def _tell_agencies(self, cases):
        """E-mail the agencies set to receive e-mails that the case is
        recalled because of the proceedings."""
        for case in cases:
            agency = case.agency_id.with_company(case.company_id)
            if not (agency.recouvrement_agency_send_email and agency.email):
                continue
            case.message_post(
                body=escape(
                    self.env._(
                        "Case %(case)s is recalled: %(debtor)s is in collective "
                        "proceedings since %(date)s. Stop every pursuit; "
                        "payments received after that date must be returned.",
                        case=case.name,
                        debtor=self.partner_id.display_name,
                        date=format_date(self.env, self.judgment_date),
                    )
                ),
                partner_ids=agency.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )

    def _schedule_deadline_activities(self):
        activity_type = self.env.ref(DEADLINE_ACTIVITY, raise_if_not_found=False)
        if not activity_type:
            return
        self.activity_ids.filtered(
            lambda a: a.activity_type_id == activity_type
        ).unlink()
        today = fields.Date.context_today(self)
        for proceeding in self.filtered(
            lambda p: p.deadline and not p.declaration_date
        ):
            for day in rules.reminder_dates(proceeding.deadline):
                proceeding.activity_schedule(
                    activity_type_id=activity_type.id,
                    date_deadline=max(day, today),
                    summary=self.env._(
                        "Declare the claim before %(deadline)s",
                        deadline=format_date(self.env, proceeding.deadline),
                    ),
                    user_id=self.env.user.id,
                )

    # ------------------------------------------------------------------
    # Feature hook of the dunning run
    # ------------------------------------------------------------------

    @api.model
    def _recouvrement_blocked_moves(self, moves, on_date):
        """Invoices of debtors whose proceedings opened on or before
        ``on_date`` (read on the debtor: the judgment binds every
        creditor)."""
        blocked = {}
        labels = dict(PROCEEDING_KINDS)
        for move in moves:
            debtor = move.commercial_partner_id
            judgment = debtor.recouvrement_proceeding_date
            if judgment and judgment <= on_date:
                blocked[move.id] = self.env._(
                    "Collective proceedings (%(kind)s) since %(date)s",
                    kind=labels.get(debtor.recouvrement_proceeding_type, ""),
                    date=format_date(self.env, judgment),
                )
        return blocked

    @api.model
    def _recouvrement_check_pursuit(self, moves):
        """Raise when a debtor of ``moves`` is in collective proceedings."""
        debtors = moves.commercial_partner_id.filtered("recouvrement_proceeding_date")
        if debtors:
            raise UserError(
                self.env._(
                    "%(debtors)s is in collective proceedings since %(date)s: the "
                    "law forbids charging penalties or pursuing the claims born "
                    "before the judgment (Code de commerce L622-21, L622-28). "
                    "Declare the claim to the mandataire instead.",
                    debtors=", ".join(debtors.mapped("display_name")),
                    date=format_date(
                        self.env, min(debtors.mapped("recouvrement_proceeding_date"))
                    ),
                )
            )

    # ------------------------------------------------------------------
    # Later judgments
    # ------------------------------------------------------------------

    def action_plan_adopted(self):
        self._later_judgment({"state": "plan", "plan_date": self._today()})

    def action_convert_liquidation(self):
        self._later_judgment(
            {"kind": rules.LIQUIDATION, "conversion_date": self._today()}
        )

    def action_close_insufficient(self):
        self._later_judgment(
            {"state": "closed_insufficient", "closure_date": self._today()}
        )

    def action_close(self):
        self._later_judgment({"state": "closed", "closure_date": self._today()})

    def _today(self):
        return fields.Date.context_today(self)

    def _later_judgment(self, vals):
        self.write(vals)
        for proceeding in self:
            proceeding.partner_id.message_post(
                body=escape(
                    self.env._(
                        "Collective proceedings %(name)s: %(state)s.",
                        name=proceeding.name,
                        state=dict(PROCEEDING_STATES)[proceeding.state],
                    )
                )
            )
