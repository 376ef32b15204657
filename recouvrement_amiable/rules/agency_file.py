"""The file handed to a collection agency: rows of three sheets, XLSX and CSV.

The Odoo layer gathers, for a batch of debtors handed to one agency, plain
dataclasses (``Debtor``, ``Invoice``, ``Reminder``); this module builds the
rows of the three sheets the agency reads and writes them:

- "Dossiers": one row per debtor (one agency case): identity, identifiers
  checked with python-stdnum, phone numbers normalised to E.164, contacts,
  the claim itemised (principal, interest, indemnities, total), oldest due
  date, last reminder, open dispute, past installment plans, mandate;
- "Factures": one row per invoice, with its days overdue on the transfer
  date and its own interest and indemnity;
- "Historique": every reminder performed for these invoices.

A wrong or missing identifier or phone number is never dropped: the value
is written as typed and a check column beside it says what is wrong.

XLSX (xlsxwriter): dates and amounts are typed cells (dates ``dd/mm/yyyy``,
amounts ``#,##0.00``, which a French spreadsheet shows as ``1 234,56``),
frozen header row, filters and column widths. CSV: one file per sheet,
``;`` separator, UTF-8 with a BOM, dates ``dd/mm/yyyy`` and decimal commas,
so that a French spreadsheet opens it as it is.

Column titles and the words of the check columns come from ``labels``
(English by default; the Odoo layer passes them translated in the agency's
language). Sheet names are fixed: agencies' import tools rely on them.
"""

import csv
import io
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

import xlsxwriter

from .identifiers import (
    INVALID,
    MISSING,
    check_siren,
    check_siret,
    check_vat,
    normalize_mobile,
    normalize_phone,
    siren_from_siret,
)

SHEET_DEBTORS = "Dossiers"
SHEET_INVOICES = "Factures"
SHEET_HISTORY = "Historique"

# Kinds of cells.
TEXT = "text"
DATE = "date"
AMOUNT = "amount"
INTEGER = "integer"

# Excel formats: the separators of a number format are shown in the reader's
# locale, so "#,##0.00" reads 1 234,56 in a French spreadsheet.
XLSX_FORMATS = {DATE: "dd/mm/yyyy", AMOUNT: "#,##0.00", INTEGER: "0"}
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_DATE_FORMAT = "%d/%m/%Y"
CSV_DELIMITER = ";"
MIN_WIDTH = 8
MAX_WIDTH = 50

# French legal forms recognised at either end of a company's name.
LEGAL_FORMS = (
    "SASU",
    "SAS",
    "SARL",
    "SA",
    "EURL",
    "SCI",
    "SNC",
    "SCOP",
    "SCP",
    "SCM",
    "SELARL",
    "SELAS",
    "EIRL",
    "EI",
    "GIE",
)
_LEGAL_FORM_RE = re.compile(
    r"(?:^|[\s,(])(" + "|".join(LEGAL_FORMS) + r")(?:$|[\s,.)])"
)

DEFAULT_LABELS = {
    # Dossiers
    "case_ref": "Case reference",
    "debtor": "Debtor",
    "debtor_type": "Debtor type",
    "legal_form": "Legal form",
    "siren": "SIREN",
    "siren_check": "SIREN check",
    "siret": "SIRET",
    "siret_check": "SIRET check",
    "vat": "VAT number",
    "vat_check": "VAT check",
    "address": "Address",
    "zip": "ZIP",
    "city": "City",
    "country": "Country",
    "phone": "Phone",
    "phone_check": "Phone check",
    "mobile": "Mobile",
    "mobile_check": "Mobile check",
    "email": "E-mail",
    "contact": "Contact person",
    "invoice_count": "Invoices",
    "principal": "Principal due",
    "interest": "Late-payment interest",
    "indemnity": "Recovery indemnities",
    "total_claimed": "Total claimed",
    "currency": "Currency",
    "oldest_due_date": "Oldest due date",
    "last_reminder_date": "Last reminder",
    "last_reminder_channel": "Last reminder channel",
    "open_dispute": "Open dispute",
    "past_plans": "Past installment plans",
    "mandate_ref": "Mandate reference",
    "mandate_date": "Mandate date",
    # Factures
    "invoice": "Invoice",
    "invoice_date": "Invoice date",
    "due_date": "Due date",
    "total": "Invoice total",
    "residual": "Amount due",
    "days_overdue": "Days overdue",
    "level": "Dunning level",
    "invoice_indemnity": "Recovery indemnity",
    # Historique
    "date": "Date",
    "reference": "Reminder",
    "channel": "Channel",
    "invoices": "Invoices",
    "outcome": "Outcome",
    # Words of the cells
    "ok": "OK",
    "missing": "Missing",
    "invalid": "Invalid",
    "reason_format": "wrong format",
    "reason_checksum": "wrong check digit",
    "reason_not_mobile": "not a mobile number",
    "reason_unknown_number": "number does not exist",
    "yes": "Yes",
    "no": "No",
    "professional": "Professional",
    "consumer": "Consumer",
}


