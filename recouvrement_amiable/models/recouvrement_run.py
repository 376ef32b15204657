import logging
import time
from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import split_every

from ..rules.dunning import OpenInvoice, plan_reminder
from . import recouvrement_run_batches
from .selections import (
    OPEN_CREDIT_DOMAIN,
    OPEN_RECEIVABLE_DOMAIN,
    PENDING_STATES,
    PERFORMED_STATES,
)

_logger = logging.getLogger(__name__)


class RecouvrementRun(models.Model):
    """One execution of the dunning run: what it planned and performed.

    ``recouvrement.policy.run_dunning`` (the daily cron and the "Run now"
    button) creates one; it gathers the open receivable lines of every
    debtor in one query, decides per debtor with the plain rules of
    ``rules.dunning`` and ``rules.contact_pressure``, creates the actions in
    bulk and performs those whose moment has come.
    """

    _name = "recouvrement.run"
    _inherit = ["recouvrement.run.batches"]
    _description = "Dunning run"
    _order = "id desc"

    date = fields.Date(required=True, index=True, readonly=True)
    user_id = fields.Many2one(
        "res.users", readonly=True, default=lambda self: self.env.user
    )
    company_ids = fields.Many2many("res.company", readonly=True)
    action_ids = fields.One2many("recouvrement.action", "run_id", readonly=True)
    action_count = fields.Integer(compute="_compute_counts")
    debtor_count = fields.Integer(string="Debtors examined", readonly=True)
    performed_count = fields.Integer(string="Reminders performed", readonly=True)
    failed_count = fields.Integer(string="Failures", readonly=True)
    duration = fields.Float(string="Duration (s)", readonly=True, digits=(16, 2))

    @api.depends("action_ids")
    def _compute_counts(self):
        for run in self:
            run.action_count = len(run.action_ids)

    @api.depends("date")
    def _compute_display_name(self):
        for run in self:
            run.display_name = self.env._("Run of %(date)s", date=run.date)

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------

    @api.model
    def _execute(self, on_date, companies=None, batch_size=0):
        """Run the dunning for ``companies`` (default: the user's) on
        ``on_date``, all of it in the caller's transaction ("Run now",
        ``run_dunning``), ``batch_size`` debtors planned and performed at a
        time. Raises a ``UserError`` when another run is in progress."""
        self._lock_or_raise()
        run = self._start(on_date, companies or self.env.companies)
        run._continue(batch_size)
        return run

    @api.model
    def _start(self, on_date, companies, state="done"):
        """Create the run of ``on_date``: settle promises to pay, perform
        the actions of earlier runs whose moment has come and retry the
        failed ones. The debtors are planned by ``_continue``."""
        started = time.monotonic()
        run = self.create(
            {
                "date": on_date,
                "company_ids": [fields.Command.set(companies.ids)],
                "state": state,
            }
        )
        Action = self.env["recouvrement.action"]
        now = fields.Datetime.now()

        broken = Action.with_context(allowed_company_ids=companies.ids)._check_promises(
            on_date
        )
        # Actions of earlier runs whose moment has come, and failures to retry.
        earlier = Action.search(
            [
                ("company_id", "in", companies.ids),
                "|",
                "&",
                ("state", "=", "waiting"),
                ("scheduled_at", "<=", now),
                ("state", "=", "failed"),
            ]
        )
        performed = earlier._perform_due_now(now)
        run.write(
            {
                "broken_promise_ids": [fields.Command.set(broken.ids)],
                "performed_count": len(
                    performed.filtered(lambda a: a.state in PERFORMED_STATES)
                ),
                "failed_count": len(performed.filtered(lambda a: a.state == "failed")),
                "duration": time.monotonic() - started,
            }
        )
        return run

    def _continue(self, batch_size=0, deadline=None, after_batch=None):
        """Plan and perform the debtors of the run not done yet, in batches
        of ``batch_size`` (0: all at once), until no debtor remains or,
        after a batch, ``_clock()`` passes ``deadline``. After each batch,
        ``after_batch(run, remaining)`` is called (the cron commits there);
        when it returns False, the run stops. Returns how many debtors
        remain, None if ``after_batch`` stopped the run."""
        self.ensure_one()
        started = time.monotonic()
        debtors, credits = self._gather(self.date, self.company_ids)
        resume = (self.resume_company_id, self.resume_partner_id)
        keys = sorted(key for key in debtors if key > resume)
        skip_delay = {
            (a.company_id.id, a.partner_id.id) for a in self.broken_promise_ids
        }
        now = fields.Datetime.now()
        remaining = len(keys)
        for chunk in split_every(batch_size or max(len(keys), 1), keys):
            actions = self._plan(
                self.date, {key: debtors[key] for key in chunk}, credits, skip_delay
            )
            # --- hardening --- documents past the deadline wait for the
            # hourly job (see _perform_document)
            if deadline is not None:
                actions = actions.with_context(recouvrement_deadline=deadline)
            performed = actions._perform_due_now(now)
            remaining -= len(chunk)
            self.write(
                {
                    "resume_company_id": chunk[-1][0],
                    "resume_partner_id": chunk[-1][1],
                    "done_count": self.done_count + len(chunk),
                    "debtor_count": self.done_count + len(chunk) + remaining,
                    "performed_count": self.performed_count
                    + len(performed.filtered(lambda a: a.state in PERFORMED_STATES)),
                    "failed_count": self.failed_count
                    + len(performed.filtered(lambda a: a.state == "failed")),
                    "state": self.state if remaining else "done",
                    "duration": self.duration + time.monotonic() - started,
                }
            )
            started = time.monotonic()
            if after_batch and not after_batch(self, remaining):
                return None
            if (
                remaining
                and deadline is not None
                and recouvrement_run_batches._clock() >= deadline
            ):
                break
        if not keys:
            self.write(
                {
                    "state": "done",
                    "debtor_count": self.done_count,
                    "duration": self.duration + time.monotonic() - started,
                }
            )
            if after_batch and not after_batch(self, 0):
                return None
        if not remaining:
            # --- cockpit --- the day's open invoices by level and age
            self.env["recouvrement.kpi.snapshot"]._take(
                self.company_ids, self.date, self
            )
            _logger.info(
                "dunning run %s: %d debtors, %d actions created, %d performed in %.1fs",
                self.date,
                self.debtor_count,
                len(self.action_ids),
                self.performed_count,
                self.duration,
            )
        else:
            _logger.info(
                "dunning run %s: %d debtors done, %d remaining for the next call",
                self.date,
                self.done_count,
                remaining,
            )
        return remaining

    @api.model
    def _cron_perform_waiting(self, batch_size=200):
        """Hourly cron: perform the actions whose allowed moment has come,
        in batches committed one after the other within the cron's time
        budget (documents past it wait: see _render_documents_in_time);
        reports what remains to Odoo, which calls it again."""
        # --- hardening --- not while a run performs them
        if not self._try_lock():
            _logger.info("waiting reminders: a dunning run is in progress")
            return None
        deadline = self._cron_deadline()
        cron = self.env["ir.cron"]
        # sudo: see _cron_run_dunning (recouvrement_run_batches.py).
        Action = (
            self.env["recouvrement.action"]
            .sudo()
            .with_context(recouvrement_deadline=deadline)
        )
        due = Action.search(self._waiting_due_domain(), order="scheduled_at, id")
        done = 0
        for ids in split_every(batch_size, due.ids):
            if recouvrement_run_batches._clock() >= deadline:
                break
            for company, actions in Action.browse(ids).grouped("company_id").items():
                actions.with_context(allowed_company_ids=company.ids)._perform_due_now(
                    fields.Datetime.now()
                )
            done += len(ids)
            cron._notify_progress(done=done, remaining=len(due) - done)
            if not self.env.context.get("cron_id"):
                continue  # a direct call: the transaction is its caller's
            # Under Odoo's job runner, what is done survives a killed worker.
            self.env.cr.commit()  # pylint: disable=invalid-commit
            # The lock ends with the transaction: take it again.
            if not self._try_lock():
                return None
        # Out of time: what is still due (documents left over included) is
        # for the next call. In time: all was tried, and what is still due
        # cannot go yet (e.g. its interest not computed): the next hour.
        spent = recouvrement_run_batches._clock() >= deadline
        remaining = Action.search_count(self._waiting_due_domain()) if spent else 0
        cron._notify_progress(
            done=max(done, 1) if remaining else done, remaining=remaining
        )
        if remaining and done:
            # On at once, not after the worker's sleep (see _cron_soon).
            self._cron_soon("recouvrement_amiable.ir_cron_perform_waiting")
        return remaining

    @api.model
    def _action_show_created(self, actions):
        if not actions:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "info",
                    "message": self.env._("Nothing to remind today."),
                    "next": {"type": "ir.actions.act_window_close"},
                },
            }
        return actions._get_records_action(name=self.env._("Reminders created"))

    # ------------------------------------------------------------------
    # Gathering
    # ------------------------------------------------------------------

    def _gather(self, on_date, companies):
        """Open invoices of every debtor, in one query on receivable lines:
        {(company_id, partner_id): [(move, due date, residual, residual in
        the invoice currency)]}, and the credits (unreconciled payments and
        credit notes, negative) per debtor."""
        lead = self._courtesy_lead(companies)
        lines = self.env["account.move.line"]
        in_companies = [
            ("company_id", "in", companies.ids),
            ("partner_id", "!=", False),
        ]
        groups = lines._read_group(
            in_companies
            + OPEN_RECEIVABLE_DOMAIN
            + [
                ("move_id.move_type", "=", "out_invoice"),
                ("amount_residual", ">", 0),
                ("date_maturity", "<=", on_date + timedelta(days=lead)),
            ],
            groupby=["company_id", "partner_id", "move_id"],
            aggregates=[
                "date_maturity:min",
                "amount_residual:sum",
                "amount_residual_currency:sum",
            ],
        )
        debtors = defaultdict(list)
        for company, partner, move, due, residual, residual_currency in groups:
            debtors[(company.id, partner.id)].append(
                (move, due, residual, residual_currency)
            )
        credits = lines._read_group(
            in_companies
            + OPEN_CREDIT_DOMAIN
            + [("partner_id", "in", [k[1] for k in debtors])],
            groupby=["company_id", "partner_id"],
            aggregates=["amount_residual:sum"],
        )
        return debtors, {(c.id, p.id): amount for c, p, amount in credits}

    def _courtesy_lead(self, companies):
        """How many days before the due date the earliest courtesy level
        starts (0 without courtesy levels)."""
        earliest = self.env["recouvrement.level"]._read_group(
            [("company_id", "in", companies.ids), ("policy_id.active", "=", True)],
            aggregates=["days:min"],
        )[0][0]
        return max(-(earliest or 0), 0)

    # ------------------------------------------------------------------
    # Planning
    # ------------------------------------------------------------------

    def _plan(self, on_date, debtors, credits, skip_delay):
        """Create today's action of each debtor of ``debtors`` that is due
        one. Returns the actions created."""
        Action = self.env["recouvrement.action"]
        if not debtors:
            return Action
        partner_ids = list({key[1] for key in debtors})
        busy = {
            (company.id, partner.id)
            for company, partner in Action._read_group(
                [
                    ("partner_id", "in", partner_ids),
                    # --- start recovery --- placing invoices at their level
                    # sends nothing: it does not keep the debtor from today's
                    # reminder (e.g. the formal notice after a placement).
                    ("recouvrement_import", "!=", "placement"),
                    "|",
                    "|",
                    ("state", "in", PENDING_STATES),
                    ("planned_date", "=", on_date),
                    "&",
                    ("promise_state", "=", "pending"),
                    ("promise_date", ">=", on_date),
                ],
                groupby=["company_id", "partner_id"],
            )
        }
        moves = self.env["account.move"].browse(
            [move.id for invoices in debtors.values() for move, *_ in invoices]
        )
        # The fields planning reads, not the hundred columns of an invoice
        # Odoo would fetch on the first access.
        moves.fetch(
            [
                "company_id",
                "currency_id",
                "recouvrement_level_id",
                "recouvrement_prescription_date",
            ]
        )
        # The day of each debtor's last formal notice sent (or being sent):
        # no other before the policy's gap (notice_gap_days).
        last_notice = {
            (company.id, partner.id): day
            for company, partner, day in Action._read_group(
                [
                    ("partner_id", "in", partner_ids),
                    ("channel", "=", "formal_notice"),
                    ("state", "in", PERFORMED_STATES),
                    ("recouvrement_import", "!=", "placement"),
                ],
                groupby=["company_id", "partner_id"],
                aggregates=["planned_date:max"],
            )
        }
        blocked = moves._recouvrement_blocking_reasons(on_date)
        paused = moves._recouvrement_paused_days(on_date)
        forced = moves._recouvrement_forced_levels()
        current = {move.id: move.recouvrement_level_id.id for move in moves}

        vals_list, lines_list = [], []
        ladders = {}  # policy id: its levels as the plain rules' data, once
        settings = self._debtor_settings(debtors, on_date)
        company_currency = {
            company.id: company.currency_id.id
            for company in self.env["res.company"].browse({key[0] for key in debtors})
        }
        for key, invoices in debtors.items():
            if key in busy or key not in settings:
                continue
            policy, collector = settings[key]
            open_invoices = [
                OpenInvoice(
                    id=move.id,
                    due_date=due,
                    residual=residual,
                    current_level_id=current.get(move.id) or None,
                    paused_days=paused.get(move.id, 0),
                    forced_level_id=forced.get(move.id),
                )
                for move, due, residual, _cur in invoices
                if move.id not in blocked
            ]
            if not open_invoices:
                continue
            overdue = sum(
                inv.residual for inv in open_invoices if inv.due_date < on_date
            )
            if overdue and overdue + credits.get(key, 0.0) <= 0:
                # Unallocated payments or credit notes cover what is overdue.
                continue
            if policy.id not in ladders:
                ladders[policy.id] = (
                    policy._recouvrement_rule_levels(),
                    policy._recouvrement_internal_level_ids(),
                    policy._recouvrement_notice_level_ids(),
                )
            rule_levels, internal_level_ids, notice_level_ids = ladders[policy.id]
            notice_day = last_notice.get(key)
            reminder = plan_reminder(
                rule_levels,
                open_invoices,
                on_date,
                skip_delay=key in skip_delay,
                internal_level_ids=internal_level_ids,
                held_level_ids=notice_level_ids
                if notice_day and (on_date - notice_day).days < policy.notice_gap_days
                else (),
            )
            if not reminder:
                continue
            level = self.env["recouvrement.level"].browse(reminder.level.id)
            vals_list.append(
                {
                    "company_id": key[0],
                    "partner_id": key[1],
                    "policy_id": policy.id,
                    "level_id": level.id,
                    "channel": level.channel,
                    "state": "to_validate" if level.needs_validation else "waiting",
                    "run_id": self.id,
                    "planned_date": on_date,
                    "user_id": collector.id,
                }
            )
            by_move = {
                move.id: (move, due, residual, cur)
                for move, due, residual, cur in invoices
            }
            lines_list.append(
                [
                    {
                        "move_id": move_id,
                        "company_id": key[0],
                        "currency_id": company_currency[key[0]],
                        "move_currency_id": by_move[move_id][0].currency_id.id,
                        "level_id": level_id,
                        "date_due": by_move[move_id][1],
                        "days_late": (on_date - by_move[move_id][1]).days,
                        "amount_residual": by_move[move_id][2],
                        "amount_residual_currency": by_move[move_id][3],
                    }
                    for move_id, level_id in reminder.invoice_levels.items()
                ]
            )
        actions = Action.create(vals_list)
        line_vals = []
        for action, lines in zip(actions, lines_list, strict=True):
            for vals in lines:
                vals["action_id"] = action.id
                line_vals.append(vals)
        created_lines = self.env["recouvrement.action.line"]._create_batch(line_vals)
        # --- penalties --- interest and indemnity at levels that state them
        self.env["recouvrement.penalty"]._recouvrement_fill_lines(created_lines)
        actions.filtered(lambda a: a.state == "to_validate")._prepare_previews()
        return actions

    def _debtor_settings(self, debtors, on_date):
        """{(company_id, partner_id): (policy, collector)} for the debtors
        that may be reminded (policy with levels, no active "no dunning")."""
        result = {}
        by_company = defaultdict(list)
        for company_id, partner_id in debtors:
            by_company[company_id].append(partner_id)
        for company_id, partner_ids in by_company.items():
            company = self.env["res.company"].browse(company_id)
            partners = self.env["res.partner"].with_company(company).browse(partner_ids)
            for partner in partners:
                if partner.recouvrement_no_dunning and (
                    not partner.recouvrement_no_dunning_until
                    or partner.recouvrement_no_dunning_until >= on_date
                ):
                    continue
                policy = (
                    partner.recouvrement_policy_id
                    or company._recouvrement_default_policy(
                        partner.recouvrement_debtor_type
                    )
                )
                if not policy or not policy.active or not policy.level_ids:
                    continue
                collector = (
                    partner.recouvrement_collector_id
                    or policy.collector_id
                    or policy.create_uid
                )
                result[(company_id, partner.id)] = (policy, collector)
        return result
