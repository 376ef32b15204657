import doctest
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rules import kpi
from rules.kpi import (
    aging_bucket,
    bucket_bounds,
    cei,
    change,
    dso_count_back,
    dso_simple,
    effectiveness,
    median,
    month_end,
    month_starts,
    rate,
    round_half_up,
)


def test_docstring_examples():
    failures, tried = doctest.testmod(kpi)
    assert tried > 10
    assert failures == 0


@pytest.mark.parametrize(
    "days, key",
    [
        (-30, "not_due"),
        (0, "not_due"),
        (1, "1_30"),
        (30, "1_30"),
        (31, "31_60"),
        (60, "31_60"),
        (61, "61_90"),
        (90, "61_90"),
        (91, "91_180"),
        (180, "91_180"),
        (181, "over_180"),
        (4000, "over_180"),
    ],
)
def test_aging_bucket(days, key):
    assert aging_bucket(days) == key


@given(st.integers(min_value=-400, max_value=4000))
def test_bucket_bounds_hold_the_bucket(days):
    on_date = date(2026, 11, 23)
    due = date.fromordinal(on_date.toordinal() - days)
    first, last = bucket_bounds(aging_bucket(days), on_date)
    assert first is None or due >= first
    assert last is None or due <= last


def test_dso_simple():
    assert dso_simple(30000, 90000, 90) == 30.0
    assert dso_simple(12345.67, 0, 90) == 0.0
    # 45,500 € due, 182,000 € sold over a 365-day year: 91.25 days
    assert dso_simple(45500, 182000, 365) == 91.3


def test_dso_count_back():
    # The worked example of the docstring.
    assert dso_count_back(25000, [(10000, 30), (12000, 31), (8000, 30)]) == 72.3
    # Receivables below the last month's sales: a share of one month.
    assert dso_count_back(5000, [(10000, 30)]) == 15.0
    # Exactly one month.
    assert dso_count_back(10000, [(10000, 30), (5000, 31)]) == 30.0
    # A month without sales counts whole while receivables remain.
    assert dso_count_back(15000, [(10000, 30), (0, 31), (10000, 30)]) == 76.0
    # More receivables than the history: all the months.
    assert dso_count_back(99999, [(10000, 30), (10000, 31)]) == 61.0
    assert dso_count_back(0, [(10000, 30)]) == 0.0


def test_cei():
    assert cei(20000, 50000, 25000, 15000) == 81.82
    # Everything collected: 100 %.
    assert cei(10000, 30000, 5000, 5000) == 100.0
    # Nothing collectible.
    assert cei(0, 0, 0, 0) == 0.0


def test_round_half_up():
    assert round_half_up(2.675, 2) == 2.68
    assert round_half_up(72.25, 1) == 72.3
    assert round_half_up(0.125, 2) == 0.13


def test_rate_change_median():
    assert rate(1, 3) == 33.33
    assert rate(5, 0) == 0.0
    assert change(1500, 1200) == 25.0
    assert change(0, 1200) == -100.0
    assert change(10, 0) is None
    assert median([7]) == 7
    assert median([1, 2, 3, 10]) == 2.5


def test_months():
    assert month_starts(date(2026, 11, 23), 12)[0] == date(2025, 12, 1)
    assert month_starts(date(2026, 11, 23), 12)[-1] == date(2026, 11, 1)
    assert month_end(date(2026, 12, 1)) == date(2026, 12, 31)
    assert month_end(date(2026, 2, 1)) == date(2026, 2, 28)


def test_effectiveness():
    result = effectiveness(
        [(1000, [(5, 400), (20, 600)]), (500, [(12, 500)]), (500, [])]
    )
    assert result == {
        "amount": 2000,
        "paid_7": 20.0,
        "paid_15": 45.0,
        "paid_30": 75.0,
        "median_days": 8.5,
    }
    # A payment above the amount reminded counts for the amount reminded.
    assert effectiveness([(100, [(3, 250)])])["paid_7"] == 100.0
    # Payments before the reminder do not count.
    assert effectiveness([(100, [(-2, 100)])]) == {
        "amount": 100,
        "paid_7": 0.0,
        "paid_15": 0.0,
        "paid_30": 0.0,
        "median_days": None,
    }
    assert effectiveness([])["paid_30"] == 0.0