@dataclass(frozen=True)
class Debtor:
    """One debtor of the batch: one agency case."""

    case_ref: str
    name: str
    professional: bool = True
    siren: str = ""
    siret: str = ""
    vat: str = ""
    street: str = ""
    street2: str = ""
    zip: str = ""
    city: str = ""
    country_code: str = ""
    country: str = ""
    phone: str = ""
    mobile: str = ""
    email: str = ""
    contact: str = ""
    currency: str = "EUR"
    open_dispute: bool = False
    past_plans: int = 0
    mandate_ref: str = ""
    mandate_date: date | None = None


@dataclass(frozen=True)
class Invoice:
    """One invoice handed over. Amounts in the invoice currency; the
    ``company_*`` amounts (the debtor's currency of the Dossiers sheet) are
    the same when left empty."""

    case_ref: str
    number: str
    invoice_date: date | None
    due_date: date | None
    total: float
    residual: float
    currency: str = "EUR"
    level: str = ""
    interest: float = 0.0
    indemnity: float = 0.0
    company_residual: float | None = None
    company_interest: float | None = None
    company_indemnity: float | None = None

    @property
    def claimed(self):
        return self.residual + self.interest + self.indemnity


@dataclass(frozen=True)
class Reminder:
    """One reminder performed for invoices of the batch."""

    case_ref: str
    date: date
    reference: str = ""
    channel: str = ""
    level: str = ""
    invoice_numbers: tuple = ()
    outcome: str = ""


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = TEXT


@dataclass
class Sheet:
    name: str
    columns: list
    rows: list = field(default_factory=list)


# ---------------------------------------------------------------- values


def legal_form(name):
    """The French legal form written in a company's name ('Durand SARL'
    -> 'SARL'), else ''."""
    match = _LEGAL_FORM_RE.search(name or "")
    return match.group(1) if match else ""


def days_overdue(due_date, on_date):
    """Days past the due date on ``on_date`` (0 when not yet due)."""
    if not due_date:
        return 0
    return max((on_date - due_date).days, 0)


def siren_from_vat(value):
    """The SIREN inside a valid French VAT number, else ''."""
    checked = check_vat(value)
    if checked.is_valid and checked.normalized.startswith("FR"):
        digits = checked.normalized[4:]
        return digits if digits.isdigit() and len(digits) == 9 else ""
    return ""


def check_text(checked, labels, applicable=True):
    """The check column of a value: OK, Missing, Invalid (reason); empty for
    a missing value that does not apply (a consumer's SIREN)."""
    if checked.status == MISSING:
        return labels["missing"] if applicable else ""
    if checked.status == INVALID:
        reason = labels.get(f"reason_{checked.reason}", checked.reason)
        return f"{labels['invalid']} ({reason})" if reason else labels["invalid"]
    return labels["ok"]


def shown_value(checked):
    """The normalised value when valid, the value as typed otherwise."""
    return checked.normalized if checked.is_valid else (checked.raw or "").strip()


def _company(value, default):
    return default if value is None else value


def _round(value):
    return round(value + 0.0, 2)


# ---------------------------------------------------------------- rows


def _columns(keys, labels):
    return [Column(key, labels[key], kind) for key, kind in keys]


DEBTOR_COLUMNS = (
    ("case_ref", TEXT),
    ("debtor", TEXT),
    ("debtor_type", TEXT),
    ("legal_form", TEXT),
    ("siren", TEXT),
    ("siren_check", TEXT),
    ("siret", TEXT),
    ("siret_check", TEXT),
    ("vat", TEXT),
    ("vat_check", TEXT),
    ("address", TEXT),
    ("zip", TEXT),
    ("city", TEXT),
    ("country", TEXT),
    ("phone", TEXT),
    ("phone_check", TEXT),
    ("mobile", TEXT),
    ("mobile_check", TEXT),
    ("email", TEXT),
    ("contact", TEXT),
    ("invoice_count", INTEGER),
    ("principal", AMOUNT),
    ("interest", AMOUNT),
    ("indemnity", AMOUNT),
    ("total_claimed", AMOUNT),
    ("currency", TEXT),
    ("oldest_due_date", DATE),
    ("last_reminder_date", DATE),
    ("last_reminder_channel", TEXT),
    ("open_dispute", TEXT),
    ("past_plans", INTEGER),
    ("mandate_ref", TEXT),
    ("mandate_date", DATE),
)

