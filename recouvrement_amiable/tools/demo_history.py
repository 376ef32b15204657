"""Months of recovery history for the demo, made by the add-on itself.

``build_history(env, ...)`` creates French customers (realistic names, no
numbers; individuals owe tens to a few hundred euros per invoice, companies
hundreds to tens of thousands), then plays every working day from
``months`` back to today with time frozen at that day (freezegun):

1. the debtors' events planned for the day (payments after reminders,
   promises kept, installments of payment plans, disputes resolved...);
2. the day's invoices are issued;
3. the daily dunning run (``recouvrement.run._execute``) and the daily
   follow-up of payment plans (``recouvrement.plan._check_plans``);
4. in the afternoon, the reminders waiting for an allowed hour go out
   (``_cron_perform_waiting``), then the collector works the worklist:
   records call outcomes (promises, some broken), validates formal notices,
   marks letters posted, hands files over to the agency.

Everything goes through the add-on's and Odoo's own methods and wizards;
nothing is written to the database by hand. A seed makes the history the
same on every machine. The last days are left as a collector would find
them in the morning: formal notices to validate, calls to make, letters to
post, a promise due today.
"""

import dataclasses
import logging
import random
from datetime import datetime, time, timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError

from .data_generator import (
    _customer_values,
    _refresh_statistics,
    ensure_current_rates,
)
from .french_identities import COMPANY_STEMS, SERVICES, _slug, random_debtor

_logger = logging.getLogger(__name__)

# Amount of one invoice line, tax excluded (20 % VAT added by the tax).
CONSUMER_AMOUNTS = (20.0, 300.0)
PRO_AMOUNTS = (250.0, 4000.0)
PRO_LARGE_AMOUNTS = (5000.0, 18000.0)

# Debtor profiles: (weight, share of invoices paid on time, reminders before
# paying the others, or None: never pays).
PROFILES = {
    "good": (35, 0.8, 1),
    "slow": (25, 0.4, 2),
    "late": (15, 0.2, 3),
    "bad": (25, 0.0, None),
}

ANALYZED_MODELS = (
    "account.move",
    "account.move.line",
    "account.partial.reconcile",
    "account.payment",
    "recouvrement.action",
    "recouvrement.action.line",
    "mail.message",
    "mail.activity",
)
NO_DUNNING_REASON = "Surendettement : dossier déposé auprès de la Banque de France"
AGENCY = {
    "name": "Cabinet Recouvra Conseil",
    "is_company": True,
    "email": "dossiers@recouvra-conseil.example",
    "street": "8 rue du Faubourg Saint-Honoré",
    "zip": "75008",
    "city": "Paris",
    "recouvrement_is_agency": True,
    "recouvrement_agency_mandate_ref": "MAND-2026-014",
    "recouvrement_agency_commission": 12.0,
}


def demo_debtors(rng, count, individual_ratio=0.3):
    """``count`` customers from ``french_identities`` with unique names and
    e-mail addresses that carry no number."""
    debtors, names = [], set()
    index = 0
    while len(debtors) < count:
        index += 1
        debtor = random_debtor(rng, index, individual_ratio)
        if debtor.is_company:
            last = debtor.contact_name.split(" ", 1)[1]
            name = f"{rng.choice(COMPANY_STEMS)} {last} {debtor.legal_form}"
            email = f"comptabilite@{_slug(name)}.example"
        else:
            name = debtor.name.rsplit(" (", 1)[0]
            email = f"{_slug(name).replace('-', '.')}@particulier.example"
        if name in names:
            continue
        names.add(name)
        debtors.append(dataclasses.replace(debtor, name=name, email=email))
    return debtors


def working_days(start, end):
    day = start
    while day <= end:
        if day.weekday() < 5:
            yield day
        day += timedelta(days=1)


