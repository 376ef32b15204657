from datetime import date, datetime

import pytest
from rules.contact_pressure import (
    WAIT_HOURS,
    WAIT_MIN_GAP,
    WAIT_MONTH_LIMIT,
    WAIT_REST_DAY,
    WAIT_WEEK_LIMIT,
    PressureLimits,
    next_contact_slot,
    parse_windows,
)

# LEGAL_FR.md section 5 defaults.
LIMITS = PressureLimits(
    min_days_between=3,
    max_per_7_days=2,
    max_per_30_days=6,
    no_contact_on_sundays=True,
    windows={"phone": ((10, 13), (14, 20)), "sms": ((8, 20),)},
)
# 2026-11-23 is a Monday.
MONDAY_9 = datetime(2026, 11, 23, 9, 0)


def test_email_without_history_goes_now():
    slot = next_contact_slot(MONDAY_9, "email", [], LIMITS)
    assert slot.moment == MONDAY_9 and slot.reason is None


def test_minimum_gap_between_contacts():
    slot = next_contact_slot(MONDAY_9, "email", [datetime(2026, 11, 21, 17)], LIMITS)
    assert slot.moment == datetime(2026, 11, 24) and slot.reason == WAIT_MIN_GAP


def test_two_per_rolling_week():
    contacts = [datetime(2026, 11, 17, 10), datetime(2026, 11, 20, 10)]
    slot = next_contact_slot(MONDAY_9, "email", contacts, LIMITS)
    # The 17th leaves the 7-day window on the 24th.
    assert slot.moment == datetime(2026, 11, 24) and slot.reason == WAIT_WEEK_LIMIT


def test_six_per_rolling_month():
    limits = PressureLimits(min_days_between=0, max_per_7_days=0, max_per_30_days=6)
    contacts = [datetime(2026, 11, day, 10) for day in (1, 5, 9, 13, 17, 21)]
    slot = next_contact_slot(MONDAY_9, "email", contacts, limits)
    assert slot.moment == datetime(2026, 12, 1) and slot.reason == WAIT_MONTH_LIMIT


def test_calls_only_in_allowed_hours():
    slot = next_contact_slot(MONDAY_9, "phone", [], LIMITS)
    assert slot.moment == datetime(2026, 11, 23, 10) and slot.reason == WAIT_HOURS
    lunch = next_contact_slot(datetime(2026, 11, 23, 13, 30), "phone", [], LIMITS)
    assert lunch.moment == datetime(2026, 11, 23, 14)
    evening = next_contact_slot(datetime(2026, 11, 23, 20, 0), "phone", [], LIMITS)
    assert evening.moment == datetime(2026, 11, 24, 10)
    sms = next_contact_slot(datetime(2026, 11, 23, 7, 59), "sms", [], LIMITS)
    assert sms.moment == datetime(2026, 11, 23, 8)


def test_hours_do_not_apply_to_email_and_letters():
    night = datetime(2026, 11, 23, 3, 0)
    assert next_contact_slot(night, "email", [], LIMITS).moment == night
    assert next_contact_slot(night, "letter", [], LIMITS).moment == night


def test_no_sms_or_call_on_sunday_or_holiday():
    sunday = datetime(2026, 11, 22, 11, 0)
    slot = next_contact_slot(sunday, "sms", [], LIMITS)
    assert slot.moment == datetime(2026, 11, 23, 8) and slot.reason == WAIT_REST_DAY
    # Friday 2026-12-25 is Christmas, then Saturday is allowed.
    christmas = datetime(2026, 12, 25, 11, 0)
    slot = next_contact_slot(christmas, "phone", [], LIMITS, {date(2026, 12, 25)})
    assert slot.moment == datetime(2026, 12, 26, 10) and slot.reason == WAIT_REST_DAY
    # An e-mail on Sunday is fine.
    assert next_contact_slot(sunday, "email", [], LIMITS).moment == sunday


def test_limits_combine():
    # Last contact Thursday: the gap ends Sunday, no call on Sunday, Monday 10:00.
    contacts = [datetime(2026, 11, 19, 15)]
    slot = next_contact_slot(datetime(2026, 11, 20, 9), "phone", contacts, LIMITS)
    assert slot.moment == datetime(2026, 11, 23, 10) and slot.reason == WAIT_MIN_GAP


def test_disabled_limits():
    limits = PressureLimits(0, 0, 0, False, {})
    contacts = [datetime(2026, 11, 23, 8)] * 10
    assert next_contact_slot(MONDAY_9, "sms", contacts, limits).moment == MONDAY_9


def test_parse_windows():
    assert parse_windows([(14, 20), (10, 13)]) == [(10.0, 13.0), (14.0, 20.0)]
    for bad in ([(13, 10)], [(10, 25)], [(10, 14), (13, 15)], [(-1, 3)]):
        with pytest.raises(ValueError):
            parse_windows(bad)
