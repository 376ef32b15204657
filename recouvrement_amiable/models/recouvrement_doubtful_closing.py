"""The closing of doubtful receivables ("Dépréciation des créances
douteuses", LEGAL_FR.md section 9).

At a date, for a company: the invoices a policy rule makes doubtful are
reclassified from 411 to 416 per debtor (incl. VAT), and each debtor's
depreciation (excl. VAT, 491 / 6817) is brought to its new amount: an
increase (6817) or a reversal (7817) since the previous closing. The
previous closing's reclassification is reversed on the new closing's date,
so the 416 balance always shows the receivables doubtful at the last
closing: an invoice paid since, or back to normal, leaves it.
"""

from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from ..rules import doubtful as rules
from .recouvrement_doubtful_rule import _check_rate

CLOSING_STATES = [("draft", "Draft"), ("posted", "Posted")]


class RecouvrementDoubtfulClosing(models.Model):
    _name = "recouvrement.doubtful.closing"
    _description = "Closing of doubtful receivables"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda s: s.env.company
    )
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        check_company=True,
        domain="[('type', '=', 'general')]",
        compute="_compute_journal_id",
        store=True,
        readonly=False,
        precompute=True,
    )
    state = fields.Selection(CLOSING_STATES, default="draft", required=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    line_ids = fields.One2many(
        "recouvrement.doubtful.closing.line", "closing_id", string="Debtors"
    )
    previous_id = fields.Many2one(
        "recouvrement.doubtful.closing", string="Previous closing", readonly=True
    )
    move_ids = fields.Many2many(
        "account.move",
        "recouvrement_doubtful_closing_move_rel",
        "closing_id",
        "move_id",
        string="Entries",
        readonly=True,
        copy=False,
    )
    amount_doubtful = fields.Monetary(
        compute="_compute_totals", string="Doubtful (incl. VAT)"
    )
    amount_depreciation = fields.Monetary(
        compute="_compute_totals", string="Depreciation"
    )
    amount_increase = fields.Monetary(compute="_compute_totals", string="Increase")
    amount_reversal = fields.Monetary(compute="_compute_totals", string="Reversal")

    @api.depends("company_id", "date")
    def _compute_name(self):
        for closing in self:
            closing.name = self.env._(
                "Doubtful receivables %(date)s",
                date=closing.date and fields.Date.to_string(closing.date) or "",
            )

    @api.depends("company_id")
    def _compute_journal_id(self):
        for closing in self:
            closing.journal_id = closing.company_id._recouvrement_journal("general")

    @api.depends(
        "line_ids.amount_total",
        "line_ids.depreciation",
        "line_ids.increase",
        "line_ids.reversal",
    )
    def _compute_totals(self):
        for closing in self:
            lines = closing.line_ids
            closing.amount_doubtful = sum(lines.mapped("amount_total"))
            closing.amount_depreciation = sum(lines.mapped("depreciation"))
            closing.amount_increase = sum(lines.mapped("increase"))
            closing.amount_reversal = sum(lines.mapped("reversal"))

    # ------------------------------------------------------------------
    # Proposal
    # ------------------------------------------------------------------

    def _previous_closing(self):
        self.ensure_one()
        return self.search(
            [
                ("company_id", "=", self.company_id.id),
                ("state", "=", "posted"),
                ("date", "<=", self.date),
                ("id", "!=", self.id),
            ],
            order="date desc, id desc",
            limit=1,
        )

    def _doubtful_invoices(self):
        """{debtor: {invoice: proposed rate}} on the closing date."""
        self.ensure_one()
        moves = self.env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
                ("invoice_date", "<=", self.date),
                ("recouvrement_is_penalty_invoice", "=", False),
            ]
        )
        result = defaultdict(dict)
        policies = {}
        company = self.with_company(self.company_id)
        for move in moves:
            debtor = move.commercial_partner_id
            if debtor not in policies:
                policies[debtor] = debtor.with_env(
                    company.env
                )._recouvrement_effective_policy()
            matched = [
                rule.rate
                for rule in policies[debtor].doubtful_rule_ids
                if rule._matches(move, self.date)
            ]
            if matched:
                result[debtor][move] = max(matched)
        return result

    def _booked_depreciations(self):
        """{debtor: depreciation on its 491 account up to the closing date}:
        read from the ledger, so that write-offs and entries made by hand
        count."""
        self.ensure_one()
        account = self.company_id._recouvrement_doubtful_accounts()["provision"]
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("account_id", "=", account.id),
                ("parent_state", "=", "posted"),
                ("date", "<=", self.date),
                ("partner_id", "!=", False),
            ],
            groupby=["partner_id"],
            aggregates=["balance:sum"],
        )
        return {partner: -balance for partner, balance in groups}

    def action_compute(self):
        """Propose one line per debtor: the doubtful invoices, their
        amounts, the rate (the debtor's, else the highest rule's), and the
        change since the previous closing."""
        Line = self.env["recouvrement.doubtful.closing.line"]
        for closing in self:
            if closing.state != "draft":
                raise UserError(
                    self.env._("A posted closing cannot be computed again.")
                )
            closing.line_ids.unlink()
            closing.previous_id = closing._previous_closing()
            before = closing._booked_depreciations()
            vals_list = []
            for debtor, invoices in closing._doubtful_invoices().items():
                total = untaxed = 0.0
                for move in invoices:
                    total += move.amount_residual
                    untaxed += float(
                        rules.untaxed_part(
                            move.amount_residual, move.amount_total, move.amount_untaxed
                        )
                    )
                own = debtor.with_company(closing.company_id).recouvrement_doubtful_rate
                vals_list.append(
                    {
                        "closing_id": closing.id,
                        "partner_id": debtor.id,
                        "invoice_ids": [Command.set([m.id for m in invoices])],
                        "amount_total": total,
                        "amount_untaxed": untaxed,
                        "rate": own or max(invoices.values()),
                        "previous_depreciation": before.pop(debtor, 0.0),
                    }
                )
            # Debtors back to normal (or paid): their depreciation is reversed.
            for debtor, amount in before.items():
                if not closing.currency_id.is_zero(amount):
                    vals_list.append(
                        {
                            "closing_id": closing.id,
                            "partner_id": debtor.id,
                            "rate": 0.0,
                            "previous_depreciation": amount,
                        }
                    )
            Line.create(vals_list)
        return True

    # ------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------

    def action_post(self):
        for closing in self:
            if closing.state != "draft":
                raise UserError(self.env._("This closing is already posted."))
            if not closing.line_ids:
                closing.action_compute()
            if closing.previous_id != closing._previous_closing():
                raise UserError(
                    self.env._(
                        "Another closing was posted since this one was computed: "
                        "compute it again."
                    )
                )
            closing._post_entries()
        return True

    def _post_entries(self):
        self.ensure_one()
        accounts = self.company_id._recouvrement_doubtful_accounts()
        moves = self.env["account.move"]
        # The previous reclassification goes back to 411 on this date.
        old = self.previous_id.move_ids.filtered(
            lambda m: m.recouvrement_doubtful_kind == "reclassification"
        )
        if old:
            reversal = old._reverse_moves(
                [
                    {
                        "date": self.date,
                        "ref": self.env._("Reversal: %(ref)s", ref=old.ref),
                    }
                ]
            )
            reversal.recouvrement_doubtful_kind = "reversal"
            moves |= reversal
        reclass, depreciation = [], []
        for line in self.line_ids:
            label = self.env._(
                "%(debtor)s - %(invoices)s",
                debtor=line.partner_id.display_name,
                invoices=", ".join(line.invoice_ids.mapped("name")),
            )
            if line.amount_total:
                receivable = line.invoice_ids.line_ids.filtered(
                    lambda ml: ml.account_type == "asset_receivable"
                ).account_id[:1]
                reclass += [
                    _line(
                        accounts["doubtful"], line.partner_id, line.amount_total, label
                    ),
                    # No partner on the 411 side: an unreconciled credit on the
                    # debtor would read as an open credit in its reminders.
                    _line(receivable, False, -line.amount_total, label),
                ]
            if line.increase:
                depreciation += [
                    _line(accounts["expense"], line.partner_id, line.increase, label),
                    _line(
                        accounts["provision"], line.partner_id, -line.increase, label
                    ),
                ]
            if line.reversal:
                depreciation += [
                    _line(accounts["provision"], line.partner_id, line.reversal, label),
                    _line(accounts["reversal"], line.partner_id, -line.reversal, label),
                ]
        date_text = format_date(self.env, self.date)
        vals_list, kinds = [], []
        if reclass:
            vals_list.append(
                self._move_vals(
                    reclass,
                    self.env._("Doubtful receivables 411 to 416 %(d)s", d=date_text),
                )
            )
            kinds.append("reclassification")
        if depreciation:
            vals_list.append(
                self._move_vals(
                    depreciation,
                    self.env._(
                        "Depreciation of doubtful receivables %(d)s", d=date_text
                    ),
                )
            )
            kinds.append("depreciation")
        created = self.env["account.move"].create(vals_list)
        for move, kind in zip(created, kinds, strict=True):
            move.recouvrement_doubtful_kind = kind
        moves |= created
        moves.filtered(lambda m: m.state == "draft").action_post()
        self.write({"move_ids": [Command.set(moves.ids)], "state": "posted"})
        self.message_post(
            body=self.env._(
                "Posted: %(count)s entries, depreciation %(dep)s.",
                count=len(moves),
                dep=self.amount_depreciation,
            )
        )

    def _move_vals(self, lines, ref):
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            "company_id": self.company_id.id,
            "date": self.date,
            "ref": ref,
            "line_ids": [Command.create(vals) for vals in lines],
        }


