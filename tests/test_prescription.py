from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rules.prescription import (
    ACKNOWLEDGMENT,
    BARRED,
    CONSUMER,
    COURT_CLAIM,
    FORMAL_NOTICE,
    PARTIAL_PAYMENT,
    PROFESSIONAL,
    SIGNED_PLAN,
    Event,
    add_years,
    prescription,
    warning,
    years_for,
)

# ---------------------------------------------------------------- LEGAL_FR examples


def test_b2b_five_years():
    result = prescription(date(2021, 3, 10), years_for(PROFESSIONAL))
    assert result.last_day == date(2026, 3, 10)
    assert result.barred_from == date(2026, 3, 11)
    assert not result.is_barred(date(2026, 3, 10))
    assert result.is_barred(date(2026, 3, 11))
    assert not result.interrupted


def test_signed_plan_restarts_the_period():
    result = prescription(date(2021, 3, 10), 5, [Event(date(2023, 6, 1), SIGNED_PLAN)])
    assert result.start == date(2023, 6, 1)
    assert result.last_day == date(2028, 6, 1)
    assert result.interrupted


def test_consumer_two_years():
    result = prescription(date(2024, 2, 1), years_for(CONSUMER))
    assert result.last_day == date(2026, 2, 1)
    assert result.barred_from == date(2026, 2, 2)


# ---------------------------------------------------------------- interruptions


def test_partial_payment_restarts_the_period():
    result = prescription(date(2024, 2, 1), 2, [(date(2025, 1, 15), PARTIAL_PAYMENT)])
    assert result.last_day == date(2027, 1, 15)


def test_formal_notice_does_not_restart_the_period():
    plain = prescription(date(2024, 2, 1), 2)
    with_notice = prescription(
        date(2024, 2, 1), 2, [Event(date(2025, 12, 1), FORMAL_NOTICE)]
    )
    assert with_notice == plain
    assert not with_notice.interrupted


@pytest.mark.parametrize(
    "kind", [ACKNOWLEDGMENT, COURT_CLAIM, SIGNED_PLAN, PARTIAL_PAYMENT]
)
def test_every_acknowledgment_kind_interrupts(kind):
    assert prescription(
        date(2024, 2, 1), 2, [(date(2025, 2, 1), kind)]
    ).last_day == date(2027, 2, 1)


def test_latest_interruption_wins_in_any_order():
    events = [
        (date(2025, 6, 1), PARTIAL_PAYMENT),
        (date(2024, 6, 1), SIGNED_PLAN),
        (date(2026, 1, 1), FORMAL_NOTICE),
    ]
    assert prescription(date(2024, 2, 1), 2, events).last_day == date(2027, 6, 1)


def test_nothing_revives_a_time_barred_claim():
    result = prescription(date(2021, 1, 10), 2, [(date(2023, 1, 11), PARTIAL_PAYMENT)])
    assert result.last_day == date(2023, 1, 10)
    assert not result.interrupted
    # The last day itself still counts.
    result = prescription(date(2021, 1, 10), 2, [(date(2023, 1, 10), PARTIAL_PAYMENT)])
    assert result.last_day == date(2025, 1, 10)


def test_event_before_the_start_ignored():
    result = prescription(date(2024, 2, 1), 2, [(date(2024, 1, 1), PARTIAL_PAYMENT)])
    assert result.last_day == date(2026, 2, 1)


def test_configurable_years_and_errors():
    assert years_for(PROFESSIONAL, 3, 1) == 3
    assert years_for(CONSUMER, 3, 1) == 1
    with pytest.raises(ValueError):
        years_for("other")
    with pytest.raises(ValueError):
        prescription(date(2024, 2, 1), 0)
    with pytest.raises(ValueError):
        Event(date(2024, 2, 1), "phone_call")


def test_29_february():
    assert add_years(date(2024, 2, 29), 2) == date(2026, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)
    assert prescription(date(2024, 2, 29), 5).barred_from == date(2029, 3, 1)


# ---------------------------------------------------------------- warnings


def test_warning_horizons():
    barred_from = date(2026, 3, 11)
    assert warning(barred_from, date(2025, 12, 10)) is None  # 91 days left
    assert warning(barred_from, date(2025, 12, 11)) == 90
    assert warning(barred_from, date(2026, 2, 8)) == 90  # 31 days left
    assert warning(barred_from, date(2026, 2, 9)) == 30
    assert warning(barred_from, date(2026, 3, 10)) == 30  # last day
    assert warning(barred_from, date(2026, 3, 11)) == BARRED
    assert warning(barred_from, date(2027, 1, 1)) == BARRED
    # Configurable, in any order; 0 disables a horizon.
    assert warning(barred_from, date(2026, 1, 1), (30, 120)) == 120
    assert warning(barred_from, date(2026, 1, 1), (0,)) is None


@given(
    start=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    years=st.integers(1, 10),
    offsets=st.lists(
        st.tuples(
            st.integers(0, 4000), st.sampled_from([PARTIAL_PAYMENT, FORMAL_NOTICE])
        ),
        max_size=5,
    ),
)
def test_properties(start, years, offsets):
    events = [(start + timedelta(days=offset), kind) for offset, kind in offsets]
    result = prescription(start, years, events)
    notices_only = [(d, k) for d, k in events if k == FORMAL_NOTICE]
    # Never earlier than without events; notices alone change nothing.
    assert result.last_day >= add_years(start, years)
    assert prescription(start, years, notices_only) == prescription(start, years)
    # The period always runs the full number of years from its start.
    assert result.last_day == add_years(result.start, years)
    assert result.start == start or (result.start, PARTIAL_PAYMENT) in events
