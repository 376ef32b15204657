"""Prescription: the date a claim becomes time-barred, and the warnings.

French rules (LEGAL_FR.md section 3):

* Between professionals the claim is time-barred 5 years after the service
  (Code de commerce L110-4); against a consumer, 2 years (Code de la
  consommation L218-2). The invoice (or delivery) date stands for the
  service; both durations are settings.
* The period runs from the day after its start and ends on the same date N
  years later (a 29 February start ends on 28 February): the claim can be
  pursued up to that last day and is time-barred from the next day.
  Example: service 2021-03-10, 5 years -> last day 2026-03-10, time-barred
  from 2026-03-11.
* The debtor's acknowledgment interrupts it and a full new period restarts
  from that day (Code civil 2231, 2240): a partial payment or a signed
  installment plan; so does a court claim (2241). An interruption after the
  claim is already time-barred revives nothing.
* A formal notice, even registered, does NOT interrupt it.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

PROFESSIONAL = "professional"
CONSUMER = "consumer"

PROFESSIONAL_YEARS = 5
CONSUMER_YEARS = 2
# Days before the time-bar date when a claim is flagged (widest first).
DEFAULT_WARNING_DAYS = (90, 30)

# What can happen to a claim.
PARTIAL_PAYMENT = "partial_payment"
SIGNED_PLAN = "signed_plan"
ACKNOWLEDGMENT = "acknowledgment"
COURT_CLAIM = "court_claim"
FORMAL_NOTICE = "formal_notice"
EVENT_KINDS = (PARTIAL_PAYMENT, SIGNED_PLAN, ACKNOWLEDGMENT, COURT_CLAIM, FORMAL_NOTICE)
# The events that restart the period.
INTERRUPTING = frozenset({PARTIAL_PAYMENT, SIGNED_PLAN, ACKNOWLEDGMENT, COURT_CLAIM})

BARRED = "barred"


def add_years(day, years):
    """``day`` ``years`` later; 29 February becomes 28 February."""
    year = day.year + years
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return day.replace(year=year)


def years_for(
    debtor_type, professional_years=PROFESSIONAL_YEARS, consumer_years=CONSUMER_YEARS
):
    """The length of the period for ``debtor_type``."""
    if debtor_type == CONSUMER:
        return consumer_years
    if debtor_type == PROFESSIONAL:
        return professional_years
    raise ValueError(f"Unknown debtor type {debtor_type!r}.")


@dataclass(frozen=True)
class Event:
    date: date
    kind: str

    def __post_init__(self):
        if self.kind not in EVENT_KINDS:
            raise ValueError(f"Unknown event kind {self.kind!r}.")


@dataclass(frozen=True)
class Prescription:
    start: date  # the service, or the last interruption
    last_day: date  # the last day the claim can be pursued
    interrupted: bool = False

    @property
    def barred_from(self):
        """The first day the claim is time-barred."""
        return self.last_day + timedelta(days=1)

    def is_barred(self, on_date):
        return on_date >= self.barred_from

    def days_left(self, on_date):
        """Days from ``on_date`` until the claim is time-barred (0 or less:
        it is)."""
        return (self.barred_from - on_date).days


def prescription(start, years, events=()):
    """The prescription of a claim born on ``start``, with a period of
    ``years`` years, given the ``events`` (``Event`` or (date, kind)) that
    happened to it: interrupting ones restart a full period from their date
    while the claim is still alive; the others (a formal notice) change
    nothing."""
    if years <= 0:
        raise ValueError(f"The prescription period must be positive, got {years}.")
    events = sorted(
        (e if isinstance(e, Event) else Event(*e) for e in events),
        key=lambda e: e.date,
    )
    current = Prescription(start, add_years(start, years))
    for event in events:
        if event.kind not in INTERRUPTING or event.date <= current.start:
            continue
        if event.date > current.last_day:
            break  # already time-barred: nothing revives it
        current = Prescription(event.date, add_years(event.date, years), True)
    return current


def warning(barred_from, on_date, horizons=DEFAULT_WARNING_DAYS):
    """``BARRED`` when the claim is time-barred on ``on_date``, else the
    smallest horizon (days) within which it becomes time-barred, else None.
    """
    left = (barred_from - on_date).days
    if left <= 0:
        return BARRED
    for horizon in sorted(h for h in horizons if h and h > 0):
        if left <= horizon:
            return horizon
    return None
