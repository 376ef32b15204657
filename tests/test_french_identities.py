import random

from stdnum.fr import siren, siret, tva
from tools.french_identities import random_debtor, random_siren, siret_of, vat_of


def test_identifiers_are_valid_for_stdnum():
    rng = random.Random(7)
    for _ in range(200):
        number = random_siren(rng)
        assert siren.is_valid(number)
        assert siret.is_valid(siret_of(number, rng.randrange(1, 9999)))
        assert tva.is_valid(vat_of(number))


def test_known_vat_numbers():
    # LEGAL_FR.md section 7
    assert vat_of("712049618") == "FR25712049618"
    assert vat_of("420625113") == "FR23420625113"


def test_same_seed_same_debtors():
    first = [random_debtor(random.Random(3), i) for i in range(20)]
    second = [random_debtor(random.Random(3), i) for i in range(20)]
    assert first == second


def test_debtor_kinds():
    rng = random.Random(11)
    debtors = [random_debtor(rng, i, individual_ratio=0.5) for i in range(400)]
    companies = [d for d in debtors if d.is_company]
    individuals = [d for d in debtors if not d.is_company]
    assert 120 < len(companies) < 280
    assert all(d.siren and d.siret.startswith(d.siren) for d in companies)
    assert all(not d.siren and not d.vat for d in individuals)
    assert all(d.mobile[:2] in ("06", "07") for d in individuals)
    assert all(d.email.endswith(".example") for d in debtors)
    assert len({d.name for d in debtors}) == len(debtors)