INVOICE_COLUMNS = (
    ("case_ref", TEXT),
    ("debtor", TEXT),
    ("invoice", TEXT),
    ("invoice_date", DATE),
    ("due_date", DATE),
    ("total", AMOUNT),
    ("residual", AMOUNT),
    ("currency", TEXT),
    ("days_overdue", INTEGER),
    ("level", TEXT),
    ("last_reminder_date", DATE),
    ("interest", AMOUNT),
    ("invoice_indemnity", AMOUNT),
    ("total_claimed", AMOUNT),
)

HISTORY_COLUMNS = (
    ("case_ref", TEXT),
    ("debtor", TEXT),
    ("date", DATE),
    ("reference", TEXT),
    ("channel", TEXT),
    ("level", TEXT),
    ("invoices", TEXT),
    ("outcome", TEXT),
)


def debtor_checks(debtor, labels=None):
    """{column key: value} of the identifiers and phones of ``debtor``, each
    value with its check column."""
    labels = {**DEFAULT_LABELS, **(labels or {})}
    country = debtor.country_code or "FR"
    siret = check_siret(debtor.siret)
    vat = check_vat(debtor.vat, debtor.country_code)
    # A missing SIREN is read from a valid SIRET or French VAT number.
    siren_raw = (
        debtor.siren
        or siren_from_siret(debtor.siret)
        or (siren_from_vat(debtor.vat) if debtor.professional else "")
    )
    siren = check_siren(siren_raw)
    phone = normalize_phone(debtor.phone, country)
    mobile = normalize_mobile(debtor.mobile, country)
    pro = debtor.professional
    # A French company has a SIREN and SIRET; a VAT number only matters
    # when it is given or the debtor is a French professional.
    french = country.upper() == "FR"
    return {
        "siren": shown_value(siren),
        "siren_check": check_text(siren, labels, applicable=pro and french),
        "siret": shown_value(siret),
        "siret_check": check_text(siret, labels, applicable=pro and french),
        "vat": shown_value(vat),
        "vat_check": check_text(vat, labels, applicable=pro),
        "phone": shown_value(phone),
        "phone_check": check_text(phone, labels),
        "mobile": shown_value(mobile),
        "mobile_check": check_text(mobile, labels),
    }


