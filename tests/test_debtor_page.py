from datetime import date, datetime, timedelta

import pytest
from rules.debtor_page import (
    PROOF_MAX_BYTES,
    check_installments,
    check_note,
    check_paid,
    check_promise,
    check_proof,
    parse_amount,
    parse_date,
    parse_ids,
    rate_limited,
)

TODAY = date(2026, 11, 23)


def code(error):
    return error and error.code


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1200.50", 1200.5),
        ("1 200,50", 1200.5),
        ("1\u00a0200,5", 1200.5),
        ("  30 ", 30.0),
        ("abc", None),
        ("", None),
        (None, None),
        ("nan", None),
        ("inf", None),
        ("1,200.50", None),
    ],
)
def test_parse_amount(text, value):
    assert parse_amount(text) == value


def test_parse_date_and_ids():
    assert parse_date("2026-11-30") == date(2026, 11, 30)
    assert parse_date("30/11/2026") is None
    assert parse_date(None) is None
    assert parse_ids("3, 5,3", {3, 5, 7}) == [3, 5]
    assert parse_ids("", {3}) == []
    # A neighbour's id, or anything else than ids, is refused as a whole.
    assert parse_ids("3,8", {3, 5}) is None
    assert parse_ids("3;5", {3, 5}) is None
    assert parse_ids("-3", {3}) is None


def test_check_paid():
    assert check_paid(TODAY, 100.0, 100.0, TODAY) is None
    assert code(check_paid(None, 100.0, 100.0, TODAY)) == "date_invalid"
    assert code(check_paid(TODAY + timedelta(1), 10.0, 100.0, TODAY)) == (
        "paid_date_future"
    )
    assert code(check_paid(TODAY - timedelta(400), 10.0, 100.0, TODAY)) == (
        "paid_date_too_old"
    )
    assert code(check_paid(TODAY, 0.0, 100.0, TODAY)) == "amount_not_positive"
    assert code(check_paid(TODAY, -5.0, 100.0, TODAY)) == "amount_not_positive"
    assert code(check_paid(TODAY, None, 100.0, TODAY)) == "amount_invalid"
    error = check_paid(TODAY, 100.01, 100.0, TODAY)
    assert (error.code, error.params) == ("amount_above_due", {"due": 100.0})


def test_check_promise():
    assert check_promise(TODAY, 50.0, 100.0, TODAY, 30) is None
    assert check_promise(TODAY + timedelta(30), 100.0, 100.0, TODAY, 30) is None
    assert code(check_promise(TODAY - timedelta(1), 50.0, 100.0, TODAY, 30)) == (
        "promise_date_past"
    )
    error = check_promise(TODAY + timedelta(31), 50.0, 100.0, TODAY, 30)
    assert (error.code, error.params) == (
        "promise_date_too_far",
        {"last": TODAY + timedelta(30)},
    )
    assert code(check_promise(TODAY, 150.0, 100.0, TODAY, 30)) == "amount_above_due"


def test_check_installments():
    assert check_installments("3", 12) == (3, None)
    assert check_installments("12", 12) == (12, None)
    assert check_installments("40", 0) == (40, None)
    assert code(check_installments("13", 12)[1]) == "installments_too_many"
    assert code(check_installments("1", 12)[1]) == "installments_too_few"
    assert code(check_installments("x", 12)[1]) == "installments_invalid"
    assert code(check_installments(None, 12)[1]) == "installments_invalid"


def test_check_proof():
    assert check_proof("virement.pdf", b"%PDF-1.7 ...") is None
    assert check_proof("RECU.JPG", b"\xff\xd8\xff\xe0...") is None
    assert check_proof("recu.png", b"\x89PNG\r\n\x1a\n...") is None
    assert code(check_proof("script.exe", b"MZ...")) == "proof_type"
    assert code(check_proof("noextension", b"%PDF-")) == "proof_type"
    # A renamed file is refused: its bytes are not a PDF.
    assert code(check_proof("fake.pdf", b"<html>")) == "proof_type"
    assert code(check_proof("empty.pdf", b"")) == "proof_empty"
    big = b"%PDF-" + b"0" * PROOF_MAX_BYTES
    assert code(check_proof("big.pdf", big)) == "proof_size"


def test_check_note():
    assert check_note("") is None
    assert check_note("x" * 2000) is None
    assert code(check_note("x" * 2001)) == "note_too_long"


def test_rate_limited():
    now = datetime(2026, 11, 23, 10, 0)
    recent = [now - timedelta(minutes=m) for m in range(9)]
    assert not rate_limited(recent, now)
    assert rate_limited([*recent, now - timedelta(minutes=59)], now)
    # Posts older than the window do not count.
    assert not rate_limited([*recent, now - timedelta(minutes=61)], now)
