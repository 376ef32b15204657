from collections import defaultdict

from odoo import api, fields, models

from ..rules.kpi import effectiveness
from .recouvrement_level import CHANNELS
from .recouvrement_policy import DEBTOR_TYPES


class RecouvrementKpiDashboard(models.TransientModel):
    """The Recouvrement dashboard: the headline figures of
    ``recouvrement.kpi._figures`` for the filters chosen, as cards; each
    card opens the records behind it, the charts open graph and pivot
    views."""

    _name = "recouvrement.kpi.dashboard"
    _description = "Recouvrement dashboard"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    date_from = fields.Date(
        string="From",
        required=True,
        default=lambda self: fields.Date.context_today(self).replace(day=1),
    )
    date_to = fields.Date(
        string="To", required=True, default=lambda self: fields.Date.context_today(self)
    )
    policy_id = fields.Many2one(
        "recouvrement.policy",
        string="Dunning policy",
        domain="[('company_id', '=', company_id)]",
    )
    collector_id = fields.Many2one("res.users")
    user_id = fields.Many2one("res.users", string="Salesperson")
    debtor_type = fields.Selection(DEBTOR_TYPES)

    # Cards (computed from the filters each time the dashboard is shown).
    dso = fields.Float(string="DSO (days)", compute="_compute_figures", digits=(16, 1))
    dso_previous = fields.Float(
        string="DSO last month", compute="_compute_figures", digits=(16, 1)
    )
    dso_simple = fields.Float(
        string="DSO, simple formula", compute="_compute_figures", digits=(16, 1)
    )
    cei = fields.Float(
        string="CEI (%)",
        compute="_compute_figures",
        digits=(16, 2),
        help="Collection effectiveness index of the period: what was collected "
        "of what could be (receivables at its start plus its sales, less what "
        "is not yet due at its end).",
    )
    receivables = fields.Monetary(compute="_compute_figures")
    overdue_amount = fields.Monetary(string="Overdue", compute="_compute_figures")
    overdue_count = fields.Integer(
        string="Overdue invoices", compute="_compute_figures"
    )
    overdue_has_previous = fields.Boolean(compute="_compute_figures")
    overdue_change = fields.Float(
        string="Overdue: change since last month (%)",
        compute="_compute_figures",
        digits=(16, 2),
    )
    paid_30 = fields.Float(
        string="Paid within 30 days of a reminder (%)",
        compute="_compute_figures",
        digits=(16, 2),
    )
    reminded_amount = fields.Monetary(string="Reminded", compute="_compute_figures")
    promises_made = fields.Integer(compute="_compute_figures")
    promises_kept = fields.Integer(compute="_compute_figures")
    promises_broken = fields.Integer(compute="_compute_figures")
    promises_kept_rate = fields.Float(
        string="Promises kept (%)", compute="_compute_figures", digits=(16, 2)
    )
    promises_amount_kept = fields.Monetary(
        string="Amount of promises kept", compute="_compute_figures"
    )
    disputes_count = fields.Integer(string="Disputes", compute="_compute_figures")
    disputes_amount = fields.Monetary(
        string="Amount disputed", compute="_compute_figures"
    )
    disputes_justified_rate = fields.Float(
        string="Disputes justified (%)", compute="_compute_figures", digits=(16, 2)
    )
    disputes_median_days = fields.Float(
        string="Median days to resolve", compute="_compute_figures", digits=(16, 1)
    )
    plans_active = fields.Integer(string="Active plans", compute="_compute_figures")
    plans_honoured = fields.Integer(string="Honoured plans", compute="_compute_figures")
    plans_broken = fields.Integer(string="Broken plans", compute="_compute_figures")
    plans_collected = fields.Monetary(
        string="Collected through plans", compute="_compute_figures"
    )
    agency_handed = fields.Monetary(
        string="Handed to agencies", compute="_compute_figures"
    )
    agency_recovered = fields.Monetary(
        string="Recovered by agencies", compute="_compute_figures"
    )
    agency_recovery_rate = fields.Float(
        string="Agency recovery rate (%)", compute="_compute_figures", digits=(16, 2)
    )
    agency_commission = fields.Monetary(
        string="Agency commission", compute="_compute_figures"
    )
    penalties_invoiced = fields.Monetary(compute="_compute_figures")
    penalties_collected = fields.Monetary(compute="_compute_figures")

    def _filters(self):
        self.ensure_one()
        return {
            "policy_id": self.policy_id.id,
            "collector_id": self.collector_id.id,
            "user_id": self.user_id.id,
            "debtor_type": self.debtor_type,
        }

    @api.depends(
        "company_id",
        "date_from",
        "date_to",
        "policy_id",
        "collector_id",
        "user_id",
        "debtor_type",
    )
    def _compute_figures(self):
        Kpi = self.env["recouvrement.kpi"]
        for board in self:
            if not (board.company_id and board.date_from and board.date_to):
                board.update(
                    {
                        name: False
                        for name, field in self._fields.items()
                        if field.compute == "_compute_figures"
                    }
                )
                continue
            fig = Kpi._figures(
                board.company_id, board.date_from, board.date_to, **board._filters()
            )
            months = fig["months"]
            overdue = fig["overdue"]
            effectiveness = fig["effectiveness"]["all"]
            promises, disputes = fig["promises"], fig["disputes"]
            plans, agencies = fig["plans"], fig["agencies"]
            board.update(
                {
                    "dso": fig["dso"],
                    "dso_previous": months[-2]["dso"],
                    "dso_simple": fig["dso_simple"],
                    "cei": fig["cei"],
                    "receivables": fig["receivables"],
                    "overdue_amount": overdue["amount"],
                    "overdue_count": overdue["count"],
                    "overdue_change": overdue["change"] or 0.0,
                    "overdue_has_previous": overdue["change"] is not None,
                    "paid_30": effectiveness["paid_30"],
                    "reminded_amount": effectiveness["amount"],
                    "promises_made": promises["made"],
                    "promises_kept": promises["kept"],
                    "promises_broken": promises["broken"],
                    "promises_kept_rate": promises["kept_rate"],
                    "promises_amount_kept": promises["amount_kept"],
                    "disputes_count": disputes["count"],
                    "disputes_amount": disputes["amount"],
                    "disputes_justified_rate": disputes["justified_rate"],
                    "disputes_median_days": disputes["median_days"] or 0.0,
                    "plans_active": plans["active"],
                    "plans_honoured": plans["honoured"],
                    "plans_broken": plans["broken"],
                    "plans_collected": plans["amount_collected"],
                    "agency_handed": agencies["amount_handed"],
                    "agency_recovered": agencies["amount_recovered"],
                    "agency_recovery_rate": agencies["recovery_rate"],
                    "agency_commission": agencies["commission"],
                    "penalties_invoiced": fig["penalties"]["invoiced"],
                    "penalties_collected": fig["penalties"]["collected"],
                }
            )

    # ------------------------------------------------------------------
    # Cards: the records behind each figure
    # ------------------------------------------------------------------

    def _open(self, model, name, domain, views="list,form", context=None):
        return {
            "type": "ir.actions.act_window",
            "name": name,
            "res_model": model,
            "view_mode": views,
            "views": [(False, view) for view in views.split(",")],
            "domain": domain,
            "context": context or {},
        }

    def action_open_overdue(self):
        Kpi = self.env["recouvrement.kpi"]
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_invoices"
        )
        action["domain"] = Kpi._invoice_domain(self.company_id, self._filters()) + [
            ("amount_residual", ">", 0),
            ("invoice_date_due", "<", self.date_to),
        ]
        action["context"] = {"create": False}
        return action

    def action_open_reminders(self):
        domain = self.env["recouvrement.kpi"]._action_domain(
            self.company_id, self.date_from, self.date_to, self._filters()
        )
        return self._open(
            "recouvrement.action",
            self.env._("Reminders performed"),
            domain,
            context={"create": False},
        )

    def action_open_promises(self):
        domain = [
            ("company_id", "=", self.company_id.id),
            ("promise_state", "!=", False),
            ("promise_date", ">=", self.date_from),
            ("promise_date", "<=", self.date_to),
        ]
        return self._open(
            "recouvrement.action",
            self.env._("Promises to pay"),
            domain,
            context={"create": False, "group_by": ["promise_state"]},
        )

    def action_open_disputes(self):
        domain = [
            ("company_id", "=", self.company_id.id),
            ("date_open", ">=", self.date_from),
            ("date_open", "<=", self.date_to),
        ]
        return self._open(
            "recouvrement.dispute",
            self.env._("Disputes"),
            domain,
            views="list,pivot,graph,form",
            context={"create": False},
        )

    def action_open_plans(self):
        domain = [
            ("company_id", "=", self.company_id.id),
            ("state", "in", ("active", "done", "broken")),
            ("activation_date", "<=", self.date_to),
            "|",
            ("close_date", "=", False),
            ("close_date", ">=", self.date_from),
        ]
        return self._open(
            "recouvrement.plan",
            self.env._("Payment plans"),
            domain,
            context={"create": False},
        )

    def action_open_cases(self):
        domain = [
            ("company_id", "=", self.company_id.id),
            ("transfer_date", ">=", self.date_from),
            ("transfer_date", "<=", self.date_to),
        ]
        return self._open(
            "recouvrement.case",
            self.env._("Agency cases"),
            domain,
            views="list,pivot,graph,form",
            context={"create": False},
        )

    def action_open_penalties(self):
        domain = [
            ("company_id", "=", self.company_id.id),
            ("invoice_state", "=", "posted"),
            ("invoice_id.invoice_date", ">=", self.date_from),
            ("invoice_id.invoice_date", "<=", self.date_to),
        ]
        return self._open(
            "recouvrement.penalty",
            self.env._("Invoiced penalties"),
            domain,
            context={"create": False},
        )

    # ------------------------------------------------------------------
    # Charts
    # ------------------------------------------------------------------

    def action_open_months(self):
        """DSO and CEI over the 12 months, as a line chart."""
        self.ensure_one()
        fig = self.env["recouvrement.kpi"]._figures_receivables(
            self.company_id, self.date_from, self.date_to, self._filters()
        )
        self.env["recouvrement.kpi.month"].search(
            [("dashboard_id", "=", self.id)]
        ).unlink()
        self.env["recouvrement.kpi.month"].create(
            [
                {
                    "dashboard_id": self.id,
                    "month": month["month"],
                    "dso": month["dso"],
                    "cei": month["cei"],
                    "receivables": month["receivables"],
                    "sales": month["sales"],
                }
                for month in fig["months"]
            ]
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_kpi_month"
        )
        action["domain"] = [("dashboard_id", "=", self.id)]
        return action

    def action_open_snapshots(self):
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_kpi_snapshot"
        )
        action["domain"] = [("company_id", "=", self.company_id.id)]
        return action

    def action_open_effectiveness(self):
        """Effectiveness of the reminders of the period per level and
        channel, as a bar chart."""
        self.ensure_one()
        Kpi = self.env["recouvrement.kpi"]
        performed = Kpi._performed_lines(
            self.company_id, self.date_from, self.date_to, self._filters()
        )
        groups = defaultdict(list)
        for _action, level_id, channel, _user, amount, payments in performed:
            groups[(level_id, channel)].append((amount, payments))
        Row = self.env["recouvrement.kpi.effectiveness"]
        Row.search([("dashboard_id", "=", self.id)]).unlink()
        rows = []
        for (level_id, channel), reminders in groups.items():
            figures = effectiveness(reminders)
            rows.append(
                {
                    "dashboard_id": self.id,
                    "level_id": level_id,
                    "channel": channel,
                    "amount": figures["amount"],
                    "paid_7": figures["paid_7"],
                    "paid_15": figures["paid_15"],
                    "paid_30": figures["paid_30"],
                    "median_days": figures["median_days"] or 0.0,
                }
            )
        Row.create(rows)
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "recouvrement_amiable.action_recouvrement_kpi_effectiveness"
        )
        action["domain"] = [("dashboard_id", "=", self.id)]
        return action


