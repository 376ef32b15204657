from datetime import date
from decimal import Decimal

import pytest
from rules.doubtful import (
    adjustment,
    check_rate,
    depreciation,
    untaxed_part,
    write_off,
)
from rules.proceedings import (
    add_months,
    date_errors,
    declaration_deadline,
    declared_invoice,
    reminder_dates,
)

# ---------------------------------------------------------------- proceedings


def test_deadline_two_months_after_bodacc():
    assert declaration_deadline(date(2026, 9, 15)) == date(2026, 11, 15)


def test_deadline_four_months_outside_metropolitan_france():
    assert declaration_deadline(date(2026, 9, 15), True) == date(2027, 1, 15)


def test_deadline_end_of_month():
    assert declaration_deadline(date(2026, 12, 31)) == date(2027, 2, 28)
    assert add_months(date(2027, 12, 31), 2) == date(2028, 2, 29)


def test_no_deadline_without_publication():
    assert declaration_deadline(None) is None
    assert reminder_dates(None) == []


def test_reminders_30_and_7_days_before():
    assert reminder_dates(date(2026, 11, 15)) == [date(2026, 10, 16), date(2026, 11, 8)]


def test_date_errors():
    today = date(2026, 11, 23)
    assert date_errors(date(2026, 11, 24), None, today) == ["judgment_future"]
    assert date_errors(date(2026, 11, 2), date(2026, 11, 1), today) == [
        "bodacc_before_judgment"
    ]
    assert date_errors(date(2026, 11, 2), date(2026, 11, 2), today) == []


def test_declared_invoice_partly_paid_before_and_after():
    result = declared_invoice(
        "1000.00",
        date(2026, 9, 30),
        date(2026, 10, 15),
        [(date(2026, 10, 1), Decimal("300.00")), (date(2026, 10, 20), 100)],
    )
    assert result.principal == Decimal("700.00")
    assert not result.falls_due_later
    assert result.paid_after == Decimal(100)


def test_declared_invoice_falling_due_later():
    result = declared_invoice(500, date(2026, 11, 30), date(2026, 10, 15))
    assert result.principal == Decimal(500)
    assert result.falls_due_later


# ---------------------------------------------------------------- doubtful


def test_worked_example_provision():
    assert untaxed_part("1200.00", "1200.00", "1000.00") == Decimal("1000.00")
    assert depreciation("1000.00", 50) == Decimal("500.00")


def test_untaxed_part_of_a_partly_paid_invoice():
    # 600.00 of 1,200.00 incl. VAT left: half the base.
    assert untaxed_part(600, 1200, 1000) == Decimal("500.00")
    assert untaxed_part(100, 120, "99.99") == Decimal("83.33")


def test_rate_bounds():
    assert check_rate(100) == 100
    assert depreciation(10, 0) == 0
    with pytest.raises(ValueError):
        check_rate("100.01")
    with pytest.raises(ValueError):
        check_rate(-1)


def test_adjustment():
    assert adjustment(500, 800) == adjustment(Decimal(500), Decimal(800))
    assert adjustment(500, 800).increase == 300
    assert adjustment(500, 800).reversal == 0
    assert adjustment(500, 200).reversal == 300
    assert adjustment(500, 200).increase == 0


def test_write_off_vat_on_debits_worked_example():
    result = write_off("1200.00", "200.00", True, True, "500.00")
    assert result.loss_account == "6541"
    assert result.loss == Decimal("1000.00")
    assert result.vat == Decimal("200.00")
    assert result.total == Decimal("1200.00")
    assert result.reversal == Decimal("500.00")


def test_write_off_vat_on_receipts():
    result = write_off("1200.00", "200.00", False, False)
    assert result.loss_account == "6544"
    assert result.loss == Decimal("1200.00")
    assert result.vat == 0
