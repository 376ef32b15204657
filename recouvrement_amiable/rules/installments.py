"""Installment agreements (échéanciers): splitting a debt, dating and matching.

A collector agrees a schedule with a debtor: the total due (the residuals of
some invoices), an optional down payment, then either a number of
installments or an amount per installment, a frequency and a first date.

Money is ``decimal.Decimal`` in the invoice currency, every amount a multiple
of the currency's rounding step (``Decimal("0.01")``, ``Decimal("1")`` for a
currency without cents, ``Decimal("0.001")`` for three decimals). Floats,
ints and strings are accepted through ``Decimal(str(x))``: the Odoo layer
rounds floats to the currency first (``currency.round``), an amount that is
still not a multiple of the step is refused rather than silently rounded.

Splitting by count gives equal amounts rounded down, the rounding difference
on the LAST installment. Splitting by amount gives full installments and a
smaller last one. The sum always equals the total exactly.

Schedule dates: the installments are due every period from the first date,
each computed from the first date (no drift at month ends). A down payment is
due on its own date, by default the first date; when it falls on the first
date the installments start one period later, so the debtor never pays twice
on the same day.

Payments received are matched to the installments in date order.

Mistakes a user can make raise a subclass of ``InstallmentError`` carrying
the offending values as attributes; the Odoo layer turns each class into a
translated message. Programming errors (both or neither of count and amount,
unknown frequency, bad rounding step) raise plain ``ValueError``/``TypeError``.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")

WEEKLY = "weekly"
MONTHLY = "monthly"
QUARTERLY = "quarterly"
FREQUENCIES = (WEEKLY, MONTHLY, QUARTERLY)

PAID = "paid"
PARTIAL = "partial"
DUE = "due"
UPCOMING = "upcoming"


# ---------------------------------------------------------------- errors


class InstallmentError(ValueError):
    """Base class of the mistakes refused when building a schedule."""


class NonPositiveTotalError(InstallmentError):
    """The total due is zero or negative: nothing to schedule."""

    def __init__(self, total):
        self.total = total
        super().__init__(f"The total due must be positive, got {total}.")


class AmountNotMultipleError(InstallmentError):
    """An amount has more decimals than the currency's rounding step."""

    def __init__(self, field_name, amount, rounding):
        self.field_name = field_name  # "total", "down_payment", ...
        self.amount = amount
        self.rounding = rounding
        super().__init__(
            f"The {field_name.replace('_', ' ')} {amount} is not a multiple of "
            f"the currency rounding {rounding}."
        )


class NonPositiveCountError(InstallmentError):
    """The number of installments is zero or negative."""

    def __init__(self, count):
        self.count = count
        super().__init__(f"The number of installments must be positive, got {count}.")


class NonPositiveInstallmentAmountError(InstallmentError):
    """The amount per installment is zero or negative."""

    def __init__(self, installment_amount):
        self.installment_amount = installment_amount
        super().__init__(
            f"The installment amount must be positive, got {installment_amount}."
        )


class InvalidDownPaymentError(InstallmentError):
    """The down payment is negative, or not below the total."""

    def __init__(self, down_payment, total):
        self.down_payment = down_payment
        self.total = total
        super().__init__(
            f"The down payment must be between 0 and the total due {total} "
            f"(excluded), got {down_payment}."
        )


class TooManyInstallmentsError(InstallmentError):
    """More installments than the amount to split has rounding steps: some
    installments would be zero."""

    def __init__(self, count, remaining, rounding):
        self.count = count
        self.remaining = remaining
        self.rounding = rounding
        super().__init__(
            f"{remaining} cannot be split into {count} installments of at least "
            f"{rounding}."
        )


class CountAboveMaximumError(InstallmentError):
    """More installments than the policy allows."""

    def __init__(self, count, max_count):
        self.count = count
        self.max_count = max_count
        super().__init__(
            f"{count} installments requested, at most {max_count} are allowed."
        )


class InstallmentAmountTooSmallError(InstallmentError):
    """The amount per installment needs more installments than allowed."""

    def __init__(self, installment_amount, remaining, needed_count, max_count):
        self.installment_amount = installment_amount
        self.remaining = remaining
        self.needed_count = needed_count
        self.max_count = max_count
        super().__init__(
            f"Installments of {installment_amount} need {needed_count} "
            f"installments to cover {remaining}, at most {max_count} are allowed."
        )


class FirstDateInPastError(InstallmentError):
    """The first installment date is before today."""

    def __init__(self, first_date, today):
        self.first_date = first_date
        self.today = today
        super().__init__(
            f"The first installment date {first_date} is in the past "
            f"(today is {today})."
        )