def _line(account, partner, amount, label):
    return {
        "account_id": account.id,
        "partner_id": partner.id if partner else False,
        "name": label,
        "debit": amount if amount > 0 else 0.0,
        "credit": -amount if amount < 0 else 0.0,
    }


class RecouvrementDoubtfulClosingLine(models.Model):
    _name = "recouvrement.doubtful.closing.line"
    _description = "Debtor of a closing of doubtful receivables"
    _order = "closing_id, partner_id"

    closing_id = fields.Many2one(
        "recouvrement.doubtful.closing", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="closing_id.company_id", store=True)
    date = fields.Date(related="closing_id.date", store=True)
    state = fields.Selection(related="closing_id.state", store=True)
    currency_id = fields.Many2one(related="closing_id.currency_id")
    partner_id = fields.Many2one("res.partner", string="Debtor", required=True)
    invoice_ids = fields.Many2many(
        "account.move",
        "recouvrement_doubtful_line_move_rel",
        "line_id",
        "move_id",
        string="Invoices",
    )
    amount_total = fields.Monetary(string="Doubtful (incl. VAT)")
    amount_untaxed = fields.Monetary(string="Doubtful (excl. VAT)")
    rate = fields.Float(string="Rate (%)", digits=(5, 2))
    depreciation = fields.Monetary(compute="_compute_amounts", store=True)
    previous_depreciation = fields.Monetary(string="Previous depreciation")
    increase = fields.Monetary(
        compute="_compute_amounts", store=True, string="Increase (6817)"
    )
    reversal = fields.Monetary(
        compute="_compute_amounts", store=True, string="Reversal (7817)"
    )

    @api.depends("amount_untaxed", "rate", "previous_depreciation")
    def _compute_amounts(self):
        for line in self:
            _check_rate(self.env, line.rate)
            amount = rules.depreciation(line.amount_untaxed, line.rate)
            change = rules.adjustment(line.previous_depreciation, amount)
            line.depreciation = float(amount)
            line.increase = float(change.increase)
            line.reversal = float(change.reversal)

    @api.constrains("rate")
    def _check_rate(self):
        for line in self:
            _check_rate(self.env, line.rate)

    def write(self, vals):
        if "rate" in vals and any(line.state == "posted" for line in self):
            raise UserError(self.env._("The rates of a posted closing are history."))
        return super().write(vals)
