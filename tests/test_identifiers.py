import pytest
from rules.identifiers import (
    INVALID,
    MISSING,
    REASON_NOT_MOBILE,
    VALID,
    check_siren,
    check_siret,
    check_vat,
    normalize_mobile,
    normalize_phone,
    siren_from_siret,
)


@pytest.mark.parametrize("value", ["632012100", "712049618", "420 625 113"])
def test_valid_siren(value):
    checked = check_siren(value)
    assert checked.status == VALID
    assert checked.normalized == value.replace(" ", "")


def test_invalid_and_missing_siren():
    assert check_siren("404833047").status == INVALID
    assert check_siren("12345").status == INVALID
    assert check_siren("").status == MISSING
    assert check_siren(None).status == MISSING
    # The raw value is kept for the flagged column.
    assert check_siren("404833047").raw == "404833047"


def test_siret():
    assert check_siret("73282932000074").status == VALID
    assert check_siret("44126652500019").status == VALID
    assert check_siret("73282932000079").status == INVALID
    assert siren_from_siret("732 829 320 00074") == "732829320"
    assert siren_from_siret("73282932000079") == ""


def test_vat():
    assert check_vat("FR25712049618").normalized == "FR25712049618"
    assert check_vat("FR 23 420 625 113").status == VALID
    assert check_vat("FR84323140391").status == INVALID
    assert check_vat("BE0403019261").status == VALID
    assert check_vat("").status == MISSING


@pytest.mark.parametrize(
    "typed",
    [
        "06 12 34 56 78",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33 6 12 34 56 78",
        "0033612345678",
    ],
)
def test_mobile_forms(typed):
    assert normalize_mobile(typed).normalized == "+33612345678"


def test_landline_is_a_phone_not_a_mobile():
    assert normalize_phone("01 42 68 53 00").normalized == "+33142685300"
    checked = normalize_mobile("01 42 68 53 00")
    assert checked.status == INVALID and checked.reason == REASON_NOT_MOBILE


def test_overseas_and_garbage():
    # A Réunion mobile typed nationally.
    assert normalize_mobile("0692 12 34 56", "RE").normalized == "+262692123456"
    assert normalize_phone("not a number").status == INVALID
    assert normalize_phone("06 12").status == INVALID
    assert normalize_phone("").status == MISSING
