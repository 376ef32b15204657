"""Seeded generator of French customers and posted customer invoices.

Used by the demo command (``scripts/demo``), by the Odoo tests and by the
benchmark (``scripts/bench``): ``generate(env, debtors=..., ...)`` creates
``debtors`` customers (companies with valid SIREN/SIRET/VAT, and individuals)
and about ``invoices_per_debtor`` posted invoices each in the current company,
most of them overdue by 1 to ``max_days_overdue`` days, some partly paid, some
paid, some not yet due. It works with whatever chart of accounts the company
has; ``setup_french_company`` turns a fresh company into a French one first.

Records are created in batches (one ``create`` per batch of partners and of
invoices, one ``action_post`` per batch) so that 10,000 invoices take minutes,
not hours.
"""

import logging
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from odoo import Command, fields

from .french_identities import SERVICES, random_debtor

_logger = logging.getLogger(__name__)

DEMO_COMPANY = {
    "name": "Atelier Lumière SAS",
    "street": "12 rue de la Paix",
    "zip": "75002",
    "city": "Paris",
    "siret": "73282932000074",
    "vat": "FR44732829320",
    "company_registry": "732829320",
    "email": "comptabilite@atelier-lumiere.example",
    "phone": "+33 1 42 68 53 00",
}


@dataclass
class Dataset:
    """What ``generate`` created, for tests and benchmarks."""

    partners: object
    invoices: object
    partly_paid: object
    paid: object
    today: date
    counts: dict = field(default_factory=dict)


def setup_french_company(env, company=None, values=None):
    """Make ``company`` a French company (EUR, address, SIRET) with the French
    chart of accounts (module l10n_fr_account), unless it already has a chart.
    """
    company = company or env.company
    france = env.ref("base.fr")
    euro = env.ref("base.EUR")
    euro.active = True
    vals = dict(DEMO_COMPANY, **(values or {}))
    if "siret" not in company.partner_id._fields:
        vals.pop("siret")
    vals.update(country_id=france.id, currency_id=euro.id)
    if env["account.move.line"].search_count(
        [("company_id", "=", company.id)], limit=1
    ):
        # The currency of a company with journal items cannot change.
        vals.pop("currency_id")
    company.write(vals)
    if not company.chart_template:
        env["account.chart.template"].try_loading("fr", company, install_demo=False)
    return company


def _customer_values(debtor, france, company, payment_term, lang):
    vals = {
        "name": debtor.name,
        "is_company": debtor.is_company,
        "street": debtor.street,
        "zip": debtor.zip,
        "city": debtor.city,
        "country_id": france.id,
        "email": debtor.email,
        "phone": debtor.phone or False,
        "mobile": debtor.mobile or False,
        "lang": lang,
        "customer_rank": 1,
        "property_payment_term_id": payment_term.id if payment_term else False,
    }
    if debtor.is_company:
        vals.update(vat=debtor.vat, company_registry=debtor.siren)
        if "siret" in company.partner_id._fields:
            vals["siret"] = debtor.siret
        if debtor.contact_name:
            vals["child_ids"] = [
                Command.create(
                    {
                        "name": debtor.contact_name,
                        "type": "invoice",
                        "email": debtor.email,
                        "mobile": debtor.mobile or False,
                        "lang": lang,
                    }
                )
            ]
    return vals


def ensure_current_rates(env, on_date):
    """Late-payment rates are published every half-year and entered by the
    user. When the half-year of ``on_date`` has none, copy the last known
    figures into it (demo and benchmark databases only) and return the new
    record, so that documents stating penalties can be produced."""
    Rate = env["recouvrement.legal.rate"]
    if Rate.search_count([("date_from", "<=", on_date), ("date_to", ">=", on_date)]):
        return Rate
    latest = Rate.search(
        [("date_from", "<=", on_date)], order="date_from desc", limit=1
    )
    if not latest:
        return Rate
    return Rate.create(
        {
            "date_from": on_date.replace(month=1 if on_date.month < 7 else 7, day=1),
            "ecb_rate": latest.ecb_rate,
            "legal_rate": latest.legal_rate,
            "legal_rate_individual": latest.legal_rate_individual,
        }
    )


def _installed_lang(env, code):
    return code if env["res.lang"]._lang_get(code) else env.user.lang or "en_US"


