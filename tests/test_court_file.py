import io
import zipfile
from datetime import date
from decimal import Decimal

from rules.court_file import (
    COMMERCIAL_COURT,
    DEADLINE_NOT_PASSED,
    INJONCTION,
    JUDICIAL_COURT,
    NO_NOTICE,
    NOT_PRESENTED,
    SMALL_CLAIMS,
    ClaimRow,
    blocking_reason,
    build_zip,
    cerfa,
    chronology,
    claim_csv,
    claim_totals,
    court_kind,
    court_name,
    event,
    french_amount,
    interest_by_half_year,
    proposed_route,
    safe_file_name,
    unique_names,
)
from rules.interest import InterestSegment

D = Decimal


def test_route_on_each_side_of_5000():
    assert proposed_route(D("4990.00"), D("10.00")) == SMALL_CLAIMS
    assert proposed_route(D("4990.00"), D("10.01")) == INJONCTION
    assert proposed_route(5000, 0) == SMALL_CLAIMS
    assert proposed_route(5000.01, 0) == INJONCTION


def test_court_kind_name_and_form():
    assert court_kind(True, True) == COMMERCIAL_COURT
    assert court_kind(True, False) == JUDICIAL_COURT
    assert court_name(COMMERCIAL_COURT, "69002", "Lyon") == (
        "Tribunal de commerce compétent pour 69002 Lyon"
    )
    assert court_name(JUDICIAL_COURT, "", "Lyon") == (
        "Tribunal judiciaire compétent pour Lyon"
    )
    assert court_name(JUDICIAL_COURT, "69002", "") == ""
    assert cerfa(INJONCTION, COMMERCIAL_COURT) == "12946"
    assert cerfa(INJONCTION, JUDICIAL_COURT) == "12948"
    assert cerfa(SMALL_CLAIMS, JUDICIAL_COURT) == ""


def test_blocking_reason():
    today = date(2026, 11, 23)
    assert blocking_reason(False, None, None, today, "") == NO_NOTICE
    assert blocking_reason(True, None, None, today, "") == NOT_PRESENTED
    presented = date(2026, 11, 10)
    assert (
        blocking_reason(True, presented, date(2026, 11, 23), today, "")
        == DEADLINE_NOT_PASSED
    )
    assert blocking_reason(True, presented, date(2026, 11, 22), today, "") == ""
    assert blocking_reason(False, None, None, today, "  urgent: debtor leaving ") == ""
    assert blocking_reason(False, None, None, today, "   ") == NO_NOTICE


def segment(start, end, base, rate, amount):
    return InterestSegment(start, end, D(base), D(rate), 365, D(amount))


def test_interest_by_half_year_groups_segments():
    parts = interest_by_half_year(
        [
            segment(date(2025, 7, 1), date(2025, 8, 14), "5000", "12.15", "74.90"),
            segment(date(2025, 5, 16), date(2025, 6, 30), "5000", "13.15", "82.86"),
            # A second outstanding amount of the same half-year and rate.
            segment(date(2025, 7, 1), date(2025, 7, 10), "100", "12.15", "0.33"),
        ]
    )
    assert [(p.label, p.days, p.rate, p.amount) for p in parts] == [
        ("H1 2025", 46, D("13.15"), D("82.86")),
        ("H2 2025", 55, D("12.15"), D("75.23")),
    ]


def test_claim_totals_and_csv():
    parts = interest_by_half_year(
        [segment(date(2025, 5, 16), date(2025, 6, 30), "5000", "13.15", "82.86")]
    )
    rows = [
        ClaimRow(
            "FAC/1",
            date(2025, 4, 15),
            date(2025, 5, 15),
            D("5000.00"),
            D("5000.00"),
            parts,
            D("40.00"),
        ),
        ClaimRow("FAC/2", date(2025, 4, 20), date(2025, 5, 20), D("80"), D("80.00")),
    ]
    totals = claim_totals(rows, costs=D("35.50"))
    assert (totals.principal, totals.interest, totals.indemnity, totals.costs) == (
        D("5080.00"),
        D("82.86"),
        D("40.00"),
        D("35.50"),
    )
    assert totals.total == D("5238.36")
    assert rows[0].claimed == D("5122.86")
    text = claim_csv(rows, totals)
    lines = text.splitlines()
    assert lines[1] == "FAC/1;2025-04-15;2025-05-15;5000.00;;;;;"
    assert lines[2] == "FAC/1;;;;H1 2025;46;13.15;82.86;"
    assert lines[3] == "FAC/1;;;;;;;;40.00"
    assert lines[-1] == "TOTAL total;;;;;;;5238.36;"
    assert french_amount(D("5238.36")) == "5\u202f238,36"


def test_chronology_order():
    events = [
        event(date(2026, 10, 1), "notice", "formal notice"),
        event(date(2026, 10, 1), "reminder", "letter"),
        event(date(2026, 9, 1), "invoice", "FAC/1"),
        event(None, "call", "never dated"),
    ]
    assert [e.text for e in chronology(events)] == ["FAC/1", "letter", "formal notice"]


def test_zip_names_and_bytes_stable():
    assert safe_file_name("FAC/2026/0001.pdf") == "FAC_2026_0001.pdf"
    assert safe_file_name("../..") == "file"
    assert unique_names(["a.pdf", "a.pdf", "b", "b"]) == [
        "a.pdf",
        "a-2.pdf",
        "b",
        "b-2",
    ]
    files = [("summary.pdf", b"%PDF"), ("invoices/a.pdf", "text"), ("summary.pdf", b"")]
    data = build_zip(files)
    assert data == build_zip(files)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["summary.pdf", "invoices/a.pdf", "summary-2.pdf"]
        assert archive.read("invoices/a.pdf") == b"text"