class DownPaymentDateError(InstallmentError):
    """The down payment date is before today or after the first date."""

    def __init__(self, down_payment_date, first_date, today):
        self.down_payment_date = down_payment_date
        self.first_date = first_date
        self.today = today
        super().__init__(
            f"The down payment date {down_payment_date} must be between today "
            f"({today}) and the first installment date {first_date}."
        )


class InvalidTermShareError(InstallmentError):
    """A payment term gives an installment of zero or less: its fixed
    amounts or percentages leave nothing (or less) for the next ones."""

    def __init__(self, position, amount):
        self.position = position  # 1-based, in the term's order
        self.amount = amount
        super().__init__(
            f"Line {position} of the payment term gives an installment of {amount}."
        )


# ----------------------------------------------------------------- data


@dataclass(frozen=True)
class Installment:
    """One payment of a schedule. The down payment has sequence 0, the
    installments 1, 2, ... in date order."""

    sequence: int
    due_date: date
    amount: Decimal
    is_down_payment: bool = False


@dataclass(frozen=True)
class InstallmentAllocation:
    """What the payments received settle of one installment."""

    installment: Installment
    paid: Decimal
    residual: Decimal
    # "paid", "partial" (something paid, not all), "due" (nothing paid, due
    # date reached) or "upcoming" (nothing paid, not due yet).
    status: str
    # Not fully paid and the due date plus the grace days is before today.
    is_late: bool

    @property
    def due_date(self):
        return self.installment.due_date

    @property
    def amount(self):
        return self.installment.amount


# --------------------------------------------------------------- amounts


def split_total(
    total,
    *,
    count=None,
    installment_amount=None,
    down_payment=0,
    rounding=CENT,
    max_count=None,
):
    """The amounts of a schedule, down payment first, summing to ``total``.

    Give exactly one of ``count`` (equal amounts rounded down to
    ``rounding``, the difference on the last one) or ``installment_amount``
    (full installments, a smaller last one). ``max_count`` caps the number of
    installments, the down payment not included.
    """
    if (count is None) == (installment_amount is None):
        raise TypeError("Give exactly one of count and installment_amount.")
    rounding = _rounding(rounding)
    total = _money(total)
    down_payment = _money(down_payment)
    if total <= 0:
        raise NonPositiveTotalError(total)
    total_steps = _steps("total", total, rounding)
    if down_payment < 0 or down_payment >= total:
        raise InvalidDownPaymentError(down_payment, total)
    down_steps = _steps("down_payment", down_payment, rounding)
    remaining_steps = total_steps - down_steps
    if count is not None:
        steps = _split_by_count(remaining_steps, count, rounding, max_count)
    else:
        steps = _split_by_amount(
            remaining_steps, installment_amount, rounding, max_count
        )
    if down_steps:
        steps.insert(0, down_steps)
    return [step * rounding for step in steps]


def _split_by_count(remaining_steps, count, rounding, max_count):
    if count <= 0:
        raise NonPositiveCountError(count)
    if max_count is not None and count > max_count:
        raise CountAboveMaximumError(count, max_count)
    if count > remaining_steps:
        raise TooManyInstallmentsError(count, remaining_steps * rounding, rounding)
    base = remaining_steps // count
    return [base] * (count - 1) + [remaining_steps - base * (count - 1)]


def _split_by_amount(remaining_steps, installment_amount, rounding, max_count):
    installment_amount = _money(installment_amount)
    if installment_amount <= 0:
        raise NonPositiveInstallmentAmountError(installment_amount)
    amount_steps = _steps("installment_amount", installment_amount, rounding)
    full, last = divmod(remaining_steps, amount_steps)
    needed = full + (1 if last else 0)
    if max_count is not None and needed > max_count:
        raise InstallmentAmountTooSmallError(
            installment_amount, remaining_steps * rounding, needed, max_count
        )
    return [amount_steps] * full + ([last] if last else [])


def _money(value):
    """``value`` as a finite Decimal (floats through their shortest repr)."""
    if isinstance(value, Decimal):
        amount = value
    else:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f"Not an amount: {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"Not an amount: {value!r}")
    return amount


def _rounding(rounding):
    rounding = _money(rounding)
    if rounding <= 0:
        raise ValueError(f"The rounding step must be positive, got {rounding}.")
    return rounding


def _steps(field_name, amount, rounding):
    """``amount`` as a whole number of rounding steps."""
    steps, rest = divmod(amount, rounding)
    if rest:
        raise AmountNotMultipleError(field_name, amount, rounding)
    return int(steps)


