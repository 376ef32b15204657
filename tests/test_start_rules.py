from datetime import date, timedelta

from rules.dunning import Level, OpenInvoice
from rules.start import (
    LevelCount,
    count_by_level,
    first_rung,
    placement_level,
    plan_placement,
)

TODAY = date(2026, 11, 23)

# D-3 courtesy, D+7, D+15 (min 100), D+30, D+45 formal notice, D+60 agency.
COURTESY = Level(1, 1, -3)
EMAIL = Level(2, 2, 7)
CALL = Level(3, 3, 15, min_amount=100)
LETTER = Level(4, 4, 30)
NOTICE = Level(5, 5, 45)
AGENCY = Level(6, 6, 60, min_amount=300)
LADDER = [COURTESY, EMAIL, CALL, LETTER, NOTICE, AGENCY]
STOP = {NOTICE.id, AGENCY.id}


def invoice(late, residual=1000.0, level=None, id_=1, paused=0):
    return OpenInvoice(
        id=id_,
        due_date=TODAY - timedelta(days=late),
        residual=residual,
        current_level_id=level.id if level else None,
        paused_days=paused,
    )


def test_placed_at_the_level_its_age_calls_for():
    assert placement_level(LADDER, invoice(7), TODAY, 1000) == EMAIL
    assert placement_level(LADDER, invoice(20), TODAY, 1000) == CALL
    assert placement_level(LADDER, invoice(31), TODAY, 1000) == LETTER


def test_not_due_or_too_recent_is_not_placed():
    assert placement_level(LADDER, invoice(-2), TODAY, 1000) is None
    assert placement_level(LADDER, invoice(0), TODAY, 1000) is None
    assert placement_level(LADDER, invoice(6), TODAY, 1000) is None


def test_never_placed_at_or_beyond_a_formal_notice():
    # 200 days late: the letter, so that the next run plans the formal
    # notice, which waits for validation.
    assert placement_level(LADDER, invoice(200), TODAY, 1000, STOP) == LETTER
    # Without stop rungs, the age decides alone.
    assert placement_level(LADDER, invoice(200), TODAY, 1000) == AGENCY


def test_small_amounts_pass_over_a_rung():
    assert placement_level(LADDER, invoice(20, 50), TODAY, 50) == EMAIL


def test_never_lowers_a_level_already_reached():
    assert placement_level(LADDER, invoice(20, level=LETTER), TODAY, 1000) is None
    assert placement_level(LADDER, invoice(20, level=CALL), TODAY, 1000) is None
    assert placement_level(LADDER, invoice(40, level=EMAIL), TODAY, 1000) == LETTER


def test_disputed_days_are_not_counted():
    assert placement_level(LADDER, invoice(20, paused=10), TODAY, 1000) == EMAIL


def test_plan_placement_sizes_rungs_on_the_overdue_total():
    # 60 + 60 overdue: the call's minimum of 100 is reached by the total.
    placed = plan_placement(
        LADDER, [invoice(20, 60, id_=1), invoice(16, 60, id_=2)], TODAY, STOP
    )
    assert placed == {1: CALL, 2: CALL}
    placed = plan_placement(LADDER, [invoice(20, 60, id_=1)], TODAY, STOP)
    assert placed == {1: EMAIL}


def test_count_by_level():
    counts = count_by_level(
        {
            "a": {1: EMAIL, 2: LETTER},
            "b": {3: LETTER},
            "c": {4: LETTER, 5: LETTER},
        }
    )
    assert counts == [LevelCount(EMAIL.id, 1, 1), LevelCount(LETTER.id, 4, 3)]


def test_first_rung_when_climbing():
    assert first_rung(LADDER, [invoice(200)], TODAY) == EMAIL
    assert first_rung(LADDER, [invoice(3)], TODAY) is None
    assert first_rung(LADDER, [invoice(-1)], TODAY) is None
