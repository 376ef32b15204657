from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import formatLang

from ..rules.contact_pressure import PressureLimits, parse_windows
from ..rules.dunning import Level
from . import recouvrement_run_batches

DEBTOR_TYPES = [("professional", "Professional"), ("consumer", "Consumer")]

# "Run now" in the web request up to this many debtors to examine (a few
# seconds); beyond, the daily cron is started at once and works in batches
# within Odoo's time limits (a web worker is killed after 60 s of CPU).
RUN_NOW_MAX_DEBTORS = 1000
# Seconds "Run now" spends rendering letters and formal notices (1 to 3 s
# each with wkhtmltopdf); the others are left to the hourly job.
RUN_NOW_DOCUMENTS_SECONDS = 30.0


class RecouvrementPolicy(models.Model):
    _name = "recouvrement.policy"
    _description = "Dunning policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(default=10)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    debtor_type = fields.Selection(
        DEBTOR_TYPES,
        required=True,
        default="professional",
        help="Kind of debtor the policy is written for: professionals owe "
        "late-payment penalties and the 40 EUR indemnity, consumers do not.",
    )
    level_ids = fields.One2many("recouvrement.level", "policy_id", copy=True)
    level_count = fields.Integer(compute="_compute_level_count")
    collector_id = fields.Many2one(
        "res.users",
        string="Default collector",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Collector of customers who have none: phone calls and "
        "validations are assigned to this user.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="Fallback e-mail",
        domain="[('model', '=', 'recouvrement.action')]",
        help="E-mail sent when an SMS cannot reach the debtor and the level has "
        "no e-mail template of its own.",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Fallback letter",
        domain="[('model', '=', 'recouvrement.action')]",
        help="Letter printed when neither SMS nor e-mail can reach the debtor.",
    )
    statement_report_id = fields.Many2one(
        "ir.actions.report",
        string="Statement",
        domain="[('model', '=', 'recouvrement.action')]",
        help="PDF statement of the overdue invoices attached to reminder e-mails.",
    )

    # Contact pressure (LEGAL_FR.md section 5 gives the defaults).
    min_days_between_contacts = fields.Integer(
        default=3, help="Minimum days between two contacts with the same debtor."
    )
    max_contacts_7_days = fields.Integer(
        string="Contacts per 7 days",
        default=2,
        help="Maximum contacts with a debtor over any 7 days (0: no limit).",
    )
    max_contacts_30_days = fields.Integer(
        string="Contacts per 30 days",
        default=6,
        help="Maximum contacts with a debtor over any 30 days (0: no limit).",
    )
    notice_gap_days = fields.Integer(
        string="Days between two formal notices",
        default=30,
        help="A debtor who received a formal notice less than this many days "
        "ago receives no other: an invoice reaching the formal notice meanwhile "
        "waits at its level, and the next formal notice lists it (0: no "
        "minimum).",
    )
    no_contact_rest_days = fields.Boolean(
        string="No calls or SMS on rest days",
        default=True,
        help="No calls or SMS on Sundays and on the public holidays of the "
        "company's working calendar.",
    )
    call_morning_start = fields.Float(default=10.0)
    call_morning_end = fields.Float(default=13.0)
    call_afternoon_start = fields.Float(default=14.0)
    call_afternoon_end = fields.Float(default=20.0)
    sms_start = fields.Float(string="SMS from", default=8.0)
    sms_end = fields.Float(string="SMS until", default=20.0)

    _sql_constraints = [
        (
            "limits_positive",
            (
                "CHECK(min_days_between_contacts >= 0 AND max_contacts_7_days >= 0 "
                "AND max_contacts_30_days >= 0)"
            ),
            "Contact limits cannot be negative.",
        ),
    ]

    @api.depends("level_ids")
    def _compute_level_count(self):
        for policy in self:
            policy.level_count = len(policy.level_ids)

    def _hour_windows(self):
        """Allowed hour windows per real-time channel."""
        self.ensure_one()
        return {
            "phone": [
                (self.call_morning_start, self.call_morning_end),
                (self.call_afternoon_start, self.call_afternoon_end),
            ],
            "sms": [(self.sms_start, self.sms_end)],
        }

    @api.constrains(
        "call_morning_start",
        "call_morning_end",
        "call_afternoon_start",
        "call_afternoon_end",
        "sms_start",
        "sms_end",
    )
    def _check_hours(self):
        for policy in self:
            for windows in policy._hour_windows().values():
                try:
                    parse_windows(windows)
                except ValueError as error:
                    raise ValidationError(
                        self.env._(
                            "Policy “%(policy)s”: contact hours must be between 00:00 "
                            "and 24:00, each period must end after it starts, and the "
                            "morning must end before the afternoon starts.",
                            policy=policy.name,
                        )
                    ) from error

    @api.constrains(
        "min_days_between_contacts",
        "max_contacts_7_days",
        "max_contacts_30_days",
        "notice_gap_days",
    )
    def _check_limits(self):
        for policy in self:
            if (
                min(
                    policy.min_days_between_contacts,
                    policy.max_contacts_7_days,
                    policy.max_contacts_30_days,
                    policy.notice_gap_days,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._(
                        "Policy “%(policy)s”: days between contacts, contacts "
                        "allowed and days between two formal notices cannot be "
                        "negative.",
                        policy=policy.name,
                    )
                )
            if (
                policy.max_contacts_7_days
                and policy.max_contacts_30_days
                and policy.max_contacts_30_days < policy.max_contacts_7_days
            ):
                raise ValidationError(
                    self.env._(
                        "Policy “%(policy)s”: the contacts allowed per 30 days "
                        "cannot be fewer than those allowed per 7 days.",
                        policy=policy.name,
                    )
                )

    def _pressure_limits(self):
        self.ensure_one()
        return PressureLimits(
            min_days_between=self.min_days_between_contacts,
            max_per_7_days=self.max_contacts_7_days,
            max_per_30_days=self.max_contacts_30_days,
            no_contact_on_sundays=self.no_contact_rest_days,
            windows={k: tuple(v) for k, v in self._hour_windows().items()},
        )

    def _recouvrement_rule_levels(self):
        """The ladder as the plain rules' data classes, in order."""
        self.ensure_one()
        return [
            Level(level.id, level.sequence, level.days, level.min_amount)
            for level in self.level_ids.sorted(lambda lv: (lv.sequence, lv.days, lv.id))
        ]

    def _recouvrement_internal_level_ids(self):
        """Levels that do not contact the debtor (agency proposals)."""
        return set(self.level_ids.filtered(lambda lv: lv.channel == "agency").ids)

    def _recouvrement_notice_level_ids(self):
        """Levels that send a formal notice."""
        return set(
            self.level_ids.filtered(lambda lv: lv.channel == "formal_notice").ids
        )

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------

    @api.model
    def run_dunning(self, date=None):
        """Plan and perform today's reminders of all active policies of the
        user's companies; return the ``recouvrement.action`` records created.

        Running it twice on the same day creates nothing new; actions that
        failed are retried, actions waiting for an allowed moment are
        performed once it has come.
        """
        run = self.env["recouvrement.run"]._execute(
            date or fields.Date.context_today(self)
        )
        return run.action_ids

    def action_run_now(self):
        """The "Run now" button: run, then show what was created. A run too
        large for a web request is handed to the daily cron, started at
        once (see RUN_NOW_MAX_DEBTORS)."""
        Run = self.env["recouvrement.run"]
        Run._lock_or_raise()
        today = fields.Date.context_today(self)
        debtors = len(Run._gather(today, self.env.companies)[0])
        if debtors > RUN_NOW_MAX_DEBTORS:
            Run._cron_soon("recouvrement_amiable.ir_cron_run_dunning")
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "sticky": True,
                    "message": self.env._(
                        "%(count)s debtors to examine: today's run has started in "
                        "the background, in batches (Configuration > Dunning runs "
                        "shows its progress). Its reminders appear in the worklist "
                        "as it goes.",
                        count=formatLang(self.env, debtors, digits=0),
                    ),
                },
            }
        deadline = recouvrement_run_batches._clock() + RUN_NOW_DOCUMENTS_SECONDS
        actions = self.with_context(recouvrement_deadline=deadline).run_dunning()
        return Run._action_show_created(actions)

    def action_view_levels(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Levels"),
            "res_model": "recouvrement.level",
            "view_mode": "list,form",
            "domain": [("policy_id", "=", self.id)],
            "context": {"default_policy_id": self.id},
        }

    # --- plans ---
    plan_max_installments = fields.Integer(
        string="Maximum installments",
        default=24,
        help="Most installments a payment plan may have, the down payment not "
        "included (0: no limit). Courts grant at most 24 months (Code civil "
        "art. 1343-5).",
    )
    plan_break_days = fields.Integer(
        string="Days before a plan breaks",
        default=15,
        help="An installment still unpaid this many days after its due date "
        "breaks the payment plan.",
    )
    plan_reminder_days = fields.Integer(
        string="Remind installments (days before)",
        default=3,
        help="The debtor is reminded of each installment this many days before "
        "its due date (0: on the day).",
    )
    plan_reminder_channel = fields.Selection(
        [("email", "E-mail"), ("sms", "SMS"), ("none", "No reminder")],
        string="Installment reminders by",
        default="email",
        required=True,
    )
    plan_broken_level_id = fields.Many2one(
        "recouvrement.level",
        string="Level after a broken plan",
        copy=False,
        check_company=True,
        domain="[('policy_id', '=', id)]",
        help="Level the invoices of a broken payment plan reach at once. Empty: "
        "the policy's first formal notice.",
    )

    @api.constrains(
        "plan_max_installments",
        "plan_break_days",
        "plan_reminder_days",
        "plan_broken_level_id",
    )
    def _check_plan_settings(self):
        for policy in self:
            settings = (
                policy.plan_max_installments,
                policy.plan_break_days,
                policy.plan_reminder_days,
            )
            if min(settings) < 0:
                raise ValidationError(
                    self.env._(
                        "Policy “%(policy)s”: the payment plan settings cannot be "
                        "negative.",
                        policy=policy.name,
                    )
                )
            level = policy.plan_broken_level_id
            if level and level.policy_id != policy:
                raise ValidationError(
                    self.env._(
                        "Policy “%(policy)s”: the level after a broken plan must be "
                        "one of its own levels.",
                        policy=policy.name,
                    )
                )

    def _recouvrement_plan_broken_level(self):
        """The level invoices of a broken plan reach at once: the chosen one,
        else the first formal notice of the policy."""
        self.ensure_one()
        if self.plan_broken_level_id:
            return self.plan_broken_level_id
        notices = self.level_ids.filtered(lambda lv: lv.channel == "formal_notice")
        return notices.sorted(lambda lv: (lv.sequence, lv.days, lv.id))[:1]

    # --- proof of sending ---
    notice_proof_days = fields.Integer(
        string="Proof of a formal notice expected within (days)",
        default=15,
        help="A formal notice with no date of first presentation this many days "
        "after it was prepared raises an activity for its collector (0: never).",
    )

    @api.constrains("notice_proof_days")
    def _check_notice_proof_days(self):
        if any(policy.notice_proof_days < 0 for policy in self):
            raise ValidationError(
                self.env._(
                    "The delay to receive a formal notice's proof cannot be negative."
                )
            )

    # --- prescription ---
    prescription_years_professional = fields.Integer(
        string="Prescription, professional debtors (years)",
        default=5,
        help="Years after which a claim on a professional debtor is time-barred "
        "(Code de commerce L110-4: 5).",
    )
    prescription_years_consumer = fields.Integer(
        string="Prescription, consumer debtors (years)",
        default=2,
        help="Years after which a claim on a consumer is time-barred (Code de "
        "la consommation L218-2: 2).",
    )
    prescription_start = fields.Selection(
        [("invoice_date", "Invoice date"), ("delivery_date", "Delivery date")],
        string="Period starts from",
        default="invoice_date",
        required=True,
        help="Date standing for the completion of the service: the invoice "
        "date, or the delivery date when the invoice has one.",
    )
    prescription_warning_days = fields.Integer(
        string="First warning (days before)",
        default=90,
        help="Invoices are flagged “time-barred soon” this many days before "
        "their claim is time-barred (0: no warning).",
    )
    prescription_urgent_days = fields.Integer(
        string="Last warning (days before)",
        default=30,
        help="Invoices are flagged “time-barred very soon” this many days "
        "before (0: no second warning).",
    )

    _PRESCRIPTION_FIELDS = frozenset(
        {
            "prescription_years_professional",
            "prescription_years_consumer",
            "prescription_start",
        }
    )

    @api.constrains(
        "prescription_years_professional",
        "prescription_years_consumer",
        "prescription_warning_days",
        "prescription_urgent_days",
    )
    def _check_prescription_settings(self):
        for policy in self:
            years = (
                policy.prescription_years_professional,
                policy.prescription_years_consumer,
            )
            if min(years) <= 0:
                raise ValidationError(
                    self.env._(
                        "Policy “%(policy)s”: prescription periods must be at least "
                        "one year.",
                        policy=policy.name,
                    )
                )
            warnings = (
                policy.prescription_warning_days,
                policy.prescription_urgent_days,
            )
            if min(warnings) < 0:
                raise ValidationError(
                    self.env._(
                        "Policy “%(policy)s”: the prescription warnings cannot be "
                        "negative.",
                        policy=policy.name,
                    )
                )

    # --- debtor page ---

    portal_link_days = fields.Integer(
        string="Link valid (days)",
        default=60,
        help="Days the link of a reminder to the debtor's account page stays "
        "valid; each new reminder extends it.",
    )
    reply_pause_days = fields.Integer(
        string="Pause after a reply (days)",
        default=5,
        help="When the debtor replies to a reminder, their reminders wait this "
        "many days, or until the collector has handled the reply.",
    )
    portal_paid_pause_days = fields.Integer(
        string="Pause after “already paid” (days)",
        default=10,
        help="When the debtor says on the account page that they have paid, "
        "reminders of those invoices wait this many days for the payment.",
    )
    portal_promise_max_days = fields.Integer(
        string="Promise at most (days ahead)",
        default=30,
        help="Latest date, in days from today, a debtor may promise to pay on "
        "the account page.",
    )
    portal_plan_self_service = fields.Boolean(
        string="Plans in self-service",
        help="A payment plan asked for on the account page is proposed for "
        "online signature at once; otherwise a collector reviews the draft.",
    )

    @api.constrains(
        "portal_link_days",
        "reply_pause_days",
        "portal_paid_pause_days",
        "portal_promise_max_days",
    )
    def _check_debtor_page_days(self):
        for policy in self:
            if policy.portal_link_days < 1 or policy.portal_promise_max_days < 1:
                raise ValidationError(
                    self.env._(
                        "Policy “%(policy)s”: the link's validity and the latest "
                        "promise date must be at least one day.",
                        policy=policy.name,
                    )
                )
            if min(policy.reply_pause_days, policy.portal_paid_pause_days) < 0:
                raise ValidationError(
                    self.env._(
                        "Policy “%(policy)s”: pauses cannot be negative.",
                        policy=policy.name,
                    )
                )

    def write(self, vals):
        result = super().write(vals)
        if self._PRESCRIPTION_FIELDS.intersection(vals):
            # The time-bar dates of the open invoices follow the settings.
            self.env["account.move"]._recouvrement_recompute_prescription(
                self.company_id
            )
        return result

    # --- start recovery ---
    recouvrement_start_date = fields.Date(
        string="Recovery started on",
        readonly=True,
        copy=False,
        help="Day the “Start recovery” wizard was confirmed for this policy.",
    )
    recouvrement_start_mode = fields.Selection(
        [
            ("place", "Invoices placed at the level of their age"),
            ("climb", "Invoices climbing one rung at a time"),
        ],
        string="Recovery started with",
        readonly=True,
        copy=False,
    )

    def action_recouvrement_start(self):
        """The "Start recovery" button: the wizard choosing where the overdue
        invoices start on the ladder."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Start recovery"),
            "res_model": "recouvrement.start",
            "view_mode": "form",
            "target": "new",
            "context": {"default_policy_id": self.id},
        }

    # --- doubtful receivables ---

    doubtful_rule_ids = fields.One2many(
        "recouvrement.doubtful.rule",
        "policy_id",
        string="Doubtful receivable rules",
        copy=True,
    )
