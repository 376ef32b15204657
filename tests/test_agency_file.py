import csv
import io
import zipfile
from datetime import date, datetime

import openpyxl
import pytest
from rules.agency_file import (
    AMOUNT,
    DATE,
    INTEGER,
    MAX_WIDTH,
    MIN_WIDTH,
    SHEET_DEBTORS,
    SHEET_HISTORY,
    SHEET_INVOICES,
    TEXT,
    Column,
    Debtor,
    Invoice,
    Reminder,
    Sheet,
    _text_width,
    build_files,
    build_sheets,
    column_widths,
    csv_value,
    days_overdue,
    debtor_checks,
    legal_form,
    write_csv,
    write_xlsx,
)

TRANSFER = date(2026, 11, 23)

DURAND = Debtor(
    case_ref="AG2026-00001",
    name="Menuiserie Durand SARL",
    professional=True,
    siren="",
    siret="73282932000074",
    vat="FR25712049618",
    street="12 rue des Lilas",
    street2="Bâtiment B",
    zip="75011",
    city="Paris",
    country_code="FR",
    country="France",
    phone="01 42 68 53 00",
    mobile="06 12 34 56 78",
    email="compta@durand.example",
    contact="Paul Durand",
    open_dispute=True,
    past_plans=1,
    mandate_ref="MAND-2026-07",
    mandate_date=date(2026, 1, 15),
)
MARTIN = Debtor(
    case_ref="AG2026-00002",
    name="Camille Martin",
    professional=False,
    country_code="FR",
    country="France",
    mobile="01 42 68 53 00",  # a landline typed as mobile
    email="camille@particulier.example",
    mandate_ref="MAND-2026-07",
)
BAD = Debtor(
    case_ref="AG2026-00003",
    name='=HYPERLINK("x") SAS',
    siren="404833047",
    siret="73282932000079",
    vat="FR84323140391",
    phone="12",
    country_code="FR",
)

INVOICES = [
    Invoice(
        case_ref="AG2026-00001",
        number="INV/2026/00012",
        invoice_date=date(2026, 8, 1),
        due_date=date(2026, 8, 31),
        total=1200.0,
        residual=1000.0,
        level="Formal notice",
        interest=12.5,
        indemnity=40.0,
    ),
    Invoice(
        case_ref="AG2026-00001",
        number="INV/2026/00007",
        invoice_date=date(2026, 7, 1),
        due_date=date(2026, 7, 31),
        total=250.5,
        residual=250.5,
        indemnity=40.0,
    ),
    Invoice(
        case_ref="AG2026-00002",
        number="INV/2026/00020",
        invoice_date=date(2026, 9, 1),
        due_date=date(2026, 12, 1),
        total=99.99,
        residual=99.99,
    ),
]
REMINDERS = [
    Reminder(
        case_ref="AG2026-00001",
        date=datetime(2026, 10, 2, 9, 0),
        reference="REL0000002",
        channel="Letter",
        level="Reminder letter",
        invoice_numbers=("INV/2026/00007", "INV/2026/00012"),
        outcome="Done",
    ),
    Reminder(
        case_ref="AG2026-00001",
        date=date(2026, 8, 8),
        reference="REL0000001",
        channel="E-mail",
        level="First reminder",
        invoice_numbers=("INV/2026/00007",),
        outcome="Done",
    ),
]


def sheets():
    return build_sheets([DURAND, MARTIN], INVOICES, REMINDERS, TRANSFER)


def as_dicts(sheet):
    keys = [column.key for column in sheet.columns]
    return [dict(zip(keys, row, strict=True)) for row in sheet.rows]


def test_legal_form_and_days_overdue():
    assert legal_form("Menuiserie Durand SARL") == "SARL"
    assert legal_form("SAS Transports Morel") == "SAS"
    assert legal_form("Garage (SASU) Petit") == "SASU"
    assert legal_form("Sasha Dupont") == ""
    assert legal_form("") == ""
    assert days_overdue(date(2026, 8, 31), TRANSFER) == 84
    assert days_overdue(date(2026, 12, 1), TRANSFER) == 0
    assert days_overdue(None, TRANSFER) == 0


