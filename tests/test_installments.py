from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rules.installments import (
    AmountNotMultipleError,
    CountAboveMaximumError,
    DownPaymentDateError,
    FirstDateInPastError,
    Installment,
    InstallmentAmountTooSmallError,
    InstallmentError,
    InvalidDownPaymentError,
    InvalidTermShareError,
    NonPositiveCountError,
    NonPositiveInstallmentAmountError,
    NonPositiveTotalError,
    TooManyInstallmentsError,
    allocate_payments,
    assign_due_dates,
    build_schedule,
    build_term_schedule,
    check_first_date,
    first_breaching_installment,
    installment_dates,
    is_fully_paid,
    split_by_shares,
    split_total,
)

TODAY = date(2026, 11, 22)


def D(value):
    return Decimal(value)


def amounts(*values):
    return [Decimal(value) for value in values]


# ---------------------------------------------------------------- split


@pytest.mark.parametrize(
    "total, count, expected",
    [
        ("1000.00", 3, amounts("333.33", "333.33", "333.34")),
        ("0.10", 3, amounts("0.03", "0.03", "0.04")),
        ("999999.99", 12, amounts(*["83333.33"] * 11, "83333.36")),
        ("0.03", 3, amounts("0.01", "0.01", "0.01")),
        ("250.00", 1, amounts("250.00")),
        ("300.00", 3, amounts("100.00", "100.00", "100.00")),
    ],
)
def test_split_by_count(total, count, expected):
    result = split_total(D(total), count=count)
    assert result == expected
    assert sum(result) == D(total)
    # Exact: the amounts keep the currency's decimals.
    assert [str(amount) for amount in result] == [str(a) for a in expected]


def test_down_payment_comes_first():
    result = split_total(D("100.00"), count=2, down_payment=D("33.33"))
    assert result == amounts("33.33", "33.33", "33.34")
    assert split_total(D("100.00"), count=2, down_payment=0) == amounts("50", "50")


def test_float_int_and_str_inputs():
    assert split_total(1000.0, count=3) == amounts("333.33", "333.33", "333.34")
    assert split_total(1000, count=3) == amounts("333.33", "333.33", "333.34")
    assert split_total("0.3", count=2, down_payment=0.1) == amounts("0.1", "0.1", "0.1")
    # A float sum rounded by the currency first, as the Odoo layer does.
    assert sum(split_total(round(0.1 + 0.2, 2), count=2)) == D("0.30")


def test_too_many_installments_for_the_total():
    with pytest.raises(TooManyInstallmentsError) as error:
        split_total(D("0.02"), count=3)
    assert error.value.count == 3
    assert error.value.remaining == D("0.02")
    assert error.value.rounding == D("0.01")
    # What is left after the down payment is what is split.
    with pytest.raises(TooManyInstallmentsError):
        split_total(D("10.00"), count=3, down_payment=D("9.98"))


@pytest.mark.parametrize(
    "total, installment_amount, expected",
    [
        ("1000.00", "300.00", amounts("300.00", "300.00", "300.00", "100.00")),
        ("1000.00", "250.00", amounts("250.00", "250.00", "250.00", "250.00")),
        ("1000.00", "1500.00", amounts("1000.00")),
        ("0.05", "0.02", amounts("0.02", "0.02", "0.01")),
    ],
)
def test_split_by_installment_amount(total, installment_amount, expected):
    result = split_total(D(total), installment_amount=D(installment_amount))
    assert result == expected
    assert sum(result) == D(total)


def test_installment_amount_with_down_payment():
    result = split_total(
        D("1000.00"), installment_amount=D("300.00"), down_payment=D("200.00")
    )
    assert result == amounts("200.00", "300.00", "300.00", "200.00")


