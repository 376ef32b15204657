"""Contact pressure: when may the debtor be contacted again?

French law fixes no contact hours for debt recovery, but repeated calls or
messages are harassment (C. pén. 222-16, 222-33-2-2; C. conso. L121-6) and the
DGCCRF treated three calls or letters a week as such. A policy therefore
limits, per debtor: the days between two contacts, the contacts per rolling
7 and 30 days, and for calls and SMS the rest days (Sundays, public holidays)
and the hours of the day. An action that would break a limit waits for the
first moment that breaks none; the reason is shown to the collector.

All datetimes are naive, in the company's timezone.
"""

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

# Channels that reach the debtor in real time, so hours and rest days apply.
REAL_TIME_CHANNELS = frozenset({"sms", "phone"})

WAIT_MIN_GAP = "min_gap"
WAIT_WEEK_LIMIT = "week_limit"
WAIT_MONTH_LIMIT = "month_limit"
WAIT_REST_DAY = "rest_day"
WAIT_HOURS = "hours"


@dataclass(frozen=True)
class PressureLimits:
    """A policy's limits; 0 disables a limit."""

    min_days_between: int = 3
    max_per_7_days: int = 2
    max_per_30_days: int = 6
    no_contact_on_sundays: bool = True
    # Allowed hour windows per real-time channel, as (start, end) floats in
    # hours (14.5 = 14:30), e.g. {"phone": ((10, 13), (14, 20))}.
    windows: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Slot:
    """The first allowed moment and why the action waits (None if it does not)."""

    moment: datetime
    reason: str | None = None


def _window_bounds(day, window):
    start, end = window
    return (
        datetime.combine(day, time()) + timedelta(hours=start),
        datetime.combine(day, time()) + timedelta(hours=end),
    )


def _next_open_moment(moment, windows):
    """``moment`` if inside a window, else the start of the next window
    (possibly on a later day)."""
    for _ in range(8):
        for window in sorted(windows):
            start, end = _window_bounds(moment.date(), window)
            if moment < start:
                return start
            if moment < end:
                return moment
        moment = datetime.combine(moment.date() + timedelta(days=1), time())
    return moment


def next_contact_slot(now, channel, contacts, limits, holidays=frozenset()):
    """The first moment at or after ``now`` when ``channel`` may reach the
    debtor, given the debtor's earlier ``contacts`` (datetimes), the policy's
    ``limits`` and the company's public ``holidays`` (dates).

    The reason returned is the first limit that made the action wait.
    """
    contacts = sorted(contacts)
    moment = now
    reason = None
    real_time = channel in REAL_TIME_CHANNELS
    windows = limits.windows.get(channel) or ()
    for _ in range(400):
        moved = None
        if contacts and limits.min_days_between:
            last = contacts[-1]
            allowed = datetime.combine(
                last.date() + timedelta(days=limits.min_days_between), time()
            )
            if moment < allowed:
                moment, moved = allowed, WAIT_MIN_GAP
        for span, cap, code in (
            (7, limits.max_per_7_days, WAIT_WEEK_LIMIT),
            (30, limits.max_per_30_days, WAIT_MONTH_LIMIT),
        ):
            if moved or not cap:
                continue
            # Contacts on the ``span`` calendar days ending on this day.
            first_day = moment.date() - timedelta(days=span - 1)
            recent = [c for c in contacts if first_day <= c.date() <= moment.date()]
            if len(recent) >= cap:
                # Wait until the oldest counted contact leaves the window.
                oldest = recent[len(recent) - cap]
                moment = datetime.combine(oldest.date() + timedelta(days=span), time())
                moved = code
        if not moved and real_time:
            day = moment.date()
            if (limits.no_contact_on_sundays and day.weekday() == 6) or day in holidays:
                moment = datetime.combine(day + timedelta(days=1), time())
                moved = WAIT_REST_DAY
            elif windows:
                opened = _next_open_moment(moment, windows)
                if opened != moment:
                    moment, moved = opened, WAIT_HOURS
        if not moved:
            return Slot(moment=moment, reason=reason)
        reason = reason or moved
    raise ValueError("no allowed contact moment within 400 steps: check the limits")


def parse_windows(windows):
    """Validate hour windows [(start, end), ...]: within 0-24, start < end,
    not overlapping. Returns them sorted; raises ValueError otherwise."""
    result = sorted((float(start), float(end)) for start, end in windows)
    previous_end = 0.0
    for start, end in result:
        if not (0 <= start < end <= 24):
            raise ValueError(f"invalid hour window {start}-{end}")
        if start < previous_end:
            raise ValueError(f"overlapping hour windows at {start}")
        previous_end = end
    return result