# ----------------------------------------------------------------- dates


def add_months(start, months):
    """``start`` plus ``months`` months, clamped to the end of the month."""
    month_index = start.year * 12 + start.month - 1 + months
    year, month = divmod(month_index, 12)
    month += 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def installment_dates(first_date, count, frequency):
    """``count`` due dates, one per period from ``first_date`` included.

    Each date is computed from ``first_date`` (first + n months, clamped to
    the month end), not from the previous one: Jan 31, Feb 28/29, Mar 31.
    """
    if frequency not in FREQUENCIES:
        raise ValueError(f"Unknown frequency {frequency!r}.")
    if count <= 0:
        raise NonPositiveCountError(count)
    if frequency == WEEKLY:
        return [first_date + timedelta(weeks=n) for n in range(count)]
    months = 1 if frequency == MONTHLY else 3
    return [add_months(first_date, n * months) for n in range(count)]


def check_first_date(first_date, today):
    """Refuse a first date before ``today`` (today itself is accepted)."""
    if first_date < today:
        raise FirstDateInPastError(first_date, today)


def build_schedule(
    total,
    *,
    first_date,
    frequency,
    count=None,
    installment_amount=None,
    down_payment=0,
    down_payment_date=None,
    rounding=CENT,
    max_count=None,
    today=None,
):
    """The installments of an agreement, down payment first, in date order.

    Amounts as in ``split_total``. The down payment is due on
    ``down_payment_date`` (default ``first_date``), which must be between
    today and ``first_date``. The installments are due every period from
    ``first_date``, or from one period after it when the down payment is due
    on ``first_date``. Dates are checked against ``today`` when given (leave
    it out to rebuild an existing agreement).
    """
    if frequency not in FREQUENCIES:
        raise ValueError(f"Unknown frequency {frequency!r}.")
    amounts = split_total(
        total,
        count=count,
        installment_amount=installment_amount,
        down_payment=down_payment,
        rounding=rounding,
        max_count=max_count,
    )
    has_down_payment = _money(down_payment) > 0
    if today is not None:
        check_first_date(first_date, today)
    schedule = []
    if has_down_payment:
        down_payment_date = down_payment_date or first_date
        if down_payment_date > first_date or (
            today is not None and down_payment_date < today
        ):
            raise DownPaymentDateError(down_payment_date, first_date, today)
        schedule.append(Installment(0, down_payment_date, amounts.pop(0), True))
        shift = 1 if down_payment_date == first_date else 0
    else:
        shift = 0
    dates = installment_dates(first_date, len(amounts) + shift, frequency)[shift:]
    for sequence, (due_date, amount) in enumerate(
        zip(dates, amounts, strict=True), start=1
    ):
        schedule.append(Installment(sequence, due_date, amount))
    return schedule


PERCENT = "percent"
FIXED = "fixed"


def split_by_shares(total, shares, *, down_payment=0, rounding=CENT, max_count=None):
    """The amounts of a schedule following a payment term, down payment first.

    ``shares`` are the term's lines in order, each ``(kind, value)``: a
    percentage of the amount to split (``"percent"``, rounded half up to
    ``rounding`` like Odoo rounds currencies) or a fixed amount
    (``"fixed"``). As in Odoo, the LAST line takes the balance whatever its
    kind, so the sum is exactly ``total``.
    """
    rounding = _rounding(rounding)
    total = _money(total)
    down_payment = _money(down_payment)
    if total <= 0:
        raise NonPositiveTotalError(total)
    total_steps = _steps("total", total, rounding)
    if down_payment < 0 or down_payment >= total:
        raise InvalidDownPaymentError(down_payment, total)
    down_steps = _steps("down_payment", down_payment, rounding)
    if not shares:
        raise NonPositiveCountError(0)
    if max_count is not None and len(shares) > max_count:
        raise CountAboveMaximumError(len(shares), max_count)
    remaining_steps = total_steps - down_steps
    steps = []
    left = remaining_steps
    for position, (kind, value) in enumerate(shares[:-1], start=1):
        value = _money(value)
        if kind == PERCENT:
            share = (remaining_steps * value / 100).quantize(
                Decimal(1), rounding=ROUND_HALF_UP
            )
        elif kind == FIXED:
            share = (value / rounding).quantize(Decimal(1), rounding=ROUND_HALF_UP)
        else:
            raise ValueError(f"Unknown share kind {kind!r}.")
        share = int(share)
        if share <= 0:
            raise InvalidTermShareError(position, share * rounding)
        if share >= left:
            # Nothing (or less) is left for the next line.
            raise InvalidTermShareError(position + 1, (left - share) * rounding)
        steps.append(share)
        left -= share
    steps.append(left)
    if down_steps:
        steps.insert(0, down_steps)
    return [step * rounding for step in steps]