def test_installment_amount_within_the_maximum():
    # 1000 by 100: exactly 10 installments, allowed with a maximum of 10.
    assert len(split_total(D("1000"), installment_amount=D("100"), max_count=10)) == 10
    with pytest.raises(InstallmentAmountTooSmallError) as error:
        split_total(D("1000.00"), installment_amount=D("99.99"), max_count=10)
    assert error.value.needed_count == 11
    assert error.value.max_count == 10
    assert error.value.installment_amount == D("99.99")
    assert error.value.remaining == D("1000.00")
    # The down payment is not counted as an installment.
    result = split_total(
        D("1100"), installment_amount=D("100"), down_payment=D("100"), max_count=10
    )
    assert len(result) == 11


def test_count_above_the_maximum():
    assert len(split_total(D("1200"), count=12, max_count=12)) == 12
    with pytest.raises(CountAboveMaximumError) as error:
        split_total(D("1200"), count=13, max_count=12)
    assert (error.value.count, error.value.max_count) == (13, 12)


def test_non_cent_currencies():
    # A currency without cents (e.g. XOF, JPY): rounding step 1.
    assert split_total(D("1000"), count=3, rounding=D("1")) == amounts(
        "333", "333", "334"
    )
    assert split_total(10, count=3, rounding=1) == amounts("3", "3", "4")
    with pytest.raises(TooManyInstallmentsError):
        split_total(D("2"), count=3, rounding=D("1"))
    with pytest.raises(AmountNotMultipleError):
        split_total(D("1000.50"), count=3, rounding=D("1"))
    # Three decimals (e.g. TND, KWD).
    assert split_total(D("1.000"), count=3, rounding=D("0.001")) == amounts(
        "0.333", "0.333", "0.334"
    )
    assert split_total(
        D("100.000"), installment_amount=D("30.125"), rounding=D("0.001")
    ) == amounts("30.125", "30.125", "30.125", "9.625")


def test_amount_not_multiple_of_the_rounding():
    with pytest.raises(AmountNotMultipleError) as error:
        split_total(D("100.005"), count=2)
    assert error.value.field_name == "total"
    assert error.value.amount == D("100.005")
    assert error.value.rounding == D("0.01")
    with pytest.raises(AmountNotMultipleError) as error:
        split_total(D("100"), count=2, down_payment=D("10.001"))
    assert error.value.field_name == "down_payment"
    with pytest.raises(AmountNotMultipleError) as error:
        split_total(D("100"), installment_amount=D("33.333"))
    assert error.value.field_name == "installment_amount"


@pytest.mark.parametrize("total", ["0", "-10.00", 0.0])
def test_non_positive_total(total):
    with pytest.raises(NonPositiveTotalError) as error:
        split_total(total, count=2)
    assert error.value.total == Decimal(str(total))


@pytest.mark.parametrize("count", [0, -1])
def test_non_positive_count(count):
    with pytest.raises(NonPositiveCountError) as error:
        split_total(D("100"), count=count)
    assert error.value.count == count


@pytest.mark.parametrize("installment_amount", ["0", "-50.00"])
def test_non_positive_installment_amount(installment_amount):
    with pytest.raises(NonPositiveInstallmentAmountError) as error:
        split_total(D("100"), installment_amount=D(installment_amount))
    assert error.value.installment_amount == D(installment_amount)


@pytest.mark.parametrize("down_payment", ["-1.00", "100.00", "150.00"])
def test_invalid_down_payment(down_payment):
    with pytest.raises(InvalidDownPaymentError) as error:
        split_total(D("100.00"), count=2, down_payment=D(down_payment))
    assert error.value.down_payment == D(down_payment)
    assert error.value.total == D("100.00")


def test_exactly_one_of_count_and_amount():
    with pytest.raises(TypeError):
        split_total(D("100"))
    with pytest.raises(TypeError):
        split_total(D("100"), count=2, installment_amount=D("50"))


