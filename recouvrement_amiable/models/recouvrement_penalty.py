"""Late-payment penalties of invoices: what is due, and what was invoiced.

``recouvrement.penalty`` records, per source invoice, the interest (up to
which date) and the indemnity charged on a penalty invoice, so that no period
and no indemnity is ever charged twice. Its ``_recouvrement_claims`` gathers
in a few queries what the plain rules (``rules.interest``) need for many
invoices at once: the dunning run fills the reminder lines with it, the
penalty invoice wizard invoices it.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import float_round, format_amount, format_date

from ..rules.interest import (
    CONSUMER,
    PROFESSIONAL,
    RECOVERY_INDEMNITY_EUR,
    MissingRateError,
    Payment,
    compute_interest,
    paid_late,
    rate_function,
    recovery_indemnity,
    to_decimal,
)
from .recouvrement_policy import DEBTOR_TYPES
from .selections import PERFORMED_STATES


@dataclass
class Claim:
    """What an invoice owes in penalties on a date, beyond what was already
    invoiced (amounts in the invoice currency)."""

    move: object
    on_date: date
    debtor_type: str
    interest: float = 0.0
    indemnity: float = 0.0
    # Interest invoiced up to this day already (excluded here).
    invoiced_to: date | None = None
    # Consumers: the formal notice interest runs from.
    notice_date: date | None = None
    results: list = field(default_factory=list)  # InterestResult per due line
    error: MissingRateError | None = None

    @property
    def segments(self):
        return [s for result in self.results for s in result.segments]

    @property
    def date_from(self):
        days = [s.date_from for s in self.segments]
        return min(days) if days else None

    @property
    def date_to(self):
        days = [s.date_to for s in self.segments]
        return max(days) if days else None

    @property
    def is_empty(self):
        return not self.interest and not self.indemnity


class RecouvrementPenalty(models.Model):
    _name = "recouvrement.penalty"
    _description = "Late-payment penalties invoiced for an invoice"
    _order = "move_id, date_to, id"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True)
    invoice_id = fields.Many2one(
        "account.move",
        string="Penalty invoice",
        required=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    invoice_state = fields.Selection(
        related="invoice_id.state", store=True, string="Penalty invoice status"
    )
    move_id = fields.Many2one(
        "account.move",
        string="Invoice",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        help="The late invoice the penalties are charged for.",
    )
    partner_id = fields.Many2one(
        related="move_id.commercial_partner_id", store=True, string="Customer"
    )
    currency_id = fields.Many2one("res.currency", required=True)
    debtor_type = fields.Selection(DEBTOR_TYPES, required=True)
    date_from = fields.Date(string="Interest from")
    date_to = fields.Date(
        string="Interest up to",
        required=True,
        help="Interest of this invoice is invoiced up to this day included.",
    )
    interest_amount = fields.Monetary(string="Interest")
    indemnity_amount = fields.Monetary(string="Recovery indemnity")
    detail = fields.Text(help="Days, amounts and rates of the interest charged.")

    # ------------------------------------------------------------------
    # What is due
    # ------------------------------------------------------------------

    @api.model
    def _recouvrement_claims(self, moves, on_date):
        """{invoice id: Claim} for the posted customer invoices of ``moves``
        on ``on_date``: interest and indemnity not invoiced yet, or the
        ``MissingRateError`` that prevents computing them. Penalty invoices
        bear no penalties (no interest on interest)."""
        moves = moves.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and not m.recouvrement_is_penalty_invoice
            )
        )
        if not moves:
            return {}
        table = self.env["recouvrement.legal.rate"]._rate_table()
        # Searched, not filtered from every line of the invoices: a hand-over
        # or a run covers thousands of invoices. Only the fields used here
        # are read, not the dozens of columns of a journal item.
        receivables = self.env["account.move.line"].search_fetch(
            [
                ("move_id", "in", moves.ids),
                ("account_type", "=", "asset_receivable"),
                ("amount_currency", ">", 0),
            ],
            ["move_id", "date_maturity", "amount_currency"],
            order="id",
        )
        receivables_of = receivables.grouped("move_id")
        payments = self._recouvrement_payments(receivables)
        invoiced = self._recouvrement_invoiced(moves)
        notices = self._recouvrement_notice_dates(
            moves.filtered(
                lambda m: m.commercial_partner_id.recouvrement_debtor_type == CONSUMER
            )
        )
        eur = self.env.ref("base.EUR")
        # What thousands of invoices share, looked up once: their debtors'
        # and companies' settings, their currencies' rounding, the rate
        # functions and the indemnity converted to their currency.
        debtors = {}  # (debtor id, company id): (debtor type, rate function)
        rate_functions = {}
        for company, company_moves in moves.grouped("company_id").items():
            for partner in company_moves.commercial_partner_id.with_company(company):
                debtor_type = partner.recouvrement_debtor_type or PROFESSIONAL
                contractual = (
                    partner.recouvrement_contractual_rate
                    or company.recouvrement_contractual_rate
                    or None
                )
                key = (debtor_type, contractual)
                if key not in rate_functions:
                    rate_functions[key] = rate_function(debtor_type, contractual)
                debtors[partner.id, company.id] = (debtor_type, rate_functions[key])
        roundings = {}  # currency id: (float rounding, Decimal rounding)
        indemnities = {}  # (EUR amount, currency id, company id): amount
        claims = {}
        # --- proceedings --- interest stops at the opening judgment (L622-28)
        judgments = {
            partner.id: partner.recouvrement_proceeding_date
            for partner in moves.commercial_partner_id
            if partner.recouvrement_proceeding_date
        }
        for move in moves:
            company = move.company_id
            debtor_type, rate_of = debtors[move.commercial_partner_id.id, company.id]
            invoiced_to, indemnity_invoiced = invoiced.get(move.id, (None, False))
            claim = Claim(
                move,
                on_date,
                debtor_type,
                invoiced_to=invoiced_to,
                notice_date=notices.get(move.id),
            )
            claims[move.id] = claim
            if debtor_type == CONSUMER and not claim.notice_date:
                continue  # no formal notice yet: no interest
            starts = [d for d in (claim.invoiced_to, claim.notice_date) if d]
            start_after = max(starts) if starts else None
            currency = move.currency_id
            if currency.id not in roundings:
                roundings[currency.id] = (
                    currency.rounding,
                    to_decimal(currency.rounding),
                )
            rounding, decimal_rounding = roundings[currency.id]
            leap_years = company.recouvrement_interest_leap_years
            late = False
            try:
                for line in receivables_of.get(move, ()):
                    due = line.date_maturity or move.invoice_date_due
                    line_payments = payments.get(line.id, [])
                    # currency.round, without the ORM call per line
                    amount = float_round(
                        line.amount_currency, precision_rounding=rounding
                    )
                    claim.results.append(
                        compute_interest(
                            amount,
                            due,
                            min(
                                on_date,
                                judgments.get(move.commercial_partner_id.id, on_date),
                            ),
                            table,
                            rate_of,
                            payments=line_payments,
                            start_after=start_after,
                            leap_years=leap_years,
                            rounding=decimal_rounding,
                        )
                    )
                    late = late or paid_late(amount, due, on_date, line_payments)
            except MissingRateError as error:
                claim.error = error
                claim.results = []
            claim.interest = float(sum((r.total for r in claim.results), Decimal(0)))
            indemnity = recovery_indemnity(
                debtor_type, late and not indemnity_invoiced, RECOVERY_INDEMNITY_EUR
            )
            if indemnity:
                key = (indemnity, currency.id, company.id)
                if key not in indemnities:
                    indemnities[key] = eur._convert(
                        float(indemnity), currency, company, on_date
                    )
                claim.indemnity = indemnities[key]
        return claims

    @api.model
    def _recouvrement_payments(self, receivables):
        """{receivable line id: [Payment]}: what settled each line and when
        (payments, credit notes), in the invoice currency."""
        result = defaultdict(list)
        partials = self.env["account.partial.reconcile"].search_fetch(
            [("debit_move_id", "in", receivables.ids)],
            ["debit_move_id", "max_date", "debit_amount_currency"],
        )
        for partial in partials:
            result[partial.debit_move_id.id].append(
                Payment(partial.max_date, to_decimal(partial.debit_amount_currency))
            )
        return result

    @api.model
    def _recouvrement_invoiced(self, moves):
        """{invoice id: (interest invoiced up to, indemnity invoiced)} from
        the penalty invoices that are not cancelled."""
        groups = self._read_group(
            [("move_id", "in", moves.ids), ("invoice_state", "!=", "cancel")],
            groupby=["move_id"],
            aggregates=["date_to:max", "indemnity_amount:sum"],
        )
        return {
            move.id: (invoiced_to, bool(indemnity))
            for move, invoiced_to, indemnity in groups
        }

    @api.model
    def _recouvrement_notice_dates(self, moves):
        """{invoice id: date} of the first formal notice that reached the
        debtor about each invoice (consumers owe interest from it)."""
        if not moves:
            return {}
        groups = self.env["recouvrement.action.line"]._read_group(
            [
                ("move_id", "in", moves.ids),
                ("action_state", "in", PERFORMED_STATES),
                ("action_id.level_id.channel", "=", "formal_notice"),
                ("contact_date", "!=", False),
            ],
            groupby=["move_id"],
            aggregates=["contact_date:min"],
        )
        notices = {
            move.id: fields.Date.context_today(self, contact)
            for move, contact in groups
        }
        # --- proof of sending --- a formal notice takes effect on the day
        # it was first presented to the debtor, when that day is recorded.
        presented = self.env["recouvrement.action.line"]._read_group(
            [
                ("move_id", "in", moves.ids),
                ("action_state", "in", PERFORMED_STATES),
                ("action_id.level_id.channel", "=", "formal_notice"),
                ("action_id.presented_date", "!=", False),
            ],
            groupby=["move_id"],
            aggregates=["action_id:recordset"],
        )
        for move, actions in presented:
            first = actions.sorted(lambda a: (a.contact_date or a.create_date, a.id))
            notices[move.id] = first[0].effective_date
        return notices

    # ------------------------------------------------------------------
    # Reminders stating penalties
    # ------------------------------------------------------------------

    @api.model
    def _recouvrement_fill_lines(self, lines):
        """Interest and indemnity of the reminder lines whose level states
        penalties, to the reminder's planned date (one computation per date
        for all the lines). A reminder whose interest cannot be computed
        (a half-year rate is missing) is failed with the reason and flagged,
        so it never goes out with a wrong amount; it is computed again when
        retried. Returns the reminders in error."""
        lines = lines.filtered(lambda line: line.action_id.level_id.state_penalties)
        errors = {}
        for on_date, group in lines.grouped(
            lambda line: line.action_id.planned_date
        ).items():
            claims = self._recouvrement_claims(group.move_id, on_date)
            for line in group:
                claim = claims.get(line.move_id.id)
                if claim and claim.error:
                    errors.setdefault(line.action_id, claim.error)
                line.interest_amount = claim.interest if claim else 0.0
                line.indemnity_amount = claim.indemnity if claim else 0.0
        failed = self.env["recouvrement.action"].union(*errors)
        Rate = self.env["recouvrement.legal.rate"]
        for action, error in errors.items():
            action.write(
                {
                    "state": "failed",
                    "recouvrement_penalty_missing": True,
                    "failure_reason": Rate._missing_rate_message(error),
                }
            )
        return failed

    @api.model
    def _recouvrement_ready(self, actions):
        """The actions of ``actions`` that may be performed. Those failed for a
        missing rate are computed again: still missing, they stay failed;
        computed, those needing validation go back to validation (with their
        preview), the others go."""
        if "recouvrement_penalty_missing" not in actions._fields:
            return actions
        retry = actions.filtered(
            lambda a: a.state == "failed" and a.recouvrement_penalty_missing
        )
        if not retry:
            return actions
        still = self._recouvrement_fill_lines(retry.line_ids)
        fixed = retry - still
        fixed.write({"recouvrement_penalty_missing": False, "failure_reason": False})
        to_validate = fixed.filtered(
            lambda a: a.level_id.needs_validation and not a.validated_by_id
        )
        if to_validate:
            to_validate.write({"state": "to_validate"})
            to_validate._prepare_previews()
        return actions - still - to_validate

    # ------------------------------------------------------------------
    # Wording
    # ------------------------------------------------------------------

    @api.model
    def _recouvrement_claim_detail(self, claim):
        """The itemised interest of a claim, one line per part."""
        currency = claim.move.currency_id
        lines = []
        for segment in claim.segments:
            lines.append(
                self.env._(
                    "%(start)s to %(end)s: %(days)s days × %(base)s at %(rate)s %% "
                    "(/%(year)s) = %(amount)s",
                    start=format_date(self.env, segment.date_from),
                    end=format_date(self.env, segment.date_to),
                    days=segment.days,
                    base=_money(self.env, segment.base, currency),
                    rate=_rate(segment.rate),
                    year=segment.year_days,
                    amount=_money(self.env, segment.amount, currency),
                )
            )
        return "\n".join(lines)


def _money(env, value, currency):
    return format_amount(env, float(value), currency)


def _rate(value):
    """12.15 -> "12.15", 9.00 -> "9"."""
    return f"{Decimal(value).normalize():f}"
