"""Data and checks of scripts/upgrade_check, run in ``odoo shell``.

    UPGRADE_CHECK_STEP=create  (with the oldest released add-on, 18.0.1.0.0)
        makes customers with overdue invoices, runs the dunning (reminders),
        signs a payment plan and hands invoices over to an agency, then
        writes what exists to the JSON file $UPGRADE_CHECK_SNAPSHOT;
    UPGRADE_CHECK_STEP=check   (after ``-u recouvrement_amiable``)
        compares the reminders, their lines, the plans and the cases with the
        snapshot (same records, states and amounts), then runs the dunning
        again on a new overdue invoice.

It prints ``UPGRADE CHECK OK`` or ``UPGRADE CHECK FAILED: ...`` lines; the
bash script reads them. The hand-over goes through ``_transmit``, as the
old version's own tests do; everything else is public ORM calls.
"""
# ruff: noqa: F821 -- ``env`` is the variable odoo shell defines

import json
import os
import sys
from datetime import timedelta

from odoo import fields
from odoo.modules.module import get_manifest

STEP = os.environ["UPGRADE_CHECK_STEP"]
SNAPSHOT = os.environ["UPGRADE_CHECK_SNAPSHOT"]


def fail(message):
    print(f"UPGRADE CHECK FAILED: {message}", flush=True)
    env.cr.rollback()
    sys.exit(1)


def snapshot(env):
    """What must survive the upgrade, by model and record id (amounts as
    text rounded to the cent, so that the JSON round trip compares exactly)."""

    def cents(value):
        return f"{value or 0.0:.2f}"

    def read(model, fields_):
        records = env[model].with_context(active_test=False).search([])
        return {
            str(record.id): [
                cents(record[f]) if isinstance(record[f], float) else str(record[f])
                for f in fields_
            ]
            for record in records
        }

    return {
        "reminders": read(
            "recouvrement.action",
            ["partner_id", "level_id", "channel", "state", "amount_due"],
        ),
        "reminder lines": read(
            "recouvrement.action.line",
            ["action_id", "move_id", "amount_residual", "amount_residual_currency"],
        ),
        "plans": read(
            "recouvrement.plan",
            ["partner_id", "state", "amount_total", "amount_residual"],
        ),
        "plan lines": read(
            "recouvrement.plan.line", ["plan_id", "due_date", "amount", "amount_paid"]
        ),
        "cases": read(
            "recouvrement.case",
            ["partner_id", "agency_id", "state", "amount_principal", "amount_claimed"],
        ),
        "runs": read("recouvrement.run", ["date"]),
        "account moves": read(
            "account.move",
            [
                "partner_id",
                "state",
                "invoice_date_due",
                "amount_residual",
                "recouvrement_level_id",
            ],
        ),
    }


def invoice(env, partner, amount, days_late):
    today = fields.Date.context_today(env.user)
    due = today - timedelta(days=days_late)
    move = env["account.move"].create(
        {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": due - timedelta(days=30),
            "invoice_date_due": due,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                (0, 0, {"name": "Prestation", "price_unit": amount, "tax_ids": []})
            ],
        }
    )
    move.action_post()
    return move


