"""One dunning run at a time, and the daily cron within Odoo's time limits.
Mixed into ``recouvrement.run``.

A run takes a PostgreSQL advisory lock for the length of its transaction
(``pg_try_advisory_xact_lock``, one fixed key per database): a second run
(the cron, "Run now") that finds it taken stops at once with a clear message
instead of dying on a serialization failure after Odoo's retries.

The daily cron works through batches of debtors until its time budget
(system parameter ``recouvrement_amiable.cron_time_budget``, seconds, 60 by
default) runs out, commits, reports what is done and what remains with
``ir.cron._notify_progress`` and returns: Odoo calls it again until nothing
remains. Each call resumes today's run after the last debtor it committed
(``resume_company_id``, ``resume_partner_id``); planning skips a debtor who
already has a reminder planned today, so a call killed in the middle of a
batch creates nothing twice when the next one starts that batch again.
"""

import logging
import time
import weakref
from datetime import UTC, timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, config, format_datetime

_logger = logging.getLogger(__name__)

# The advisory lock of the dunning run (advisory locks belong to one
# database: each database has its own run). Below 2**31: pg_locks shows it
# as objid with classid 0.
RUN_LOCK_KEY = 0x52434F56  # "RCOV"
CRON_BUDGET_PARAM = "recouvrement_amiable.cron_time_budget"
# Without the system parameter: 60 s where Odoo sets no time limit on cron
# jobs (threaded server), else what its cron workers leave (see
# _cron_default_budget), never under 10 s.
DEFAULT_CRON_BUDGET = 60.0
MIN_CRON_BUDGET = 10.0
# Odoo's cron workers (--workers) ping their watchdog, then sleep up to
# 60 s + pid % 10 before looking for jobs (odoo/service/server.py,
# WorkerCron.sleep): that sleep counts against limit_time_real_cron.
CRON_WORKER_SLEEP = 70.0
# When the cron's job cursor must stop: Odoo 18 calls a job that reports
# ``remaining`` up to 10 times in a row in the same worker, on the same
# cursor, under one time limit (limit_time_real_cron, limit_time_cpu): the
# budget counts from the first of those calls.
_JOB_DEADLINES = weakref.WeakKeyDictionary()


def _clock():
    return time.monotonic()