def build_sheets(debtors, invoices, reminders, on_date, labels=None):
    """The three sheets of the file for ``debtors`` with their ``invoices``
    and ``reminders``, amounts and days overdue on ``on_date`` (the transfer
    date). Returns [Sheet] in the order Dossiers, Factures, Historique."""
    labels = {**DEFAULT_LABELS, **(labels or {})}
    order = {debtor.case_ref: index for index, debtor in enumerate(debtors)}
    names = {debtor.case_ref: debtor.name for debtor in debtors}
    unknown = {i.case_ref for i in invoices} | {r.case_ref for r in reminders}
    unknown -= set(order)
    if unknown:
        raise ValueError(f"invoices or reminders of unknown cases: {sorted(unknown)}")

    reminders = sorted(
        reminders,
        key=lambda r: (order[r.case_ref], _as_date(r.date), r.reference),
    )
    last_of_case = {}
    last_of_invoice = {}
    for reminder in reminders:
        last_of_case[reminder.case_ref] = reminder
        for number in reminder.invoice_numbers:
            last_of_invoice[(reminder.case_ref, number)] = _as_date(reminder.date)

    invoices = sorted(
        invoices,
        key=lambda i: (order[i.case_ref], i.due_date or date.max, i.number),
    )
    by_case = defaultdict(list)
    for invoice in invoices:
        by_case[invoice.case_ref].append(invoice)

    debtor_sheet = Sheet(SHEET_DEBTORS, _columns(DEBTOR_COLUMNS, labels))
    for debtor in debtors:
        own = by_case[debtor.case_ref]
        principal = _round(sum(_company(i.company_residual, i.residual) for i in own))
        interest = _round(sum(_company(i.company_interest, i.interest) for i in own))
        indemnity = _round(sum(_company(i.company_indemnity, i.indemnity) for i in own))
        dues = [i.due_date for i in own if i.due_date]
        last = last_of_case.get(debtor.case_ref)
        values = {
            "case_ref": debtor.case_ref,
            "debtor": debtor.name,
            "debtor_type": labels[
                "professional" if debtor.professional else "consumer"
            ],
            "legal_form": legal_form(debtor.name) if debtor.professional else "",
            "address": ", ".join(s for s in (debtor.street, debtor.street2) if s),
            "zip": debtor.zip,
            "city": debtor.city,
            "country": debtor.country,
            "email": debtor.email,
            "contact": debtor.contact,
            "invoice_count": len(own),
            "principal": principal,
            "interest": interest,
            "indemnity": indemnity,
            "total_claimed": _round(principal + interest + indemnity),
            "currency": debtor.currency,
            "oldest_due_date": min(dues) if dues else None,
            "last_reminder_date": _as_date(last.date) if last else None,
            "last_reminder_channel": last.channel if last else "",
            "open_dispute": labels["yes" if debtor.open_dispute else "no"],
            "past_plans": debtor.past_plans,
            "mandate_ref": debtor.mandate_ref,
            "mandate_date": debtor.mandate_date,
            **debtor_checks(debtor, labels),
        }
        debtor_sheet.rows.append([values[key] for key, _kind in DEBTOR_COLUMNS])

    invoice_sheet = Sheet(SHEET_INVOICES, _columns(INVOICE_COLUMNS, labels))
    for invoice in invoices:
        values = {
            "case_ref": invoice.case_ref,
            "debtor": names[invoice.case_ref],
            "invoice": invoice.number,
            "invoice_date": invoice.invoice_date,
            "due_date": invoice.due_date,
            "total": _round(invoice.total),
            "residual": _round(invoice.residual),
            "currency": invoice.currency,
            "days_overdue": days_overdue(invoice.due_date, on_date),
            "level": invoice.level,
            "last_reminder_date": last_of_invoice.get(
                (invoice.case_ref, invoice.number)
            ),
            "interest": _round(invoice.interest),
            "invoice_indemnity": _round(invoice.indemnity),
            "total_claimed": _round(invoice.claimed),
        }
        invoice_sheet.rows.append([values[key] for key, _kind in INVOICE_COLUMNS])

    history_sheet = Sheet(SHEET_HISTORY, _columns(HISTORY_COLUMNS, labels))
    for reminder in reminders:
        values = {
            "case_ref": reminder.case_ref,
            "debtor": names[reminder.case_ref],
            "date": _as_date(reminder.date),
            "reference": reminder.reference,
            "channel": reminder.channel,
            "level": reminder.level,
            "invoices": ", ".join(reminder.invoice_numbers),
            "outcome": reminder.outcome,
        }
        history_sheet.rows.append([values[key] for key, _kind in HISTORY_COLUMNS])

    return [debtor_sheet, invoice_sheet, history_sheet]


def _as_date(value):
    if isinstance(value, datetime):
        return value.date()
    return value


# ---------------------------------------------------------------- writers


def _text_width(value, kind):
    if value is None or value == "":
        return 0
    if kind == DATE:
        return 10
    if kind == AMOUNT:
        # grouped digits, two decimals
        return len(f"{value:,.2f}")
    return max(len(line) for line in str(value).splitlines() or [""])


def _column_width(label, kind, values):
    """The widest of ``label`` and ``values`` (cells of one column), as
    ``_text_width`` measures each, without measuring every cell: the column
    of a batch of thousands of invoices has as many cells."""
    longest = len(label)
    values = [value for value in values if value is not None and value != ""]
    if not values:
        return longest
    if kind == DATE:
        return max(longest, 10)
    if kind == AMOUNT:
        # Written with grouped digits and two decimals, an amount is never
        # shorter than a smaller positive or a larger negative one: the
        # widest is the largest or the smallest (-0.0 before 0.0: "-0.00").
        smallest = min(values, key=lambda value: (value, math.copysign(1, value)))
        return max(longest, _text_width(max(values), kind), _text_width(smallest, kind))
    texts = (value if isinstance(value, str) else str(value) for value in values)
    # A printable text is one line (splitlines breaks only on characters that
    # are not printable).
    return max(
        longest,
        max(
            len(text) if text.isprintable() else _text_width(text, kind)
            for text in texts
        ),
    )


def column_widths(sheet):
    """Width of each column: its longest cell or title, within bounds."""
    return [
        min(
            max(
                _column_width(column.label, column.kind, [row[i] for row in sheet.rows])
                + 2,
                MIN_WIDTH,
            ),
            MAX_WIDTH,
        )
        for i, column in enumerate(sheet.columns)
    ]


