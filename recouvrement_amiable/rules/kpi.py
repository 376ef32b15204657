"""The cockpit's arithmetic: DSO, ageing, CEI, rates and medians.

Plain Python (no Odoo import): ``recouvrement.kpi`` gathers the amounts
with ``_read_group`` and calls these functions. Every formula has a worked
example, checked by ``tests/test_kpi.py``.
"""

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

# Age buckets of an open invoice, by days past its due date:
# (key, first day, last day or None). Day 0 and before: not due yet.
AGING_BUCKETS = [
    ("not_due", None, 0),
    ("1_30", 1, 30),
    ("31_60", 31, 60),
    ("61_90", 61, 90),
    ("91_180", 91, 180),
    ("over_180", 181, None),
]
AGING_KEYS = [key for key, _first, _last in AGING_BUCKETS]

# Days after a reminder within which a payment counts for its effectiveness.
EFFECTIVENESS_WINDOWS = (7, 15, 30)


def aging_bucket(days_late):
    """The bucket key of an invoice ``days_late`` days past due.

    >>> aging_bucket(0), aging_bucket(1), aging_bucket(30), aging_bucket(31)
    ('not_due', '1_30', '1_30', '31_60')
    >>> aging_bucket(180), aging_bucket(181), aging_bucket(-12)
    ('91_180', 'over_180', 'not_due')
    """
    for key, first, last in AGING_BUCKETS:
        if (first is None or days_late >= first) and (
            last is None or days_late <= last
        ):
            return key
    raise ValueError(days_late)  # pragma: no cover - the buckets cover all


def bucket_bounds(key, on_date):
    """The due dates (first, last; None: open) of bucket ``key`` on
    ``on_date``, for a domain on ``date_maturity``.

    >>> bucket_bounds("1_30", date(2026, 11, 30))
    (datetime.date(2026, 10, 31), datetime.date(2026, 11, 29))
    >>> bucket_bounds("not_due", date(2026, 11, 30))
    (datetime.date(2026, 11, 30), None)
    """
    for bucket, first, last in AGING_BUCKETS:
        if bucket == key:
            earliest = on_date - timedelta(days=last) if last is not None else None
            latest = on_date - timedelta(days=first) if first is not None else None
            return earliest, latest
    raise ValueError(key)


