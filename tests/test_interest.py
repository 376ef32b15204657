from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from rules.interest import (
    CONSUMER,
    PROFESSIONAL,
    RECOVERY_INDEMNITY_EUR,
    ContractualRateTooLowError,
    InterestError,
    MissingRateError,
    Payment,
    RatePeriod,
    RateTable,
    check_contractual_rate,
    compute_interest,
    consumer_rate,
    half_year_end,
    half_year_label,
    half_year_start,
    half_years,
    paid_late,
    professional_rate,
    rate_function,
    recovery_indemnity,
)

D = Decimal

# LEGAL_FR.md section 1: (start, ECB, legal rate business creditor, legal
# rate individual creditor).
ROWS = [
    (date(2023, 1, 1), "2.50", "2.06", "4.47"),
    (date(2023, 7, 1), "4.00", "4.22", "6.82"),
    (date(2024, 1, 1), "4.50", "5.07", "8.01"),
    (date(2024, 7, 1), "4.25", "4.92", "8.16"),
    (date(2025, 1, 1), "3.15", "3.71", "7.21"),
    (date(2025, 7, 1), "2.15", "2.76", "6.65"),
    (date(2026, 1, 1), "2.15", "2.62", "6.67"),
]
TABLE = RateTable(
    RatePeriod(start, half_year_end(start), D(ecb), D(legal), D(individual))
    for start, ecb, legal, individual in ROWS
)
DEFAULT = professional_rate()


def interest(amount, due, until, rate_of=DEFAULT, **kwargs):
    return compute_interest(D(amount), due, until, TABLE, rate_of, **kwargs)


# ---------------------------------------------------------------- the table


@pytest.mark.parametrize(
    "start, default, floor",
    [
        (date(2023, 1, 1), "12.50", "6.18"),
        (date(2023, 7, 1), "14.00", "12.66"),
        (date(2024, 1, 1), "14.50", "15.21"),
        (date(2024, 7, 1), "14.25", "14.76"),
        (date(2025, 1, 1), "13.15", "11.13"),
        (date(2025, 7, 1), "12.15", "8.28"),
        (date(2026, 1, 1), "12.15", "7.86"),
    ],
)
def test_table_of_legal_fr(start, default, floor):
    period = TABLE.period(start + timedelta(days=40))
    assert period.date_from == start
    assert period.default_rate == D(default)
    assert period.contractual_floor == D(floor)


def test_half_years():
    assert half_year_start(date(2025, 6, 30)) == date(2025, 1, 1)
    assert half_year_start(date(2025, 7, 1)) == date(2025, 7, 1)
    assert half_year_end(date(2025, 2, 1)) == date(2025, 6, 30)
    assert half_year_end(date(2025, 12, 31)) == date(2025, 12, 31)
    assert half_year_label(date(2026, 8, 1)) == "H2 2026"
    assert half_years(date(2025, 5, 16), date(2026, 1, 2)) == [
        (date(2025, 1, 1), date(2025, 6, 30)),
        (date(2025, 7, 1), date(2025, 12, 31)),
        (date(2026, 1, 1), date(2026, 6, 30)),
    ]


def test_missing_period_is_an_error_not_zero():
    with pytest.raises(MissingRateError) as error:
        TABLE.period(date(2026, 7, 1))
    assert error.value.date_from == date(2026, 7, 1)
    assert error.value.date_to == date(2026, 12, 31)
    assert "H2 2026" in str(error.value)
    assert isinstance(error.value, InterestError)
    assert TABLE.missing(date(2025, 12, 1), date(2027, 1, 5)) == [
        (date(2026, 7, 1), date(2026, 12, 31)),
        (date(2027, 1, 1), date(2027, 6, 30)),
    ]
    # An interest computation that needs it fails, even for one day.
    with pytest.raises(MissingRateError):
        interest("1000.00", date(2026, 6, 30), date(2026, 7, 1))
    # ... and does not when it stops before.
    assert interest("1000.00", date(2026, 6, 29), date(2026, 6, 30)).days == 1


def test_latest_period():
    assert TABLE.latest(date(2026, 11, 23)).date_from == date(2026, 1, 1)
    assert TABLE.latest(date(2024, 3, 1)).date_from == date(2024, 1, 1)
    assert TABLE.latest(date(2022, 12, 31)) is None


def test_periods_must_be_half_years():
    with pytest.raises(ValueError):
        RatePeriod(date(2025, 2, 1), date(2025, 6, 30), D("1"), D("1"))
    with pytest.raises(ValueError):
        RatePeriod(date(2025, 1, 1), date(2025, 12, 31), D("1"), D("1"))
    period = RatePeriod(date(2025, 1, 1), date(2025, 6, 30), 3.15, "3.71")
    assert period.ecb_rate == D("3.15") and period.legal_rate == D("3.71")
    with pytest.raises(ValueError):
        RateTable([period, period])


# ---------------------------------------------------------------- worked examples


def test_worked_example_one_half_year():
    result = interest("10000.00", date(2025, 3, 31), date(2025, 6, 30))
    assert result.days == 91
    assert [s.rate for s in result.segments] == [D("13.15")]
    assert result.total == D("327.85")
    assert str(result.total) == "327.85"


