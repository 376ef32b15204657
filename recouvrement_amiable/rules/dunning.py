"""Which dunning level each invoice of a debtor has reached, and what to send.

A policy is an ordered ladder of levels, each with a delay in days relative to
the due date (negative: a courtesy reminder before the due date) and a
minimum amount owed for the level to be worth it. Invoices climb the ladder
one rung at a time, never skipping a rung they are eligible for, so a debtor
who was never reminded does not receive a formal notice first. A rung whose
minimum amount the debtor's total does not reach is passed over (a small claim
gets no phone call or formal notice). The days a dispute kept the invoice out
of recovery are not counted against the debtor.

Per debtor, all the invoices due for a rung go out in ONE reminder at the
highest rung reached, listing every overdue invoice of that debtor: the
debtor receives one message, not one per invoice.
"""

from dataclasses import dataclass, field
from datetime import date


@dataclass(frozen=True)
class Level:
    """One rung of a policy's ladder."""

    id: int
    sequence: int
    days: int
    min_amount: float = 0.0

    @property
    def is_courtesy(self):
        return self.days < 0


@dataclass(frozen=True)
class OpenInvoice:
    """What the run knows of one open invoice of a debtor."""

    id: int
    due_date: date
    residual: float
    current_level_id: int | None = None
    # Days the invoice spent in dispute: not counted against the debtor.
    paused_days: int = 0
    # A rung the invoice must reach at once (e.g. the policy's level for
    # broken payment plans), when it is above its current one.
    forced_level_id: int | None = None


@dataclass(frozen=True)
class DebtorReminder:
    """The reminder a debtor is due today, if any."""

    level: Level
    # invoice id -> the level it reaches with this reminder (or keeps, for
    # overdue invoices that are listed without climbing).
    invoice_levels: dict = field(default_factory=dict)

    @property
    def invoice_ids(self):
        return list(self.invoice_levels)


def days_late(invoice, on_date):
    """Days past the due date on ``on_date``, disputed days excluded
    (negative before the due date)."""
    late = (on_date - invoice.due_date).days
    if late > 0:
        late = max(late - invoice.paused_days, 0)
    return late


def next_level(levels, invoice, on_date, debtor_total, skip_delay=False):
    """The rung ``invoice`` is due for on ``on_date``, or None.

    ``levels`` is the policy's ladder in order. The candidate is the first
    rung after the invoice's current one whose minimum amount the debtor's
    total reaches; courtesy rungs are only candidates before the due date.
    The invoice is due for it once its delay has passed, or at once when
    ``skip_delay`` (a broken promise to pay moves the debtor on at once).
    A forced level above the current one is due at once, whatever the amount.
    """
    late = days_late(invoice, on_date)
    position = _position(levels, invoice.current_level_id)
    forced = _position(levels, invoice.forced_level_id)
    if forced > position:
        return levels[forced]
    for level in levels[position + 1 :]:
        if level.is_courtesy and late >= 0:
            continue
        if debtor_total < level.min_amount:
            continue
        if skip_delay or late >= level.days:
            return level
        return None
    return None


def plan_reminder(
    levels,
    invoices,
    on_date,
    skip_delay=False,
    internal_level_ids=(),
    held_level_ids=(),
):
    """The reminder a debtor is due on ``on_date`` for its open ``invoices``.

    Returns None when no invoice climbs a rung. Otherwise the reminder is at
    the highest rung reached and lists every overdue invoice and every
    invoice climbing to a courtesy rung, each with the level it reaches (its
    current level when it does not climb). When the highest rung is an
    internal one (``internal_level_ids``: e.g. proposing the file to an
    agency, the debtor is not contacted), only the invoices reaching it climb;
    the others keep their level and climb at a later run. An invoice due
    for one of the ``held_level_ids`` (e.g. a formal notice while the last
    one is too recent) waits at its level: it is listed, and climbs at a
    later run.
    """
    levels = sorted(levels, key=lambda level: (level.sequence, level.days, level.id))
    by_id = {level.id: level for level in levels}
    overdue_total = sum(inv.residual for inv in invoices if days_late(inv, on_date) > 0)
    climbing = {}
    for invoice in invoices:
        # The courtesy rung is sized on what falls due, the others on what
        # is overdue.
        total = overdue_total if days_late(invoice, on_date) > 0 else invoice.residual
        level = next_level(levels, invoice, on_date, total, skip_delay)
        if level and level.id not in held_level_ids:
            climbing[invoice.id] = level
    if not climbing:
        return None
    top = max(climbing.values(), key=lambda level: levels.index(level))
    if top.id in internal_level_ids:
        climbing = {key: level for key, level in climbing.items() if level == top}
    invoice_levels = {}
    for invoice in sorted(invoices, key=lambda inv: (inv.due_date, inv.id)):
        if invoice.id in climbing:
            invoice_levels[invoice.id] = climbing[invoice.id].id
        elif days_late(invoice, on_date) > 0:
            current = by_id.get(invoice.current_level_id)
            invoice_levels[invoice.id] = current.id if current else None
    return DebtorReminder(level=top, invoice_levels=invoice_levels)


def _position(levels, level_id):
    """Index of ``level_id`` in the ladder, -1 when the invoice has none (or a
    level of another policy: it starts again from the bottom)."""
    for index, level in enumerate(levels):
        if level.id == level_id:
            return index
    return -1


@dataclass(frozen=True)
class CurrencyTotal:
    """What a reminder claims in one currency: the invoices' amounts due,
    their penalties, and the debtor's open credits in that currency (credit
    notes and payments not yet allocated, negative), which offset them."""

    currency_id: int
    due: float = 0.0
    interest: float = 0.0
    indemnity: float = 0.0
    credit: float = 0.0

    @property
    def to_pay(self):
        """The amounts due less the open credits (never below zero)."""
        return max(self.due + self.credit, 0.0)

    @property
    def claimed(self):
        """Amounts due and penalties, less the open credits."""
        return max(self.due + self.interest + self.indemnity + self.credit, 0.0)


def totals_by_currency(amounts, first_currency_id=None, credits=None):
    """One ``CurrencyTotal`` per currency of ``amounts`` (iterable of
    (currency id, due, interest, indemnity), each in its invoice's
    currency): a debtor owes each invoice in its own currency, so amounts in
    different currencies are never added. ``credits``: {currency id: open
    credits (negative)} of the debtor; only those in a currency of
    ``amounts`` offset them. ``first_currency_id`` (the company's) comes
    first, the others in the order they appear."""
    sums = {}
    for currency_id, due, interest, indemnity in amounts:
        total = sums.setdefault(currency_id, [0.0, 0.0, 0.0])
        total[0] += due or 0.0
        total[1] += interest or 0.0
        total[2] += indemnity or 0.0
    credits = credits or {}
    order = sorted(sums, key=lambda currency_id: currency_id != first_currency_id)
    return [
        CurrencyTotal(currency_id, *sums[currency_id], credits.get(currency_id, 0.0))
        for currency_id in order
    ]
