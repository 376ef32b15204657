import re
from datetime import timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from ..tools.demo_history import DemoHistory, working_days
from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDemoHistory(RecouvrementCommon):
    """A small seeded history (the demo's, shorter): the add-on's own runs,
    one per working day, and a consistent world."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        history = DemoHistory(
            cls.env, today=TODAY, months=3, debtors=12, seed=2026, log=lambda m: None
        )
        cls.summary = history.build()
        cls.customers = history.partners

    def test_one_run_per_working_day(self):
        start = TODAY - timedelta(days=round(3 * 30.5))
        runs = self.env["recouvrement.run"].search([("date", ">=", start)])
        self.assertEqual(sorted(runs.mapped("date")), list(working_days(start, TODAY)))

    def test_names_and_amounts_fit_the_debtor(self):
        invoices = self.env["account.move"].search(
            [
                ("move_type", "=", "out_invoice"),
                ("partner_id", "in", self.customers.ids),
                ("recouvrement_is_penalty_invoice", "=", False),
            ]
        )
        self.assertTrue(invoices)
        for partner in self.customers:
            self.assertFalse(re.search(r"\d", partner.name), partner.name)
        for invoice in invoices:
            if invoice.partner_id.is_company:
                self.assertGreaterEqual(invoice.amount_untaxed, 250.0)
            else:
                self.assertLessEqual(invoice.amount_untaxed, 300.0)

    def test_reminders_follow_time(self):
        actions = self.env["recouvrement.action"].search(
            [("partner_id", "in", self.customers.ids)]
        )
        self.assertTrue(actions)
        for action in actions:
            self.assertLessEqual(action.planned_date, TODAY)
            if action.contact_date:
                self.assertGreaterEqual(action.contact_date.date(), action.planned_date)
            for line in action.line_ids.filtered("level_id"):
                # Only courtesy reminders before the due date.
                if line.level_id.days >= 0:
                    self.assertGreater(action.planned_date, line.date_due)
        # The ladder is climbed: levels beyond the first are reached.
        levels = actions.filtered(lambda a: a.state in ("to_do", "done")).level_id
        self.assertGreaterEqual(len(levels), 3)