def test_worked_example_across_1_july():
    result = interest("5000.00", date(2025, 5, 15), date(2025, 8, 14))
    assert [
        (s.date_from, s.date_to, s.days, s.rate, s.amount) for s in result.segments
    ] == [
        (date(2025, 5, 16), date(2025, 6, 30), 46, D("13.15"), D("82.86")),
        (date(2025, 7, 1), date(2025, 8, 14), 45, D("12.15"), D("74.90")),
    ]
    assert result.total == D("157.76")


def test_worked_example_2026():
    result = interest("8000.00", date(2026, 1, 15), date(2026, 3, 16))
    assert result.days == 60
    assert result.total == D("159.78")


def test_worked_example_consumer_from_formal_notice():
    result = interest(
        "2000.00",
        date(2025, 7, 31),
        date(2025, 12, 15),
        rate_of=consumer_rate,
        start_after=date(2025, 9, 15),
    )
    assert result.date_from == date(2025, 9, 16)
    assert result.days == 91
    assert [s.rate for s in result.segments] == [D("2.76")]
    assert result.total == D("13.76")


def test_worked_examples_indemnity():
    assert recovery_indemnity(PROFESSIONAL, True) == D("40.00")
    assert recovery_indemnity(CONSUMER, True) == 0
    assert recovery_indemnity(PROFESSIONAL, False) == 0
    assert RECOVERY_INDEMNITY_EUR == D("40")


# ---------------------------------------------------------------- the days counted


def test_no_interest_on_or_before_the_due_date():
    assert interest("1000", date(2025, 3, 31), date(2025, 3, 31)).total == 0
    assert interest("1000", date(2025, 3, 31), date(2025, 3, 1)).segments == ()
    one = interest("1000.00", date(2025, 3, 31), date(2025, 4, 1))
    assert one.days == 1
    assert one.total == D("0.36")  # 1000 × 13.15 % / 365


def test_payment_day_counts_and_stops_accrual():
    # Paid in full on 2025-06-30: the computation date later changes nothing.
    paid = [Payment(date(2025, 6, 30), D("10000.00"))]
    result = interest("10000.00", date(2025, 3, 31), date(2025, 12, 31), payments=paid)
    assert result.total == D("327.85")
    assert result.date_to == date(2025, 6, 30)


def test_partial_payments_each_amount_for_its_days():
    # 10,000 due 2025-03-31; 4,000 paid 2025-04-30, the rest 2025-06-30.
    result = interest(
        "10000.00",
        date(2025, 3, 31),
        date(2025, 9, 30),
        payments=[(date(2025, 4, 30), "4000.00"), (date(2025, 6, 30), "6000.00")],
    )
    assert [(s.base, s.days, s.amount) for s in result.segments] == [
        (D("10000.00"), 30, D("108.08")),  # 10000 × 13.15 × 30 / 36500
        (D("6000.00"), 61, D("131.86")),  # 6000 × 13.15 × 61 / 36500
    ]
    assert result.total == D("239.94")


def test_payment_before_due_date_reduces_the_base():
    result = interest(
        "1000.00",
        date(2025, 3, 31),
        date(2025, 4, 30),
        payments=[(date(2025, 3, 1), "400.00")],
    )
    assert [s.base for s in result.segments] == [D("600.00")]
    assert result.total == D("6.48")  # 600 × 13.15 × 30 / 36500


def test_overpayment_stops_interest():
    result = interest(
        "1000.00",
        date(2025, 3, 31),
        date(2025, 6, 30),
        payments=[(date(2025, 4, 10), "1200.00")],
    )
    assert result.date_to == date(2025, 4, 10)


def test_negative_payment_refused():
    with pytest.raises(ValueError):
        interest(
            "1000",
            date(2025, 3, 31),
            date(2025, 4, 30),
            payments=[(date(2025, 4, 1), "-1")],
        )


def test_split_at_1_january_and_over_several_half_years():
    result = interest("1000.00", date(2023, 12, 31), date(2025, 1, 15))
    assert [(s.date_from, s.rate) for s in result.segments] == [
        (date(2024, 1, 1), D("14.50")),
        (date(2024, 7, 1), D("14.25")),
        (date(2025, 1, 1), D("13.15")),
    ]
    assert [s.days for s in result.segments] == [182, 184, 15]


def test_start_after_already_invoiced_period():
    full = interest("5000.00", date(2025, 5, 15), date(2025, 8, 14))
    first = interest("5000.00", date(2025, 5, 15), date(2025, 6, 30))
    rest = interest(
        "5000.00", date(2025, 5, 15), date(2025, 8, 14), start_after=date(2025, 6, 30)
    )
    assert first.total + rest.total == full.total
    # A start before the due date changes nothing.
    assert (
        interest(
            "5000.00",
            date(2025, 5, 15),
            date(2025, 8, 14),
            start_after=date(2025, 1, 1),
        )
        == full
    )


