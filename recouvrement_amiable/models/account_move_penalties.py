from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..rules import prescription as prescription_rules


class AccountMovePenalties(models.AbstractModel):
    """Late-payment penalties and prescription on customer invoices (mixed
    into ``account.move``): penalty invoices, the acknowledgment of the
    debt and the time-bar date."""

    _name = "recouvrement.move.penalties"
    _description = "Invoice: penalties and prescription"

    recouvrement_is_penalty_invoice = fields.Boolean(
        string="Penalty invoice",
        readonly=True,
        copy=False,
        help="Invoice of late-payment penalties: it bears no penalties itself.",
    )
    recouvrement_penalty_ids = fields.One2many(
        "recouvrement.penalty", "move_id", string="Invoiced penalties"
    )
    recouvrement_penalty_source_ids = fields.One2many(
        "recouvrement.penalty", "invoice_id", string="Penalties charged"
    )
    recouvrement_acknowledgment_date = fields.Date(
        string="Debt acknowledged on",
        copy=False,
        help="Last acknowledgment of the debt other than a payment (signed "
        "installment plan, written acknowledgment) or court claim: a new "
        "prescription period starts that day. A formal notice does not count.",
    )
    recouvrement_prescription_date = fields.Date(
        string="Time-barred from",
        compute="_compute_recouvrement_prescription_date",
        store=True,
        index="btree_not_null",
        copy=False,
        help="First day the claim is time-barred: 5 years (professional) or 2 "
        "years (consumer) after the invoice date or the debtor's last partial "
        "payment or acknowledgment (the policy's settings).",
    )
    recouvrement_prescription_state = fields.Selection(
        [
            ("ok", "Not soon"),
            ("soon", "Time-barred soon"),
            ("imminent", "Time-barred very soon"),
            ("barred", "Time-barred"),
        ],
        string="Prescription",
        compute="_compute_recouvrement_prescription_state",
    )
    recouvrement_time_barred = fields.Boolean(
        string="Time-barred",
        compute="_compute_recouvrement_prescription_state",
        search="_search_recouvrement_time_barred",
    )
    recouvrement_prescription_soon = fields.Boolean(
        string="Time-barred soon",
        compute="_compute_recouvrement_prescription_state",
        search="_search_recouvrement_prescription_soon",
        help="Becomes time-barred within the warning horizon of its policy.",
    )

    @api.depends(
        "move_type",
        "state",
        "invoice_date",
        "delivery_date",
        "recouvrement_acknowledgment_date",
        "line_ids.matched_credit_ids",
        "commercial_partner_id.recouvrement_debtor_type",
        "commercial_partner_id.recouvrement_policy_id",
        "company_id.recouvrement_policy_company_id",
        "company_id.recouvrement_policy_individual_id",
    )
    def _compute_recouvrement_prescription_date(self):
        invoices = self.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        (self - invoices).recouvrement_prescription_date = False
        payments = invoices._recouvrement_payment_dates()
        for move in invoices:
            move.recouvrement_prescription_date = move._recouvrement_prescription(
                payments.get(move.id, ())
            ).barred_from

    def _recouvrement_policy(self):
        self.ensure_one()
        return self.commercial_partner_id.with_company(
            self.company_id
        )._recouvrement_effective_policy()

    def _recouvrement_payment_dates(self):
        """{invoice id: [dates the debtor paid part of it]} (payments and bank
        transactions, not credit notes)."""
        result = {}
        for line in self.line_ids:
            if line.account_type != "asset_receivable":
                continue
            for partial in line.matched_credit_ids:
                counterpart = partial.credit_move_id
                if counterpart.move_id.origin_payment_id or (
                    counterpart.move_id.statement_line_id
                ):
                    result.setdefault(line.move_id.id, []).append(counterpart.date)
        return result

    def _recouvrement_prescription(self, payment_dates):
        """The plain rules' prescription of this invoice's claim."""
        self.ensure_one()
        rules = prescription_rules
        policy = self._recouvrement_policy()
        debtor_type = self.commercial_partner_id.recouvrement_debtor_type
        years = rules.years_for(
            debtor_type or rules.PROFESSIONAL,
            policy.prescription_years_professional or rules.PROFESSIONAL_YEARS,
            policy.prescription_years_consumer or rules.CONSUMER_YEARS,
        )
        start = self.invoice_date or self.date
        if policy.prescription_start == "delivery_date" and self.delivery_date:
            start = self.delivery_date
        events = [(day, rules.PARTIAL_PAYMENT) for day in payment_dates]
        if self.recouvrement_acknowledgment_date:
            events.append((self.recouvrement_acknowledgment_date, rules.ACKNOWLEDGMENT))
        return rules.prescription(start, years, events)

    @api.depends("recouvrement_prescription_date", "payment_state")
    @api.depends_context("company")
    def _compute_recouvrement_prescription_state(self):
        today = fields.Date.context_today(self)
        for move in self:
            state = "ok"
            barred_from = move.recouvrement_prescription_date
            if barred_from and move.payment_state in ("not_paid", "partial"):
                policy = move._recouvrement_policy()
                urgent = policy.prescription_urgent_days
                horizons = (policy.prescription_warning_days, urgent)
                reached = prescription_rules.warning(barred_from, today, horizons)
                if reached == prescription_rules.BARRED:
                    state = "barred"
                elif reached and urgent and reached <= urgent:
                    state = "imminent"
                elif reached:
                    state = "soon"
            move.recouvrement_prescription_state = state
            move.recouvrement_time_barred = state == "barred"
            move.recouvrement_prescription_soon = state in ("soon", "imminent")

    def _search_recouvrement_time_barred(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on time-barred invoices."))
        today = fields.Date.context_today(self)
        if (operator == "=") == value:
            return [("recouvrement_prescription_date", "<=", today)]
        return [
            "|",
            ("recouvrement_prescription_date", "=", False),
            ("recouvrement_prescription_date", ">", today),
        ]

    def _search_recouvrement_prescription_soon(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on time-barred invoices."))
        today = fields.Date.context_today(self)
        policies = (
            self.env["recouvrement.policy"]
            .with_context(active_test=False)
            .search([("company_id", "in", self.env.companies.ids)])
        )
        widest = max(
            policies.mapped("prescription_warning_days")
            + policies.mapped("prescription_urgent_days")
            + [0]
        )
        candidates = self.search(
            [
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("recouvrement_prescription_date", ">", today),
                ("recouvrement_prescription_date", "<=", today + timedelta(widest)),
            ]
        )
        ids = candidates.filtered("recouvrement_prescription_soon").ids
        return [("id", "in" if (operator == "=") == value else "not in", ids)]

    def _recouvrement_record_acknowledgment(self, on_date):
        """The debtor acknowledged these debts on ``on_date`` (e.g. signed an
        installment plan): a new prescription period starts that day."""
        for move in self:
            if (
                not move.recouvrement_acknowledgment_date
                or move.recouvrement_acknowledgment_date < on_date
            ):
                move.recouvrement_acknowledgment_date = on_date

    @api.model
    def _recouvrement_recompute_prescription(self, companies):
        """Compute again the time-bar dates of the open customer invoices of
        ``companies`` (after a policy's prescription settings changed)."""
        moves = self.search(
            [
                ("company_id", "in", companies.ids),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        )
        self.env.add_to_compute(self._fields["recouvrement_prescription_date"], moves)