def create(env):
    company = env.company
    if not company.chart_template:
        env["account.chart.template"].try_loading("fr", company, install_demo=False)
    fr = env.ref("base.fr")
    company.write({"email": "compta@creancier.example", "country_id": fr.id})
    Partner = env["res.partner"]
    debtors = Partner.create(
        [
            {
                "name": f"Client {name}",
                "is_company": True,
                "email": f"compta@{name.lower()}.example",
                "street": "12 rue des Lilas",
                "zip": "75011",
                "city": "Paris",
                "country_id": fr.id,
            }
            for name in ("Durand", "Morel", "Petit", "Roux")
        ]
    )
    durand, morel, petit, roux = debtors
    # An individual (the consumer policy) who paid part of an invoice.
    martin = Partner.create(
        {
            "name": "Camille Martin",
            "email": "camille.martin@particulier.example",
            "country_id": fr.id,
        }
    )
    partly_paid = invoice(env, martin, 500.00, 30)
    env["account.payment.register"].with_context(
        active_model="account.move", active_ids=partly_paid.ids
    ).create(
        {"amount": 123.45, "payment_difference_handling": "open"}
    )._create_payments()
    invoice(env, durand, 1200.00, 20)
    invoice(env, durand, 345.67, 40)
    invoice(env, morel, 980.10, 35)
    plan_invoice = invoice(env, petit, 1000.00, 25)
    case_invoices = invoice(env, roux, 2500.00, 90) | invoice(env, roux, 410.30, 75)

    env["recouvrement.policy"].run_dunning()

    Plan = env.get("recouvrement.plan")
    if Plan is not None:
        plan = Plan.create(
            {
                "partner_id": petit.id,
                "move_ids": [(6, 0, plan_invoice.ids)],
                "first_date": plan_invoice.invoice_date_due + timedelta(days=40),
                "frequency": "monthly",
                "installment_count": 3,
            }
        )
        plan.action_confirm()
        plan.action_mark_signed()
    Case = env.get("recouvrement.case")
    Rate = env.get("recouvrement.legal.rate")
    if Rate is not None:
        # Interest needs the rate of each half-year since the oldest due
        # date; users enter each new one (test figures).
        today = fields.Date.context_today(env.user)
        for year in (today.year - 1, today.year):
            for month in (1, 7):
                start = today.replace(year=year, month=month, day=1)
                if start <= today and not Rate.search([("date_from", "=", start)]):
                    Rate.create(
                        {
                            "date_from": start,
                            "ecb_rate": 2.0,
                            "legal_rate": 2.5,
                            "legal_rate_individual": 6.5,
                        }
                    )
    if Case is not None:
        agency = Partner.create(
            {
                "name": "Cabinet Recouvre SAS",
                "is_company": True,
                "email": "dossiers@recouvre.example",
                "recouvrement_is_agency": True,
                "recouvrement_agency_mandate_ref": "MAND-2026-07",
                "recouvrement_agency_commission": 12.5,
            }
        )
        Case._transmit(case_invoices, agency)

    data = snapshot(env)
    if not data["reminders"] or not data["reminder lines"]:
        fail("the dunning run of the old version created no reminder")
    if Plan is not None and not data["plans"]:
        fail("the old version made no payment plan")
    if Case is not None and not data["cases"]:
        fail("the old version made no agency case")
    env.cr.commit()
    with open(SNAPSHOT, "w", encoding="utf-8") as out:
        json.dump(data, out, indent=1, sort_keys=True)
    print(
        "UPGRADE CHECK created: "
        + ", ".join(f"{len(rows)} {name}" for name, rows in sorted(data.items())),
        flush=True,
    )


def check(env):
    with open(SNAPSHOT, encoding="utf-8") as src:
        before = json.load(src)
    module = env["ir.module.module"].search([("name", "=", "recouvrement_amiable")])
    expected = get_manifest("recouvrement_amiable")["version"]
    if module.state != "installed" or not module.latest_version.endswith(expected):
        fail(
            f"the add-on is {module.state} at {module.latest_version}, "
            f"not upgraded to the checkout's {expected}"
        )
    after = snapshot(env)
    errors = []
    for name, rows in sorted(before.items()):
        now = after.get(name, {})
        if len(now) != len(rows):
            errors.append(f"{name}: {len(rows)} before the upgrade, {len(now)} after")
        for rid, values in sorted(rows.items()):
            if rid not in now:
                errors.append(f"{name}: record {rid} lost")
            elif now[rid] != values:
                errors.append(f"{name}: record {rid} was {values}, is {now[rid]}")
    if errors:
        fail("; ".join(errors[:20]))

    # A new dunning run works on the upgraded database.
    newcomer = env["res.partner"].create(
        {
            "name": "Client Nouveau",
            "is_company": True,
            "email": "compta@nouveau.example",
            "country_id": env.ref("base.fr").id,
        }
    )
    move = invoice(env, newcomer, 640.00, 20)
    actions = env["recouvrement.policy"].run_dunning()
    if not actions.filtered(lambda a: a.partner_id == newcomer):
        fail("the dunning run after the upgrade made no reminder for a new invoice")
    line = env["recouvrement.action.line"].search([("move_id", "=", move.id)])
    if len(line) != 1 or f"{line.amount_residual:.2f}" != "640.00":
        fail(f"the new reminder's line is wrong: {line.read(['amount_residual'])}")
    # The upgrade and the new run leave the old records as they were.
    again = snapshot(env)
    for name in ("plans", "plan lines", "cases"):
        if again[name] != before[name]:
            fail(f"{name} changed during the dunning run after the upgrade")
    env.cr.rollback()
    print(
        "UPGRADE CHECK OK: "
        + ", ".join(f"{len(rows)} {name}" for name, rows in sorted(before.items()))
        + f" kept; a new run made {len(actions)} reminder(s)",
        flush=True,
    )


{"create": create, "check": check}[STEP](env)