def test_leap_year_option():
    # 2024 is a leap year: 366 days with the option, 365 without.
    plain = interest("10000.00", date(2024, 1, 31), date(2024, 3, 1))
    leap = interest("10000.00", date(2024, 1, 31), date(2024, 3, 1), leap_years=True)
    assert plain.days == leap.days == 30
    assert plain.total == D("119.18")  # 10000 × 14.50 × 30 / 36500
    assert leap.total == D("118.85")  # 10000 × 14.50 × 30 / 36600
    assert [s.year_days for s in leap.segments] == [366]
    # No effect in a common year.
    assert interest(
        "10000.00", date(2025, 3, 31), date(2025, 6, 30), leap_years=True
    ).total == D("327.85")


def test_rounding_step_of_the_currency():
    result = compute_interest(
        D("10000"),
        date(2025, 3, 31),
        date(2025, 6, 30),
        TABLE,
        DEFAULT,
        rounding=D("1"),
    )
    assert result.total == D("328")


# ---------------------------------------------------------------- rates


def test_contractual_rate_and_its_floor():
    h2_2025 = TABLE.period(date(2025, 8, 1))
    check_contractual_rate(D("8.28"), h2_2025)
    check_contractual_rate(D("9"), h2_2025)
    with pytest.raises(ContractualRateTooLowError) as error:
        check_contractual_rate(D("8.27"), h2_2025)
    assert error.value.floor == D("8.28")
    assert "H2 2025" in str(error.value)
    # Used as is above the floor, raised to it below (a rate valid when
    # agreed may fall below a later floor).
    rate_of = professional_rate(D("9.00"))
    assert rate_of(h2_2025) == D("9.00")
    assert rate_of(TABLE.period(date(2024, 1, 1))) == D("15.21")
    result = interest("10000.00", date(2025, 6, 30), date(2025, 7, 30), rate_of=rate_of)
    assert result.total == D("73.97")  # 10000 × 9 × 30 / 36500
    # 0 / None: no contractual rate, ECB + 10.
    assert professional_rate(0)(h2_2025) == D("12.15")


def test_rate_function_by_debtor_type():
    period = TABLE.period(date(2025, 8, 1))
    assert rate_function(PROFESSIONAL)(period) == D("12.15")
    assert rate_function(PROFESSIONAL, "10")(period) == D("10")
    assert rate_function(CONSUMER)(period) == D("2.76")
    with pytest.raises(ValueError):
        rate_function("other")


def test_paid_late():
    due = date(2025, 3, 31)
    assert paid_late("100", due, date(2025, 4, 1))
    assert not paid_late("100", due, due)
    assert not paid_late("100", due, date(2025, 5, 1), [(date(2025, 3, 31), "100")])
    assert paid_late("100", due, date(2025, 5, 1), [(date(2025, 4, 1), "100")])
    assert paid_late("100", due, date(2025, 5, 1), [(date(2025, 3, 1), "99.99")])


# ---------------------------------------------------------------- properties

days_in_table = st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 6, 30))
money = st.decimals(min_value=D("0.01"), max_value=D("1000000"), places=2)


@given(amount=money, due=days_in_table, length=st.integers(0, 800))
def test_interest_matches_day_by_day(amount, due, length):
    until = min(due + timedelta(days=length), date(2026, 6, 30))
    result = interest(amount, due, until)
    assert result.days == max((until - due).days, 0)
    # Each part equals the day-by-day sum of its days, rounded once.
    for segment in result.segments:
        assert half_year_start(segment.date_from) == half_year_start(segment.date_to)
        exact = sum(
            amount * TABLE.period(segment.date_from).default_rate / D(36500)
            for _ in range(segment.days)
        )
        assert abs(segment.amount - exact) <= D("0.005") + D("1e-20")


@given(
    amount=money,
    due=days_in_table,
    length=st.integers(1, 700),
    cut=st.integers(0, 700),
)
def test_interest_is_additive_over_time(amount, due, length, cut):
    until = min(due + timedelta(days=length), date(2026, 6, 30))
    middle = min(due + timedelta(days=cut), until)
    whole = interest(amount, due, until)
    first = interest(amount, due, middle)
    rest = interest(amount, due, until, start_after=middle)
    # Cutting inside a part can move the rounding by at most a cent.
    assert abs(first.total + rest.total - whole.total) <= D("0.01")
    assert first.days + rest.days == whole.days


@given(
    amount=money,
    due=days_in_table,
    paid=st.lists(st.tuples(st.integers(-30, 500), money), max_size=4),
)
# A cent paid splits a half-year in two parts: rounded each, they came to a
# cent more than the half-year without the payment (0.70 against 0.69).
@example(amount=D("1.48"), due=date(2023, 1, 1), paid=[(10, D("0.01"))])
def test_payments_never_increase_interest(amount, due, paid):
    until = date(2026, 6, 30)
    payments = [(due + timedelta(days=offset), value) for offset, value in paid]
    with_payments = interest(amount, due, until, payments=payments)
    without = interest(amount, due, until)
    assert with_payments.total <= without.total
    assert all(s.base > 0 for s in with_payments.segments)