def round_half_up(value, digits):
    """``value`` rounded half away from zero, as accountants round (Python's
    ``round`` rounds half to even, and floats such as 72.25 both ways).

    >>> round_half_up(72.25, 1), round_half_up(81.815, 2), round_half_up(-0.5, 0)
    (72.3, 81.82, -1.0)
    """
    return float(
        Decimal(repr(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    )


def rate(part, whole, digits=2):
    """``part`` as a percentage of ``whole``, 0 when ``whole`` is 0.

    >>> rate(150, 600)
    25.0
    >>> rate(-1e-12, 600)  # never "-0.00"
    0.0
    """
    if not whole:
        return 0.0
    return round_half_up(100.0 * part / whole, digits) + 0.0


def change(current, previous, digits=2):
    """Change from ``previous`` to ``current`` in percent; None without a
    previous figure.

    >>> change(1100, 1000), change(900, 1000), change(5, 0)
    (10.0, -10.0, None)
    """
    if not previous:
        return None
    return round_half_up(100.0 * (current - previous) / abs(previous), digits)


def median(values):
    """The median of ``values`` (None when empty).

    >>> median([3, 10, 5]), median([4, 10, 6, 2]), median([])
    (5, 5.0, None)
    """
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return None
    if n % 2:
        return ordered[n // 2]
    return (ordered[n // 2 - 1] + ordered[n // 2]) / 2


def dso_simple(receivables, sales, days):
    """Simple DSO: receivables ÷ sales of the period × days of the period.

    Worked example: 30,000 € still due, 90,000 € invoiced over 90 days:
    30,000 / 90,000 × 90 = 30.0 days.

    >>> dso_simple(30000, 90000, 90)
    30.0
    """
    if not sales:
        return 0.0
    return round_half_up(receivables / sales * days, 1)


def dso_count_back(receivables, months):
    """DSO by the count-back method.

    ``months``: (sales, days in month), the month of the closing date first,
    then the months before it. The receivables are "counted back" against
    the sales of each month, newest first: a month whose sales the
    remaining receivables cover counts for all its days, the last one for
    its share.

    Worked example: 25,000 € receivable at 30 November; sales of
    November 10,000 € (30 days), October 12,000 € (31 days), September
    8,000 € (30 days). November and October use up 22,000 €, the 3,000 €
    left are 3/8 of September: 30 + 31 + 30 × 3,000 / 8,000 = 72.25, shown
    72.3 days.

    >>> dso_count_back(25000, [(10000, 30), (12000, 31), (8000, 30)])
    72.3
    """
    remaining = receivables
    days_total = 0.0
    for sales, days in months:
        if remaining <= 0:
            break
        if sales <= 0:
            days_total += days
            continue
        if remaining >= sales:
            days_total += days
            remaining -= sales
        else:
            days_total += days * remaining / sales
            remaining = 0
    return round_half_up(days_total, 1)


def cei(opening, sales, closing, closing_current):
    """Collection effectiveness index of a period, in percent.

    CEI = (opening receivables + sales − closing receivables)
          ÷ (opening receivables + sales − closing current receivables)
          × 100, where "current" is what is not yet due at the close.

    Worked example: 20,000 € open at the start, 50,000 € invoiced,
    25,000 € open at the end of which 15,000 € not yet due:
    (20,000 + 50,000 − 25,000) / (20,000 + 50,000 − 15,000) = 45/55
    = 81.82 %.

    >>> cei(20000, 50000, 25000, 15000)
    81.82
    """
    collectible = opening + sales - closing_current
    if collectible <= 0:
        return 0.0
    return rate(opening + sales - closing, collectible)


def month_starts(date_to, count=12):
    """The first days of the ``count`` months ending with ``date_to``'s,
    oldest first.

    >>> month_starts(date(2026, 2, 10), 3)
    [datetime.date(2025, 12, 1), datetime.date(2026, 1, 1), datetime.date(2026, 2, 1)]
    """
    year, month = date_to.year, date_to.month
    starts = []
    for _i in range(count):
        starts.append(date(year, month, 1))
        month -= 1
        if not month:
            year, month = year - 1, 12
    return starts[::-1]


def month_end(start):
    """The last day of the month starting on ``start``.

    >>> month_end(date(2024, 2, 1))
    datetime.date(2024, 2, 29)
    """
    following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return following - timedelta(days=1)


def effectiveness(reminders, windows=EFFECTIVENESS_WINDOWS):
    """Effectiveness of reminders: ``reminders`` is a list of (amount
    reminded, [(days after the reminder, amount paid)]). Returns the share
    of the amount reminded paid within each window (percent), and the
    median days to payment of the reminders fully or partly paid (first
    payment).

    Worked example: 1,000 € reminded, 400 € paid 5 days later and 600 €
    20 days later; 500 € reminded, paid 12 days later; 500 € never paid.
    Within 7 days 400/2,000 = 20 %, within 15 days 900/2,000 = 45 %, within
    30 days 1,500/2,000 = 75 %; first payments after 5 and 12 days: median
    8.5 days.

    >>> effectiveness([(1000, [(5, 400), (20, 600)]), (500, [(12, 500)]),
    ...                (500, [])])
    {'amount': 2000, 'paid_7': 20.0, 'paid_15': 45.0, 'paid_30': 75.0, \
'median_days': 8.5}
    """
    total = sum(amount for amount, _payments in reminders)
    result = {"amount": total}
    for window in windows:
        paid = sum(
            min(amount, sum(paid for days, paid in payments if 0 <= days <= window))
            for amount, payments in reminders
        )
        result[f"paid_{window}"] = rate(paid, total)
    result["median_days"] = median(
        [
            min(days for days, _paid in payments if days >= 0)
            for _amount, payments in reminders
            if any(days >= 0 for days, _paid in payments)
        ]
    )
    return result