def test_checks_flag_invalid_and_missing_values():
    good = debtor_checks(DURAND)
    # SIREN read from the SIRET; phones in E.164.
    assert good["siren"] == "732829320"
    assert good["siren_check"] == "OK"
    assert (good["siret"], good["siret_check"]) == ("73282932000074", "OK")
    assert (good["vat"], good["vat_check"]) == ("FR25712049618", "OK")
    assert (good["phone"], good["phone_check"]) == ("+33142685300", "OK")
    assert (good["mobile"], good["mobile_check"]) == ("+33612345678", "OK")

    bad = debtor_checks(BAD)
    # Wrong values are kept as typed, flagged beside them.
    assert (bad["siren"], bad["siren_check"]) == (
        "404833047",
        "Invalid (wrong check digit)",
    )
    assert (bad["siret"], bad["siret_check"]) == (
        "73282932000079",
        "Invalid (wrong check digit)",
    )
    assert bad["vat"] == "FR84323140391"
    assert bad["vat_check"].startswith("Invalid")
    assert bad["phone"] == "12"
    assert bad["phone_check"].startswith("Invalid")
    assert (bad["mobile"], bad["mobile_check"]) == ("", "Missing")

    consumer = debtor_checks(MARTIN)
    # A consumer has no SIREN: not flagged; a landline is not a mobile.
    assert consumer["siren_check"] == ""
    assert consumer["vat_check"] == ""
    assert consumer["mobile"] == "01 42 68 53 00"
    assert consumer["mobile_check"] == "Invalid (not a mobile number)"
    assert consumer["phone_check"] == "Missing"


def test_labels_are_replaced():
    labels = {"ok": "Valide", "missing": "Absent", "siren": "Numéro SIREN"}
    checks = debtor_checks(BAD, labels)
    assert checks["mobile_check"] == "Absent"
    result = build_sheets([DURAND], [], [], TRANSFER, labels)
    assert result[0].columns[4].label == "Numéro SIREN"
    assert as_dicts(result[0])[0]["siren_check"] == "Valide"


def test_debtor_rows():
    debtors, invoices, history = sheets()
    assert [s.name for s in (debtors, invoices, history)] == [
        SHEET_DEBTORS,
        SHEET_INVOICES,
        SHEET_HISTORY,
    ]
    durand, martin = as_dicts(debtors)
    assert durand["case_ref"] == "AG2026-00001"
    assert durand["legal_form"] == "SARL"
    assert durand["debtor_type"] == "Professional"
    assert durand["address"] == "12 rue des Lilas, Bâtiment B"
    assert durand["invoice_count"] == 2
    assert durand["principal"] == 1250.5
    assert durand["interest"] == 12.5
    assert durand["indemnity"] == 80.0
    assert durand["total_claimed"] == 1343.0
    assert durand["oldest_due_date"] == date(2026, 7, 31)
    # The last reminder is the latest by date, whatever the input order.
    assert durand["last_reminder_date"] == date(2026, 10, 2)
    assert durand["last_reminder_channel"] == "Letter"
    assert durand["open_dispute"] == "Yes"
    assert durand["past_plans"] == 1
    assert (durand["mandate_ref"], durand["mandate_date"]) == (
        "MAND-2026-07",
        date(2026, 1, 15),
    )
    assert martin["debtor_type"] == "Consumer"
    assert martin["legal_form"] == ""
    assert martin["principal"] == 99.99
    assert martin["last_reminder_date"] is None
    assert martin["open_dispute"] == "No"


def test_invoice_and_history_rows():
    _debtors, invoices, history = sheets()
    rows = as_dicts(invoices)
    # By debtor, then due date.
    assert [r["invoice"] for r in rows] == [
        "INV/2026/00007",
        "INV/2026/00012",
        "INV/2026/00020",
    ]
    first = rows[0]
    assert first["debtor"] == "Menuiserie Durand SARL"
    assert first["days_overdue"] == 115
    assert first["last_reminder_date"] == date(2026, 10, 2)
    assert first["total_claimed"] == 290.5
    assert first["invoice_indemnity"] == 40.0
    assert rows[1]["last_reminder_date"] == date(2026, 10, 2)
    assert rows[1]["total_claimed"] == 1052.5
    assert rows[2]["days_overdue"] == 0
    assert rows[2]["last_reminder_date"] is None

    events = as_dicts(history)
    assert [e["reference"] for e in events] == ["REL0000001", "REL0000002"]
    assert events[0]["date"] == date(2026, 8, 8)
    assert events[1]["date"] == date(2026, 10, 2)
    assert events[1]["invoices"] == "INV/2026/00007, INV/2026/00012"


