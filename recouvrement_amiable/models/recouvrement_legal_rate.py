from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date

from ..rules.interest import (
    ContractualRateTooLowError,
    RatePeriod,
    RateTable,
    check_contractual_rate,
    half_year_end,
    half_year_label,
    half_year_start,
    to_decimal,
)

RATE_DIGITS = (16, 2)


class RecouvrementLegalRate(models.Model):
    """The French rates of one half-year (LEGAL_FR.md section 1): the ECB
    main refinancing rate (L441-10 default rate = ECB + 10 points) and the
    legal interest rates. Entered by the collection managers every
    half-year; a half-year missing when interest is computed is an error,
    never a zero rate.

    Also a feature model of the dunning run (``RECOUVREMENT_FEATURE_MODELS``):
    time-barred invoices get no more reminders.
    """

    _name = "recouvrement.legal.rate"
    _description = "Late-payment and legal interest rates of a half-year"
    _order = "date_from desc"
    _rec_name = "name"

    name = fields.Char(compute="_compute_name", store=True, string="Half-year")
    date_from = fields.Date(
        string="From",
        required=True,
        help="First day of the half-year: 1 January or 1 July.",
    )
    date_to = fields.Date(string="To", compute="_compute_name", store=True)
    ecb_rate = fields.Float(
        string="ECB rate (%)",
        digits=RATE_DIGITS,
        required=True,
        help="ECB main refinancing rate in force on 1 January (first half-year) "
        "or 1 July (second half-year).",
    )
    late_payment_rate = fields.Float(
        string="Late-payment rate (%)",
        compute="_compute_rates",
        store=True,
        digits=RATE_DIGITS,
        help="Default rate between professionals (L441-10): ECB rate + 10 points.",
    )
    legal_rate = fields.Float(
        string="Legal rate, creditor is a business (%)",
        digits=RATE_DIGITS,
        required=True,
        help="Legal interest rate for all other cases (the creditor is a "
        "business): interest owed by consumers after a formal notice, and "
        "basis of the minimum contractual rate.",
    )
    legal_rate_individual = fields.Float(
        string="Legal rate, creditor is an individual (%)",
        digits=RATE_DIGITS,
        help="Legal interest rate when the creditor is a private individual "
        "acting outside their business (for information).",
    )
    contractual_floor = fields.Float(
        string="Minimum contractual rate (%)",
        compute="_compute_rates",
        store=True,
        digits=RATE_DIGITS,
        help="A contractual late-payment rate cannot be below 3 × the legal rate.",
    )

    _sql_constraints = [
        ("date_from_unique", "UNIQUE(date_from)", "A half-year has one set of rates."),
        (
            "rates_positive",
            "CHECK(legal_rate >= 0 AND COALESCE(legal_rate_individual, 0) >= 0)",
            "Legal interest rates cannot be negative.",
        ),
    ]

    @api.depends("date_from")
    def _compute_name(self):
        for rate in self:
            start = rate.date_from
            rate.name = half_year_label(start) if start else False
            rate.date_to = half_year_end(start) if start else False

    @api.depends("ecb_rate", "legal_rate")
    def _compute_rates(self):
        for rate in self:
            period = rate._rate_period()
            rate.late_payment_rate = float(period.default_rate)
            rate.contractual_floor = float(period.contractual_floor)

    @api.constrains("date_from")
    def _check_date_from(self):
        for rate in self:
            if rate.date_from != half_year_start(rate.date_from):
                raise ValidationError(
                    self.env._(
                        "Rates are set per half-year: the period must start on "
                        "1 January or 1 July (not %(date)s).",
                        date=format_date(self.env, rate.date_from),
                    )
                )

    def _rate_period(self):
        self.ensure_one()
        start = self.date_from or fields.Date.context_today(self)
        return RatePeriod(
            half_year_start(start),
            half_year_end(start),
            to_decimal(round(self.ecb_rate, 4)),
            to_decimal(round(self.legal_rate, 4)),
            to_decimal(round(self.legal_rate_individual, 4)),
        )

    @api.model
    def _rate_table(self):
        """Every known half-year, for the plain rules."""
        # sudo: the rates are public figures; anyone computing interest on
        # invoices they may read needs them.
        rates = self.sudo().search([])
        return RateTable(rate._rate_period() for rate in rates if rate.date_from)

    @api.model
    def _missing_rate_message(self, error):
        """The user's message for a ``MissingRateError``."""
        return self.env._(
            "No late-payment rate is known for the half-year from %(start)s to "
            "%(end)s: interest cannot be computed (it is never taken as zero). "
            "A collection manager enters it in Recouvrement › Configuration › "
            "Interest rates.",
            start=format_date(self.env, error.date_from),
            end=format_date(self.env, error.date_to),
        )

    @api.model
    def _raise_missing_rate(self, error):
        raise UserError(self._missing_rate_message(error)) from error

    @api.model
    def _check_contractual_rate(self, rate, on_date=None, what=""):
        """ValidationError when the contractual ``rate`` is below 3 × the
        legal rate of the half-year of ``on_date`` (today), or of the latest
        known half-year before it. No rate known: nothing to check against."""
        if not rate:
            return
        if rate < 0:
            raise ValidationError(
                self.env._("A contractual late-payment rate cannot be negative.")
            )
        period = self._rate_table().latest(on_date or fields.Date.context_today(self))
        if not period:
            return
        try:
            check_contractual_rate(rate, period)
        except ContractualRateTooLowError as error:
            raise ValidationError(
                self.env._(
                    "%(what)sThe contractual late-payment rate of %(rate)s %% is "
                    "below the legal minimum of %(floor)s %% for %(period)s: 3 × the "
                    "legal interest rate (article L441-10 of the French Commercial "
                    "Code). Leave it empty to apply the ECB rate + 10 points.",
                    what=what,
                    rate=rate,
                    floor=error.floor,
                    period=period.label,
                )
            ) from error

    # ------------------------------------------------------------------
    # Feature hook of the dunning run: time-barred invoices
    # ------------------------------------------------------------------

    @api.model
    def _recouvrement_blocked_moves(self, moves, on_date):
        """{invoice id: reason} for the invoices whose claim is time-barred
        on ``on_date``: no reminder may mention them any more."""
        return {
            move.id: self.env._(
                "Time-barred since %(date)s",
                date=format_date(self.env, move.recouvrement_prescription_date),
            )
            for move in moves
            if move.recouvrement_prescription_date
            and move.recouvrement_prescription_date <= on_date
        }