class RecouvrementKpiMonth(models.TransientModel):
    """One month of the dashboard's DSO and CEI, for its charts."""

    _name = "recouvrement.kpi.month"
    _description = "Recouvrement dashboard: month"
    _order = "month"

    dashboard_id = fields.Many2one(
        "recouvrement.kpi.dashboard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="dashboard_id.currency_id")
    month = fields.Date(required=True)
    dso = fields.Float(string="DSO (days)", digits=(16, 1), aggregator="avg")
    cei = fields.Float(string="CEI (%)", digits=(16, 2), aggregator="avg")
    receivables = fields.Monetary(aggregator="max")
    sales = fields.Monetary()


class RecouvrementKpiEffectiveness(models.TransientModel):
    """Effectiveness of one level and channel, for the dashboard's charts."""

    _name = "recouvrement.kpi.effectiveness"
    _description = "Recouvrement dashboard: effectiveness"
    _order = "level_id, channel"

    dashboard_id = fields.Many2one(
        "recouvrement.kpi.dashboard", required=True, ondelete="cascade"
    )
    currency_id = fields.Many2one(related="dashboard_id.currency_id")
    level_id = fields.Many2one("recouvrement.level", string="Dunning level")
    channel = fields.Selection(CHANNELS)
    amount = fields.Monetary(string="Reminded")
    paid_7 = fields.Float(
        string="Paid within 7 days (%)", digits=(16, 2), aggregator="avg"
    )
    paid_15 = fields.Float(
        string="Paid within 15 days (%)", digits=(16, 2), aggregator="avg"
    )
    paid_30 = fields.Float(
        string="Paid within 30 days (%)", digits=(16, 2), aggregator="avg"
    )
    median_days = fields.Float(
        string="Median days to payment", digits=(16, 1), aggregator="avg"
    )
