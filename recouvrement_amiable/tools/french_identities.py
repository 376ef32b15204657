"""Plausible French debtors for demo, tests and benchmarks (no Odoo import).

Companies get valid SIREN, SIRET and VAT numbers (check digits computed by
python-stdnum), a legal form, an address, an e-mail and a switchboard or
mobile number; individuals get a name, an address, an e-mail and a mobile
number. Everything derives from a ``random.Random`` so a seed gives the same
data on every machine. E-mail domains use ``.example`` (RFC 2606) so that a
demo never mails a real address.
"""

from dataclasses import dataclass

from stdnum import luhn
from stdnum.fr import tva

LEGAL_FORMS = ("SAS", "SARL", "SA", "SASU", "EURL", "SCI", "SNC")
COMPANY_STEMS = (
    "Boulangerie",
    "Transports",
    "Menuiserie",
    "Imprimerie",
    "Garage",
    "Cabinet",
    "Atelier",
    "Bureau d'études",
    "Plomberie",
    "Électricité",
    "Restaurant",
    "Librairie",
    "Pharmacie",
    "Agence",
    "Laboratoire",
    "Fromagerie",
    "Vignobles",
    "Maçonnerie",
    "Jardinerie",
    "Informatique",
)
FIRST_NAMES = (
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Louise",
    "Jeanne",
    "Emma",
    "Hugo",
    "Lucas",
    "Louis",
    "Gabriel",
    "Arthur",
    "Jules",
    "Nathan",
    "Théo",
    "Élodie",
    "François",
    "Hélène",
    "Sébastien",
)
LAST_NAMES = (
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefèbvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
)
STREETS = (
    "rue de la République",
    "avenue Jean Jaurès",
    "boulevard Victor Hugo",
    "rue du Général Leclerc",
    "place de la Mairie",
    "rue des Écoles",
    "chemin des Vignes",
    "allée des Tilleuls",
    "rue Pasteur",
    "quai de la Loire",
)
# (city, postcode)
CITIES = (
    ("Paris", "75011"),
    ("Lyon", "69003"),
    ("Marseille", "13006"),
    ("Toulouse", "31000"),
    ("Nantes", "44000"),
    ("Bordeaux", "33000"),
    ("Lille", "59000"),
    ("Rennes", "35000"),
    ("Strasbourg", "67000"),
    ("Montpellier", "34000"),
    ("Dijon", "21000"),
    ("Tours", "37000"),
    ("Angers", "49000"),
    ("Grenoble", "38000"),
    ("Reims", "51100"),
)
SERVICES = (
    "Prestation de conseil",
    "Maintenance annuelle",
    "Fourniture de matériel",
    "Installation et mise en service",
    "Formation du personnel",
    "Transport et livraison",
    "Travaux de rénovation",
    "Abonnement logiciel",
    "Location de matériel",
    "Audit et diagnostic",
)


@dataclass(frozen=True)
class Debtor:
    """One customer to create: a company or an individual."""

    is_company: bool
    name: str
    legal_form: str
    siren: str
    siret: str
    vat: str
    street: str
    zip: str
    city: str
    email: str
    phone: str
    mobile: str
    contact_name: str


def random_siren(rng):
    """A valid SIREN: 8 random digits and their Luhn check digit."""
    body = f"{rng.randrange(10_000_000, 99_999_999):08d}"
    return body + luhn.calc_check_digit(body)


def siret_of(siren, establishment):
    """The SIRET of an establishment (NIC) of a company, with its check digit."""
    body = f"{siren}{establishment:04d}"
    return body + luhn.calc_check_digit(body)


def vat_of(siren):
    """The French intra-community VAT number of a SIREN.

    stdnum validates TVA numbers but has no function to build one, so the key
    is computed here, (12 + 3 * (SIREN mod 97)) mod 97, and checked by stdnum.
    """
    key = (12 + 3 * (int(siren) % 97)) % 97
    vat = f"FR{key:02d}{siren}"
    tva.validate(vat)
    return vat


def random_mobile(rng):
    """A French mobile number as people type it: 06 or 07, by pairs."""
    prefix = rng.choice(("06", "07"))
    pairs = " ".join(f"{rng.randrange(100):02d}" for _ in range(4))
    return f"{prefix} {pairs}"


def random_landline(rng, zipcode):
    """A landline in the debtor's region (01 Paris ... 05 south-west)."""
    region = {"7": "01", "6": "04", "1": "04", "3": "05", "4": "02", "5": "03"}
    prefix = region.get(zipcode[0], "02")
    pairs = " ".join(f"{rng.randrange(100):02d}" for _ in range(4))
    return f"{prefix} {pairs}"


def _slug(text):
    table = str.maketrans("àâäéèêëîïôöùûüçÉÈ", "aaaeeeeiioouuuceE")
    keep = "".join(c if c.isalnum() else "-" for c in text.translate(table).lower())
    return "-".join(part for part in keep.split("-") if part)


def random_debtor(rng, index, individual_ratio=0.3):
    """The ``index``-th debtor of a dataset (index makes names unique)."""
    city, zipcode = rng.choice(CITIES)
    street = f"{rng.randrange(1, 180)} {rng.choice(STREETS)}"
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    if rng.random() < individual_ratio:
        name = f"{first} {last} ({index})"
        email = f"{_slug(first)}.{_slug(last)}.{index}@particulier.example"
        return Debtor(
            is_company=False,
            name=name,
            legal_form="",
            siren="",
            siret="",
            vat="",
            street=street,
            zip=zipcode,
            city=city,
            email=email,
            phone="",
            mobile=random_mobile(rng),
            contact_name="",
        )
    legal_form = rng.choice(LEGAL_FORMS)
    name = f"{rng.choice(COMPANY_STEMS)} {last} {index} {legal_form}"
    siren = random_siren(rng)
    return Debtor(
        is_company=True,
        name=name,
        legal_form=legal_form,
        siren=siren,
        siret=siret_of(siren, rng.randrange(1, 60)),
        vat=vat_of(siren),
        street=street,
        zip=zipcode,
        city=city,
        email=f"comptabilite@{_slug(name)}.example",
        phone=random_landline(rng, zipcode),
        mobile=random_mobile(rng) if rng.random() < 0.6 else "",
        contact_name=f"{first} {last}",
    )
