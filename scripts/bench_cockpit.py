# Run inside `odoo shell` on a benchmark database (README "Benchmark", the
# cockpit): builds a year of daily receivables snapshots, as a year of
# dunning runs leaves, then times the cockpit's screens' server work.
# ruff: noqa: F821
import os
import time
from datetime import timedelta

from odoo import fields

on_date = fields.Date.to_date(os.environ.get("BENCH_DATE", "2026-11-23"))
days = int(os.environ.get("BENCH_HISTORY_DAYS", "365"))
company = env["res.company"].search([], order="id desc", limit=1)
for candidate in env["res.company"].search([]):
    if env["account.move"].search_count([("company_id", "=", candidate.id)], limit=1):
        company = candidate
        break
env = env(context=dict(env.context, allowed_company_ids=company.ids))
Snapshot = env["recouvrement.kpi.snapshot"]
invoices = env["account.move"].search_count(
    [("company_id", "=", company.id), ("move_type", "=", "out_invoice")]
)
print(f"company {company.name}: {invoices} invoices")

started = time.monotonic()
today = Snapshot._take(company, on_date)
print(
    f"one snapshot (a run's hook): {time.monotonic() - started:.2f} s, "
    f"{len(today)} rows"
)
if Snapshot.search_count([("company_id", "=", company.id)]) < days:
    rows = today.read(["level_id", "bucket", "amount", "invoice_count"], load=None)
    Snapshot.create(
        [
            dict(
                row, id=None, date=on_date - timedelta(days=back), company_id=company.id
            )
            for back in range(1, days)
            for row in rows
        ]
    )
print("snapshot rows:", Snapshot.search_count([("company_id", "=", company.id)]))
env.cr.commit()


def timed(label, function, repeat=3):
    best = None
    for _i in range(repeat):
        env.invalidate_all()
        queries = env.cr.sql_log_count
        started = time.monotonic()
        function()
        elapsed = time.monotonic() - started
        best = elapsed if best is None else min(best, elapsed)
    print(
        f"{label}: {best:.3f} s (best of {repeat}), "
        f"{env.cr.sql_log_count - queries} queries"
    )


date_from = on_date.replace(day=1)
Kpi = env["recouvrement.kpi"]
timed("_figures, month to date", lambda: Kpi._figures(company, date_from, on_date))
timed(
    "_figures, year to date",
    lambda: Kpi._figures(company, on_date.replace(month=1, day=1), on_date),
)
Board = env["recouvrement.kpi.dashboard"]


def dashboard():
    board = Board.create(
        {"company_id": company.id, "date_from": date_from, "date_to": on_date}
    )
    board.read(list(Board._fields))
    return board


timed("dashboard (all cards)", dashboard)
board = dashboard()
timed("DSO and CEI chart (12 months)", board.action_open_months)
timed(
    "overdue by age: graph (per day and bucket)",
    lambda: Snapshot.read_group(
        [("company_id", "=", company.id), ("bucket", "!=", "not_due")],
        ["amount:sum"],
        ["date:day", "bucket"],
        lazy=False,
    ),
)
timed(
    "overdue by level: pivot (month x level)",
    lambda: Snapshot.read_group(
        [("company_id", "=", company.id), ("bucket", "!=", "not_due")],
        ["amount:sum"],
        ["date:month", "level_id"],
        lazy=False,
    ),
)
timed(
    "overdue invoices card: list",
    lambda: env["account.move"].web_search_read(
        board.action_open_overdue()["domain"],
        {
            "name": {},
            "partner_id": {"fields": {"display_name": {}}},
            "amount_residual_signed": {},
        },
        limit=80,
    ),
)
env.cr.rollback()