class DemoHistory:
    """The world the history plays; see the module's docstring."""

    def __init__(self, env, *, today, months=6, debtors=40, seed=2026, log=None):
        self.env = env
        self.rng = random.Random(seed)
        self.today = today
        self.start = today - timedelta(days=round(months * 30.5))
        self.debtor_count = debtors
        self.log = log or _logger.info
        self.events = {}  # day: [(callable, args)]
        self.fates = {}  # invoice id: reminders before paying (None: never)
        self.reminded = {}  # invoice id: reminders received
        self.profiles = {}  # partner id: profile name
        self.counters = {"disputes": 0, "plans": 0, "cases": 0, "calls": 0}
        self.issued = []  # (date, partner, amounts)
        self.recovered_moves = ()  # invoices the agency recovers
        self.held = set()  # invoices in a payment plan: paid by installments

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------

    def build(self):
        # The demo's tool, not the add-on's: imported only here. One frozen
        # clock moved from day to day (starting freezegun scans every loaded
        # module: once, not twice a day).
        from freezegun import freeze_time

        # Letters and formal notices of past days as HTML documents, as
        # without wkhtmltopdf: a PDF per day would make the demo ten times
        # slower.
        self.env = self.env(
            context=dict(self.env.context, recouvrement_documents_as_html=True)
        )
        env = self.env
        for day in (self.start, self.today):
            ensure_current_rates(env, day)
        self._customers()
        self._plan_invoices()
        with freeze_time(datetime.combine(self.start, time(7))) as clock:
            self.clock = clock
            self._issue(self.start, before=True)
            for day in working_days(self.start, self.today):
                self._day(day)
            self._at_time(self.today, 16)
            self._safely(self._last_touches)
        return self.summary()

    def _at_time(self, day, hour):
        self.clock.move_to(datetime.combine(day, time(hour)))

    def _safely(self, function, *args):
        """Play one event; one the add-on refuses (a plan on an invoice
        disputed meanwhile...) is skipped, as a user would give up."""
        try:
            with self.env.cr.savepoint():
                function(*args)
        except (UserError, ValidationError) as error:
            self.log(f"history: {function.__name__}{args[:2]} skipped: {error}")

    # ------------------------------------------------------------------
    # Setup
    # ------------------------------------------------------------------

    def _customers(self):
        env = self.env
        france = env.ref("base.fr")
        lang = "fr_FR" if env["res.lang"]._lang_get("fr_FR") else env.user.lang
        people = demo_debtors(self.rng, self.debtor_count)
        self.partners = (
            env["res.partner"]
            .with_context(tracking_disable=True)
            .create(
                [
                    dict(
                        _customer_values(p, france, env.company, None, lang),
                        customer_rank=1,
                    )
                    for p in people
                ]
            )
        )
        weights = [w for w, *_ in PROFILES.values()]
        for partner in self.partners:
            self.profiles[partner.id] = self.rng.choices(list(PROFILES), weights)[0]
        self.agency = env["res.partner"].create(dict(AGENCY, country_id=france.id))

    def _plan_invoices(self):
        """Invoices of each customer, issued on working days from two months
        before the history's start to a few days before today."""
        rng = self.rng
        first = self.start - timedelta(days=60)
        span = (self.today - timedelta(days=3) - first).days
        for partner in self.partners:
            count = rng.randint(3, 7) if partner.is_company else rng.randint(2, 4)
            for _ in range(count):
                day = first + timedelta(days=rng.randrange(span))
                while day.weekday() >= 5:
                    day += timedelta(days=1)
                if partner.is_company:
                    bounds = PRO_LARGE_AMOUNTS if rng.random() < 0.12 else PRO_AMOUNTS
                    lines = rng.randint(1, 3)
                else:
                    bounds, lines = CONSUMER_AMOUNTS, 1
                amounts = [round(rng.uniform(*bounds) / lines, 2) for _ in range(lines)]
                self.issued.append((day, partner, amounts))
        self.issued.sort(key=lambda item: (item[0], item[1].id))

    def _issue(self, day, before=False):
        """Post the invoices dated ``day`` (or up to ``day`` when ``before``)."""
        todo = [
            item
            for item in self.issued
            if (item[0] <= day if before else item[0] == day)
        ]
        if not todo:
            return
        env = self.env
        journal = env["account.journal"].search(
            [("type", "=", "sale"), ("company_id", "=", env.company.id)], limit=1
        )
        tax = env.company.account_sale_tax_id
        rng = self.rng
        vals_list = []
        for invoice_date, partner, amounts in todo:
            term = 30 if partner.is_company else 15
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "partner_id": partner.id,
                    "journal_id": journal.id,
                    "invoice_date": invoice_date,
                    "date": invoice_date,
                    "invoice_date_due": invoice_date + timedelta(days=term),
                    "invoice_payment_term_id": False,
                    "invoice_line_ids": [
                        Command.create(
                            {
                                "name": rng.choice(SERVICES),
                                "quantity": 1,
                                "price_unit": amount,
                                "tax_ids": [Command.set(tax.ids)],
                            }
                        )
                        for amount in amounts
                    ],
                }
            )
        moves = (
            env["account.move"]
            .with_context(tracking_disable=True)
            .create(vals_list)
            .sorted(lambda m: (m.invoice_date, m.id))
        )
        moves.action_post()
        for move in moves:
            _weight, on_time, reminders = PROFILES[self.profiles[move.partner_id.id]]
            if rng.random() < on_time:
                paid_on = move.invoice_date_due + timedelta(days=rng.randint(-6, 4))
                self._at(max(paid_on, move.invoice_date), self._pay, move.id)
                self.fates[move.id] = 0
            else:
                self.fates[move.id] = reminders

    # ------------------------------------------------------------------
    # One day
    # ------------------------------------------------------------------

    def _at(self, day, function, *args):
        while day.weekday() >= 5:
            day += timedelta(days=1)
        self.events.setdefault(day, []).append((function, args))

    def _day(self, day):
        env = self.env
        self._at_time(day, 8)
        for function, args in self.events.pop(day, []):
            self._safely(function, day, *args)
        self._issue(day)
        run = env["recouvrement.run"]._execute(day)
        env["recouvrement.plan"]._check_plans(day)
        self._at_time(day, 15)
        env["recouvrement.run"]._cron_perform_waiting()
        self._react(day, run)
        if day.weekday() == 4:
            # The history is one transaction: autovacuum cannot analyze the
            # growing tables, and with the statistics of empty tables the
            # reconciliation queries of payments take seconds each.
            _refresh_statistics(env, *ANALYZED_MODELS)
        if day.day in (1, 15):
            self.log(f"history: {day} ({len(run.action_ids)} reminders planned)")

    def _react(self, day, run):
        """The debtors' answers to the reminders that went out today, and the
        collector's work on the worklist."""
        Action = self.env["recouvrement.action"]
        start, end = datetime.combine(day, time(0)), datetime.combine(day, time(23))
        sent = Action.search(
            [
                ("contact_date", ">=", start),
                ("contact_date", "<=", end),
                ("recouvrement_import", "=", False),
            ],
            order="id",
        )
        last_days = (self.today - day).days <= 3
        for action in sent:
            for line in action.line_ids:
                move = line.move_id
                if move.payment_state not in ("not_paid", "partial"):
                    continue
                self.reminded[move.id] = self.reminded.get(move.id, 0) + 1
                self._answer(day, move)
            if (
                action.channel in ("letter", "formal_notice")
                and action.state == "to_do"
            ):
                if not last_days:
                    self._at(day + timedelta(days=1), self._post_letter, action.id)
            elif (
                action.channel == "phone" and action.state == "to_do" and not last_days
            ):
                self._safely(self._call, day, action)
        for action in run.action_ids.filtered(
            lambda a: a.channel == "agency" and a.state == "to_do"
        ):
            # Agency proposals: the first two debtors are handed over.
            if self.counters["cases"] < 2 and not last_days:
                self._at(day + timedelta(days=2), self._hand_over, action.id)
                self.counters["cases"] += 1
        for action in run.action_ids.filtered(lambda a: a.state == "to_validate"):
            if (self.today - day).days > 5:
                self._at(
                    day + timedelta(days=self.rng.randint(1, 2)),
                    self._validate,
                    action.id,
                )

    def _answer(self, day, move):
        """A debtor who pays after its Nth reminder pays a few days later;
        some invoices of patient debtors are contested instead."""
        rng = self.rng
        need = self.fates.get(move.id)
        profile = self.profiles.get(move.partner_id.id)
        if (
            self.reminded[move.id] == 1
            and profile in ("slow", "late")
            and rng.random() < 0.15
            and self.counters["disputes"] < 6
        ):
            self.counters["disputes"] += 1
            self._at(day + timedelta(days=2), self._dispute, move.id)
            self.fates[move.id] = None
            return
        if need is None or self.reminded[move.id] < need:
            return
        self.fates[move.id] = None  # its payment is planned
        later = day + timedelta(days=rng.randint(2, 9))
        if rng.random() < 0.2:
            self._at(later, self._pay, move.id, 0.5)
            self._at(later + timedelta(days=rng.randint(10, 25)), self._pay, move.id)
        else:
            self._at(later, self._pay, move.id)

    # ------------------------------------------------------------------
    # The debtors
    # ------------------------------------------------------------------

    def _pay(self, day, move_id, share=1.0, installment=False):
        if move_id in self.held and not installment:
            return
        move = self.env["account.move"].browse(move_id)
        if move.payment_state not in ("not_paid", "partial") or move.state != "posted":
            return
        if move.recouvrement_with_agency and move.id not in self.recovered_moves:
            return
        amount = move.currency_id.round(move.amount_residual * share)
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=move.ids
        ).create(
            {
                "amount": amount,
                "payment_date": day,
                "payment_difference_handling": "open",
            }
        )._create_payments()

    def _dispute(self, day, move_id):
        move = self.env["account.move"].browse(move_id)
        if move.payment_state not in ("not_paid", "partial") or (
            move._recouvrement_blocking_reasons(day)
        ):
            return
        reasons = ("quality", "not_delivered", "price", "quantity", "duplicate")
        number = self.counters.setdefault("disputes_opened", 0)
        self.counters["disputes_opened"] += 1
        reason = self.env.ref(
            f"recouvrement_amiable.dispute_reason_{reasons[number % len(reasons)]}"
        )
        dispute = self.env["recouvrement.dispute"].create(
            {
                "partner_id": move.commercial_partner_id.id,
                "move_ids": [Command.set(move.ids)],
                "reason_id": reason.id,
                "amount_disputed": move.amount_residual,
                "description": "Le client conteste la facture par téléphone.",
            }
        )
        outcome = ("justified", "rejected", None)[number % 3]
        if outcome:
            self._at(
                day + timedelta(days=self.rng.randint(8, 20)),
                self._resolve,
                dispute.id,
                outcome,
            )

    def _resolve(self, day, dispute_id, outcome):
        dispute = self.env["recouvrement.dispute"].browse(dispute_id)
        if dispute.state not in ("open", "in_progress"):
            return
        wizard = self.env["recouvrement.dispute.resolve"].create(
            {
                "dispute_id": dispute.id,
                "resolution": outcome,
                "note": "<p>Livraison vérifiée avec le client.</p>",
            }
        )
        if outcome == "justified":
            wizard.amount_credit = dispute.currency_id.round(
                dispute.amount_residual * 0.3
            )
        wizard.action_confirm()
        for move in dispute.move_ids:
            # A rejected dispute is paid after the next reminder.
            self.fates[move.id] = self.reminded.get(move.id, 0) + 1

    # ------------------------------------------------------------------
    # The collector
    # ------------------------------------------------------------------

    def _post_letter(self, day, action_id):
        action = self.env["recouvrement.action"].browse(action_id)
        if action.state == "to_do":
            action.action_mark_sent()

    def _validate(self, day, action_id):
        action = self.env["recouvrement.action"].browse(action_id)
        if action.state == "to_validate":
            action.action_validate()

    def _call(self, day, action):
        """Record the call's outcome: no answer, reached, or a promise (kept,
        or broken by debtors who never pay); some debtors sign a plan."""
        rng = self.rng
        self.counters["calls"] += 1
        moves = action.line_ids.move_id.filtered(
            lambda m: m.payment_state in ("not_paid", "partial")
        )
        never = any(self.fates.get(m.id, 0) is None for m in moves)
        roll = rng.random()
        # Promises of the last week fall due today.
        promise_due_today = 2 <= (self.today - day).days <= 7
        if promise_due_today or roll < 0.45:
            outcome = "promise"
        elif roll < 0.75:
            outcome = "no_answer"
        else:
            outcome = "reached"
        if (
            outcome == "reached"
            and self.counters["plans"] < 3
            and action.amount_due > 500
            and not promise_due_today
        ):
            self.counters["plans"] += 1
            self._plan(day, action, moves, breaks=self.counters["plans"] == 2)
            return
        wizard = self.env["recouvrement.call.outcome"].create(
            {
                "action_id": action.id,
                "outcome": outcome,
                "promise_date": (
                    self.today if promise_due_today else day + timedelta(days=7)
                )
                if outcome == "promise"
                else False,
                "promise_amount": action.amount_due if outcome == "promise" else 0.0,
                "note": {
                    "promise": "Le client s'engage à régler sous huit jours.",
                    "no_answer": "Messagerie, message laissé.",
                    "reached": "Le comptable vérifie et rappelle.",
                }[outcome],
            }
        )
        wizard.action_confirm()
        if outcome == "promise" and not never and not promise_due_today:
            for move in moves:
                self.fates[move.id] = None
                self._at(day + timedelta(days=rng.randint(3, 6)), self._pay, move.id)

    def _plan(self, day, action, moves, breaks):
        """The debtor cannot pay at once: a plan of three monthly
        installments, signed on paper; one plan breaks after its first
        installment."""
        if not moves:
            return
        self.env["recouvrement.call.outcome"].create(
            {
                "action_id": action.id,
                "outcome": "reached",
                "note": "Difficultés de trésorerie : échéancier proposé.",
            }
        ).action_confirm()
        plan = self.env["recouvrement.plan"].create(
            {
                "partner_id": action.partner_id.id,
                "move_ids": [Command.set(moves.ids)],
                "first_date": day + timedelta(days=10),
                "frequency": "monthly",
                "installment_count": 3,
            }
        )
        plan.action_confirm()
        plan.action_mark_signed()
        for number, line in enumerate(plan.line_ids.sorted("due_date")):
            if breaks and number >= 1:
                break
            self._at(line.due_date - timedelta(days=1), self._pay_installment, line.id)
        for move in moves:
            self.fates[move.id] = None
            self.held.add(move.id)

    def _pay_installment(self, day, line_id):
        line = self.env["recouvrement.plan.line"].browse(line_id)
        left = line.amount
        for move in line.plan_id.move_ids.sorted(lambda m: (m.invoice_date_due, m.id)):
            if left <= 0 or move.payment_state not in ("not_paid", "partial"):
                continue
            amount = min(left, move.amount_residual)
            self._pay(day, move.id, amount / move.amount_residual, True)
            left = move.currency_id.round(left - amount)

    def _hand_over(self, day, action_id):
        action = self.env["recouvrement.action"].browse(action_id)
        if action.state != "to_do":
            return
        wizard = (
            self.env["recouvrement.case.transmit"]
            .with_context(default_action_id=action.id)
            .create(
                {
                    "agency_id": self.agency.id,
                    "note": "Relances amiables restées sans effet.",
                    "send_email": False,
                }
            )
        )
        if not wizard.move_ids:
            return
        wizard.action_transmit()
        cases = self.env["recouvrement.case"].search(
            [("move_ids", "in", wizard.move_ids.ids)]
        )
        cases.action_start()
        if len(self.recovered_moves) == 0 and self.counters.get("recovered") is None:
            # The first case: the agency recovers everything a month later.
            self.counters["recovered"] = 0
            self.recovered_moves = tuple(wizard.move_ids.ids)
            for move in wizard.move_ids:
                self._at(day + timedelta(days=25), self._pay, move.id)
            self._at(day + timedelta(days=27), self._close_cases, cases.ids)

    def _close_cases(self, day, case_ids):
        cases = self.env["recouvrement.case"].browse(case_ids)
        cases.filtered(lambda c: c.state in ("sent", "in_progress")).action_close()
        self.counters["recovered"] = len(cases)

    # ------------------------------------------------------------------
    # Today
    # ------------------------------------------------------------------

    def _last_touches(self):
        env = self.env
        # A customer in over-indebtedness proceedings: no dunning.
        quiet = (
            self.partners.filtered(
                lambda p: not p.is_company and self.profiles[p.id] == "bad"
            )[:1]
            or self.partners.filtered(lambda p: not p.is_company)[:1]
        )
        quiet.write(
            {
                "recouvrement_no_dunning": True,
                "recouvrement_no_dunning_reason": NO_DUNNING_REASON,
            }
        )
        # Late-payment penalties invoiced to the professional who owes most.
        Move = env["account.move"]
        overdue = Move.search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("partner_id", "in", self.partners.filtered("is_company").ids),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date_due", "<", self.today - timedelta(days=30)),
                ("recouvrement_in_dispute", "=", False),
            ]
        )
        if overdue:
            partner = max(
                overdue.partner_id,
                key=lambda p: sum(
                    overdue.filtered(lambda m, p=p: m.partner_id == p).mapped(
                        "amount_residual"
                    )
                ),
            )
            wizard = (
                env["recouvrement.penalty.invoice"]
                .with_context(active_model="res.partner", active_ids=partner.ids)
                .create({})
            )
            result = wizard.action_create_invoice()
            Move.browse(result["res_id"]).action_post()

    def summary(self):
        env = self.env
        Action = env["recouvrement.action"]

        def count(model, domain):
            return env[model].search_count(domain)

        return {
            "customers": len(self.partners),
            "invoices": count(
                "account.move",
                [("move_type", "=", "out_invoice"), ("state", "=", "posted")],
            ),
            "runs": count("recouvrement.run", []),
            "reminders": count("recouvrement.action", []),
            "to_validate": Action.search_count([("state", "=", "to_validate")]),
            "calls_to_make": Action.search_count(
                [("state", "=", "to_do"), ("channel", "=", "phone")]
            ),
            "letters_to_post": Action.search_count(
                [
                    ("state", "=", "to_do"),
                    ("channel", "in", ("letter", "formal_notice")),
                ]
            ),
            "promises_due_today": Action.search_count(
                [("promise_state", "=", "pending"), ("promise_date", "<=", self.today)]
            ),
            "broken_promises": Action.search_count([("promise_state", "=", "broken")]),
            "disputes": {
                state: count("recouvrement.dispute", [("state", "=", state)])
                for state in ("open", "resolved_justified", "resolved_rejected")
            },
            "plans": {
                state: count("recouvrement.plan", [("state", "=", state)])
                for state in ("active", "broken", "done")
            },
            "cases": {
                state: count("recouvrement.case", [("state", "=", state)])
                for state in ("in_progress", "closed_recovered")
            },
            "penalty_invoices": count(
                "account.move", [("recouvrement_is_penalty_invoice", "=", True)]
            ),
        }


def build_history(env, *, today, months=6, debtors=40, seed=2026, log=None):
    """Create customers and play ``months`` of recovery up to ``today``;
    return a summary of what the history holds."""
    return DemoHistory(
        env, today=today, months=months, debtors=debtors, seed=seed, log=log
    ).build()
