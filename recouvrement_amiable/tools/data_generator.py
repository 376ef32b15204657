"""Seeded generator of French customers and posted customer invoices.

Used by the demo command (``scripts/demo``), by the Odoo tests and by the
benchmark (``scripts/bench``): ``generate(env, debtors=..., ...)`` creates
``debtors`` customers (companies with valid SIREN/SIRET/VAT, and individuals)
and about ``invoices_per_debtor`` posted invoices each in the current company,
most of them overdue by 1 to ``max_days_overdue`` days, some partly paid, some
paid, some not yet due. It works with whatever chart of accounts the company
has; ``setup_french_company`` turns a fresh company into a French one first.

Records are created in batches: one ``create`` per batch of partners, of
invoices and of payments, one ``action_post`` per batch of invoices and of
payments, one reconciliation plan per batch of payments, so that 50,000
invoices take minutes, not hours. The dataset is the same as when each
payment was registered one at a time with the wizard, but for the numbers of
the partial payments: a batch is numbered in date order.
"""

import logging
import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from odoo import Command, fields
from odoo.tools import SQL

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
    after_batch=None,
):
    """Create customers and posted invoices in ``env.company``; return a Dataset.

    Shares of invoices: ``overdue_ratio`` overdue by 1..``max_days_overdue``
    days, ``paid_ratio`` fully paid, the rest not yet due (0-30 days ahead).
    ``partly_paid_ratio`` of the overdue ones get a partial payment (20-80 %).
    The number of invoices per debtor varies around ``invoices_per_debtor``
    (at least one), so the total is ``debtors * invoices_per_debtor`` exactly.
    ``after_batch()``, when given, is called after each batch of invoices and
    of payments: the benchmark commits there, so that the largest datasets
    are not built in one transaction of hours.
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

    invoices = _create_invoices(
        env,
        plans,
        rng,
        journal,
        tax,
        payment_term,
        batch_size=batch_size,
        after_batch=after_batch,
    )
    kinds = [kind for *_plan, kind in plans]

    paid_ids = []
    partly_paid_ids = []
    for invoice, kind in zip(invoices, kinds, strict=True):
        if kind == "paid":
            paid_ids.append(invoice.id)
        elif kind == "overdue" and rng.random() < partly_paid_ratio:
            partly_paid_ids.append(invoice.id)
    paid = invoices.browse(paid_ids)
    partly_paid = invoices.browse(partly_paid_ids)
    for to_pay, full in ((paid, True), (partly_paid, False)):
        _register_payments(
            env,
            to_pay,
            rng,
            full=full,
            today=today,
            batch_size=batch_size,
            after_batch=after_batch,
        )
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


def _create_invoices(
    env, plans, rng, journal, tax, payment_term, *, batch_size, after_batch=None
):
    """Create and post the invoices of ``plans`` (partner, invoice date, due
    date, kind), ``batch_size`` at a time (one ``create``, one
    ``action_post``), drawing their lines from ``rng``."""
    Move = env["account.move"].with_context(tracking_disable=True, mail_notrack=True)
    invoice_values = _invoice_values_maker(Move, journal, tax, payment_term)
    batches = []
    for start in range(0, len(plans), batch_size):
        chunk = plans[start : start + batch_size]
        batch = Move.create(
            [
                invoice_values(rng, partner, invoice_date, due)
                for partner, invoice_date, due, _kind in chunk
            ]
        )
        _subscribe_customers(batch)
        batch.action_post()
        batches.append(batch)
        if len(batches) & (len(batches) - 1) == 0:  # after 1, 2, 4, 8... batches
            _refresh_statistics(env, "account.move", "account.move.line")
        _logger.info(
            "data generator: %d/%d invoices posted", start + len(chunk), len(plans)
        )
        if after_batch:
            after_batch()
    return Move.browse().concat(*batches).with_env(env)


def _refresh_statistics(env, *models):
    """Have PostgreSQL's planner take the rows created so far into account.

    Without ``after_batch`` committing (the tests, the demo), the whole
    dataset is created in one transaction, so autovacuum cannot analyze the
    tables while they grow: with the statistics of nearly empty
    tables, the query by which Odoo numbers each posted move (the last
    sequence of the journal) scans all the journal's moves, and posting gets
    slower with every invoice (184 of 819 seconds for 10,000 invoices).
    ``ANALYZE`` sees the transaction's own rows; run after 1, 2, 4, 8...
    batches, it costs little."""
    for model in models:
        env.cr.execute(SQL("ANALYZE %s", SQL.identifier(env[model]._table)))


def _invoice_values_maker(Move, journal, tax, payment_term):
    """A function ``(rng, partner, invoice_date, due) -> values`` of one
    invoice of 1 to 3 lines taxed with ``tax``.

    The values include some that Odoo would otherwise compute invoice by
    invoice (the fiscal position, here once per customer) or line by line
    (the most frequent account of the customer: the journal's, as the
    generator's customers have no other) or write on each invoice, one
    ``write`` per line or per invoice, after its creation (the tax report
    tags and the amount of each line) or at posting (the delivery date of
    French invoices). Given at creation, the batch ``create`` and
    ``action_post`` skip those writes; should one differ from Odoo's own,
    Odoo still writes the right one.
    """
    company = journal.company_id
    currency = journal.currency_id or company.currency_id
    line_extra = {"tax_ids": [Command.set(tax.ids)]}
    tags = _base_tax_tags(tax)
    if tags:
        line_extra["tax_tag_ids"] = [Command.set(tags.ids)]
    if journal.default_account_id:
        line_extra["account_id"] = journal.default_account_id.id
    # Lines' amounts (tax excluded) are their quantity times their unit price
    # when no tax is included in the price, in the company's currency.
    amounts_known = currency == company.currency_id and not any(
        tax.mapped("price_include")
    )
    new_invoice = Move.new(
        {"move_type": "out_invoice", "journal_id": journal.id}
    ).with_company(company)
    with_delivery_date = "delivery_date" in Move._fields and bool(
        new_invoice.show_delivery_date
    )
    FiscalPosition = Move.env["account.fiscal.position"].with_company(company)
    fiscal_positions = {}

    def fiscal_position(partner):
        # As Odoo computes it for each invoice, once per customer.
        if partner not in fiscal_positions:
            delivery = partner.address_get(["delivery"])["delivery"]
            fiscal_positions[partner] = FiscalPosition._get_fiscal_position(
                partner, delivery=partner.browse(delivery)
            )
        return fiscal_positions[partner]

    def invoice_values(rng, partner, invoice_date, due):
        lines = []
        for _ in range(rng.randint(1, 3)):
            line = {
                "name": rng.choice(SERVICES),
                "quantity": rng.randint(1, 5),
                "price_unit": round(rng.uniform(80, 4000), 2),
                **line_extra,
            }
            if amounts_known:
                amount = -currency.round(line["quantity"] * line["price_unit"])
                line.update(amount_currency=amount, balance=amount)
            lines.append(Command.create(line))
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "journal_id": journal.id,
            "invoice_date": invoice_date,
            "date": invoice_date,
            "invoice_line_ids": lines,
            "fiscal_position_id": fiscal_position(partner).id,
        }
        if with_delivery_date:
            vals["delivery_date"] = invoice_date
        if payment_term:
            vals["invoice_payment_term_id"] = payment_term.id
        else:
            vals["invoice_date_due"] = due
        return vals

    return invoice_values


def _base_tax_tags(tax):
    """The tax report tags Odoo puts on an invoice line taxed with ``tax``
    alone (empty when unsure: Odoo then sets them itself)."""
    if len(tax) != 1 or tax.amount_type == "group":
        return tax.browse()
    if tax.tax_exigibility != "on_invoice":
        return tax.browse()
    return tax.invoice_repartition_line_ids.filtered(
        lambda rep: rep.repartition_type == "base"
    ).tag_ids


def _subscribe_customers(moves):
    """Make each move's partner a follower of it, as posting does one move at
    a time (``message_subscribe``): the same followers, with the same default
    subtypes, in one ``create``."""
    Followers = moves.env["mail.followers"].sudo()
    following = {
        (follower.res_id, follower.partner_id.id)
        for follower in Followers.search(
            [("res_model", "=", moves._name), ("res_id", "in", moves.ids)]
        )
    }
    customer_ids = moves.partner_id.filtered("partner_share").ids
    to_create = []
    for partner, partner_moves in moves.grouped("partner_id").items():
        new_ids = [
            move.id
            for move in partner_moves
            if partner.active and (move.id, partner.id) not in following
        ]
        if not new_ids:
            continue
        new, _update = Followers._add_default_followers(
            moves._name,
            new_ids,
            partner.ids,
            customer_ids=customer_ids,
            check_existing=False,
        )
        to_create += [
            dict(values, res_id=res_id)
            for res_id, values_list in new.items()
            for values in values_list
        ]
    Followers.with_context(default_partner_id=False).create(to_create)


def _register_payments(
    env, invoices, rng, *, full, today, batch_size=500, after_batch=None
):
    """Pay ``invoices`` as Odoo's payment wizard does (one payment per
    invoice, reconciled with it): fully on ``today``, or partly (20-80 % of
    the residual) on a date between the invoice date and today.

    The wizard pays several invoices at once only of their whole residual on
    one date; here each payment has its own amount and date, so the wizard's
    steps are run on the whole batch: payment values from the wizard, one
    ``create``, one ``action_post``, one reconciliation plan."""
    if not invoices:
        return
    plan = []  # (invoice, amount, date), in the order of the old generator
    for invoice in invoices:
        if full:
            plan.append((invoice, None, today))
            continue
        share = rng.uniform(0.2, 0.8)
        amount = invoice.currency_id.round(invoice.amount_residual * share)
        paid_on = min(today, invoice.invoice_date + timedelta(rng.randint(10, 60)))
        plan.append((invoice, amount, paid_on))
    Register = env["account.payment.register"].with_context(
        active_model="account.move", tracking_disable=True
    )
    for number, start in enumerate(range(0, len(plan), batch_size), 1):
        chunk = plan[start : start + batch_size]
        moves = env["account.move"].concat(*(invoice for invoice, *_ in chunk))
        wizard = Register.with_context(active_ids=moves.ids).create(
            {"payment_date": today, "group_payment": False}
        )
        to_process = _payments_to_process(wizard, chunk)
        payments = wizard._init_payments(to_process)
        # Their journal entries, made now rather than by the posting so that
        # their customers can follow them in one go, as for the invoices.
        payments._generate_journal_entry()
        _subscribe_customers(payments.move_id)
        wizard._post_payments(to_process)
        _reconcile_payments(env, to_process)
        if number & (number - 1) == 0:  # after 1, 2, 4, 8... batches
            _refresh_statistics(env, "account.move", "account.move.line")
        _logger.info(
            "data generator: %d/%d %s payments registered",
            start + len(chunk),
            len(plan),
            "full" if full else "partial",
        )
        if after_batch:
            after_batch()


def _payments_to_process(wizard, chunk):
    """The wizard's ``to_process`` of ``_create_payments`` without grouping
    (one payment per receivable line), in the order of ``chunk``, with each
    payment's amount (``None``: the residual) and date."""
    by_move = {}
    for batch in wizard.batches:
        for line in batch["lines"]:
            by_move.setdefault(line.move_id, []).append(
                {
                    **batch,
                    "payment_values": {
                        **batch["payment_values"],
                        "payment_type": "inbound" if line.balance > 0 else "outbound",
                    },
                    "lines": line,
                }
            )
    to_process = []
    for invoice, amount, paid_on in chunk:
        for line_batch in by_move.get(invoice, ()):
            vals = wizard._create_payment_vals_from_batch(line_batch)
            vals["date"] = paid_on
            if amount is not None:
                vals["amount"] = amount
            if not vals.get("write_off_line_vals"):
                # Without write-off, the journal entries are made when the
                # payments are posted, all at once, instead of one by one
                # (and posted one by one) when each payment is created.
                vals.pop("write_off_line_vals", None)
            # The link the wizard writes on each invoice after reconciling.
            vals["invoice_ids"] = [Command.set(invoice.ids)]
            to_process.append(
                {
                    "create_vals": vals,
                    "to_reconcile": line_batch["lines"],
                    "batch": line_batch,
                }
            )
    return to_process


def _reconcile_payments(env, to_process):
    """``account.payment.register._reconcile_payments`` in one
    reconciliation plan instead of one ``reconcile`` per payment."""
    domain = [
        ("parent_state", "=", "posted"),
        (
            "account_type",
            "in",
            env["account.payment"]._get_valid_payment_account_types(),
        ),
        ("reconciled", "=", False),
    ]
    plan = []
    for vals in to_process:
        payment_lines = vals["payment"].move_id.line_ids.filtered_domain(domain)
        lines = vals["to_reconcile"]
        for account in payment_lines.account_id:
            plan.append(
                (payment_lines + lines).filtered_domain(
                    [
                        ("account_id", "=", account.id),
                        ("reconciled", "=", False),
                        ("parent_state", "=", "posted"),
                    ]
                )
            )
    env["account.move.line"]._reconcile_plan(plan)