class RecouvrementRunBatches(models.AbstractModel):
    _name = "recouvrement.run.batches"
    _description = "Dunning run: one at a time, in batches"

    state = fields.Selection(
        [("running", "In progress"), ("done", "Finished")],
        default="done",
        readonly=True,
        help="In progress: the daily cron has debtors left to examine and "
        "resumes after the last one it finished.",
    )
    done_count = fields.Integer(string="Debtors done", readonly=True)
    # The last debtor finished, (company id, partner id): plain integers,
    # the order of the run's batches, never shown.
    resume_company_id = fields.Integer(string="Last company done", readonly=True)
    resume_partner_id = fields.Integer(string="Last debtor done", readonly=True)
    broken_promise_ids = fields.Many2many(
        "recouvrement.action",
        "recouvrement_run_broken_promise_rel",
        "run_id",
        "action_id",
        string="Promises broken",
        readonly=True,
        help="Promises to pay found broken when the run started: their "
        "debtors go to the next level without waiting for its delay.",
    )

    # ------------------------------------------------------------------
    # One run at a time
    # ------------------------------------------------------------------

    @api.model
    def _try_lock(self):
        """Take the run's lock until the end of the transaction; False when
        another transaction holds it. Taken again by the same transaction,
        it succeeds."""
        self.env.cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s)", RUN_LOCK_KEY))
        return self.env.cr.fetchone()[0]

    @api.model
    def _lock_or_raise(self):
        if not self._try_lock():
            raise UserError(self._busy_message())

    @api.model
    def _busy_message(self):
        started = self._lock_holder_started()
        if not started:
            return self.env._(
                "A dunning run is already in progress. Try again when it has finished."
            )
        return self.env._(
            "A dunning run is already in progress (started at %(time)s). Try "
            "again when it has finished.",
            time=format_datetime(self.env, started, dt_format="short"),
        )

    @api.model
    def _lock_holder_started(self):
        """When the run holding the lock started (UTC, naive): today's run of
        the cron when one is in progress, otherwise the start of the
        transaction holding the lock ("Run now"); None if unknown."""
        running = (
            self.sudo()
            .search([("state", "=", "running")], order="id desc", limit=1)
            .create_date
        )
        if running:
            return running
        self.env.cr.execute(
            SQL(
                """
                SELECT activity.xact_start
                  FROM pg_locks lock
                  JOIN pg_stat_activity activity ON activity.pid = lock.pid
                 WHERE lock.locktype = 'advisory'
                   AND lock.granted
                   AND lock.database = (
                        SELECT oid FROM pg_database
                         WHERE datname = current_database())
                   AND lock.classid = 0
                   AND lock.objid::bigint = %s
                   AND lock.objsubid = 1
                """,
                RUN_LOCK_KEY,
            )
        )
        row = self.env.cr.fetchone()
        if not row or not row[0]:
            return None
        return row[0].astimezone(UTC).replace(tzinfo=None)

    # ------------------------------------------------------------------
    # The daily cron
    # ------------------------------------------------------------------

    @api.model
    def _cron_time_budget(self):
        """The cron's time budget in seconds: the system parameter when set,
        else what Odoo's time limits leave (_cron_default_budget)."""
        raw = self.env["ir.config_parameter"].sudo().get_param(CRON_BUDGET_PARAM)
        if not raw:
            return self._cron_default_budget()
        try:
            budget = float(raw)
        except (TypeError, ValueError):
            budget = 0.0
        if budget <= 0:
            default = self._cron_default_budget()
            _logger.warning(
                "system parameter %s is %r, not a number of seconds: %ss used",
                CRON_BUDGET_PARAM,
                raw,
                default,
            )
            return default
        return budget

    @api.model
    def _cron_default_budget(self):
        """A quarter of what a pass of Odoo's cron workers may take before
        its watchdog kills it: a worker is killed limit_time_real_cron (-1:
        limit_time_real) seconds after its last ping, and it sleeps up to
        CRON_WORKER_SLEEP of them first; it may also use limit_time_cpu
        seconds of CPU per pass. A pass runs every job ready, so the daily
        run and the hourly job may share one, with Odoo's jobs and the batch
        or documents in progress at the deadline. 12.5 s with Odoo's defaults
        (120 s, 60 s): the jobs call themselves again at once (_cron_soon),
        so a small budget costs little. DEFAULT_CRON_BUDGET without workers
        or without a time limit."""
        if not config["workers"]:
            return DEFAULT_CRON_BUDGET
        timeout = config["limit_time_real_cron"]
        if timeout == -1:
            timeout = config["limit_time_real"]
        budgets = []
        if timeout and timeout > 0:
            budgets.append((timeout - CRON_WORKER_SLEEP) / 4)
        if config["limit_time_cpu"] and config["limit_time_cpu"] > 0:
            budgets.append(config["limit_time_cpu"] / 4)
        if not budgets:
            return DEFAULT_CRON_BUDGET
        return max(min(budgets), MIN_CRON_BUDGET)

    @api.model
    def _cron_deadline(self):
        """The moment (``_clock``) the cron must stop starting batches: its
        budget after the first call of this job in this worker when Odoo's
        job runner calls it (the context has ``cron_id``), after this call
        otherwise."""
        deadline = _clock() + self._cron_time_budget()
        if not self.env.context.get("cron_id"):
            return deadline
        return _JOB_DEADLINES.setdefault(self.env.cr, deadline)

    @api.model
    def _cron_run_dunning(self, batch_size=200):
        """Daily cron: today's run of every company, debtors in batches
        committed one after the other, until the time budget runs out.
        Reports the progress to Odoo, which calls it again while debtors
        remain; returns how many remain."""
        deadline = self._cron_deadline()
        cron = self.env["ir.cron"]
        # sudo: the cron's user may not belong to every company; the cron
        # runs the dunning of all of them.
        companies = self.env["res.company"].sudo().search([])
        # The deadline in the context too: the actions of earlier runs that
        # _start performs render their documents only until then.
        Run = self.sudo().with_context(
            allowed_company_ids=companies.ids, recouvrement_deadline=deadline
        )
        if not Run._try_lock():
            _logger.info(
                "dunning run: another run is in progress; the cron tries "
                "again in 5 minutes"
            )
            Run._cron_retry_later()
            return None
        today = fields.Date.context_today(self)
        run = Run.search(
            [("state", "=", "running"), ("date", "=", today)],
            order="id desc",
            limit=1,
        )
        if run and _clock() >= deadline:
            # Odoo calls the job again at once in the same worker: the
            # budget of this worker is spent, the next worker goes on.
            remaining = max(run.debtor_count - run.done_count, 1)
            cron._notify_progress(done=max(run.done_count, 1), remaining=remaining)
            return remaining
        if not run:
            # Runs of earlier days a killed worker left in progress.
            Run.search([("state", "=", "running"), ("date", "<", today)]).write(
                {"state": "done"}
            )
            run = Run._start(today, companies, state="running")
            self.env.cr.commit()  # pylint: disable=invalid-commit
            if not Run._try_lock():
                Run._cron_lost_lock(run)
                return None

        def after_batch(run, remaining):
            cron._notify_progress(
                done=max(run.done_count, 1) if remaining else run.done_count,
                remaining=remaining,
            )
            # Commit between batches: what is done survives a later failure
            # or a killed worker; the next call resumes after it.
            self.env.cr.commit()  # pylint: disable=invalid-commit
            # The lock ends with the transaction: take it again.
            return Run._try_lock()

        remaining = run._continue(batch_size, deadline, after_batch)
        if remaining is None:
            Run._cron_lost_lock(run)
        elif remaining:
            Run._cron_soon("recouvrement_amiable.ir_cron_run_dunning")
        elif Run.env["recouvrement.action"].search_count(
            Run._waiting_due_domain(), limit=1
        ):
            # Documents left for lack of time: the hourly job now, not in an hour.
            Run._cron_soon("recouvrement_amiable.ir_cron_perform_waiting")
        return remaining

    @api.model
    def _cron_soon(self, xmlid, at=None):
        """Call the cron ``xmlid`` again at ``at``, by default at once. Odoo
        reschedules a job that reports work remaining for its worker's next
        pass, which comes after the worker's sleep (up to 70 s, when only a
        quarter of it was working); a trigger's notification ends that
        sleep."""
        cron = self.env.ref(xmlid, raise_if_not_found=False)
        if cron:
            # sudo: ir.cron is the administrators'; any user's run ("Run
            # now" included) may ask for its own cron to go on.
            cron.sudo()._trigger(at)

    @api.model
    def _waiting_due_domain(self):
        """Reminders waiting for a moment that has come."""
        return [
            ("state", "=", "waiting"),
            ("scheduled_at", "<=", fields.Datetime.now()),
        ]

    def _cron_lost_lock(self, run):
        """Another run took the lock between two of the cron's transactions:
        stop, and come back later."""
        _logger.info(
            "dunning run %s: another run took the lock after %d debtors; the "
            "cron tries again in 5 minutes",
            run.date,
            run.done_count,
        )
        self._cron_retry_later()

    @api.model
    def _cron_retry_later(self):
        self._cron_soon(
            "recouvrement_amiable.ir_cron_run_dunning",
            fields.Datetime.now() + timedelta(minutes=5),
        )
