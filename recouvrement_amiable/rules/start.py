"""Starting recovery on a database that already has overdue invoices.

The first time recovery is switched on, an invoice 90 days late would start
at the first rung of the ladder and need weeks of runs to reach the level its
age calls for. The user may instead *place* each overdue invoice at that
level: nothing is sent, the placement is recorded as imported, and the next
rung follows from it.

Placement never reaches a *stop* rung (a formal notice, a hand-over to an
agency, any level whose reminders wait for validation) nor goes beyond one:
a debtor must not be taken for formally notified when no notice was sent.
Such invoices are placed just below, and the next run plans the stop rung,
which waits for a collector's validation as always.
"""

from dataclasses import dataclass

from .dunning import _position, days_late

PLACE = "place"
CLIMB = "climb"


@dataclass(frozen=True)
class LevelCount:
    """How many invoices and debtors land on one level."""

    level_id: int
    invoices: int
    debtors: int


def placement_level(levels, invoice, on_date, debtor_total, stop_level_ids=()):
    """The rung ``invoice`` is placed at on ``on_date``, or None.

    ``levels`` is the ladder in order. The rung is the highest one, above the
    invoice's current level, whose delay has passed and whose minimum amount
    the debtor's overdue ``debtor_total`` reaches; courtesy rungs are never
    placed (the invoice is overdue), and placement stops below the first
    rung of ``stop_level_ids``.
    """
    late = days_late(invoice, on_date)
    if late <= 0:
        return None
    position = _position(levels, invoice.current_level_id)
    placed = None
    for index, level in enumerate(levels):
        if level.id in stop_level_ids or late < level.days:
            break
        if level.is_courtesy or debtor_total < level.min_amount:
            continue
        if index > position:
            placed = level
    return placed


def plan_placement(levels, invoices, on_date, stop_level_ids=()):
    """{invoice id: Level} the invoices of one debtor are placed at (those
    that climb; the others are left out)."""
    levels = sorted(levels, key=lambda level: (level.sequence, level.days, level.id))
    overdue_total = sum(inv.residual for inv in invoices if days_late(inv, on_date) > 0)
    result = {}
    for invoice in invoices:
        level = placement_level(levels, invoice, on_date, overdue_total, stop_level_ids)
        if level:
            result[invoice.id] = level
    return result


def count_by_level(placements):
    """``placements``: {debtor key: {invoice id: Level}}. One ``LevelCount``
    per level reached, in the ladder's order (sequence, days)."""
    invoices, debtors, levels = {}, {}, {}
    for debtor, placed in placements.items():
        for level in placed.values():
            levels[level.id] = level
            invoices[level.id] = invoices.get(level.id, 0) + 1
            debtors.setdefault(level.id, set()).add(debtor)
    order = sorted(levels.values(), key=lambda lv: (lv.sequence, lv.days, lv.id))
    return [
        LevelCount(level.id, invoices[level.id], len(debtors[level.id]))
        for level in order
    ]


def first_rung(levels, invoices, on_date):
    """The first rung the next run sends when the invoices climb one rung at
    a time (no placement): the first non-courtesy rung whose delay passed for
    at least one overdue invoice and whose minimum the overdue total reaches,
    or None."""
    levels = sorted(levels, key=lambda level: (level.sequence, level.days, level.id))
    overdue = [inv for inv in invoices if days_late(inv, on_date) > 0]
    if not overdue:
        return None
    total = sum(inv.residual for inv in overdue)
    oldest = max(days_late(inv, on_date) for inv in overdue)
    for level in levels:
        if level.is_courtesy or total < level.min_amount:
            continue
        return level if oldest >= level.days else None
    return None