def test_errors_are_distinct_classes_with_an_english_message():
    errors = [
        NonPositiveTotalError(D("0")),
        AmountNotMultipleError("total", D("1.001"), D("0.01")),
        NonPositiveCountError(0),
        NonPositiveInstallmentAmountError(D("0")),
        InvalidDownPaymentError(D("-1"), D("100")),
        TooManyInstallmentsError(3, D("0.02"), D("0.01")),
        CountAboveMaximumError(13, 12),
        InstallmentAmountTooSmallError(D("1"), D("100"), 100, 12),
        FirstDateInPastError(date(2026, 1, 1), TODAY),
        DownPaymentDateError(date(2026, 1, 1), TODAY, TODAY),
    ]
    assert len({type(error) for error in errors}) == len(errors)
    for error in errors:
        assert isinstance(error, InstallmentError)
        assert isinstance(error, ValueError)
        assert str(error)
    assert "not a multiple" in str(errors[1])


# ---------------------------------------------------------------- dates


def test_monthly_dates_clamp_to_month_end_without_drift():
    assert installment_dates(date(2026, 1, 31), 5, "monthly") == [
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 5, 31),
    ]
    # Leap year.
    assert installment_dates(date(2028, 1, 31), 3, "monthly") == [
        date(2028, 1, 31),
        date(2028, 2, 29),
        date(2028, 3, 31),
    ]
    assert installment_dates(date(2026, 1, 30), 3, "monthly") == [
        date(2026, 1, 30),
        date(2026, 2, 28),
        date(2026, 3, 30),
    ]


def test_monthly_dates_cross_the_year():
    assert installment_dates(date(2026, 11, 15), 4, "monthly") == [
        date(2026, 11, 15),
        date(2026, 12, 15),
        date(2027, 1, 15),
        date(2027, 2, 15),
    ]


def test_leap_day_start():
    assert installment_dates(date(2028, 2, 29), 5, "quarterly") == [
        date(2028, 2, 29),
        date(2028, 5, 29),
        date(2028, 8, 29),
        date(2028, 11, 29),
        date(2029, 2, 28),
    ]
    assert installment_dates(date(2024, 2, 29), 2, "monthly")[1] == date(2024, 3, 29)


def test_weekly_dates():
    assert installment_dates(date(2026, 12, 24), 3, "weekly") == [
        date(2026, 12, 24),
        date(2026, 12, 31),
        date(2027, 1, 7),
    ]


def test_quarterly_dates_clamp_to_month_end():
    assert installment_dates(date(2026, 11, 30), 4, "quarterly") == [
        date(2026, 11, 30),
        date(2027, 2, 28),
        date(2027, 5, 30),
        date(2027, 8, 30),
    ]
    assert installment_dates(date(2026, 8, 31), 3, "quarterly") == [
        date(2026, 8, 31),
        date(2026, 11, 30),
        date(2027, 2, 28),
    ]


def test_dates_refuse_bad_arguments():
    with pytest.raises(ValueError, match="frequency"):
        installment_dates(TODAY, 3, "yearly")
    with pytest.raises(NonPositiveCountError):
        installment_dates(TODAY, 0, "monthly")


def test_first_date_in_the_past():
    check_first_date(TODAY, TODAY)  # today is fine
    check_first_date(date(2026, 11, 23), TODAY)
    with pytest.raises(FirstDateInPastError) as error:
        check_first_date(date(2026, 11, 21), TODAY)
    assert error.value.first_date == date(2026, 11, 21)
    assert error.value.today == TODAY


# ------------------------------------------------------------- schedule


def test_schedule_without_down_payment():
    schedule = build_schedule(
        D("1000.00"), first_date=date(2027, 1, 31), frequency="monthly", count=3
    )
    assert schedule == [
        Installment(1, date(2027, 1, 31), D("333.33")),
        Installment(2, date(2027, 2, 28), D("333.33")),
        Installment(3, date(2027, 3, 31), D("333.34")),
    ]


def test_down_payment_on_the_first_date_shifts_the_installments():
    schedule = build_schedule(
        D("100.00"),
        first_date=date(2027, 1, 31),
        frequency="monthly",
        count=2,
        down_payment=D("33.33"),
        today=TODAY,
    )
    assert schedule == [
        Installment(0, date(2027, 1, 31), D("33.33"), is_down_payment=True),
        Installment(1, date(2027, 2, 28), D("33.33")),
        Installment(2, date(2027, 3, 31), D("33.34")),
    ]