def test_company_currency_totals():
    usd = Invoice(
        case_ref="AG2026-00001",
        number="INV/2026/00030",
        invoice_date=date(2026, 9, 1),
        due_date=date(2026, 9, 30),
        total=110.0,
        residual=110.0,
        currency="USD",
        indemnity=44.0,
        company_residual=100.0,
        company_indemnity=40.0,
    )
    debtors = build_sheets([DURAND], [usd], [], TRANSFER)[0]
    row = as_dicts(debtors)[0]
    assert (row["principal"], row["indemnity"], row["total_claimed"]) == (
        100.0,
        40.0,
        140.0,
    )


def test_unknown_case_is_refused():
    with pytest.raises(ValueError):
        build_sheets([MARTIN], INVOICES, [], TRANSFER)


def test_xlsx_read_back_cell_by_cell():
    content = write_xlsx(
        build_sheets([DURAND, MARTIN, BAD], INVOICES, REMINDERS, TRANSFER),
        title="Agency file",
        author="Creditor",
    )
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Dossiers", "Factures", "Historique"]

    debtors = book["Dossiers"]
    header = [cell.value for cell in debtors[1]]
    assert header[:4] == ["Case reference", "Debtor", "Debtor type", "Legal form"]
    assert debtors.freeze_panes == "A2"
    assert debtors.auto_filter.ref == f"A1:AG{debtors.max_row}"
    assert debtors.max_row == 4
    col = {title: index + 1 for index, title in enumerate(header)}

    def cell(sheet, row, title):
        return sheet.cell(row=row, column=col[title])

    assert cell(debtors, 2, "Case reference").value == "AG2026-00001"
    siren = cell(debtors, 2, "SIREN")
    assert (siren.value, siren.data_type) == ("732829320", "s")
    principal = cell(debtors, 2, "Principal due")
    assert principal.value == 1250.5
    assert principal.data_type == "n"
    assert principal.number_format == "#,##0.00"
    oldest = cell(debtors, 2, "Oldest due date")
    assert oldest.is_date
    assert oldest.value == datetime(2026, 7, 31)
    assert oldest.number_format == "dd/mm/yyyy"
    assert cell(debtors, 2, "Invoices").value == 2
    assert cell(debtors, 2, "Phone").value == "+33142685300"
    assert cell(debtors, 3, "Last reminder").value is None
    # The row with wrong identifiers: values kept, flagged.
    assert cell(debtors, 4, "Debtor").value == '=HYPERLINK("x") SAS'
    assert cell(debtors, 4, "Debtor").data_type == "s"
    assert cell(debtors, 4, "SIREN").value == "404833047"
    assert cell(debtors, 4, "SIREN check").value == "Invalid (wrong check digit)"
    assert cell(debtors, 4, "Phone check").value.startswith("Invalid")
    assert cell(debtors, 4, "Mobile check").value == "Missing"
    # Widths fit the titles.
    assert debtors.column_dimensions["A"].width >= len("Case reference")

    invoices = book["Factures"]
    assert invoices["M1"].value == "Recovery indemnity"
    rows = list(invoices.iter_rows(min_row=2, values_only=True))
    assert rows[0] == (
        "AG2026-00001",
        "Menuiserie Durand SARL",
        "INV/2026/00007",
        datetime(2026, 7, 1),
        datetime(2026, 7, 31),
        250.5,
        250.5,
        "EUR",
        115,
        None,
        datetime(2026, 10, 2),
        0,
        40,
        290.5,
    )
    assert invoices.freeze_panes == "A2"
    assert invoices.auto_filter.ref == "A1:N4"

    history = book["Historique"]
    assert [c.value for c in history[1]] == [
        "Case reference",
        "Debtor",
        "Date",
        "Reminder",
        "Channel",
        "Dunning level",
        "Invoices",
        "Outcome",
    ]
    assert history["C2"].value == datetime(2026, 8, 8)
    assert history["C2"].number_format == "dd/mm/yyyy"
    assert history["D3"].value == "REL0000002"
    assert book.properties.title == "Agency file"


