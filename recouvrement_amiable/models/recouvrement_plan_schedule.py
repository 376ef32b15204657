"""The schedule of a payment plan: built by the plain rules
(``rules.installments``) from the plan's settings, previewed while the plan
is drafted, and read back as the rules' installments to follow payments.
Mixed into ``recouvrement.plan``."""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..rules import installments as rules
from ..rules.interest import to_decimal
from .selections import SCHEDULE_FIELDS


class RecouvrementPlanSchedule(models.AbstractModel):
    _name = "recouvrement.plan.schedule"
    _description = "Payment plan schedule"

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

    def _rounding(self):
        return to_decimal(self.currency_id.rounding)

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
            "down_payment": to_decimal(currency.round(self.down_payment)),
            "down_payment_date": self.down_payment_date or None,
            "rounding": self._rounding(),
            "max_count": max_count,
            "today": today,
        }
        total = to_decimal(currency.round(self.amount_total))
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
                    else to_decimal(currency.round(self.installment_amount)),
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
                to_decimal(self.currency_id.round(line.amount)),
                line.is_down_payment,
            )
            for line in self.line_ids
        ]

    def _allocations(self, today):
        """{plan line: allocation} of what is paid, in date order."""
        self.ensure_one()
        by_key = {(line.sequence, line.due_date): line for line in self.line_ids}
        allocations = rules.allocate_payments(
            self._installments(), to_decimal(self.amount_paid), today=today
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
