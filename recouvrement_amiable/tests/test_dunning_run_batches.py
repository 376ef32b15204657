"""One run at a time (two cursors), and the daily cron's time budget: it
stops, reports what remains, and the next call resumes without creating
anything twice. Every count is of the records the test made, or of the
debtors the run itself found: the database may hold Odoo's demo data."""

import logging
from contextlib import ExitStack
from unittest.mock import patch

from freezegun import freeze_time

from odoo import SUPERUSER_ID, api
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import config, format_datetime

from ..models import recouvrement_policy, recouvrement_run_batches
from .common import NOW, TODAY, RecouvrementCommon

BATCHES_LOGGER = "odoo.addons.recouvrement_amiable.models.recouvrement_run_batches"


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestRunLock(RecouvrementCommon):
    def _other_cursor(self):
        """A second connection to the database, as another worker has; what
        it did is rolled back at the end of the test."""
        cr = self.registry.cursor()

        def close():
            cr.rollback()
            cr.close()

        self.addCleanup(close)
        return cr, api.Environment(cr, SUPERUSER_ID, {})

    def _last_run_id(self):
        return self.env["recouvrement.run"].search([], limit=1).id or 0

    def test_second_run_stops_with_a_clear_message(self):
        self.invoice(self.debtor, 500.0, days_late=10)
        before = self._last_run_id()
        other_cr, other = self._other_cursor()
        # Another worker's run holds the lock.
        self.assertTrue(other["recouvrement.run"]._try_lock())
        # "Run now": a clear message, nothing created.
        with self.assertRaisesRegex(
            UserError,
            r"^A dunning run is already in progress \(started at .+\)\. Try "
            r"again when it has finished\.$",
        ):
            self.run_dunning()
        # The cron: logs it, creates nothing, and comes back in 5 minutes.
        cron = self.env.ref("recouvrement_amiable.ir_cron_run_dunning")
        with self.assertLogs(BATCHES_LOGGER, logging.INFO) as logs:
            self.assertIsNone(self.env["recouvrement.run"]._cron_run_dunning())
        self.assertIn("another run is in progress", logs.output[0])
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [("cron_id", "=", cron.id), ("call_at", ">", NOW)]
            )
        )
        # The hourly cron leaves the waiting reminders to the run.
        self.env["recouvrement.run"]._cron_perform_waiting()
        self.assertFalse(self.env["recouvrement.run"].search([("id", ">", before)]))
        self.assertFalse(
            self.env["recouvrement.action"].search(
                [("partner_id", "=", self.debtor.id)]
            )
        )
        # The other run ends: the next one runs.
        other_cr.rollback()
        action = self.run_dunning()
        self.assertEqual(action.partner_id, self.debtor)
        self.assertEqual(action.state, "done")

    def test_run_in_progress_blocks_another_worker(self):
        self.invoice(self.debtor, 500.0, days_late=10)
        # This transaction runs the dunning and holds the lock until it ends.
        self.assertEqual(len(self.run_dunning()), 1)
        _other_cr, other = self._other_cursor()
        Run = other["recouvrement.run"]
        self.assertFalse(Run._try_lock())
        with self.assertRaisesRegex(UserError, "A dunning run is already in progress"):
            other["recouvrement.policy"].run_dunning(TODAY)
        with self.assertLogs(BATCHES_LOGGER, logging.INFO):
            self.assertIsNone(Run._cron_run_dunning())
        self.assertFalse(other["recouvrement.run"].search([("date", "=", TODAY)]))
        # Taken again by the transaction that holds it.
        self.assertTrue(self.env["recouvrement.run"]._try_lock())

    def test_run_now_shows_what_it_created(self):
        self.invoice(self.debtor, 500.0, days_late=10)
        result = self.policy_pro.action_run_now()
        self.assertEqual(result["res_model"], "recouvrement.action")
        action = self.env["recouvrement.action"].search(
            [("partner_id", "=", self.debtor.id)]
        )
        self.assertEqual(action.level_id, self.levels[7])
        # One reminder opens in its form, several in a list (demo data).
        shown = (
            [result["res_id"]]
            if result.get("res_id")
            else next(value for name, _op, value in result["domain"] if name == "id")
        )
        self.assertIn(action.id, shown)

    def test_run_now_hands_a_large_run_to_the_cron(self):
        """Over RUN_NOW_MAX_DEBTORS debtors, "Run now" starts the daily cron
        at once instead of running in the web request."""
        self.invoice(self.debtor, 500.0, days_late=10)
        cron = self.env.ref("recouvrement_amiable.ir_cron_run_dunning")
        before = self._last_run_id()
        with patch.object(recouvrement_policy, "RUN_NOW_MAX_DEBTORS", 0):
            result = self.policy_pro.with_user(self.collector).action_run_now()
        self.assertEqual(result["tag"], "display_notification")
        self.assertRegex(
            result["params"]["message"], r"^\d+ debtors to examine: today's run"
        )
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [("cron_id", "=", cron.id), ("call_at", "<=", NOW)]
            )
        )
        self.assertEqual(self._last_run_id(), before)
        self.assertFalse(
            self.env["recouvrement.action"].search(
                [("partner_id", "=", self.debtor.id)]
            )
        )

    def test_message_names_the_cron_run_in_progress(self):
        run = self.env["recouvrement.run"].create(
            {"date": TODAY, "state": "running", "company_ids": self.company.ids}
        )
        self.env.user.tz = "Europe/Paris"
        _other_cr, other = self._other_cursor()
        self.assertTrue(other["recouvrement.run"]._try_lock())
        self.assertEqual(
            self.env["recouvrement.run"]._lock_holder_started(), run.create_date
        )
        with self.assertRaises(UserError) as caught:
            self.run_dunning()
        # In the user's time zone.
        self.assertIn(
            "(started at %s)"
            % format_datetime(
                self.env, run.create_date, tz="Europe/Paris", dt_format="short"
            ),
            str(caught.exception),
        )


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestCronTimeBudget(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partners = cls.env["res.partner"].create(
            [
                {"name": f"Client {i}", "email": f"c{i}@x.example", "is_company": True}
                for i in range(5)
            ]
        )
        for partner in cls.partners:
            cls.invoice(partner, 100.0, days_late=8)

    def setUp(self):
        super().setUp()
        self.Run = self.env["recouvrement.run"]
        self.last_run_id = self.Run.search([], limit=1).id or 0
        # Every debtor the cron finds, those of the test and any other data
        # of the database (Odoo's demo invoices...).
        companies = self.env["res.company"].sudo().search([])
        self.total = len(
            self.Run.sudo()
            .with_context(allowed_company_ids=companies.ids)
            ._gather(TODAY, companies)[0]
        )
        self.assertGreaterEqual(self.total, 5)
        self.calls = []
        self.clock = [0.0]

    def _cron(self, batch_size=2, seconds_per_batch=0.0, fail_on_batch=None):
        """One call of the cron as Odoo's job runner makes it: commits and
        progress recorded in ``self.calls``; each batch planned takes
        ``seconds_per_batch`` of the fake clock; the ``fail_on_batch``-th
        batch planned dies after creating its reminders."""
        plan = type(self.Run)._plan
        planned = [0]

        def timed_plan(run, *args, **kwargs):
            actions = plan(run, *args, **kwargs)
            self.clock[0] += seconds_per_batch
            planned[0] += 1
            if planned[0] == fail_on_batch:
                raise MemoryError("worker killed")
            return actions

        with ExitStack() as stack:
            stack.enter_context(
                patch.object(self.env.cr, "commit", lambda: self.calls.append("commit"))
            )
            stack.enter_context(
                patch.object(
                    type(self.env["ir.cron"]),
                    "_notify_progress",
                    lambda cron, done, remaining, **kw: self.calls.append(
                        (done, remaining)
                    ),
                )
            )
            stack.enter_context(
                patch.object(recouvrement_run_batches, "_clock", lambda: self.clock[0])
            )
            stack.enter_context(patch.object(type(self.Run), "_plan", timed_plan))
            return self.Run._cron_run_dunning(batch_size=batch_size)

    def _progress(self):
        return [c for c in self.calls if c != "commit"]

    def _runs(self):
        return self.Run.search([("id", ">", self.last_run_id)])

    def _assert_each_debtor_reminded_once(self):
        actions = self.env["recouvrement.action"].search(
            [("partner_id", "in", self.partners.ids)]
        )
        self.assertEqual(actions.partner_id, self.partners)
        self.assertEqual(len(actions), 5)
        self.assertEqual(set(actions.mapped("state")), {"done"})
        # One e-mail each, none twice.
        for partner in self.partners:
            self.assertEqual(
                self.env["mail.mail"].search_count(
                    [("recipient_ids", "in", partner.ids)]
                ),
                1,
            )
        run = self._runs()
        self.assertEqual(len(run), 1)
        self.assertEqual(run.state, "done")
        self.assertEqual(run.done_count, self.total)
        self.assertEqual(run.debtor_count, self.total)

    def test_budget_from_system_parameter(self):
        Parameter = self.env["ir.config_parameter"].sudo()
        with patch.dict(config.options, {"workers": 0}):
            self.assertEqual(self.Run._cron_time_budget(), 60.0)
        Parameter.set_param(recouvrement_run_batches.CRON_BUDGET_PARAM, "25")
        self.assertEqual(self.Run._cron_time_budget(), 25.0)
        Parameter.set_param(recouvrement_run_batches.CRON_BUDGET_PARAM, "soon")
        with (
            patch.dict(config.options, {"workers": 0}),
            self.assertLogs(BATCHES_LOGGER, "WARNING"),
        ):
            self.assertEqual(self.Run._cron_time_budget(), 60.0)

    def test_default_budget_from_odoo_worker_limits(self):
        """Without the system parameter, the budget is what Odoo's cron
        workers leave: they are killed limit_time_real_cron seconds after
        their watchdog ping, which they send before sleeping up to 70 s."""
        limits = {
            "workers": 2,
            "limit_time_real": 120,
            "limit_time_real_cron": -1,
            "limit_time_cpu": 60,
        }
        cases = [
            ({}, 12.5),  # Odoo's defaults: (120 - 70) / 4
            ({"limit_time_real_cron": 300}, 15.0),  # then CPU: 60 / 4
            ({"limit_time_real_cron": 300, "limit_time_cpu": 600}, 57.5),
            ({"limit_time_real_cron": 100}, 10.0),  # never under 10 s
            ({"limit_time_real_cron": 0, "limit_time_cpu": 0}, 60.0),  # no limit
            ({"workers": 0}, 60.0),  # threaded server: no watchdog
        ]
        for changes, budget in cases:
            with patch.dict(config.options, dict(limits, **changes)):
                self.assertEqual(self.Run._cron_time_budget(), budget, changes)

    def test_cron_batches_and_progress(self):
        """Within its budget, one call does every batch, committing and
        reporting progress after each."""
        self.assertEqual(self._cron(), 0)
        batches = (self.total + 1) // 2
        self.assertEqual(
            self._progress(),
            [
                (min(2 * i, self.total), max(self.total - 2 * i, 0))
                for i in range(1, batches + 1)
            ],
        )
        # Once when the run starts (retries done), then after each batch.
        self.assertEqual(self.calls.count("commit"), 1 + batches)
        self._assert_each_debtor_reminded_once()
        # Finished in one call: no need to be called again.
        self.assertFalse(self._triggers("ir_cron_run_dunning"))

    def _triggers(self, xmlid):
        return self.env["ir.cron.trigger"].search(
            [("cron_id", "=", self.env.ref(f"recouvrement_amiable.{xmlid}").id)]
        )

    def test_cron_stops_at_its_budget_and_resumes(self):
        """10 s of budget, 6 s a batch of 2 debtors: each call does two
        batches, reports what remains and returns; the calls Odoo makes
        next go on from there until nothing remains."""
        self.env["ir.config_parameter"].sudo().set_param(
            recouvrement_run_batches.CRON_BUDGET_PARAM, "10"
        )
        remaining = []
        for _call in range(20):
            triggers = self._triggers("ir_cron_run_dunning")
            remaining.append(self._cron(seconds_per_batch=6.0))
            self.assertEqual(self._progress()[-1][1], remaining[-1])
            # Debtors remain: the cron asks to be called again at once
            # (not after its worker's sleep).
            self.assertEqual(
                len(self._triggers("ir_cron_run_dunning") - triggers),
                1 if remaining[-1] else 0,
            )
            if not remaining[-1]:
                break
        expected = [
            max(self.total - 4 * i, 0) for i in range(1, (self.total + 3) // 4 + 1)
        ]
        self.assertEqual(remaining, expected)
        self.assertEqual(self._progress()[-1], (self.total, 0))
        self.assertTrue(all(done > 0 for done, _remaining in self._progress()))
        self._assert_each_debtor_reminded_once()
        # Called again on the same day: nothing new, and nothing twice.
        self.assertEqual(self._cron(), 0)
        self.assertEqual(
            self.env["recouvrement.action"].search_count(
                [("partner_id", "in", self.partners.ids)]
            ),
            5,
        )

    def test_budget_spans_odoo_calls_in_one_worker(self):
        """Odoo calls a job that reports ``remaining`` again at once, in the
        same worker and cursor, under the same time limit: the budget counts
        from the first call; the next worker has a budget again."""
        self.env["ir.config_parameter"].sudo().set_param(
            recouvrement_run_batches.CRON_BUDGET_PARAM, "5"
        )
        cron = self.env.ref("recouvrement_amiable.ir_cron_run_dunning")
        self.Run = self.Run.with_context(cron_id=cron.id)
        deadlines = recouvrement_run_batches._JOB_DEADLINES
        self.addCleanup(deadlines.pop, self.env.cr, None)
        deadlines.pop(self.env.cr, None)
        first = self._cron(seconds_per_batch=6.0)
        self.assertEqual(first, self.total - 2)
        # Same worker: nothing planned, the same progress reported again
        # (done > 0, so that Odoo calls it again rather than tomorrow).
        self.calls.clear()
        self.assertEqual(self._cron(seconds_per_batch=6.0), first)
        self.assertEqual(self._progress(), [(2, first)])
        self.assertEqual(self.calls.count("commit"), 0)
        # The next worker.
        deadlines.pop(self.env.cr)
        self.assertEqual(self._cron(seconds_per_batch=6.0), max(first - 2, 0))

    def test_worker_killed_in_a_batch_creates_nothing_twice(self):
        """A worker killed in the middle of a batch: what the batch did is
        rolled back, the batches committed before stay; the next call starts
        that batch again and creates nothing twice."""
        self.env["ir.config_parameter"].sudo().set_param(
            recouvrement_run_batches.CRON_BUDGET_PARAM, "5"
        )
        self.assertEqual(self._cron(seconds_per_batch=6.0), self.total - 2)
        run = self._runs()
        self.assertEqual((run.state, run.done_count), ("running", 2))
        with self.assertRaises(MemoryError), self.env.cr.savepoint():
            self._cron(seconds_per_batch=6.0, fail_on_batch=1)
        self.assertEqual((run.state, run.done_count), ("running", 2))
        for _call in range(20):
            if not self._cron(seconds_per_batch=6.0):
                break
        self._assert_each_debtor_reminded_once()
