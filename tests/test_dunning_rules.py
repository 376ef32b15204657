from datetime import date, timedelta

import pytest
from rules.dunning import (
    CurrencyTotal,
    Level,
    OpenInvoice,
    days_late,
    next_level,
    plan_reminder,
    totals_by_currency,
)

TODAY = date(2026, 11, 22)

# The "Professionnels" ladder: D-3 courtesy, D+7, D+15, D+30, D+45, D+60.
COURTESY = Level(1, 1, -3)
EMAIL = Level(2, 2, 7)
CALL = Level(3, 3, 15, min_amount=100)
LETTER = Level(4, 4, 30)
NOTICE = Level(5, 5, 45, min_amount=500)
AGENCY = Level(6, 6, 60, min_amount=1500)
LADDER = [COURTESY, EMAIL, CALL, LETTER, NOTICE, AGENCY]


def invoice(days_late_, residual=1000.0, level=None, paused=0, id_=1):
    return OpenInvoice(
        id=id_,
        due_date=TODAY - timedelta(days=days_late_),
        residual=residual,
        current_level_id=level.id if level else None,
        paused_days=paused,
    )


@pytest.mark.parametrize(
    "late, current, expected",
    [
        (-4, None, None),  # too early even for the courtesy e-mail
        (-3, None, COURTESY),  # exactly D-3
        (-1, None, COURTESY),
        (-1, COURTESY, None),  # courtesy already sent
        (0, None, None),  # due today: not late, courtesy no longer useful
        (6, None, None),
        (7, None, EMAIL),  # exactly D+7
        (7, COURTESY, EMAIL),
        (14, EMAIL, None),
        (15, EMAIL, CALL),
        (29, CALL, None),
        (30, CALL, LETTER),
        (200, None, EMAIL),  # never reminded: starts at the first rung
        (200, LETTER, NOTICE),
        (200, AGENCY, None),  # top of the ladder
    ],
)
def test_next_level_around_each_threshold(late, current, expected):
    assert next_level(LADDER, invoice(late, level=current), TODAY, 5000) == expected


def test_minimum_amount_passes_a_rung_over():
    # 300 owed: no call (min 100 is met), no formal notice (min 500), no agency.
    assert next_level(LADDER, invoice(16, level=EMAIL), TODAY, 300) == CALL
    assert next_level(LADDER, invoice(50, level=LETTER), TODAY, 300) is None
    # 50 owed: the call (min 100) is passed over; the letter waits for D+30.
    assert next_level(LADDER, invoice(16, level=EMAIL), TODAY, 50) is None
    assert next_level(LADDER, invoice(31, level=EMAIL), TODAY, 50) == LETTER


def test_disputed_days_do_not_count():
    # 20 days late of which 10 in dispute: 10 days counted.
    inv = invoice(20, level=EMAIL, paused=10)
    assert days_late(inv, TODAY) == 10
    assert next_level(LADDER, inv, TODAY, 5000) is None
    assert next_level(LADDER, invoice(25, level=EMAIL, paused=10), TODAY, 5000) == CALL


def test_broken_promise_skips_the_delay():
    inv = invoice(16, level=CALL)
    assert next_level(LADDER, inv, TODAY, 5000) is None
    assert next_level(LADDER, inv, TODAY, 5000, skip_delay=True) == LETTER


def test_one_reminder_per_debtor_at_the_highest_level():
    invoices = [
        invoice(50, residual=800, level=LETTER, id_=1),  # -> formal notice
        invoice(8, residual=300, id_=2),  # -> first e-mail
        invoice(3, residual=100, id_=3),  # overdue, no rung yet: listed
        invoice(-2, residual=200, id_=4),  # courtesy rung
        invoice(-20, residual=999, id_=5),  # not due: not listed
    ]
    reminder = plan_reminder(LADDER, invoices, TODAY)
    assert reminder.level == NOTICE
    assert reminder.invoice_levels == {
        1: NOTICE.id,
        2: EMAIL.id,
        3: None,
        4: COURTESY.id,
    }
    # Listed in due-date order, oldest first.
    assert reminder.invoice_ids == [1, 2, 3, 4]


def test_no_reminder_when_nothing_climbs():
    invoices = [invoice(10, level=EMAIL, id_=1), invoice(3, id_=2)]
    assert plan_reminder(LADDER, invoices, TODAY) is None


def test_level_amount_uses_the_debtor_total():
    # Two invoices of 300: together 600 reach the formal notice minimum (500).
    invoices = [
        invoice(50, residual=300, level=LETTER, id_=1),
        invoice(50, residual=300, level=LETTER, id_=2),
    ]
    assert plan_reminder(LADDER, invoices, TODAY).level == NOTICE
    assert plan_reminder(LADDER, invoices[:1], TODAY) is None


