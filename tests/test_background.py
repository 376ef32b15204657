"""The rules run in a process of their own (tools/background.py)."""

from decimal import Decimal

import pytest
from rules import agency_file, identifiers, installments
from tools import background


@pytest.fixture
def started(monkeypatch):
    """The commands of the processes started."""
    commands = []
    popen = background.subprocess.Popen

    def spy(command, **kwargs):
        commands.append(command)
        return popen(command, **kwargs)

    monkeypatch.setattr(background.subprocess, "Popen", spy)
    return commands


def test_result_comes_back_as_the_rules_objects(started):
    result = background.start_process(
        identifiers.check_siret, "732 829 320 00074"
    ).result()
    assert result == identifiers.CheckedValue(
        raw="732 829 320 00074", normalized="73282932000074", status="valid"
    )
    assert type(result) is identifiers.CheckedValue
    assert started == [[background.sys.executable, str(background.RUNNER)]]


def test_keyword_arguments_reach_the_function():
    amounts = background.start_process(
        installments.split_total, Decimal("100.00"), count=3
    ).result()
    assert amounts == installments.split_total(Decimal("100.00"), count=3)
    assert sum(amounts) == Decimal("100.00")


def test_what_the_function_raises_is_raised_by_result():
    future = background.start_process(installments.split_total, Decimal(0), count=2)
    with pytest.raises(installments.NonPositiveTotalError) as raised:
        future.result()
    assert raised.value.total == Decimal(0)


def test_only_functions_of_the_rules_run_in_a_process():
    with pytest.raises(ValueError, match="not a function of the rules package"):
        background.start_process(sorted, [2, 1])


def test_without_a_process_the_function_runs_in_the_thread(monkeypatch, started):
    monkeypatch.setattr(background.sys, "executable", "/usr/sbin/uwsgi")
    sheets = background.start_process(
        agency_file.build_sheets, [], [], [], None
    ).result()
    assert [sheet.rows for sheet in sheets] == [[], [], []]
    assert started == []


def test_a_process_that_fails_leaves_the_work_to_the_thread(monkeypatch, tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import sys\nsys.exit(3)\n")
    monkeypatch.setattr(background, "RUNNER", broken)
    result = background.start_process(identifiers.check_siren, "732829320").result()
    assert result.status == "valid"


def test_a_python_that_cannot_start_leaves_the_work_to_the_thread(monkeypatch):
    monkeypatch.setattr(background.sys, "executable", "/nonexistent/python3")
    result = background.start_process(identifiers.check_siren, "732829320").result()
    assert result.status == "valid"
