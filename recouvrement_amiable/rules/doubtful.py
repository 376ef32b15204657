"""Doubtful receivables: reclassification, depreciation and write-off.

French rules (LEGAL_FR.md section 9, Plan comptable général):

* A receivable whose recovery is uncertain moves from 411 to 416 for its
  amount including VAT.
* Its depreciation is booked on the amount excluding VAT at an estimated
  rate (debit 6817, credit 491), adjusted at each closing: an increase
  (6817) or a reversal (debit 491, credit 7817).
  Example: 1,200.00 incl. 200.00 VAT at 50 % -> 500.00.
* A certain loss is written off: 654 for the amount excluding VAT (6541
  claims of the year, 6544 of earlier years), 44571 for the VAT when it was
  due on invoicing (CGI 272-1: recovered through a rectifying credit note),
  416 credited with the total; the depreciation is reversed (491 / 7817).
  Under VAT on receipts nothing is recovered: the whole loss goes to 654.
  Example: 1,200.00 incl. 200.00 VAT on debits, provision 500.00 ->
  654 1,000.00 + 44571 200.00 / 416 1,200.00; 491 500.00 / 7817 500.00.

Money is ``decimal.Decimal``; floats, ints and strings are accepted.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .interest import to_decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)

# What makes an invoice doubtful (policy rules).
LEVEL = "level"
AGENCY = "agency"
PROCEEDING = "proceeding"
DISPUTE = "dispute"
OVERDUE = "overdue"
TRIGGERS = (LEVEL, AGENCY, PROCEEDING, DISPUTE, OVERDUE)


def _round(value, rounding=CENT):
    return to_decimal(value).quantize(to_decimal(rounding), rounding=ROUND_HALF_UP)


def check_rate(rate):
    """A depreciation rate in percent, between 0 and 100 included."""
    rate = to_decimal(rate)
    if rate < 0 or rate > HUNDRED:
        raise ValueError(f"A depreciation rate is between 0 and 100 %, got {rate}.")
    return rate


def untaxed_part(residual, total, untaxed, rounding=CENT):
    """The part excluding VAT of what remains due (``residual`` incl. VAT)
    of an invoice of ``total`` incl. VAT and ``untaxed`` excl. VAT, in
    proportion (a partial payment settles VAT and base alike)."""
    residual, total, untaxed = map(to_decimal, (residual, total, untaxed))
    if not total:
        return Decimal(0)
    if residual == total:
        return _round(untaxed, rounding)
    return _round(residual * untaxed / total, rounding)


def depreciation(base_untaxed, rate, rounding=CENT):
    """The depreciation of a debtor: ``rate`` % of its doubtful amount
    excluding VAT."""
    return _round(to_decimal(base_untaxed) * check_rate(rate) / HUNDRED, rounding)


@dataclass(frozen=True)
class Adjustment:
    increase: Decimal  # 6817 / 491
    reversal: Decimal  # 491 / 7817


def adjustment(previous, new):
    """How a closing moves a depreciation from ``previous`` to ``new``."""
    previous, new = to_decimal(previous), to_decimal(new)
    delta = new - previous
    if delta >= 0:
        return Adjustment(delta, Decimal(0))
    return Adjustment(Decimal(0), -delta)


@dataclass(frozen=True)
class WriteOff:
    loss_account: str  # "6541" (claims of the year) or "6544" (earlier)
    loss: Decimal  # debit 654x
    vat: Decimal  # debit 44571 (rectifying credit note)
    total: Decimal  # credit 416
    reversal: Decimal  # debit 491 / credit 7817


def write_off(total, tax, vat_on_debits, same_year, provision=0):
    """The write-off of a certain loss of ``total`` incl. ``tax``: the VAT
    is recovered only when it was due on invoicing (``vat_on_debits``)."""
    total, tax = to_decimal(total), to_decimal(tax)
    vat = tax if vat_on_debits else Decimal(0)
    return WriteOff(
        loss_account="6541" if same_year else "6544",
        loss=total - vat,
        vat=vat,
        total=total,
        reversal=to_decimal(provision),
    )
