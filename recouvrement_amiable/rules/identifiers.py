"""Checking and normalising a debtor's identifiers and phone numbers.

SIREN, SIRET and VAT numbers are checked with python-stdnum and phone numbers
normalised to E.164 with phonenumbers: nothing here re-implements a check
digit. Every function returns a ``CheckedValue`` that keeps the raw value, so
that an agency file or a screen can show a wrong number as typed, flagged,
instead of dropping it.
"""

from dataclasses import dataclass

import phonenumbers
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError
from stdnum.fr import siren as fr_siren
from stdnum.fr import siret as fr_siret
from stdnum.fr import tva as fr_tva

VALID = "valid"
INVALID = "invalid"
MISSING = "missing"

# Reasons of an invalid value (codes: the Odoo layer translates them).
REASON_FORMAT = "format"
REASON_CHECKSUM = "checksum"
REASON_NOT_MOBILE = "not_mobile"
REASON_UNKNOWN_NUMBER = "unknown_number"

# French overseas departments have their own phone regions (LEGAL_FR.md 7).
PHONE_REGIONS = {"GP": "GP", "GF": "GF", "MQ": "MQ", "RE": "RE", "YT": "YT"}

MOBILE_TYPES = (
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
)


@dataclass(frozen=True)
class CheckedValue:
    """A value as typed, its normalised form when valid, and its status."""

    raw: str
    normalized: str
    status: str
    reason: str = ""

    @property
    def is_valid(self):
        return self.status == VALID


def _missing(raw):
    return CheckedValue(raw=raw or "", normalized="", status=MISSING)


def _check(raw, module, formatter=None):
    if not (raw or "").strip():
        return _missing(raw)
    try:
        compact = module.validate(raw)
    except ValidationError as error:
        reason = (
            REASON_CHECKSUM
            if "checksum" in type(error).__name__.lower()
            else REASON_FORMAT
        )
        return CheckedValue(raw=raw, normalized="", status=INVALID, reason=reason)
    return CheckedValue(
        raw=raw, normalized=formatter(compact) if formatter else compact, status=VALID
    )


def check_siren(value):
    """A SIREN (9 digits, Luhn), e.g. '632 012 100'."""
    return _check(value, fr_siren)


def check_siret(value):
    """A SIRET (14 digits, Luhn; La Poste's exception handled by stdnum)."""
    return _check(value, fr_siret)


def siren_from_siret(value):
    """The SIREN of a valid SIRET, else ''."""
    checked = check_siret(value)
    return checked.normalized[:9] if checked.is_valid else ""


def check_vat(value, country_code=None):
    """A VAT number: French TVA with stdnum.fr.tva, other EU countries with
    stdnum.eu.vat. Normalised with its country prefix (FR25712049618)."""
    raw = value or ""
    compact = raw.replace(" ", "").replace(".", "").upper()
    if not compact:
        return _missing(raw)
    if compact.startswith("FR") or (country_code or "").upper() == "FR":
        checked = _check(raw, fr_tva)
        if checked.is_valid:
            return CheckedValue(
                raw=raw,
                normalized="FR" + checked.normalized.removeprefix("FR"),
                status=VALID,
            )
        return checked
    return _check(raw, eu_vat)


def _parse_phone(value, country_code):
    region = PHONE_REGIONS.get(
        (country_code or "").upper(), (country_code or "FR").upper()
    )
    text = (value or "").strip()
    if text.startswith("00"):
        text = "+" + text[2:]
    return phonenumbers.parse(text, region)


def normalize_phone(value, country_code="FR"):
    """A phone number in E.164 (+33612345678), from what people type:
    spaces, dots, dashes, +33, 0033 or the national form."""
    raw = value or ""
    if not raw.strip():
        return _missing(raw)
    try:
        number = _parse_phone(raw, country_code)
    except phonenumbers.NumberParseException:
        return CheckedValue(
            raw=raw, normalized="", status=INVALID, reason=REASON_FORMAT
        )
    if not phonenumbers.is_valid_number(number):
        return CheckedValue(
            raw=raw, normalized="", status=INVALID, reason=REASON_UNKNOWN_NUMBER
        )
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return CheckedValue(raw=raw, normalized=e164, status=VALID)


def normalize_mobile(value, country_code="FR"):
    """Like ``normalize_phone``, refusing numbers that cannot receive SMS."""
    checked = normalize_phone(value, country_code)
    if not checked.is_valid:
        return checked
    number = phonenumbers.parse(checked.normalized)
    if phonenumbers.number_type(number) not in MOBILE_TYPES:
        return CheckedValue(
            raw=checked.raw, normalized="", status=INVALID, reason=REASON_NOT_MOBILE
        )
    return checked
