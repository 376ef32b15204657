"""Collective proceedings: the claim declaration deadline and its amounts.

French rules (LEGAL_FR.md section 8):

* From the opening judgment of a sauvegarde, redressement or liquidation
  judiciaire, no action may be taken to obtain payment of a claim born
  before it (Code de commerce L622-21, L631-14, L641-3), and interest stops
  running (L622-28).
* The creditor declares its claims to the mandataire judiciaire (or the
  liquidator) within 2 months of the judgment's publication in the BODACC,
  4 months for a creditor outside metropolitan France (R622-24).
* The declaration states the amount due on the judgment date and what falls
  due later with its dates (L622-25, R622-23).

Money is ``decimal.Decimal``; floats, ints and strings are accepted.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from .interest import to_decimal

SAUVEGARDE = "sauvegarde"
REDRESSEMENT = "redressement"
LIQUIDATION = "liquidation"
KINDS = (SAUVEGARDE, REDRESSEMENT, LIQUIDATION)

METROPOLITAN_MONTHS = 2
OVERSEAS_MONTHS = 4
# Days before the deadline when the creditor is reminded (widest first).
REMINDER_DAYS = (30, 7)


def add_months(day, months):
    """``day`` + ``months`` months, the last day of the month when the same
    day does not exist (31 March + 2 months = 31 May; 31 December + 2 months
    = 28 or 29 February)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(day.day, last))


def declaration_deadline(bodacc_date, outside_metropolitan=False):
    """Last day to declare the claim: the BODACC publication + 2 months
    (4 months outside metropolitan France); None without a publication."""
    if not bodacc_date:
        return None
    months = OVERSEAS_MONTHS if outside_metropolitan else METROPOLITAN_MONTHS
    return add_months(bodacc_date, months)


def reminder_dates(deadline, days=REMINDER_DAYS):
    """The days the creditor is reminded of the deadline, widest first."""
    if not deadline:
        return []
    return [deadline - timedelta(days=d) for d in days]


def date_errors(judgment_date, bodacc_date, today):
    """Codes of what is wrong with the dates of a proceeding:
    ``"judgment_future"``, ``"bodacc_before_judgment"``."""
    errors = []
    if judgment_date and judgment_date > today:
        errors.append("judgment_future")
    if judgment_date and bodacc_date and bodacc_date < judgment_date:
        errors.append("bodacc_before_judgment")
    return errors


@dataclass(frozen=True)
class DeclaredInvoice:
    """What one invoice adds to the declaration."""

    principal: Decimal  # outstanding on the judgment date
    falls_due_later: bool  # due after the judgment date
    paid_after: Decimal  # received after the judgment (to flag, never ask)


def declared_invoice(amount, due_date, judgment_date, payments=()):
    """The principal of an invoice of ``amount`` (incl. VAT) still due on the
    judgment date, given its ``payments`` ((date, amount)): payments
    received up to the judgment day included reduce it; later ones are
    reported apart (they must be returned, L622-7)."""
    amount = to_decimal(amount)
    before = sum((to_decimal(a) for d, a in payments if d <= judgment_date), Decimal(0))
    after = sum((to_decimal(a) for d, a in payments if d > judgment_date), Decimal(0))
    return DeclaredInvoice(
        principal=max(amount - before, Decimal(0)),
        falls_due_later=bool(due_date and due_date > judgment_date),
        paid_after=after,
    )
