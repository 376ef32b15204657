from odoo import api, fields, models

INSTALLMENT_STATES = [
    ("upcoming", "Upcoming"),
    ("due", "Due"),
    ("partial", "Partly paid"),
    ("paid", "Paid"),
]


class RecouvrementPlanLine(models.Model):
    """One installment of a payment plan. What is paid of it comes from the
    payments reconciled with the plan's invoices, settling the installments
    in date order (``rules.installments.allocate_payments``)."""

    _name = "recouvrement.plan.line"
    _description = "Installment"
    _order = "plan_id, due_date, sequence, id"
    _check_company_auto = True

    plan_id = fields.Many2one(
        "recouvrement.plan", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        related="plan_id.partner_id", store=True, index=True, string="Customer"
    )
    plan_state = fields.Selection(related="plan_id.state", store=True, index=True)
    user_id = fields.Many2one(related="plan_id.user_id", string="Collector")
    currency_id = fields.Many2one(related="plan_id.currency_id")
    sequence = fields.Integer(
        help="0 for the down payment, then 1, 2... in date order."
    )
    due_date = fields.Date(required=True, index=True)
    amount = fields.Monetary(required=True)
    is_down_payment = fields.Boolean(string="Down payment")
    amount_paid = fields.Monetary(
        string="Paid", compute="_compute_payment_state", store=True
    )
    amount_residual = fields.Monetary(
        string="Still due", compute="_compute_payment_state", store=True
    )
    payment_state = fields.Selection(
        INSTALLMENT_STATES,
        string="Payment",
        compute="_compute_payment_state",
        store=True,
        index=True,
    )
    is_late = fields.Boolean(
        string="Late",
        compute="_compute_payment_state",
        store=True,
        help="Not fully paid and its due date has passed.",
    )
    reminder_date = fields.Date(
        string="Reminded on", readonly=True, help="When the debtor was reminded of it."
    )

    @api.depends(
        "plan_id.amount_paid",
        "plan_id.state",
        "plan_id.line_ids.amount",
        "plan_id.line_ids.due_date",
        "amount",
        "due_date",
    )
    def _compute_payment_state(self):
        today = fields.Date.context_today(self)
        for plan, lines in self.grouped("plan_id").items():
            allocations = plan._allocations(today) if plan else {}
            for line in lines:
                allocation = allocations.get(line)
                if not allocation:
                    line.amount_paid = 0.0
                    line.amount_residual = line.amount
                    line.payment_state = "upcoming"
                    line.is_late = False
                    continue
                line.amount_paid = float(allocation.paid)
                line.amount_residual = float(allocation.residual)
                line.payment_state = allocation.status
                line.is_late = allocation.is_late

    def _refresh_payment_state(self):
        """Recompute the states that depend on today (daily cron)."""
        for fname in ("amount_paid", "amount_residual", "payment_state", "is_late"):
            self.env.add_to_compute(self._fields[fname], self)
        self._recompute_recordset()

    @api.depends("plan_id.name", "sequence", "is_down_payment")
    def _compute_display_name(self):
        for line in self:
            if line.is_down_payment:
                label = self.env._("down payment")
            else:
                label = self.env._("installment %(n)s", n=line.sequence)
            line.display_name = f"{line.plan_id.name or ''} - {label}"
