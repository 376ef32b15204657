from collections import defaultdict
from datetime import datetime, time

from odoo import api, models

from ..rules import kpi as rules
from .selections import PERFORMED_STATES

# Dispute states (recouvrement_dispute.DISPUTE_STATES) the figures read.
JUSTIFIED, REJECTED = "resolved_justified", "resolved_rejected"
CLOSED_CASE_STATES = ("closed_recovered", "closed_partial", "closed_unrecoverable")


def _expand(groups):
    """Values repeated by their count, for a median: [(value, count)]."""
    return [value for value, count in groups for _i in range(count)]


class RecouvrementKpiActivity(models.AbstractModel):
    """The cockpit's figures on the work of recovery: reminders and their
    effectiveness, promises, disputes, payment plans, agencies, collectors
    and penalties (mixed into ``recouvrement.kpi``)."""

    _name = "recouvrement.kpi.activity"
    _description = "Recovery cockpit figures: the work of recovery"

    @api.model
    def _figures_activity(self, companies, date_from, date_to, filters):
        performed = self._performed_lines(companies, date_from, date_to, filters)
        return {
            "effectiveness": self._figures_effectiveness(performed),
            "collectors": self._figures_collectors(
                companies, date_from, date_to, filters, performed
            ),
            "promises": self._figures_promises(companies, date_from, date_to, filters),
            "disputes": self._figures_disputes(companies, date_from, date_to, filters),
            "plans": self._figures_plans(companies, date_from, date_to, filters),
            "agencies": self._figures_agencies(companies, date_from, date_to, filters),
            "penalties": self._figures_penalties(
                companies, date_from, date_to, filters
            ),
        }

    @api.model
    def _action_domain(self, companies, date_from, date_to, filters, prefix=""):
        """Reminders performed (contacted) in the period, filtered."""
        start = datetime.combine(date_from, time.min)
        end = datetime.combine(date_to, time.max)
        domain = [
            (f"{prefix}company_id", "in", companies.ids),
            (f"{prefix}state", "in", PERFORMED_STATES),
            (f"{prefix}contact_date", ">=", start),
            (f"{prefix}contact_date", "<=", end),
        ]
        if filters.get("policy_id"):
            domain.append((f"{prefix}policy_id", "=", filters["policy_id"]))
        if filters.get("collector_id"):
            domain.append((f"{prefix}user_id", "=", filters["collector_id"]))
        if filters.get("debtor_type"):
            domain.append(
                (
                    f"{prefix}partner_id.recouvrement_debtor_type",
                    "=",
                    filters["debtor_type"],
                )
            )
        if filters.get("user_id"):
            domain.append((f"{prefix}partner_id.user_id", "=", filters["user_id"]))
        return domain

    # ------------------------------------------------------------------
    # Reminders: effectiveness and collectors
    # ------------------------------------------------------------------

    @api.model
    def _performed_lines(self, companies, date_from, date_to, filters):
        """The invoices reminded in the period with what was paid on them
        afterwards: [(action, level id, channel, user id, amount reminded,
        [(days after the reminder, amount paid)])]."""
        groups = self.env["recouvrement.action.line"]._read_group(
            self._action_domain(companies, date_from, date_to, filters, "action_id."),
            groupby=["action_id", "move_id", "level_id"],
            aggregates=["amount_residual:sum"],
        )
        if not groups:
            return []
        actions = self.env["recouvrement.action"].browse(
            {action.id for action, *_rest in groups}
        )
        actions.fetch(["contact_date", "channel", "user_id"])
        moves = {move.id for _action, move, *_rest in groups}
        Line = self.env["account.move.line"]
        receivable = dict(
            Line._read_group(
                [
                    ("move_id", "in", list(moves)),
                    ("account_type", "=", "asset_receivable"),
                ],
                groupby=["move_id"],
                aggregates=["id:array_agg"],
            )
        )
        line_move = {
            line_id: move.id for move, ids in receivable.items() for line_id in ids
        }
        # Payments only: credit notes are no collection.
        partials = self.env["account.partial.reconcile"]._read_group(
            [
                ("debit_move_id", "in", list(line_move)),
                ("credit_move_id.move_id.move_type", "=", "entry"),
            ],
            groupby=["debit_move_id", "max_date:day"],
            aggregates=["amount:sum"],
        )
        paid = defaultdict(list)
        for line, day, amount in partials:
            paid[line_move[line.id]].append((day, amount))
        result = []
        for action, move, level, amount in groups:
            contacted = action.contact_date.date()
            result.append(
                (
                    action,
                    level.id,
                    action.channel,
                    action.user_id.id,
                    amount,
                    [((day - contacted).days, value) for day, value in paid[move.id]],
                )
            )
        return result

    @api.model
    def _figures_effectiveness(self, performed):
        """Share of the amount reminded paid within 7, 15 and 30 days, and
        the median days to payment: in all, per level and per channel."""
        by_level, by_channel = defaultdict(list), defaultdict(list)
        for _action, level_id, channel, _user, amount, payments in performed:
            by_level[level_id].append((amount, payments))
            by_channel[channel].append((amount, payments))
        return {
            "all": rules.effectiveness([(p[4], p[5]) for p in performed]),
            "by_level": {k: rules.effectiveness(v) for k, v in by_level.items()},
            "by_channel": {k: rules.effectiveness(v) for k, v in by_channel.items()},
        }

    @api.model
    def _figures_collectors(self, companies, date_from, date_to, filters, performed):
        """Per collector: reminders performed, calls and their outcomes,
        and the amount paid within 30 days after their reminders."""
        Action = self.env["recouvrement.action"]
        domain = self._action_domain(companies, date_from, date_to, filters)
        result = defaultdict(
            lambda: {"reminders": 0, "calls": 0, "outcomes": {}, "collected": 0.0}
        )
        for user, count in Action._read_group(
            domain, groupby=["user_id"], aggregates=["__count"]
        ):
            result[user.id]["reminders"] = count
        for user, outcome, count in Action._read_group(
            domain + [("channel", "=", "phone")],
            groupby=["user_id", "outcome"],
            aggregates=["__count"],
        ):
            result[user.id]["calls"] += count
            result[user.id]["outcomes"][outcome or "none"] = count
        for _action, _level, _channel, user_id, amount, payments in performed:
            result[user_id]["collected"] += min(
                amount, sum(value for days, value in payments if 0 <= days <= 30)
            )
        return dict(result)

    # ------------------------------------------------------------------
    # Promises, disputes, plans, agencies, penalties
    # ------------------------------------------------------------------

    @api.model
    def _figures_promises(self, companies, date_from, date_to, filters):
        """Promises to pay falling due in the period: made, kept, broken,
        pending, the amount kept and the kept rate (of those settled)."""
        domain = [
            ("company_id", "in", companies.ids),
            ("promise_state", "!=", False),
            ("promise_date", ">=", date_from),
            ("promise_date", "<=", date_to),
        ] + self._action_domain(companies, date_from, date_to, filters)[4:]
        groups = {
            state: (count, amount)
            for state, count, amount in self.env["recouvrement.action"]._read_group(
                domain,
                groupby=["promise_state"],
                aggregates=["__count", "promise_amount:sum"],
            )
        }
        kept, broken = groups.get("kept", (0, 0.0)), groups.get("broken", (0, 0.0))
        return {
            "made": sum(count for count, _amount in groups.values()),
            "kept": kept[0],
            "broken": broken[0],
            "pending": groups.get("pending", (0, 0.0))[0],
            "amount_promised": sum(amount for _count, amount in groups.values()),
            "amount_kept": kept[1],
            "kept_rate": rules.rate(kept[0], kept[0] + broken[0]),
        }

    @api.model
    def _figures_disputes(self, companies, date_from, date_to, filters):
        """Disputes opened in the period: count, amount, per state, reason
        and owner, the share found justified and the median days to resolve."""
        Dispute = self.env["recouvrement.dispute"]
        domain = [
            ("company_id", "in", companies.ids),
            ("date_open", ">=", date_from),
            ("date_open", "<=", date_to),
        ]
        if filters.get("user_id"):
            domain.append(("user_id", "=", filters["user_id"]))
        if filters.get("collector_id"):
            domain.append(("collector_id", "=", filters["collector_id"]))
        if filters.get("debtor_type"):
            domain.append(
                ("partner_id.recouvrement_debtor_type", "=", filters["debtor_type"])
            )
        aggregates = ["__count", "amount_disputed:sum"]
        by_state = {
            state: (count, amount)
            for state, count, amount in Dispute._read_group(
                domain, groupby=["state"], aggregates=aggregates
            )
        }
        durations = Dispute._read_group(
            domain + [("state", "in", (JUSTIFIED, REJECTED))],
            groupby=["date_open:day", "date_resolved:day"],
            aggregates=["__count"],
        )
        justified = by_state.get(JUSTIFIED, (0, 0.0))[0]
        rejected = by_state.get(REJECTED, (0, 0.0))[0]
        return {
            "count": sum(count for count, _amount in by_state.values()),
            "amount": sum(amount for _count, amount in by_state.values()),
            "by_state": {state: count for state, (count, _a) in by_state.items()},
            "by_reason": {
                reason.id: {"count": count, "amount": amount}
                for reason, count, amount in Dispute._read_group(
                    domain, groupby=["reason_id"], aggregates=aggregates
                )
            },
            "by_user": {
                user.id: {"count": count, "amount": amount}
                for user, count, amount in Dispute._read_group(
                    domain, groupby=["user_id"], aggregates=aggregates
                )
            },
            "justified": justified,
            "rejected": rejected,
            "justified_rate": rules.rate(justified, justified + rejected),
            "median_days": rules.median(
                _expand(
                    [
                        ((resolved - opened).days, count)
                        for opened, resolved, count in durations
                        if opened and resolved
                    ]
                )
            ),
        }

    @api.model
    def _figures_plans(self, companies, date_from, date_to, filters):
        """Payment plans running in the period: active, honoured (done),
        broken, and the amount collected through them."""
        domain = [
            ("company_id", "in", companies.ids),
            ("state", "in", ("active", "done", "broken")),
            ("activation_date", "<=", date_to),
            "|",
            ("close_date", "=", False),
            ("close_date", ">=", date_from),
        ]
        if filters.get("user_id"):
            domain.append(("user_id", "=", filters["user_id"]))
        if filters.get("policy_id"):
            domain.append(("policy_id", "=", filters["policy_id"]))
        groups = {
            state: (count, paid)
            for state, count, paid in self.env["recouvrement.plan"]._read_group(
                domain, groupby=["state"], aggregates=["__count", "amount_paid:sum"]
            )
        }
        return {
            "active": groups.get("active", (0, 0.0))[0],
            "honoured": groups.get("done", (0, 0.0))[0],
            "broken": groups.get("broken", (0, 0.0))[0],
            "amount_collected": sum(paid for _count, paid in groups.values()),
        }

    @api.model
    def _figures_agencies(self, companies, date_from, date_to, filters):
        """Cases handed over in the period, per agency: amount handed over,
        recovered, recovery rate, commission, median days to close."""
        Case = self.env["recouvrement.case"]
        domain = [
            ("company_id", "in", companies.ids),
            ("transfer_date", ">=", date_from),
            ("transfer_date", "<=", date_to),
        ]
        if filters.get("debtor_type"):
            domain.append(
                ("partner_id.recouvrement_debtor_type", "=", filters["debtor_type"])
            )
        aggregates = [
            "__count",
            "amount_claimed:sum",
            "amount_recovered:sum",
            "amount_commission:sum",
        ]

        def figures(count, claimed, recovered, commission):
            return {
                "count": count,
                "amount_handed": claimed,
                "amount_recovered": recovered,
                "recovery_rate": rules.rate(recovered, claimed),
                "commission": commission,
            }

        total = figures(*Case._read_group(domain, aggregates=aggregates)[0])
        durations = Case._read_group(
            domain
            + [("state", "in", CLOSED_CASE_STATES), ("amount_recovered", ">", 0)],
            groupby=["transfer_date:day", "date_closed:day"],
            aggregates=["__count"],
        )
        total["median_days"] = rules.median(
            _expand(
                [
                    ((closed - sent).days, count)
                    for sent, closed, count in durations
                    if sent and closed
                ]
            )
        )
        total["by_agency"] = {
            agency.id: figures(*values)
            for agency, *values in Case._read_group(
                domain, groupby=["agency_id"], aggregates=aggregates
            )
        }
        return total

    @api.model
    def _figures_penalties(self, companies, date_from, date_to, filters):
        """Late-payment interest and indemnities invoiced in the period
        (posted penalty invoices), and what of it is paid."""
        domain = [
            ("company_id", "in", companies.ids),
            ("invoice_state", "=", "posted"),
            ("invoice_id.invoice_date", ">=", date_from),
            ("invoice_id.invoice_date", "<=", date_to),
        ]
        if filters.get("debtor_type"):
            domain.append(("debtor_type", "=", filters["debtor_type"]))
        aggregates = ["interest_amount:sum", "indemnity_amount:sum"]
        Penalty = self.env["recouvrement.penalty"]
        interest, indemnity = Penalty._read_group(domain, aggregates=aggregates)[0]
        paid_interest, paid_indemnity = Penalty._read_group(
            domain + [("invoice_id.payment_state", "in", ("paid", "in_payment"))],
            aggregates=aggregates,
        )[0]
        return {
            "invoiced": interest + indemnity,
            "collected": paid_interest + paid_indemnity,
            "collected_rate": rules.rate(
                paid_interest + paid_indemnity, interest + indemnity
            ),
        }