def test_column_widths_are_the_widest_cell():
    """The width of a column is its widest cell as written, measured cell by
    cell: negative amounts, -0.0, several lines, non-printable characters."""
    columns = [
        Column("amount", "Amount", AMOUNT),
        Column("negative", "Neg", AMOUNT),
        Column("zero", "Zero", AMOUNT),
        Column("text", "T", TEXT),
        Column("day", "Day", DATE),
        Column("count", "N", INTEGER),
        Column("empty", "Empty column title", AMOUNT),
    ]
    rows = [
        [1234567.891, -5.0, 0.0, "short", date(2026, 1, 1), 3, None],
        [99.995, -1234.5, -0.0, "a\nmuch longer second line", None, 12345, ""],
        [None, 12.0, 0.0, "tab\there", date(2026, 2, 1), None, None],
        [-0.001, "", None, "=1+1 x" * 20, None, 7, None],
    ]
    sheet = Sheet("S", columns, rows)

    def per_cell(index, column):
        longest = max(
            [len(column.label)] + [_text_width(row[index], column.kind) for row in rows]
        )
        return min(max(longest + 2, MIN_WIDTH), MAX_WIDTH)

    assert column_widths(sheet) == [
        per_cell(index, column) for index, column in enumerate(columns)
    ]


def test_xlsx_empty_sheets_keep_their_header():
    content = write_xlsx(build_sheets([MARTIN], [], [], TRANSFER))
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book["Historique"].max_row == 1
    assert book["Historique"]["A1"].value == "Case reference"


def test_csv_same_data_french_format():
    debtors, invoices, history = build_sheets(
        [DURAND, BAD], INVOICES[:2], REMINDERS, TRANSFER
    )
    content = write_csv(invoices)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Case reference", "Debtor", "Invoice"]
    assert rows[1] == [
        "AG2026-00001",
        "Menuiserie Durand SARL",
        "INV/2026/00007",
        "01/07/2026",
        "31/07/2026",
        "250,50",
        "250,50",
        "EUR",
        "115",
        "",
        "02/10/2026",
        "0,00",
        "40,00",
        "290,50",
    ]
    assert len(rows) == 3
    text = write_csv(debtors).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    header = rows[0]
    durand = dict(zip(header, rows[1], strict=True))
    bad = dict(zip(header, rows[2], strict=True))
    assert durand["Address"] == "12 rue des Lilas, Bâtiment B"
    assert durand["Phone"] == "+33142685300"
    assert durand["Total claimed"] == "1343,00"
    # A name a spreadsheet would run as a formula is quoted.
    assert bad["Debtor"] == '\'=HYPERLINK("x") SAS'
    assert bad["SIREN check"] == "Invalid (wrong check digit)"
    assert len(write_csv(history).decode("utf-8-sig").splitlines()) == 3


@pytest.mark.parametrize(
    ("kind", "value", "text"),
    [
        (AMOUNT, 1234.5, "1234,50"),
        (AMOUNT, -0.1, "-0,10"),
        (DATE, date(2026, 1, 2), "02/01/2026"),
        (DATE, None, ""),
        ("text", "+33612345678", "+33612345678"),
        ("text", "-12", "-12"),
        ("text", "@SUM(A1)", "'@SUM(A1)"),
        ("text", "+cmd", "'+cmd"),
    ],
)
def test_csv_values(kind, value, text):
    assert csv_value(kind, value) == text


def test_build_files_xlsx_or_one_csv_per_sheet():
    data = ([DURAND, MARTIN], INVOICES[:2], [], TRANSFER)
    sheets = build_sheets(*data)
    [(name, content, mimetype)] = build_files(*data, {}, "xlsx", "AGF/2026/0001")
    assert name == "AGF/2026/0001.xlsx"
    assert mimetype.endswith("spreadsheetml.sheet")
    # The same workbook (but its creation time).
    assert _parts(content) == _parts(write_xlsx(sheets))
    files = build_files(*data, {}, "csv", "AGF/2026/0001")
    assert [(name, mimetype) for name, _content, mimetype in files] == [
        (f"AGF/2026/0001 - {sheet}.csv", "text/csv")
        for sheet in (SHEET_DEBTORS, SHEET_INVOICES, SHEET_HISTORY)
    ]
    assert [content for _name, content, _mimetype in files] == [
        write_csv(sheet) for sheet in sheets
    ]


def _parts(xlsx):
    with zipfile.ZipFile(io.BytesIO(xlsx)) as package:
        return {
            name: package.read(name)
            for name in package.namelist()
            if name != "docProps/core.xml"
        }
