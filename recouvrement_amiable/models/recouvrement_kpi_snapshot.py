from collections import defaultdict

from odoo import api, fields, models

from ..rules import kpi as rules

AGING_BUCKETS = [
    ("not_due", "Not due"),
    ("1_30", "1-30 days"),
    ("31_60", "31-60 days"),
    ("61_90", "61-90 days"),
    ("91_180", "91-180 days"),
    ("over_180", "Over 180 days"),
]


class RecouvrementKpiSnapshot(models.Model):
    """What was open on the day of a dunning run, per company, level and
    age bucket: the history of the overdue amounts, kept without
    recomputing the past. The run writes one set per day and company (a
    second run the same day replaces it)."""

    _name = "recouvrement.kpi.snapshot"
    _description = "Receivables snapshot"
    _order = "date desc, company_id, bucket"
    _rec_name = "date"

    date = fields.Date(required=True, index=True, readonly=True)
    run_id = fields.Many2one(
        "recouvrement.run", readonly=True, index=True, ondelete="set null"
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, index=True
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    level_id = fields.Many2one(
        "recouvrement.level", string="Dunning level", readonly=True
    )
    bucket = fields.Selection(AGING_BUCKETS, string="Age", required=True, readonly=True)
    amount = fields.Monetary(string="Amount open", readonly=True)
    invoice_count = fields.Integer(string="Invoices", readonly=True)

    @api.model
    def _take(self, companies, on_date, run=None):
        """Store the open invoices of ``companies`` on ``on_date`` by
        level and bucket, in place of that day's earlier snapshot."""
        Kpi = self.env["recouvrement.kpi"]
        totals = defaultdict(lambda: [0.0, 0])
        for company, level, due, amount, count in Kpi._open_invoice_groups(
            companies, on_date, {}
        ):
            bucket = rules.aging_bucket((on_date - due).days) if due else "not_due"
            key = (company.id, level.id or False, bucket)
            totals[key][0] += amount
            totals[key][1] += count
        # sudo: the snapshot is the run's record of the day, written for
        # every user whoever runs it (a collector's "Run now" included);
        # what it stores was read above with the user's rights.
        Snapshot = self.sudo()
        Snapshot.search(
            [("company_id", "in", companies.ids), ("date", "=", on_date)]
        ).unlink()
        return Snapshot.create(
            [
                {
                    "date": on_date,
                    "run_id": run.id if run else False,
                    "company_id": company_id,
                    "level_id": level_id,
                    "bucket": bucket,
                    "amount": amount,
                    "invoice_count": count,
                }
                for (company_id, level_id, bucket), (amount, count) in sorted(
                    totals.items(), key=lambda item: str(item[0])
                )
            ]
        )
