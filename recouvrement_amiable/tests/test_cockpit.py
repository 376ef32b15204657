from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.tests import Form, tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestCockpit(RecouvrementCommon):
    """A small known history, and every figure of the cockpit on it.

    TODAY is 2026-11-23; the period is 2026-10-01 to TODAY.

    Invoices (no tax), invoice date 30 days before the due date:
      A 1,000 € due 2026-10-09 (invoiced 2026-09-09), open;
      B 2,000 € due 2026-11-13 (invoiced 2026-10-14), paid 2026-11-20;
      C   500 € due 2026-12-13 (invoiced 2026-10-24), not due;
      D 3,000 € due 2026-08-15 (invoiced 2026-07-16), 1,000 € paid
        2026-11-10, handed to an agency 2026-11-06.
    Reminders: D (letter, D+30) on 2026-11-05, B (e-mail, D+7) on
    2026-11-16; two calls on A on 2026-09-20 with promises: 300 € kept,
    200 € broken. Disputes: on C justified in 10 days, on A rejected in 6.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.inv_a = cls.invoice(cls.debtor, 1000, 45)
        cls.inv_b = cls.invoice(cls.debtor, 2000, 10)
        cls.inv_c = cls.invoice(cls.debtor, 500, -20)
        cls.inv_d = cls.invoice(cls.debtor, 3000, 100)
        cls.date_from = date(2026, 10, 1)

    def build_history(self):
        level_7, level_15, level_30 = (self.levels[d] for d in (7, 15, 30))
        self.reminder(self.debtor, self.inv_d, level_30, contact="2026-11-05 09:00:00")
        self.reminder(self.debtor, self.inv_b, level_7, contact="2026-11-16 09:00:00")
        for amount, state, day in ((300, "kept", 10), (200, "broken", 12)):
            self.reminder(
                self.debtor,
                self.inv_a,
                level_15,
                contact="2026-09-20 09:00:00",
                outcome="promise",
                promise_amount=amount,
                promise_state=state,
                promise_date=date(2026, 11, day),
            )
        self.pay(self.inv_d, 1000, date(2026, 11, 10))
        self.pay(self.inv_b, 2000, date(2026, 11, 20))
        Dispute = self.env["recouvrement.dispute"]
        reason_price = self.env.ref("recouvrement_amiable.dispute_reason_price")
        reason_quality = self.env.ref("recouvrement_amiable.dispute_reason_quality")
        disputes = Dispute.create(
            [
                {
                    "partner_id": self.debtor.id,
                    "move_ids": [Command.set(inv.ids)],
                    "reason_id": reason.id,
                    "user_id": self.collector.id,
                }
                for inv, reason in (
                    (self.inv_c, reason_price),
                    (self.inv_a, reason_quality),
                )
            ]
        )
        disputes[0].write(
            {
                "date_open": date(2026, 11, 2),
                "date_resolved": date(2026, 11, 12),
                "state": "resolved_justified",
            }
        )
        disputes[1].write(
            {
                "date_open": date(2026, 11, 3),
                "date_resolved": date(2026, 11, 9),
                "state": "resolved_rejected",
            }
        )
        agency = self.env["res.partner"].create(
            {"name": "Cabinet Recouvre SAS", "recouvrement_is_agency": True}
        )
        case = self.env["recouvrement.case"].create(
            {
                "name": "CASE-TEST-1",
                "agency_id": agency.id,
                "partner_id": self.debtor.id,
                "move_ids": [Command.set(self.inv_d.ids)],
                "transfer_date": date(2026, 11, 6),
                "commission_rate": 10.0,
                "amount_principal": 3000.0,
                "amount_indemnity": 40.0,
            }
        )
        case.write({"state": "closed_partial", "date_closed": date(2026, 11, 20)})
        return disputes, reason_price, reason_quality, case

    def test_figures(self):
        _disputes, reason_price, reason_quality, case = self.build_history()
        fig = self.env["recouvrement.kpi"]._figures(self.company, self.date_from, TODAY)

        # Receivables on TODAY: A 1,000 + C 500 + D 2,000.
        self.assertAlmostEqual(fig["receivables"], 3500.0, places=2)
        # Sales of the period: B and C.
        self.assertAlmostEqual(fig["sales"], 2500.0, places=2)
        # Count-back: November (23 days, no sales) whole, October's 2,500 €
        # (31 days) whole, September's 1,000 € (30 days) whole.
        self.assertEqual(fig["dso"], 84.0)
        # Simple: 3,500 / 2,500 × 54 days.
        self.assertEqual(fig["dso_simple"], 75.6)
        # CEI of the period: (4,000 open on 1 October + 2,500 − 3,500) /
        # (4,000 + 2,500 − 500 not due).
        self.assertEqual(fig["cei"], 50.0)
        months = {m["month"]: m for m in fig["months"]}
        self.assertEqual(len(months), 12)
        october = months[date(2026, 10, 1)]
        self.assertAlmostEqual(october["receivables"], 6500.0, places=2)
        self.assertAlmostEqual(october["sales"], 2500.0, places=2)
        # October: 31 days of its 2,500 €, September's 1,000 € (30 days),
        # nothing in August (31 days), 3,000 € of July's 3,000 (31 days).
        self.assertEqual(october["dso"], 123.0)
        # CEI of October: (4,000 + 2,500 − 6,500) / (4,000 + 2,500 − 2,500
        # not due on 31 October: B and C) = 0 %.
        self.assertEqual(october["cei"], 0.0)
        # CEI of November: (6,500 + 0 − 3,500) / (6,500 + 0 − 500 not due).
        self.assertEqual(months[date(2026, 11, 1)]["cei"], 50.0)
        # A period starting after the 1,000 € paid on 10 November has its own
        # CEI, not November's: (5,500 + 0 − 3,500) / (5,500 + 0 − 500) = 40 %.
        late = self.env["recouvrement.kpi"]._figures(
            self.company, date(2026, 11, 11), TODAY
        )
        self.assertEqual(late["cei"], 40.0)
        self.assertEqual(late["months"][-1]["cei"], 50.0)

        overdue = fig["overdue"]
        self.assertAlmostEqual(overdue["amount"], 3000.0, places=2)
        self.assertEqual(overdue["count"], 2)
        self.assertIsNone(overdue["change"])
        buckets = overdue["by_bucket"]
        self.assertEqual(buckets["not_due"], {"amount": 500.0, "count": 1})
        self.assertEqual(buckets["31_60"], {"amount": 1000.0, "count": 1})
        self.assertEqual(buckets["91_180"], {"amount": 2000.0, "count": 1})
        self.assertEqual(buckets["1_30"], {"amount": 0.0, "count": 0})
        self.assertEqual(
            overdue["by_level"],
            {
                self.levels[15].id: {"amount": 1000.0, "count": 1},
                self.levels[30].id: {"amount": 2000.0, "count": 1},
            },
        )

        # Reminders of the period: D (3,000 € reminded, 1,000 € paid after
        # 5 days), B (2,000 €, paid after 4 days).
        eff = fig["effectiveness"]
        self.assertEqual(
            eff["all"],
            {
                "amount": 5000.0,
                "paid_7": 60.0,
                "paid_15": 60.0,
                "paid_30": 60.0,
                "median_days": 4.5,
            },
        )
        self.assertEqual(eff["by_level"][self.levels[30].id]["paid_7"], 33.33)
        self.assertEqual(eff["by_channel"]["email"]["paid_7"], 100.0)
        self.assertEqual(eff["by_channel"]["letter"]["median_days"], 5)
        self.assertEqual(
            fig["collectors"],
            {
                self.collector.id: {
                    "reminders": 2,
                    "calls": 0,
                    "outcomes": {},
                    "collected": 3000.0,
                }
            },
        )

        self.assertEqual(
            fig["promises"],
            {
                "made": 2,
                "kept": 1,
                "broken": 1,
                "pending": 0,
                "amount_promised": 500.0,
                "amount_kept": 300.0,
                "kept_rate": 50.0,
            },
        )

        dis = fig["disputes"]
        self.assertEqual(dis["count"], 2)
        self.assertAlmostEqual(dis["amount"], 1500.0, places=2)
        self.assertEqual(dis["justified"], 1)
        self.assertEqual(dis["rejected"], 1)
        self.assertEqual(dis["justified_rate"], 50.0)
        self.assertEqual(dis["median_days"], 8.0)
        self.assertEqual(
            dis["by_reason"],
            {
                reason_price.id: {"count": 1, "amount": 500.0},
                reason_quality.id: {"count": 1, "amount": 1000.0},
            },
        )
        self.assertEqual(
            dis["by_user"], {self.collector.id: {"count": 2, "amount": 1500.0}}
        )

        agencies = fig["agencies"]
        self.assertEqual(agencies["count"], 1)
        self.assertAlmostEqual(agencies["amount_handed"], 3040.0, places=2)
        self.assertAlmostEqual(agencies["amount_recovered"], 1000.0, places=2)
        # 1,000 / 3,040
        self.assertEqual(agencies["recovery_rate"], 32.89)
        self.assertAlmostEqual(agencies["commission"], 100.0, places=2)
        self.assertEqual(agencies["median_days"], 14)
        self.assertEqual(list(agencies["by_agency"]), [case.agency_id.id])

        self.assertEqual(
            fig["plans"],
            {"active": 0, "honoured": 0, "broken": 0, "amount_collected": 0.0},
        )
        self.assertEqual(
            fig["penalties"],
            {"invoiced": 0.0, "collected": 0.0, "collected_rate": 0.0},
        )

    def test_cei_counts_what_was_open_and_not_due(self):
        """Without a snapshot on the month's last day, what was not yet due
        is what was still open then: an invoice paid in part before its due
        date counts for its remainder only."""
        self.pay(self.inv_c, 200, date(2026, 10, 28))
        fig = self.env["recouvrement.kpi"]._figures(self.company, self.date_from, TODAY)
        october = {m["month"]: m for m in fig["months"]}[date(2026, 10, 1)]
        self.assertAlmostEqual(october["receivables"], 6300.0, places=2)
        # (4,000 + 2,500 − 6,300) / (4,000 + 2,500 − 2,300 not due and open
        # on 31 October: B 2,000 and the 300 left of C) = 4.76 %.
        self.assertEqual(october["cei"], 4.76)
        self.assertAlmostEqual(
            self.env["recouvrement.kpi"]._open_not_due(
                self.env["recouvrement.kpi"]._line_domain(self.company, {})
                + [("balance", ">", 0)],
                date(2026, 10, 31),
            ),
            2300.0,
            places=2,
        )

    def test_filters(self):
        self.build_history()
        Kpi = self.env["recouvrement.kpi"]
        fig = Kpi._figures(
            self.company, self.date_from, TODAY, debtor_type="individual"
        )
        self.assertEqual(fig["receivables"], 0.0)
        self.assertEqual(fig["overdue"]["amount"], 0.0)
        self.assertEqual(fig["effectiveness"]["all"]["amount"], 0)
        self.assertEqual(fig["disputes"]["count"], 0)
        fig = Kpi._figures(
            self.company, self.date_from, TODAY, collector_id=self.collector.id
        )
        self.assertEqual(fig["effectiveness"]["all"]["amount"], 5000.0)
        self.assertEqual(fig["promises"]["made"], 2)
        with self.assertRaises(ValueError):
            Kpi._figures(self.company, self.date_from, TODAY, colour="blue")

    def test_snapshot_and_trend(self):
        """The run stores the day's open invoices by level and age; the
        overdue figure compares with the last snapshot of the month before."""
        Snapshot = self.env["recouvrement.kpi.snapshot"]
        Snapshot.create(
            {
                "date": date(2026, 10, 31),
                "company_id": self.company.id,
                "bucket": "1_30",
                "amount": 2000.0,
                "invoice_count": 1,
            }
        )
        self.run_dunning()
        today = Snapshot.search(
            [("company_id", "=", self.company.id), ("date", "=", TODAY)]
        )
        self.assertTrue(today.run_id)
        totals = {}
        for snap in today:
            totals.setdefault(snap.bucket, [0.0, 0])
            totals[snap.bucket][0] += snap.amount
            totals[snap.bucket][1] += snap.invoice_count
        self.assertEqual(
            totals,
            {
                "not_due": [500.0, 1],
                "1_30": [2000.0, 1],
                "31_60": [1000.0, 1],
                "91_180": [3000.0, 1],
            },
        )
        # A second run the same day replaces the day's snapshot.
        self.run_dunning()
        self.assertEqual(
            Snapshot.search_count(
                [("company_id", "=", self.company.id), ("date", "=", TODAY)]
            ),
            len(today),
        )
        overdue = self.env["recouvrement.kpi"]._figures(
            self.company, self.date_from, TODAY
        )["overdue"]
        self.assertAlmostEqual(overdue["amount"], 6000.0, places=2)
        self.assertEqual(overdue["previous_date"], date(2026, 10, 31))
        # (6,000 − 2,000) / 2,000
        self.assertEqual(overdue["change"], 200.0)

    def test_dashboard(self):
        self.build_history()
        board = Form(self.env["recouvrement.kpi.dashboard"])
        board.date_from = self.date_from
        board = board.save()
        self.assertEqual(board.dso, 84.0)
        self.assertAlmostEqual(board.overdue_amount, 3000.0, places=2)
        self.assertEqual(board.promises_kept_rate, 50.0)
        self.assertEqual(board.disputes_justified_rate, 50.0)
        self.assertEqual(board.agency_recovery_rate, 32.89)
        overdue = board.action_open_overdue()
        moves = self.env["account.move"].search(overdue["domain"])
        self.assertEqual(moves, self.inv_a | self.inv_d)
        promises = board.action_open_promises()
        self.assertEqual(
            self.env["recouvrement.action"].search_count(promises["domain"]), 2
        )
        cases = board.action_open_cases()
        self.assertEqual(self.env["recouvrement.case"].search_count(cases["domain"]), 1)
        months = board.action_open_months()
        rows = self.env["recouvrement.kpi.month"].search(months["domain"])
        self.assertEqual(len(rows), 12)
        self.assertEqual(rows[-1].dso, 84.0)
        rows = self.env["recouvrement.kpi.effectiveness"].search(
            board.action_open_effectiveness()["domain"]
        )
        self.assertRecordValues(
            rows.sorted(lambda r: r.level_id.days),
            [
                {"level_id": self.levels[7].id, "channel": "email", "paid_7": 100.0},
                {"level_id": self.levels[30].id, "channel": "letter", "paid_7": 33.33},
            ],
        )

    def test_snapshot_security(self):
        """A collector's run stores the day's snapshot; a user sees the
        snapshots of their companies only."""
        self.run_dunning(user=self.collector)
        Snapshot = self.env["recouvrement.kpi.snapshot"]
        mine = Snapshot.with_user(self.collector).search(
            [("company_id", "=", self.company.id), ("date", "=", TODAY)]
        )
        self.assertEqual(sum(mine.mapped("invoice_count")), 4)
        other = self.env["res.company"].create({"name": "Filiale Cockpit SAS"})
        Snapshot.create(
            {"date": TODAY, "company_id": other.id, "bucket": "1_30", "amount": 99.0}
        )
        self.assertFalse(
            Snapshot.with_user(self.collector).search([("company_id", "=", other.id)])
        )
