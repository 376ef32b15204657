"""The invoices a payment plan covers: which of a customer's invoices may
join a plan (posted, open, one currency, not disputed, not with an agency,
not in another plan) and the checks that keep it so. Mixed into
``recouvrement.plan``."""

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .selections import EXCLUDING_FEATURES, LOCKING_STATES


class RecouvrementPlanInvoices(models.AbstractModel):
    _name = "recouvrement.plan.invoices"
    _description = "Payment plan invoices"

    @api.constrains("move_ids", "partner_id", "state")
    def _check_moves(self):
        for plan in self.filtered(lambda p: p.state in ("draft", "waiting_signature")):
            customer = plan.partner_id.commercial_partner_id
            for move in plan.move_ids:
                if move.move_type != "out_invoice" or move.state != "posted":
                    raise ValidationError(
                        self.env._(
                            "%(move)s is not a posted customer invoice: only those "
                            "can be part of a payment plan.",
                            move=move.display_name,
                        )
                    )
                if move.commercial_partner_id != customer:
                    raise ValidationError(
                        self.env._(
                            "Invoice %(move)s belongs to %(other)s, not to "
                            "%(customer)s: a payment plan covers the invoices of "
                            "one customer.",
                            move=move.name,
                            other=move.commercial_partner_id.display_name,
                            customer=customer.display_name,
                        )
                    )
                if move.currency_id != plan.currency_id:
                    raise ValidationError(
                        self.env._(
                            "Invoice %(move)s is in %(currency)s, the plan in "
                            "%(plan_currency)s: make one plan per currency.",
                            move=move.name,
                            currency=move.currency_id.name,
                            plan_currency=plan.currency_id.name,
                        )
                    )
            if plan.state == "draft":
                paid = plan.move_ids.filtered(
                    lambda m: m.currency_id.compare_amounts(m.amount_residual, 0) <= 0
                )
                if paid:
                    raise ValidationError(
                        self.env._(
                            "Nothing is left to pay on %(moves)s: remove them from "
                            "the plan.",
                            moves=", ".join(paid.mapped("name")),
                        )
                    )
            others = self.search(
                [
                    ("id", "!=", plan.id),
                    ("move_ids", "in", plan.move_ids.ids),
                    ("state", "in", LOCKING_STATES),
                ]
            )
            if others:
                taken = others.move_ids & plan.move_ids
                raise ValidationError(
                    self.env._(
                        "%(moves)s already belong to payment plan %(plan)s.",
                        moves=", ".join(taken.mapped("name")),
                        plan=others[0].name,
                    )
                )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            "move_ids" in fields_list
            and values.get("partner_id")
            and not values.get("move_ids")
        ):
            partner = self.env["res.partner"].browse(values["partner_id"])
            values["move_ids"] = [Command.set(self._eligible_moves(partner).ids)]
        return values

    @api.model
    def _eligible_moves(self, partner):
        """Open posted invoices of ``partner`` that may join a new plan: not
        in another plan, not blocked (disputed, with an agency), in the
        currency of the oldest one."""
        customer = partner.commercial_partner_id
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", self.env.company.id),
                ("commercial_partner_id", "=", customer.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("amount_residual", ">", 0),
            ],
            order="invoice_date_due, id",
        )
        taken = self.search(
            [("move_ids", "in", moves.ids), ("state", "in", LOCKING_STATES)]
        ).move_ids
        blocked = self._excluding_reasons(moves)
        moves = moves.filtered(lambda m: m not in taken and m.id not in blocked)
        currency = moves[:1].currency_id
        return moves.filtered(lambda m: m.currency_id == currency)

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        customer = self.partner_id.commercial_partner_id
        if customer and (
            not self.move_ids or self.move_ids.commercial_partner_id != customer
        ):
            self.move_ids = self._eligible_moves(self.partner_id)

    def _check_not_excluded(self):
        """Refuse invoices that are disputed or handed to an agency."""
        for plan in self:
            reasons = self._excluding_reasons(plan.move_ids)
            if reasons:
                moves = self.env["account.move"].browse(list(reasons))
                raise UserError(
                    self.env._(
                        "These invoices cannot be part of a payment plan: %(list)s.",
                        list="; ".join(
                            f"{move.name} ({reasons[move.id]})" for move in moves
                        ),
                    )
                )

    @api.model
    def _excluding_reasons(self, moves):
        """{invoice id: reason} of the invoices disputed or with an agency."""
        reasons = {}
        today = fields.Date.context_today(self)
        for model_name in EXCLUDING_FEATURES:
            model = self.env.get(model_name)
            if model is not None and hasattr(model, "_recouvrement_blocked_moves"):
                reasons.update(model._recouvrement_blocked_moves(moves, today))
        return reasons