def test_down_payment_on_its_own_date():
    schedule = build_schedule(
        D("1000.00"),
        first_date=date(2026, 12, 5),
        frequency="weekly",
        installment_amount=D("400.00"),
        down_payment=D("100.00"),
        down_payment_date=TODAY,
        today=TODAY,
    )
    assert schedule == [
        Installment(0, TODAY, D("100.00"), is_down_payment=True),
        Installment(1, date(2026, 12, 5), D("400.00")),
        Installment(2, date(2026, 12, 12), D("400.00")),
        Installment(3, date(2026, 12, 19), D("100.00")),
    ]


def test_schedule_checks_the_dates():
    with pytest.raises(FirstDateInPastError):
        build_schedule(
            D("100"),
            first_date=date(2026, 11, 1),
            frequency="monthly",
            count=2,
            today=TODAY,
        )
    # Without today (rebuilding an existing agreement), no date check.
    schedule = build_schedule(
        D("100"), first_date=date(2026, 11, 1), frequency="monthly", count=2
    )
    assert len(schedule) == 2
    # The down payment is due between today and the first date.
    for down_payment_date in (date(2026, 11, 21), date(2026, 12, 2)):
        with pytest.raises(DownPaymentDateError) as error:
            build_schedule(
                D("100"),
                first_date=date(2026, 12, 1),
                frequency="monthly",
                count=2,
                down_payment=D("10"),
                down_payment_date=down_payment_date,
                today=TODAY,
            )
        assert error.value.down_payment_date == down_payment_date
        assert error.value.first_date == date(2026, 12, 1)
        assert error.value.today == TODAY


def test_schedule_passes_split_errors_through():
    with pytest.raises(TooManyInstallmentsError):
        build_schedule(D("0.02"), first_date=TODAY, frequency="monthly", count=3)
    with pytest.raises(InstallmentAmountTooSmallError):
        build_schedule(
            D("1000"),
            first_date=TODAY,
            frequency="monthly",
            installment_amount=D("10"),
            max_count=36,
        )


# ------------------------------------------------------------- payments

PLAN = build_schedule(
    D("1000.00"),
    first_date=date(2026, 9, 15),
    frequency="monthly",
    count=4,
    down_payment=D("200.00"),
)
# 200 on Sep 15, then 200 on Oct 15, Nov 15, Dec 15, Jan 15.


def statuses(allocations):
    return [(a.paid, a.residual, a.status, a.is_late) for a in allocations]


def test_plan_fixture():
    assert [(i.due_date, i.amount) for i in PLAN] == [
        (date(2026, 9, 15), D("200.00")),
        (date(2026, 10, 15), D("200.00")),
        (date(2026, 11, 15), D("200.00")),
        (date(2026, 12, 15), D("200.00")),
        (date(2027, 1, 15), D("200.00")),
    ]


def test_payments_settle_installments_in_date_order():
    # Shuffled input: still settled oldest first.
    allocations = allocate_payments(PLAN[::-1], D("450.00"), today=TODAY)
    assert [a.installment for a in allocations] == PLAN
    assert statuses(allocations) == [
        (D("200.00"), D("0"), "paid", False),
        (D("200.00"), D("0"), "paid", False),
        (D("50.00"), D("150.00"), "partial", True),
        (D("0"), D("200.00"), "upcoming", False),
        (D("0"), D("200.00"), "upcoming", False),
    ]
    assert not is_fully_paid(allocations)


def test_nothing_paid():
    allocations = allocate_payments(PLAN, 0, today=TODAY)
    assert [a.status for a in allocations] == [
        "due",
        "due",
        "due",
        "upcoming",
        "upcoming",
    ]
    assert [a.is_late for a in allocations] == [True, True, True, False, False]


