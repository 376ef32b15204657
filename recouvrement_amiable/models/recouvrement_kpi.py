from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models

from ..rules import kpi as rules

# Filters _figures accepts, with the field of the debtor (commercial partner)
# or of the record they apply to.
FILTERS = ("policy_id", "collector_id", "user_id", "debtor_type")


class RecouvrementKpi(models.AbstractModel):
    """The cockpit's figures, as plain data.

    ``_figures(companies, date_from, date_to, **filters)`` returns a dict of
    sections (``dso``, ``overdue``, ``cei``, ``effectiveness``, ``promises``,
    ``disputes``, ``plans``, ``agencies``, ``collectors``, ``penalties``),
    each made of numbers, dates and ids only: the dashboard, the tests and
    an export read the same figures. Amounts are in the companies' currency
    (the figures of several companies are added only when they share it).
    Every sum is a ``_read_group``; ``rules.kpi`` does the arithmetic.

    Filters: ``policy_id`` (the debtor's dunning policy, or the reminders'),
    ``collector_id`` (the debtor's collector, or the reminders'),
    ``user_id`` (the invoice's salesperson, or the dispute's owner) and
    ``debtor_type`` (``company`` or ``individual``).

    Receivables at a date are the balance of the receivable accounts on
    that date (every posted entry dated up to it), so that the past needs
    no snapshot; the age of what is open today comes from the invoices'
    residual amounts, its history from ``recouvrement.kpi.snapshot``.
    """

    _name = "recouvrement.kpi"
    _description = "Recovery cockpit figures"
    _inherit = ["recouvrement.kpi.activity"]

    @api.model
    def _figures(self, companies, date_from, date_to, **filters):
        unknown = set(filters) - set(FILTERS)
        if unknown:
            raise ValueError(f"unknown filters {sorted(unknown)}")
        date_from = fields.Date.to_date(date_from)
        date_to = fields.Date.to_date(date_to)
        filters = {key: value for key, value in filters.items() if value}
        figures = {
            "company_ids": companies.ids,
            "date_from": date_from,
            "date_to": date_to,
            "filters": filters,
        }
        figures.update(
            self._figures_receivables(companies, date_from, date_to, filters)
        )
        figures["overdue"] = self._figures_overdue(companies, date_to, filters)
        figures.update(self._figures_activity(companies, date_from, date_to, filters))
        return figures

    # ------------------------------------------------------------------
    # Domains
    # ------------------------------------------------------------------

    @api.model
    def _partner_domain(self, filters, prefix):
        """Domain on the debtor (``prefix``: path to the commercial partner)."""
        domain = []
        if filters.get("policy_id"):
            domain.append(
                (f"{prefix}.recouvrement_policy_id", "=", filters["policy_id"])
            )
        if filters.get("collector_id"):
            domain.append(
                (f"{prefix}.recouvrement_collector_id", "=", filters["collector_id"])
            )
        if filters.get("debtor_type"):
            domain.append(
                (f"{prefix}.recouvrement_debtor_type", "=", filters["debtor_type"])
            )
        return domain

    @api.model
    def _line_domain(self, companies, filters):
        """Receivable journal items of posted entries, filtered."""
        domain = [
            ("company_id", "in", companies.ids),
            ("account_type", "=", "asset_receivable"),
            ("parent_state", "=", "posted"),
        ] + self._partner_domain(filters, "partner_id.commercial_partner_id")
        if filters.get("user_id"):
            domain.append(("move_id.invoice_user_id", "=", filters["user_id"]))
        return domain

    @api.model
    def _invoice_domain(self, companies, filters, move_types=("out_invoice",)):
        """Posted customer invoices (and credit notes: ``move_types``),
        filtered."""
        domain = [
            ("company_id", "in", companies.ids),
            ("move_type", "in", move_types),
            ("state", "=", "posted"),
        ] + self._partner_domain(filters, "commercial_partner_id")
        if filters.get("user_id"):
            domain.append(("invoice_user_id", "=", filters["user_id"]))
        return domain

    # ------------------------------------------------------------------
    # DSO and CEI: the balance of the receivable accounts month by month
    # ------------------------------------------------------------------

    @api.model
    def _figures_receivables(self, companies, date_from, date_to, filters):
        """DSO (count-back, and simple) per month over the 12 months ending
        with ``date_to``'s, the CEI of each month, and the CEI of the period
        from ``date_from`` to ``date_to``."""
        starts = rules.month_starts(date_to, 12)
        # History for the count-back of the oldest month: 12 more months.
        history = rules.month_starts(starts[0] - timedelta(days=1), 12) + starts
        Line = self.env["account.move.line"]
        domain = self._line_domain(companies, filters)
        opening = Line._read_group(
            domain + [("date", "<", history[0])], aggregates=["balance:sum"]
        )[0][0]
        # What was receivable when the period started (it may start in the
        # middle of a month).
        period_opening = Line._read_group(
            domain + [("date", "<", date_from)], aggregates=["balance:sum"]
        )[0][0]
        movements = dict(
            Line._read_group(
                domain + [("date", ">=", history[0]), ("date", "<=", date_to)],
                groupby=["date:month"],
                aggregates=["balance:sum"],
            )
        )
        sales_domain = self._invoice_domain(
            companies, filters, ("out_invoice", "out_refund")
        )
        # Sales per day over the history and the period, in one query; the
        # months and the period are summed from it.
        first = min(history[0], date_from)
        daily = self.env["account.move"]._read_group(
            sales_domain
            + [("invoice_date", ">=", first), ("invoice_date", "<=", date_to)],
            groupby=["invoice_date:day"],
            aggregates=["amount_total_signed:sum"],
        )
        sales = defaultdict(float)
        period_sales = 0.0
        for day, amount in daily:
            sales[day.replace(day=1)] += amount
            if day >= date_from:
                period_sales += amount
        not_due = self._not_due_at_month_ends(companies, starts, date_to, filters)
        balance = opening or 0.0
        closing = {}
        for start in history:
            balance += movements.get(start, 0.0)
            closing[start] = balance
        months = []
        for start in starts:
            end = min(rules.month_end(start), date_to)
            back = [
                (sales.get(month, 0.0), (rules.month_end(month) - month).days + 1)
                for month in reversed(history[: history.index(start) + 1])
            ]
            # The month in progress counts its days so far only.
            back[0] = (back[0][0], (end - start).days + 1)
            previous = history[history.index(start) - 1]
            months.append(
                {
                    "month": start,
                    "receivables": closing[start],
                    "sales": sales.get(start, 0.0),
                    "dso": rules.dso_count_back(closing[start], back),
                    "cei": rules.cei(
                        closing[previous],
                        sales.get(start, 0.0),
                        closing[start],
                        not_due[start],
                    ),
                }
            )
        period_days = (date_to - date_from).days + 1
        receivables = closing[starts[-1]]
        return {
            "receivables": receivables,
            "sales": period_sales,
            "dso": months[-1]["dso"],
            "dso_simple": rules.dso_simple(receivables, period_sales, period_days),
            # Not the month of date_to's: a period of several months, or
            # starting in the middle of one, has its own.
            "cei": rules.cei(
                period_opening or 0.0,
                period_sales,
                receivables,
                not_due[starts[-1]],
            ),
            "months": months,
        }

    @api.model
    def _not_due_at_month_ends(self, companies, starts, date_to, filters):
        """{month start: receivables not yet due at the month's end}: from
        the month's snapshot taken on its last day when one exists (a
        snapshot counts what was open), else from the journal items."""
        Snapshot = self.env["recouvrement.kpi.snapshot"]
        result = {}
        last_runs = dict(
            Snapshot._read_group(
                [
                    ("company_id", "in", companies.ids),
                    ("date", ">=", starts[0]),
                    ("date", "<=", date_to),
                ],
                groupby=["date:month"],
                aggregates=["date:max"],
            )
        )
        snapshot_dates = [day for day in last_runs.values() if day]
        from_snapshots = (
            dict(
                Snapshot._read_group(
                    [
                        ("company_id", "in", companies.ids),
                        ("date", "in", snapshot_dates),
                        ("bucket", "=", "not_due"),
                    ],
                    groupby=["date:day"],
                    aggregates=["amount:sum"],
                )
            )
            if snapshot_dates and not filters
            else {}
        )
        domain = self._line_domain(companies, filters) + [("balance", ">", 0)]
        for start in starts:
            end = min(rules.month_end(start), date_to)
            day = last_runs.get(start)
            if day and day in from_snapshots and day == end:
                result[start] = from_snapshots[day]
            else:
                result[start] = self._open_not_due(domain, end)
        return result

    @api.model
    def _open_not_due(self, domain, day):
        """What the receivable lines of ``domain`` had open and not yet due
        at the end of ``day``: their amounts less what was matched with them
        by then (the date of a match is its later line's, as in Odoo's aged
        receivable). An invoice paid before its due date is not counted."""
        not_due = domain + [("date", "<=", day), ("date_maturity", ">", day)]
        invoiced = self.env["account.move.line"]._read_group(
            not_due, aggregates=["balance:sum"]
        )[0][0]
        matched = self.env["account.partial.reconcile"]._read_group(
            [("debit_move_id", "any", not_due), ("max_date", "<=", day)],
            aggregates=["amount:sum"],
        )[0][0]
        return (invoiced or 0.0) - (matched or 0.0)

    # ------------------------------------------------------------------
    # Overdue by age and level, today and in the snapshots
    # ------------------------------------------------------------------

    @api.model
    def _open_invoice_groups(self, companies, on_date, filters):
        """[(company, level, due date, amount, count)] of the open invoices."""
        return self.env["account.move"]._read_group(
            self._invoice_domain(companies, filters) + [("amount_residual", ">", 0)],
            groupby=["company_id", "recouvrement_level_id", "invoice_date_due:day"],
            aggregates=["amount_residual_signed:sum", "__count"],
        )

    @api.model
    def _figures_overdue(self, companies, on_date, filters):
        """What is open on ``on_date`` by age bucket and by level, and the
        same figures at the last snapshot of the month before."""
        by_bucket = defaultdict(lambda: {"amount": 0.0, "count": 0})
        by_level = defaultdict(lambda: {"amount": 0.0, "count": 0})
        for _company, level, due, amount, count in self._open_invoice_groups(
            companies, on_date, filters
        ):
            bucket = rules.aging_bucket((on_date - due).days) if due else "not_due"
            by_bucket[bucket]["amount"] += amount
            by_bucket[bucket]["count"] += count
            if bucket != "not_due":
                by_level[level.id or False]["amount"] += amount
                by_level[level.id or False]["count"] += count
        total = sum(v["amount"] for k, v in by_bucket.items() if k != "not_due")
        previous = self._snapshot_totals(
            companies, on_date.replace(day=1) - timedelta(days=1)
        )
        return {
            "amount": total,
            "count": sum(v["count"] for k, v in by_bucket.items() if k != "not_due"),
            "previous_amount": previous["amount"],
            "change": rules.change(total, previous["amount"])
            if previous["date"]
            else None,
            "previous_date": previous["date"],
            "by_bucket": {
                key: dict(by_bucket.get(key, {"amount": 0.0, "count": 0}))
                for key in rules.AGING_KEYS
            },
            "by_level": {key: dict(value) for key, value in by_level.items()},
        }

    @api.model
    def _snapshot_totals(self, companies, on_or_before):
        """The overdue amount of the last snapshot dated up to
        ``on_or_before`` ({"date": None, "amount": 0.0} without one)."""
        Snapshot = self.env["recouvrement.kpi.snapshot"]
        last = Snapshot._read_group(
            [("company_id", "in", companies.ids), ("date", "<=", on_or_before)],
            aggregates=["date:max"],
        )[0][0]
        if not last:
            return {"date": None, "amount": 0.0}
        amount = Snapshot._read_group(
            [
                ("company_id", "in", companies.ids),
                ("date", "=", last),
                ("bucket", "!=", "not_due"),
            ],
            aggregates=["amount:sum"],
        )[0][0]
        return {"date": last, "amount": amount}