def generate(
    env,
    *,
    debtors=40,
    invoices_per_debtor=5,
    seed=2026,
    today=None,
    individual_ratio=0.3,
    overdue_ratio=0.78,
    paid_ratio=0.08,
    partly_paid_ratio=0.12,
    max_days_overdue=200,
    batch_size=500,
):
    """Create customers and posted invoices in ``env.company``; return a Dataset.

    Shares of invoices: ``overdue_ratio`` overdue by 1..``max_days_overdue``
    days, ``paid_ratio`` fully paid, the rest not yet due (0-30 days ahead).
    ``partly_paid_ratio`` of the overdue ones get a partial payment (20-80 %).
    The number of invoices per debtor varies around ``invoices_per_debtor``
    (at least one), so the total is ``debtors * invoices_per_debtor`` exactly.
    """
    rng = random.Random(seed)
    today = today or fields.Date.context_today(env.user)
    company = env.company
    france = env.ref("base.fr")
    lang = _installed_lang(env, "fr_FR")
    payment_term = env.ref("account.account_payment_term_30days", False)
    journal = env["account.journal"].search(
        [("type", "=", "sale"), ("company_id", "=", company.id)], limit=1
    )
    if not journal:
        raise ValueError(f"company {company.name} has no sales journal")
    tax = company.account_sale_tax_id

    # Customers, in batches.
    people = [random_debtor(rng, i + 1, individual_ratio) for i in range(debtors)]
    Partner = env["res.partner"].with_context(tracking_disable=True)
    partners = env["res.partner"]
    for start in range(0, len(people), batch_size):
        chunk = people[start : start + batch_size]
        partners |= Partner.create(
            [_customer_values(d, france, company, payment_term, lang) for d in chunk]
        )

    # Invoice plan: spread the total over debtors, each at least one.
    total = debtors * invoices_per_debtor
    per_debtor = [1] * debtors
    for _ in range(total - debtors):
        per_debtor[rng.randrange(debtors)] += 1

    plans = []  # (partner, invoice_date, kind)
    for partner, count in zip(partners, per_debtor, strict=True):
        for _ in range(count):
            roll = rng.random()
            if roll < overdue_ratio:
                kind, due = (
                    "overdue",
                    today - timedelta(rng.randint(1, max_days_overdue)),
                )
            elif roll < overdue_ratio + paid_ratio:
                kind, due = "paid", today - timedelta(rng.randint(1, max_days_overdue))
            else:
                kind, due = "not_due", today + timedelta(rng.randint(0, 30))
            plans.append((partner, due - timedelta(30), due, kind))
    # Posting in date order keeps the sequence chronological (French
    # journals check it for inalterability).
    plans.sort(key=lambda plan: plan[1])

    Move = env["account.move"].with_context(tracking_disable=True, mail_notrack=True)
    invoices = env["account.move"]
    kinds = []
    for start in range(0, len(plans), batch_size):
        chunk = plans[start : start + batch_size]
        vals_list = []
        for partner, invoice_date, due, kind in chunk:
            lines = []
            for _ in range(rng.randint(1, 3)):
                lines.append(
                    Command.create(
                        {
                            "name": rng.choice(SERVICES),
                            "quantity": rng.randint(1, 5),
                            "price_unit": round(rng.uniform(80, 4000), 2),
                            "tax_ids": [Command.set(tax.ids)],
                        }
                    )
                )
            vals = {
                "move_type": "out_invoice",
                "partner_id": partner.id,
                "journal_id": journal.id,
                "invoice_date": invoice_date,
                "date": invoice_date,
                "invoice_line_ids": lines,
            }
            if payment_term:
                vals["invoice_payment_term_id"] = payment_term.id
            else:
                vals["invoice_date_due"] = due
            vals_list.append(vals)
            kinds.append(kind)
        batch = Move.create(vals_list)
        batch.action_post()
        invoices |= batch
        _logger.info("data generator: %d/%d invoices posted", len(invoices), total)

    paid = env["account.move"]
    partly_paid = env["account.move"]
    for invoice, kind in zip(invoices, kinds, strict=True):
        if kind == "paid":
            paid |= invoice
        elif kind == "overdue" and rng.random() < partly_paid_ratio:
            partly_paid |= invoice
    _register_payments(env, paid, rng, full=True, today=today)
    _register_payments(env, partly_paid, rng, full=False, today=today)
    return Dataset(
        partners=partners,
        invoices=invoices,
        partly_paid=partly_paid,
        paid=paid,
        today=today,
        counts={
            "debtors": len(partners),
            "invoices": len(invoices),
            "overdue": sum(1 for k in kinds if k == "overdue"),
            "paid": len(paid),
            "partly_paid": len(partly_paid),
        },
    )


def _register_payments(env, invoices, rng, *, full, today):
    """Pay ``invoices`` with Odoo's payment wizard: fully in one batch, or
    partly (20-80 % of the residual) one by one, on a date between the
    invoice date and today."""
    if not invoices:
        return
    Register = env["account.payment.register"].with_context(
        active_model="account.move", tracking_disable=True
    )
    if full:
        Register.with_context(active_ids=invoices.ids).create(
            {"payment_date": today, "group_payment": False}
        )._create_payments()
        return
    for invoice in invoices:
        share = rng.uniform(0.2, 0.8)
        amount = invoice.currency_id.round(invoice.amount_residual * share)
        paid_on = min(today, invoice.invoice_date + timedelta(rng.randint(10, 60)))
        Register.with_context(active_ids=invoice.ids).create(
            {
                "amount": amount,
                "payment_date": paid_on,
                "payment_difference_handling": "open",
            }
        )._create_payments()