def write_xlsx(sheets, title="", author=""):
    """The sheets as an XLSX workbook (bytes): typed cells, French number
    and date formats, frozen bold header, filters and column widths."""
    output = io.BytesIO()
    workbook = xlsxwriter.Workbook(output, {"in_memory": True})
    workbook.set_properties({"title": title, "author": author})
    header = workbook.add_format(
        {
            "bold": True,
            "bg_color": "#D9E1F2",
            "bottom": 1,
            "text_wrap": True,
            "valign": "top",
        }
    )
    formats = {
        kind: workbook.add_format({"num_format": num_format})
        for kind, num_format in XLSX_FORMATS.items()
    }
    for sheet in sheets:
        worksheet = workbook.add_worksheet(sheet.name)
        for col, column in enumerate(sheet.columns):
            worksheet.write_string(0, col, column.label, header)
        _write_rows(worksheet, sheet, formats)
        for col, width in enumerate(column_widths(sheet)):
            worksheet.set_column(col, col, width, formats.get(sheet.columns[col].kind))
        worksheet.freeze_panes(1, 0)
        worksheet.autofilter(0, 0, len(sheet.rows), len(sheet.columns) - 1)
    workbook.close()
    return output.getvalue()


def _write_rows(worksheet, sheet, formats):
    """The cells of ``sheet`` below its header, row by row (the order
    xlsxwriter numbers the shared strings in). The kind and format of each
    column are looked up once, not for each of its thousands of cells."""
    write_string = worksheet.write_string
    write_number = worksheet.write_number
    write_datetime = worksheet.write_datetime
    write_blank = worksheet.write_blank
    columns = [
        (col, column.kind, formats.get(column.kind))
        for col, column in enumerate(sheet.columns)
    ]
    # The dates of a batch repeat: each made a datetime once.
    datetimes = {}
    midnight = datetime.min.time()
    for row_index, row in enumerate(sheet.rows, start=1):
        for (col, kind, cell_format), value in zip(columns, row, strict=True):
            if value is None or value == "":
                # Without a format (text), xlsxwriter writes no blank cell.
                if cell_format is not None:
                    write_blank(row_index, col, None, cell_format)
            elif kind == DATE:
                moment = datetimes.get(value)
                if moment is None:
                    moment = datetimes[value] = datetime.combine(
                        _as_date(value), midnight
                    )
                write_datetime(row_index, col, moment, cell_format)
            elif kind in (AMOUNT, INTEGER):
                write_number(row_index, col, value, cell_format)
            else:
                # write_string: a debtor's name starting with "=" stays text,
                # never becomes a formula.
                write_string(row_index, col, str(value))


def write_files(sheets, file_format, name, title="", author=""):
    """The files of the sheets: [(file name, content, mimetype)], one XLSX
    workbook or, for ``file_format`` "csv", one CSV file per sheet; ``name``
    is the hand-over's reference."""
    if file_format == "csv":
        return [
            (f"{name} - {sheet.name}.csv", write_csv(sheet), "text/csv")
            for sheet in sheets
        ]
    content = write_xlsx(sheets, title=title, author=author)
    return [(f"{name}.xlsx", content, XLSX_MIMETYPE)]


def build_files(
    debtors,
    invoices,
    reminders,
    on_date,
    labels,
    file_format,
    name,
    title="",
    author="",
):
    """``build_sheets`` then ``write_files``: the files of a hand-over from
    its plain data."""
    sheets = build_sheets(debtors, invoices, reminders, on_date, labels)
    return write_files(sheets, file_format, name, title=title, author=author)


def csv_value(kind, value):
    """A cell as a French spreadsheet reads it in a CSV file."""
    if value is None or value == "":
        return ""
    if kind == DATE:
        return _as_date(value).strftime(CSV_DATE_FORMAT)
    if kind == AMOUNT:
        return f"{value:.2f}".replace(".", ",")
    if kind == INTEGER:
        return str(int(value))
    text = str(value)
    # Text a spreadsheet would run as a formula is quoted (CSV injection);
    # phone numbers such as +33612345678 are left as they are.
    if text[:1] in ("=", "@", "\t", "\r") or (
        text[:1] in ("+", "-") and not text[1:].replace(" ", "").isdigit()
    ):
        return "'" + text
    return text


def write_csv(sheet):
    """One sheet as CSV (bytes): ';' separator, UTF-8 with a BOM."""
    output = io.StringIO()
    writer = csv.writer(output, delimiter=CSV_DELIMITER, lineterminator="\r\n")
    writer.writerow([column.label for column in sheet.columns])
    for row in sheet.rows:
        writer.writerow(
            [
                csv_value(column.kind, value)
                for column, value in zip(sheet.columns, row, strict=True)
            ]
        )
    return output.getvalue().encode("utf-8-sig")