def build_term_schedule(
    total,
    *,
    shares,
    dates,
    start_date,
    down_payment=0,
    down_payment_date=None,
    rounding=CENT,
    max_count=None,
    today=None,
):
    """The installments of an agreement following a payment term applied
    from ``start_date``: the term's lines as ``shares`` (see
    ``split_by_shares``) and their due dates ``dates`` (computed by the
    accounting from the start date). The down payment is due on
    ``down_payment_date`` (default the start date), between today and the
    first term date. Returned in date order, the down payment first.
    """
    if len(shares) != len(dates):
        raise ValueError("One due date per payment term line is needed.")
    amounts = split_by_shares(
        total,
        shares,
        down_payment=down_payment,
        rounding=rounding,
        max_count=max_count,
    )
    if today is not None:
        check_first_date(start_date, today)
    schedule = []
    if _money(down_payment) > 0:
        down_payment_date = down_payment_date or start_date
        first_term_date = min(dates)
        if down_payment_date > first_term_date or (
            today is not None and down_payment_date < today
        ):
            raise DownPaymentDateError(down_payment_date, first_term_date, today)
        schedule.append(Installment(0, down_payment_date, amounts.pop(0), True))
    ordered = sorted(zip(dates, amounts, strict=True), key=lambda pair: pair[0])
    for sequence, (due_date, amount) in enumerate(ordered, start=1):
        schedule.append(Installment(sequence, due_date, amount))
    return schedule


# -------------------------------------------------------------- payments


def allocate_payments(installments, paid_total, *, today, grace_days=0):
    """What ``paid_total`` settles of each installment, in date order.

    Payments settle the oldest installments first (down payment first on a
    tie). Returns one ``InstallmentAllocation`` per installment in date
    order; what is paid beyond the schedule's total is not allocated.
    """
    available = _money(paid_total)
    if available < 0:
        raise ValueError(f"The amount paid cannot be negative, got {available}.")
    allocations = []
    for installment in sorted(installments, key=_date_order):
        amount = _money(installment.amount)
        paid = min(available, amount)
        available -= paid
        residual = amount - paid
        if not residual:
            status = PAID
        elif paid:
            status = PARTIAL
        elif installment.due_date <= today:
            status = DUE
        else:
            status = UPCOMING
        late_from = installment.due_date + timedelta(days=grace_days)
        allocations.append(
            InstallmentAllocation(
                installment=installment,
                paid=paid,
                residual=residual,
                status=status,
                is_late=bool(residual) and late_from < today,
            )
        )
    return allocations


def first_breaching_installment(allocations, *, today, break_after_days):
    """The first allocation (in date order) still not fully paid more than
    ``break_after_days`` days after its due date, which breaks the agreement;
    None when the agreement holds."""
    tolerance = timedelta(days=break_after_days)
    for allocation in sorted(allocations, key=lambda a: _date_order(a.installment)):
        if allocation.residual > 0 and allocation.due_date + tolerance < today:
            return allocation
    return None


def is_fully_paid(allocations):
    """Whether every installment is fully paid."""
    return all(allocation.residual <= 0 for allocation in allocations)


def _date_order(installment):
    return (installment.due_date, installment.sequence)


# ---------------------------------------------------------------- ledger


def assign_due_dates(debts, installments, *, already_paid=0):
    """The due date each open debt takes under a schedule.

    ``debts`` are the open amounts (receivable lines) in the order payments
    settle them (oldest first); ``installments`` the schedule;
    ``already_paid`` what was paid since the schedule was agreed (it settled
    the first installments). A debt is due on the date of the installment
    that completes its payment: its new due date is the day by which the
    agreement requires it to be fully paid. Returns one date per debt; a
    debt beyond the schedule's total takes the last installment's date.
    """
    ordered = sorted(installments, key=_date_order)
    if not ordered:
        raise ValueError("A schedule needs at least one installment.")
    ends = []
    cumulated = Decimal(0)
    for installment in ordered:
        cumulated += _money(installment.amount)
        ends.append((cumulated, installment.due_date))
    position = _money(already_paid)
    result = []
    for debt in debts:
        position += _money(debt)
        due = ordered[-1].due_date
        for end, due_date in ends:
            if end >= position:
                due = due_date
                break
        result.append(due)
    return result