def test_due_today_is_due_not_late():
    allocations = allocate_payments(PLAN, D("400.00"), today=date(2026, 11, 15))
    third = allocations[2]
    assert (third.status, third.is_late) == ("due", False)
    allocations = allocate_payments(PLAN, D("400.00"), today=date(2026, 11, 16))
    assert (allocations[2].status, allocations[2].is_late) == ("due", True)


def test_grace_days():
    # Nov 15 + 5 grace days: late from Nov 21.
    on_20 = allocate_payments(PLAN, D("400"), today=date(2026, 11, 20), grace_days=5)
    on_21 = allocate_payments(PLAN, D("400"), today=date(2026, 11, 21), grace_days=5)
    assert (on_20[2].status, on_20[2].is_late) == ("due", False)
    assert (on_21[2].status, on_21[2].is_late) == ("due", True)


def test_float_payments_and_overpayment():
    allocations = allocate_payments(PLAN, 1000.0, today=TODAY)
    assert is_fully_paid(allocations)
    assert {a.status for a in allocations} == {"paid"}
    assert not any(a.is_late for a in allocations)
    # More than the total: every installment paid, the excess not allocated.
    allocations = allocate_payments(PLAN, D("1200"), today=TODAY)
    assert is_fully_paid(allocations)
    assert sum(a.paid for a in allocations) == D("1000.00")
    with pytest.raises(ValueError):
        allocate_payments(PLAN, D("-1"), today=TODAY)


def test_breach_after_the_tolerance():
    allocations = allocate_payments(PLAN, D("450.00"), today=TODAY)
    # Nov 15 installment partly paid: 7 days late on Nov 22.
    breach = first_breaching_installment(allocations, today=TODAY, break_after_days=6)
    assert breach.installment == PLAN[2]
    assert breach.residual == D("150.00")
    # Breaks only once the tolerance has fully passed.
    assert (
        first_breaching_installment(allocations, today=TODAY, break_after_days=7)
        is None
    )
    # The oldest unpaid installment is the one reported.
    allocations = allocate_payments(PLAN, D("100.00"), today=TODAY)
    breach = first_breaching_installment(allocations, today=TODAY, break_after_days=15)
    assert breach.installment == PLAN[0]


def test_no_breach_when_up_to_date_or_fully_paid():
    allocations = allocate_payments(PLAN, D("600.00"), today=TODAY)
    assert (
        first_breaching_installment(allocations, today=TODAY, break_after_days=0)
        is None
    )
    later = date(2027, 6, 1)
    allocations = allocate_payments(PLAN, D("1000.00"), today=later)
    assert (
        first_breaching_installment(allocations, today=later, break_after_days=0)
        is None
    )
    assert is_fully_paid(allocations)


# ------------------------------------------------------------- property

ROUNDINGS = [Decimal("0.01"), Decimal(1), Decimal("0.001"), Decimal("0.05")]


@given(data=st.data(), rounding=st.sampled_from(ROUNDINGS))
def test_split_by_count_property(data, rounding):
    max_steps = int(Decimal(10**9) / rounding)
    total_steps = data.draw(st.integers(1, max_steps), label="total_steps")
    down_steps = data.draw(st.integers(0, total_steps - 1), label="down_steps")
    remaining_steps = total_steps - down_steps
    count = data.draw(st.integers(1, min(120, remaining_steps)), label="count")
    total = total_steps * rounding
    down_payment = down_steps * rounding

    result = split_total(
        total, count=count, down_payment=down_payment, rounding=rounding
    )

    assert sum(result) == total
    for amount in result:
        assert amount > 0
        assert amount % rounding == 0
    if down_steps:
        assert result[0] == down_payment
        result = result[1:]
    assert len(result) == count
    *firsts, last = result
    assert len(set(firsts)) <= 1
    if firsts:
        assert firsts[0] <= last < firsts[0] + count * rounding


