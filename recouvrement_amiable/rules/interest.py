"""Late-payment interest, the flat recovery indemnity and the rates they use.

French rules (LEGAL_FR.md section 1):

* Between professionals (Code de commerce L441-10 II), interest runs from
  the day after the due date, without any reminder, at the ECB main
  refinancing rate of the half-year + 10 points (January-June: the ECB rate
  in force on 1 January; July-December: on 1 July), or at a contractual rate
  that may not be below 3 × the legal interest rate of the half-year. A
  contractual rate below that floor is raised to it.
* A consumer owes interest at the legal rate ("all other cases" column: the
  creditor is a business) from the formal notice (Code civil 1231-6,
  1344-1), and no indemnity.
* Simple interest, day by day, on the amount including VAT: each day from the
  first day counted to the payment date (or the computation date) included,
  actual/365 (option: 366 in leap years). A period crossing 1 January or
  1 July is split, each part at its own half-year's rate. With partial
  payments, each outstanding amount bears interest for the days it was
  outstanding: a payment received on day D still counts for day D, and the
  amount paid stops bearing interest the next day.
* Each part is rounded to the currency's step (half up) and the total is the
  sum of the rounded parts, so that an itemised claim adds up.
* A flat recovery indemnity of 40 EUR per invoice paid late (D441-5),
  professionals only.

Rates are data (``RatePeriod``, one per half-year, entered by the users): a
missing half-year raises ``MissingRateError``, never a zero rate.

Money and rates are ``decimal.Decimal``; floats, ints and strings are accepted
through ``Decimal(str(x))``.
"""

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

PROFESSIONAL = "professional"
CONSUMER = "consumer"
DEBTOR_TYPES = (PROFESSIONAL, CONSUMER)

# L441-10 II: ECB rate + 10 points by default, contractual rate not below
# 3 × the legal interest rate.
DEFAULT_MARGIN = Decimal(10)
FLOOR_FACTOR = Decimal(3)
# D441-5: flat recovery indemnity per invoice paid late, in EUR.
RECOVERY_INDEMNITY_EUR = Decimal("40.00")


