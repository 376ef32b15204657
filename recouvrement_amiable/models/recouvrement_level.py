from odoo import api, fields, models
from odoo.exceptions import ValidationError

CHANNELS = [
    ("email", "E-mail"),
    ("sms", "SMS"),
    ("letter", "Letter"),
    ("phone", "Phone call"),
    ("formal_notice", "Formal notice"),
    ("agency", "Hand-over to an agency"),
]

# When a channel cannot reach the debtor (no e-mail, no valid mobile...),
# the next one in this order is tried.
FALLBACK_ORDER = ("sms", "email", "letter")

# Channels that produce a document to print and post.
PRINTED_CHANNELS = ("letter", "formal_notice")

# What a reminder e-mail carries (letters and formal notices carry
# themselves): nothing, the invoices' PDFs Odoo stored when it sent them
# (none rendered by the run), or the statement PDF rendered by the run.
ATTACH = [
    ("none", "Nothing"),
    ("invoices", "Stored invoice PDFs"),
    ("statement", "Statement PDF"),
]


def fallback_channels(channel):
    """The channels to try in order for a level whose channel is ``channel``."""
    if channel in FALLBACK_ORDER:
        return FALLBACK_ORDER[FALLBACK_ORDER.index(channel) :]
    if channel == "phone":
        return ("phone", "email", "letter")
    return (channel,)


class RecouvrementLevel(models.Model):
    _name = "recouvrement.level"
    _description = "Dunning level"
    _order = "policy_id, sequence, days, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    policy_id = fields.Many2one(
        "recouvrement.policy", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(
        related="policy_id.company_id", store=True, index=True, precompute=True
    )
    currency_id = fields.Many2one(related="policy_id.currency_id")
    sequence = fields.Integer(default=10)
    days = fields.Integer(
        string="Days after due date",
        required=True,
        help="Days after the due date when the level applies; negative for a "
        "courtesy reminder before the due date.",
    )
    channel = fields.Selection(CHANNELS, required=True, default="email")
    email_copy = fields.Boolean(
        string="Also send by e-mail",
        help="Letters and formal notices: also send the document by e-mail.",
    )
    attach = fields.Selection(
        ATTACH,
        required=True,
        default="invoices",
        help="What the reminder e-mails of this level carry: nothing; the PDFs "
        "of the invoices that Odoo stored when it sent them (none is rendered "
        "by the run: invoices never sent go without); or the statement of the "
        "overdue invoices, rendered as a PDF for each e-mail. Letters and "
        "formal notices sent by e-mail carry their own document.",
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail template",
        domain="[('model', '=', 'recouvrement.action')]",
    )
    sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS template",
        domain="[('model', '=', 'recouvrement.action')]",
    )
    report_id = fields.Many2one(
        "ir.actions.report",
        string="Letter",
        domain="[('model', '=', 'recouvrement.action')]",
        help="PDF document of letters and formal notices.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Activity type",
        default=lambda self: self.env.ref("mail.mail_activity_data_call", False),
        help="Activity planned for the collector (phone calls, agency proposals).",
    )
    call_script = fields.Html(
        translate=True,
        help="What the collector says and asks during the call.",
    )
    min_amount = fields.Monetary(
        string="Minimum amount due",
        currency_field="currency_id",
        help="The level applies only when the debtor owes at least this amount "
        "(overdue invoices of the reminder); otherwise it is passed over.",
    )
    needs_validation = fields.Boolean(
        help="Reminders at this level wait for a collector to preview and send them."
    )
    state_penalties = fields.Boolean(
        string="State late-payment penalties",
        help="Reminders at this level show the late-payment interest and "
        "recovery indemnity due to date.",
    )
    payment_delay_days = fields.Integer(
        string="Days to pay",
        default=8,
        help="Deadline given to the debtor in the reminder, in days.",
    )

    _sql_constraints = [
        (
            "min_amount_positive",
            "CHECK(min_amount >= 0)",
            "The minimum amount of a level cannot be negative.",
        ),
        (
            "payment_delay_positive",
            "CHECK(payment_delay_days >= 0)",
            "The days to pay cannot be negative.",
        ),
    ]

    @api.depends("name", "days")
    def _compute_display_name(self):
        for level in self:
            days = level.days
            sign = "+" if days >= 0 else "-"
            level.display_name = f"{level.name} (D{sign}{abs(days)})"

    @api.constrains(
        "channel", "email_copy", "mail_template_id", "sms_template_id", "report_id"
    )
    def _check_channel_documents(self):
        for level in self:
            channel = level.channel
            needs_mail = channel == "email" or (
                level.email_copy and channel in PRINTED_CHANNELS
            )
            if needs_mail and not level.mail_template_id:
                raise ValidationError(
                    self.env._(
                        "Level “%(level)s” sends e-mails: choose its e-mail template.",
                        level=level.name,
                    )
                )
            if channel == "sms" and not level.sms_template_id:
                raise ValidationError(
                    self.env._(
                        "Level “%(level)s” sends SMS: choose its SMS template.",
                        level=level.name,
                    )
                )
            if channel in PRINTED_CHANNELS and not level.report_id:
                raise ValidationError(
                    self.env._(
                        "Level “%(level)s” prints a letter: choose its document.",
                        level=level.name,
                    )
                )