@given(data=st.data(), rounding=st.sampled_from(ROUNDINGS))
def test_split_by_amount_property(data, rounding):
    total_steps = data.draw(st.integers(1, 10**6), label="total_steps")
    amount_steps = data.draw(st.integers(1, total_steps), label="amount_steps")
    total = total_steps * rounding
    installment_amount = amount_steps * rounding

    result = split_total(
        total, installment_amount=installment_amount, rounding=rounding
    )

    assert sum(result) == total
    assert len(result) == -(-total_steps // amount_steps)
    *firsts, last = result
    assert all(amount == installment_amount for amount in firsts)
    assert 0 < last <= installment_amount
    assert last % rounding == 0


@given(
    total_steps=st.integers(1, 10**11),
    count=st.integers(1, 120),
    rounding=st.sampled_from(ROUNDINGS),
)
def test_any_total_and_count_split_exactly(total_steps, count, rounding):
    """For any total and count: non-negative, rounded, summing exactly."""
    total = total_steps * rounding
    try:
        result = split_total(total, count=count, rounding=rounding)
    except TooManyInstallmentsError:
        assert count > total_steps
        return
    assert len(result) == count
    assert sum(result) == total
    assert all(amount >= 0 and amount % rounding == 0 for amount in result)


# --------------------------------------------------------- payment terms


def test_split_by_shares_percent_and_balance():
    # 30 % / 70 % (balance) of 1,000.00.
    assert split_by_shares(D("1000.00"), [("percent", 30), ("percent", 70)]) == (
        amounts("300.00", "700.00")
    )
    # Thirds: each percentage rounded half up, the balance on the last.
    assert split_by_shares(
        D("100.00"), [("percent", "33.33"), ("percent", "33.33"), ("percent", 0)]
    ) == amounts("33.33", "33.33", "33.34")
    assert split_by_shares(
        D("0.10"), [("percent", 50), ("percent", 50)], rounding=D("0.01")
    ) == amounts("0.05", "0.05")
    # 12.5 % of 0.10 = 0.0125 -> 0.01 (half up on the third decimal).
    assert split_by_shares(D("0.10"), [("percent", "12.5"), ("percent", 0)]) == (
        amounts("0.01", "0.09")
    )
    # 25 % of 0.10 = 0.025 -> 0.03 (half up, like Odoo's currency rounding).
    assert split_by_shares(D("0.10"), [("percent", 25), ("percent", 0)]) == (
        amounts("0.03", "0.07")
    )


def test_split_by_shares_fixed_and_down_payment():
    # Down payment first; the term splits what is left.
    assert split_by_shares(
        D("1000.00"),
        [("fixed", "200.00"), ("percent", 50), ("percent", 0)],
        down_payment=D("100.00"),
    ) == amounts("100.00", "200.00", "450.00", "250.00")
    # A single line takes everything.
    assert split_by_shares(D("99.99"), [("percent", 100)]) == amounts("99.99")


def test_split_by_shares_refuses_empty_or_excessive_lines():
    with pytest.raises(InvalidTermShareError) as error:
        split_by_shares(D("100.00"), [("percent", 0), ("percent", 100)])
    assert (error.value.position, error.value.amount) == (1, D("0.00"))
    # Fixed amounts beyond the total leave nothing for the last line.
    with pytest.raises(InvalidTermShareError) as error:
        split_by_shares(D("100.00"), [("fixed", "150.00"), ("percent", 100)])
    assert (error.value.position, error.value.amount) == (2, D("-50.00"))
    with pytest.raises(InvalidTermShareError):
        split_by_shares(D("0.01"), [("percent", 50), ("percent", 50)])
    with pytest.raises(NonPositiveCountError):
        split_by_shares(D("100.00"), [])
    with pytest.raises(CountAboveMaximumError):
        split_by_shares(D("100.00"), [("percent", 50)] * 3, max_count=2)
    with pytest.raises(ValueError):
        split_by_shares(D("100.00"), [("days", 50), ("percent", 50)])
    with pytest.raises(NonPositiveTotalError):
        split_by_shares(D("0"), [("percent", 100)])


def test_term_schedule_in_date_order():
    schedule = build_term_schedule(
        D("1000.00"),
        shares=[("percent", 30), ("percent", 70)],
        dates=[date(2026, 12, 31), date(2027, 1, 31)],
        start_date=date(2026, 12, 1),
        down_payment=D("100.00"),
        today=TODAY,
    )
    assert schedule == [
        Installment(0, date(2026, 12, 1), D("100.00"), is_down_payment=True),
        Installment(1, date(2026, 12, 31), D("270.00")),
        Installment(2, date(2027, 1, 31), D("630.00")),
    ]
    with pytest.raises(FirstDateInPastError):
        build_term_schedule(
            D("100.00"),
            shares=[("percent", 100)],
            dates=[date(2026, 12, 1)],
            start_date=date(2026, 11, 1),
            today=TODAY,
        )
    with pytest.raises(DownPaymentDateError):
        build_term_schedule(
            D("100.00"),
            shares=[("percent", 100)],
            dates=[date(2026, 12, 1)],
            start_date=TODAY,
            down_payment=D("10.00"),
            down_payment_date=date(2026, 12, 2),
            today=TODAY,
        )
    with pytest.raises(ValueError):
        build_term_schedule(
            D("100.00"), shares=[("percent", 100)], dates=[], start_date=TODAY
        )


@given(
    data=st.data(),
    rounding=st.sampled_from(ROUNDINGS),
)
def test_split_by_shares_property(data, rounding):
    total_steps = data.draw(st.integers(1, 10**9), label="total_steps")
    percents = data.draw(
        st.lists(st.integers(1, 9999), min_size=0, max_size=11), label="percents"
    )
    shares = [("percent", Decimal(p) / 100) for p in percents] + [("percent", 0)]
    total = total_steps * rounding
    try:
        result = split_by_shares(total, shares, rounding=rounding)
    except InvalidTermShareError:
        return
    assert len(result) == len(shares)
    assert sum(result) == total
    assert all(amount > 0 and amount % rounding == 0 for amount in result)


# ----------------------------------------------------------------- ledger


def test_assign_due_dates_one_invoice():
    schedule = build_schedule(
        D("1000.00"), first_date=date(2027, 1, 15), frequency="monthly", count=3
    )
    # One receivable line: due when the last installment completes it.
    assert assign_due_dates([D("1000.00")], schedule) == [date(2027, 3, 15)]


def test_assign_due_dates_several_lines():
    schedule = build_schedule(
        D("900.00"), first_date=date(2027, 1, 15), frequency="monthly", count=3
    )
    # Lines matching the installments get one installment date each.
    assert assign_due_dates([D("300"), D("300"), D("300")], schedule) == [
        date(2027, 1, 15),
        date(2027, 2, 15),
        date(2027, 3, 15),
    ]
    # A line straddling two installments is due with the second.
    assert assign_due_dates([D("200"), D("500"), D("200")], schedule) == [
        date(2027, 1, 15),
        date(2027, 3, 15),
        date(2027, 3, 15),
    ]
    assert assign_due_dates([D("450"), D("450")], schedule) == [
        date(2027, 2, 15),
        date(2027, 3, 15),
    ]


def test_assign_due_dates_after_payments_and_beyond_the_total():
    schedule = build_schedule(
        D("900.00"), first_date=date(2027, 1, 15), frequency="monthly", count=3
    )
    # 300 paid since the agreement settled the first installment.
    assert assign_due_dates([D("600")], schedule, already_paid=D("300")) == [
        date(2027, 3, 15)
    ]
    assert assign_due_dates([D("300"), D("300")], schedule, already_paid=300) == [
        date(2027, 2, 15),
        date(2027, 3, 15),
    ]
    # More owed than scheduled: the excess is due with the last installment.
    assert assign_due_dates([D("1000")], schedule) == [date(2027, 3, 15)]
    with pytest.raises(ValueError):
        assign_due_dates([D("1")], [])