def to_decimal(value):
    """``value`` as a Decimal (floats through their shortest repr)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(str(value))


# ---------------------------------------------------------------- half-years


def half_year_start(day):
    """1 January or 1 July of the half-year containing ``day``."""
    return date(day.year, 1 if day.month <= 6 else 7, 1)


def half_year_end(day):
    """30 June or 31 December of the half-year containing ``day``."""
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def half_year_label(day):
    """ "H1 2025" / "H2 2025" for the half-year containing ``day``."""
    return f"H{1 if day.month <= 6 else 2} {day.year}"


def half_years(date_from, date_to):
    """The (start, end) of every half-year that ``date_from``..``date_to``
    (both included) touches, in order."""
    result = []
    cursor = half_year_start(date_from)
    while cursor <= date_to:
        end = half_year_end(cursor)
        result.append((cursor, end))
        cursor = end + timedelta(days=1)
    return result


# ---------------------------------------------------------------- rates


class InterestError(ValueError):
    """Base class of the problems the Odoo layer reports to the user."""


class MissingRateError(InterestError, LookupError):
    """No rate is known for a half-year the computation needs."""

    def __init__(self, date_from, date_to):
        self.date_from = date_from
        self.date_to = date_to
        super().__init__(
            f"No interest rate for the half-year {half_year_label(date_from)} "
            f"({date_from.isoformat()} to {date_to.isoformat()})."
        )


class ContractualRateTooLowError(InterestError):
    """A contractual rate below 3 × the legal rate of the half-year."""

    def __init__(self, rate, floor, period):
        self.rate = rate
        self.floor = floor
        self.period = period
        super().__init__(
            f"The contractual rate {rate} % is below the legal minimum of "
            f"{floor} % (3 × the legal rate of {period.label})."
        )


@dataclass(frozen=True)
class RatePeriod:
    """The rates of one half-year, in percent per year."""

    date_from: date
    date_to: date
    ecb_rate: Decimal
    # Legal interest rate, "all other cases": the creditor is a business.
    legal_rate: Decimal
    # Legal interest rate when the creditor is a private individual (not
    # used by a business creditor; kept for completeness).
    legal_rate_individual: Decimal | None = None

    def __post_init__(self):
        if self.date_from != half_year_start(self.date_from) or (
            self.date_to != half_year_end(self.date_from)
        ):
            raise ValueError(
                f"A rate period is a half-year (1 January-30 June or 1 July-"
                f"31 December), got {self.date_from} to {self.date_to}."
            )
        for name in ("ecb_rate", "legal_rate", "legal_rate_individual"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, to_decimal(value))

    @property
    def label(self):
        return half_year_label(self.date_from)

    @property
    def default_rate(self):
        """L441-10 default rate: ECB rate + 10 points."""
        return self.ecb_rate + DEFAULT_MARGIN

    @property
    def contractual_floor(self):
        """Lowest contractual rate allowed: 3 × the legal rate."""
        return self.legal_rate * FLOOR_FACTOR


class RateTable:
    """The known half-years, looked up by day."""

    def __init__(self, periods: Iterable[RatePeriod] = ()):
        self._by_start = {}
        for period in periods:
            if period.date_from in self._by_start:
                raise ValueError(f"Two rate periods for {period.label}.")
            self._by_start[period.date_from] = period

    def __len__(self):
        return len(self._by_start)

    def period(self, day):
        """The half-year of ``day``; ``MissingRateError`` if unknown."""
        start = half_year_start(day)
        try:
            return self._by_start[start]
        except KeyError:
            raise MissingRateError(start, half_year_end(day)) from None

    def latest(self, day):
        """The period of ``day`` or, when unknown, the latest one before it
        (None if there is none)."""
        start = half_year_start(day)
        known = [s for s in self._by_start if s <= start]
        return self._by_start[max(known)] if known else None

    def missing(self, date_from, date_to):
        """The (start, end) of the half-years of ``date_from``..``date_to``
        that have no rate."""
        return [
            (start, end)
            for start, end in half_years(date_from, date_to)
            if start not in self._by_start
        ]


def check_contractual_rate(rate, period):
    """Refuse a contractual rate below the floor of ``period``."""
    rate = to_decimal(rate)
    if rate < period.contractual_floor:
        raise ContractualRateTooLowError(rate, period.contractual_floor, period)


def professional_rate(contractual_rate=None):
    """The rate function of a professional debtor: the contractual rate
    (raised to the half-year's floor if below it) or ECB + 10 points."""
    contractual = to_decimal(contractual_rate) if contractual_rate else None

    def rate_of(period):
        if contractual is None:
            return period.default_rate
        return max(contractual, period.contractual_floor)

    return rate_of


def consumer_rate(period):
    """The rate of a consumer debtor (creditor is a business): legal rate."""
    return period.legal_rate


def rate_function(debtor_type, contractual_rate=None):
    """The rate function for ``debtor_type`` ("professional"/"consumer")."""
    if debtor_type == PROFESSIONAL:
        return professional_rate(contractual_rate)
    if debtor_type == CONSUMER:
        return consumer_rate
    raise ValueError(f"Unknown debtor type {debtor_type!r}.")


# ---------------------------------------------------------------- interest


@dataclass(frozen=True)
class Payment:
    """An amount that reached the creditor on ``date``."""

    date: date
    amount: Decimal


@dataclass(frozen=True)
class InterestSegment:
    """Interest on one outstanding amount over days with one rate."""

    date_from: date  # first day counted
    date_to: date  # last day counted (included)
    base: Decimal  # outstanding amount
    rate: Decimal  # percent per year
    year_days: int  # 365, or 366 in a leap year with the option
    amount: Decimal  # rounded

    @property
    def days(self):
        return (self.date_to - self.date_from).days + 1


@dataclass(frozen=True)
class InterestResult:
    segments: tuple = ()

    @property
    def total(self):
        return sum((s.amount for s in self.segments), Decimal(0))

    @property
    def date_from(self):
        return self.segments[0].date_from if self.segments else None

    @property
    def date_to(self):
        return self.segments[-1].date_to if self.segments else None

    @property
    def days(self):
        return sum(s.days for s in self.segments)


def year_days(day, leap_years=False):
    """Days of the year used as divisor for ``day``."""
    return 366 if leap_years and calendar.isleap(day.year) else 365


def _payments(payments):
    result = []
    for payment in payments:
        if not isinstance(payment, Payment):
            payment = Payment(*payment)
        amount = to_decimal(payment.amount)
        if amount < 0:
            raise ValueError(f"A payment cannot be negative, got {amount}.")
        if amount:
            result.append(Payment(payment.date, amount))
    return sorted(result, key=lambda p: p.date)


def compute_interest(
    amount,
    due_date,
    until,
    table: RateTable,
    rate_of: Callable[[RatePeriod], Decimal],
    payments=(),
    start_after=None,
    leap_years=False,
    rounding=CENT,
):
    """Simple interest on ``amount`` due on ``due_date``, from the day after
    it (or after ``start_after`` when later: the formal notice of a consumer,
    the day up to which interest was already invoiced) to ``until``
    included, each outstanding amount for the days it was outstanding
    (``payments``: ``Payment``/(date, amount), a payment counts for its own
    day), split at half-years and payments. ``rate_of(period)`` gives the
    rate of a half-year; a half-year missing from ``table`` raises
    ``MissingRateError``.
    """
    amount = to_decimal(amount)
    rounding = to_decimal(rounding)
    payments = _payments(payments)
    start = max(due_date, start_after) if start_after else due_date
    cursor = start + timedelta(days=1)
    segments = []
    # Parts of one half-year (split by payments) are rounded on their running
    # sum: the half-year's interest is its exact interest rounded once, so a
    # payment, however small, never adds a rounding cent to what is due.
    half_year = None
    exact_sum = rounded_sum = Decimal(0)
    while cursor <= until:
        base = amount - sum((p.amount for p in payments if p.date < cursor), Decimal(0))
        if base <= 0:
            break
        end = min(until, half_year_end(cursor))
        next_payment = next((p.date for p in payments if p.date >= cursor), None)
        if next_payment is not None:
            end = min(end, next_payment)
        rate = to_decimal(rate_of(table.period(cursor)))
        divisor = year_days(cursor, leap_years)
        days = (end - cursor).days + 1
        if half_year_end(cursor) != half_year:
            half_year = half_year_end(cursor)
            exact_sum = rounded_sum = Decimal(0)
        exact_sum += base * rate * days / (HUNDRED * divisor)
        value = exact_sum.quantize(rounding, rounding=ROUND_HALF_UP) - rounded_sum
        rounded_sum += value
        segments.append(InterestSegment(cursor, end, base, rate, divisor, value))
        cursor = end + timedelta(days=1)
    return InterestResult(tuple(segments))


# ---------------------------------------------------------------- indemnity


def paid_late(amount, due_date, until, payments=()):
    """Whether part of ``amount`` was still unpaid after ``due_date`` (as
    known on ``until``): the invoice is, or was, paid late."""
    if until <= due_date:
        return False
    paid_in_time = sum(
        (p.amount for p in _payments(payments) if p.date <= due_date), Decimal(0)
    )
    return to_decimal(amount) - paid_in_time > 0


def recovery_indemnity(debtor_type, late, indemnity=RECOVERY_INDEMNITY_EUR):
    """The flat recovery indemnity of one invoice (in EUR): ``indemnity``
    for a professional debtor who paid (or pays) it late, 0 otherwise."""
    if debtor_type == PROFESSIONAL and late:
        return to_decimal(indemnity)
    return Decimal(0)