def test_level_of_another_policy_restarts_from_the_bottom():
    other = Level(99, 1, 10)
    inv = OpenInvoice(1, TODAY - timedelta(days=40), 1000, current_level_id=other.id)
    assert next_level(LADDER, inv, TODAY, 1000) == EMAIL


def test_forced_level_is_due_at_once():
    # A broken payment plan sends the invoice straight to the formal notice.
    inv = OpenInvoice(
        1, TODAY - timedelta(days=20), 100, EMAIL.id, forced_level_id=NOTICE.id
    )
    assert next_level(LADDER, inv, TODAY, 100) == NOTICE
    # Not when the invoice is already at or above it.
    inv = OpenInvoice(
        1, TODAY - timedelta(days=90), 900, NOTICE.id, forced_level_id=NOTICE.id
    )
    assert next_level(LADDER, inv, TODAY, 900) is None  # agency needs 1500


def test_internal_top_level_does_not_carry_other_invoices():
    invoices = [
        invoice(61, residual=2000, level=NOTICE, id_=1),  # -> agency (internal)
        invoice(8, residual=300, id_=2),  # would climb to the first e-mail
    ]
    reminder = plan_reminder(LADDER, invoices, TODAY, internal_level_ids={AGENCY.id})
    assert reminder.level == AGENCY
    assert reminder.invoice_levels == {1: AGENCY.id, 2: None}


def test_held_notice_waits_while_lower_rungs_go_out():
    """A formal notice went out less than the policy's gap ago: an invoice
    due for the notice waits at its level and is listed in the reminder of
    an invoice climbing to a lower rung."""
    invoices = [
        invoice(46, residual=800, level=LETTER, id_=1),  # due for the notice
        invoice(8, residual=300, id_=2),  # climbs to the first e-mail
    ]
    reminder = plan_reminder(LADDER, invoices, TODAY, held_level_ids={NOTICE.id})
    assert reminder.level == EMAIL
    assert reminder.invoice_levels == {1: LETTER.id, 2: EMAIL.id}
    # Alone, it sends nothing until the gap has passed...
    assert (
        plan_reminder(LADDER, invoices[:1], TODAY, held_level_ids={NOTICE.id}) is None
    )
    # ...then the notice lists both.
    reminder = plan_reminder(LADDER, invoices, TODAY)
    assert reminder.level == NOTICE
    assert reminder.invoice_levels == {1: NOTICE.id, 2: EMAIL.id}


# --- totals per currency -----------------------------------------------------

EUR, USD, CHF = 1, 2, 3


def test_totals_one_currency_add_up():
    totals = totals_by_currency(
        [(EUR, 300.0, 4.5, 40.0), (EUR, 200.0, 0.0, 40.0)], first_currency_id=EUR
    )
    assert totals == [CurrencyTotal(EUR, 500.0, 4.5, 80.0)]
    assert totals[0].claimed == 584.5


def test_totals_never_add_two_currencies():
    """A debtor owes $500 and 500 EUR, not 954.55 EUR at today's rate."""
    totals = totals_by_currency(
        [
            (USD, 500.0, 0.0, 0.0),
            (CHF, 80.0, 1.0, None),
            (EUR, 300.0, None, 40.0),
            (USD, 25.5, 2.0, 0.0),
            (EUR, 200.0, 0.0, 0.0),
        ],
        first_currency_id=EUR,
    )
    assert totals == [
        CurrencyTotal(EUR, 500.0, 0.0, 40.0),
        CurrencyTotal(USD, 525.5, 2.0, 0.0),
        CurrencyTotal(CHF, 80.0, 1.0, 0.0),
    ]


def test_totals_in_a_foreign_currency_only():
    assert totals_by_currency([(USD, 500.0, 0.0, 0.0)], first_currency_id=EUR) == [
        CurrencyTotal(USD, 500.0)
    ]
    assert totals_by_currency([], first_currency_id=EUR) == []


def test_open_credits_offset_what_is_due_in_their_currency():
    """A 100 EUR credit note offsets 300 EUR due: 200 EUR to pay; a credit
    in a currency nothing is due in offsets nothing."""
    totals = totals_by_currency(
        [(EUR, 300.0, 5.0, 40.0), (USD, 50.0, 0.0, 0.0)],
        first_currency_id=EUR,
        credits={EUR: -100.0, USD: -80.0, CHF: -10.0},
    )
    assert totals == [
        CurrencyTotal(EUR, 300.0, 5.0, 40.0, -100.0),
        CurrencyTotal(USD, 50.0, 0.0, 0.0, -80.0),
    ]
    assert (totals[0].to_pay, totals[0].claimed) == (200.0, 245.0)
    # More credit than due: nothing to pay, never a negative amount.
    assert (totals[1].to_pay, totals[1].claimed) == (0.0, 0.0)
