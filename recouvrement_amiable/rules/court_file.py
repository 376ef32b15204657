"""The court file: what goes to the small-claims procedure or to an order
for payment once amicable recovery failed (LEGAL_FR.md section 6).

* A file may be prepared only after a formal notice was presented to the
  debtor and the deadline it gave has passed, unless a manager gives a
  reason to override.
* A claim of at most 5,000 EUR (principal and interest, CPCE L125-1 and
  R125-1) is proposed the small-claims procedure run by a commissaire de
  justice first; a larger one an injonction de payer: before the commercial
  court between merchants (Cerfa 12946), else the tribunal judiciaire (Cerfa
  12948).
* The claim is itemised per invoice: principal, interest per half-year (each
  half-year has its own rate), the 40 EUR indemnities.
* The ZIP is built here from named files, in a fixed order and with fixed
  timestamps: the same file twice gives the same bytes.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from .interest import half_year_label, to_decimal

SMALL_CLAIMS = "small_claims"
INJONCTION = "injonction"
SMALL_CLAIMS_LIMIT = Decimal("5000.00")

COMMERCIAL_COURT = "commercial"
JUDICIAL_COURT = "judiciaire"

# Why a file cannot be prepared yet.
NO_NOTICE = "no_notice"
NOT_PRESENTED = "not_presented"
DEADLINE_NOT_PASSED = "deadline_not_passed"

# Kinds of chronology entries, in the order of a same day.
EVENT_KINDS = (
    "invoice",
    "reminder",
    "call",
    "promise",
    "dispute",
    "plan",
    "notice",
    "court",
)

CENT = Decimal("0.01")


def _money(value):
    return to_decimal(value or 0).quantize(CENT)


# ---------------------------------------------------------------- route


def proposed_route(principal, interest, limit=SMALL_CLAIMS_LIMIT):
    """SMALL_CLAIMS when principal + interest is at most ``limit`` (the
    costs and indemnities are not counted), else INJONCTION."""
    claim = _money(principal) + _money(interest)
    return SMALL_CLAIMS if claim <= to_decimal(limit) else INJONCTION


def court_kind(creditor_merchant, debtor_merchant):
    """The court of an injonction de payer: commercial between merchants,
    the tribunal judiciaire otherwise."""
    if creditor_merchant and debtor_merchant:
        return COMMERCIAL_COURT
    return JUDICIAL_COURT


def court_name(kind, zip_code="", city=""):
    """The court competent for a debtor whose registered office is at
    ``zip_code`` ``city`` (the debtor's seat), in French; '' when the city
    is unknown (the user fills it)."""
    place = " ".join(part for part in (zip_code or "", city or "") if part).strip()
    if not city:
        return ""
    if kind == COMMERCIAL_COURT:
        return f"Tribunal de commerce compétent pour {place}"
    return f"Tribunal judiciaire compétent pour {place}"


def cerfa(route, kind):
    """The form of the request: Cerfa 12946 (commercial court), 12948
    (tribunal judiciaire), none for the small-claims procedure."""
    if route == SMALL_CLAIMS:
        return ""
    return "12946" if kind == COMMERCIAL_COURT else "12948"


# ---------------------------------------------------------------- opening


def blocking_reason(notice_sent, presented_date, deadline, today, override_reason):
    """Why a court file cannot be prepared on ``today`` ('' when it can):
    no formal notice was sent, it was not presented, or the deadline it
    gave (``deadline``, last day to pay) has not passed. A manager's
    ``override_reason`` lifts every condition."""
    if (override_reason or "").strip():
        return ""
    if not notice_sent:
        return NO_NOTICE
    if not presented_date:
        return NOT_PRESENTED
    if deadline and today <= deadline:
        return DEADLINE_NOT_PASSED
    return ""


# ---------------------------------------------------------------- claim


@dataclass(frozen=True)
class InterestPart:
    """Interest of one invoice for one half-year."""

    label: str  # "H2 2026"
    date_from: date
    date_to: date
    days: int
    rate: Decimal  # percent per year
    amount: Decimal


@dataclass(frozen=True)
class ClaimRow:
    """One invoice of the claim, amounts in the file's currency."""

    reference: str
    invoice_date: date | None
    due_date: date | None
    total: Decimal
    principal: Decimal
    interest_parts: tuple = ()
    indemnity: Decimal = Decimal(0)

    @property
    def interest(self):
        return sum((part.amount for part in self.interest_parts), Decimal(0))

    @property
    def claimed(self):
        return self.principal + self.interest + self.indemnity


def interest_by_half_year(segments):
    """``InterestPart`` per half-year (and rate) of interest segments
    (``rules.interest.InterestSegment``: base, rate, days, amount): a
    segment never crosses a half-year; those of one half-year at one rate
    (several outstanding amounts) are added."""
    parts = {}
    for segment in segments:
        key = (half_year_label(segment.date_from), to_decimal(segment.rate))
        days = (segment.date_to - segment.date_from).days + 1
        amount = to_decimal(segment.amount)
        if key in parts:
            part = parts[key]
            parts[key] = InterestPart(
                part.label,
                min(part.date_from, segment.date_from),
                max(part.date_to, segment.date_to),
                part.days + days,
                part.rate,
                part.amount + amount,
            )
        else:
            parts[key] = InterestPart(
                key[0], segment.date_from, segment.date_to, days, key[1], amount
            )
    return tuple(sorted(parts.values(), key=lambda p: (p.date_from, p.rate)))


@dataclass(frozen=True)
class ClaimTotals:
    principal: Decimal
    interest: Decimal
    indemnity: Decimal
    costs: Decimal
    total: Decimal


def claim_totals(rows, costs=0):
    """Sums of the claim's rows, plus the costs the law lets the creditor
    add (``costs``: 0 when they are not claimed)."""
    principal = sum((row.principal for row in rows), Decimal(0))
    interest = sum((row.interest for row in rows), Decimal(0))
    indemnity = sum((row.indemnity for row in rows), Decimal(0))
    costs = _money(costs)
    return ClaimTotals(
        principal, interest, indemnity, costs, principal + interest + indemnity + costs
    )


def french_amount(value):
    """1234.5 -> '1 234,50' (the French way, non-breaking space)."""
    text = f"{_money(value):,.2f}"
    return text.replace(",", "\u202f").replace(".", ",")


def claim_csv(rows, totals):
    """The itemised claim as CSV (';' separated, '.' decimals), one line per
    invoice and half-year of interest, then the totals."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(
        [
            "invoice",
            "invoice_date",
            "due_date",
            "principal",
            "period",
            "days",
            "rate",
            "interest",
            "indemnity",
        ]
    )
    for row in rows:
        dates = [
            row.invoice_date.isoformat() if row.invoice_date else "",
            row.due_date.isoformat() if row.due_date else "",
        ]
        writer.writerow(
            [row.reference, *dates, f"{row.principal:.2f}", "", "", "", "", ""]
        )
        for part in row.interest_parts:
            writer.writerow(
                [
                    row.reference,
                    "",
                    "",
                    "",
                    part.label,
                    part.days,
                    f"{part.rate:.2f}",
                    f"{part.amount:.2f}",
                    "",
                ]
            )
        if row.indemnity:
            writer.writerow(
                [row.reference, "", "", "", "", "", "", "", f"{row.indemnity:.2f}"]
            )
    for label, value in (
        ("principal", totals.principal),
        ("interest", totals.interest),
        ("indemnities", totals.indemnity),
        ("costs", totals.costs),
        ("total", totals.total),
    ):
        writer.writerow([f"TOTAL {label}", "", "", "", "", "", "", f"{value:.2f}", ""])
    return out.getvalue()


# ---------------------------------------------------------------- chronology


@dataclass(frozen=True, order=True)
class Event:
    """One step of the amicable history."""

    day: date
    order: int = 0
    kind: str = field(default="reminder", compare=False)
    text: str = field(default="", compare=False)


def event(day, kind, text):
    return Event(day, EVENT_KINDS.index(kind), kind, text)


def chronology(events):
    """The events in date order; on a same day, in the order of
    ``EVENT_KINDS`` (invoice first, formal notice after the reminders)."""
    return sorted(event for event in events if event.day)


# ---------------------------------------------------------------- ZIP

_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)
ZIP_TIMESTAMP = (2000, 1, 1, 0, 0, 0)


def safe_file_name(name, default="file"):
    """A file name without path separators or odd characters."""
    cleaned = _UNSAFE.sub("_", name or "").strip(" ._")
    return cleaned or default


def unique_names(names):
    """The names made unique by suffixing '-2', '-3'... before the
    extension, in order."""
    seen = set()
    result = []
    for name in names:
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        candidate, count = name, 1
        while candidate in seen:
            count += 1
            candidate = f"{stem}-{count}.{ext}" if dot else f"{stem}-{count}"
        seen.add(candidate)
        result.append(candidate)
    return result


def build_zip(files):
    """ZIP bytes of ``files`` [(path, bytes)], in that order, with fixed
    timestamps; duplicate paths get a suffix."""
    paths = unique_names([path for path, _content in files])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, (_path, content) in zip(paths, files, strict=True):
            info = zipfile.ZipInfo(path, date_time=ZIP_TIMESTAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            if isinstance(content, str):
                content = content.encode("utf-8")
            archive.writestr(info, content or b"")
    return buffer.getvalue()
