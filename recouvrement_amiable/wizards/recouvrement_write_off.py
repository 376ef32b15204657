"""Write-off of a certain loss (LEGAL_FR.md section 9).

Per invoice: the amount excluding VAT to 654 (6541 claims of the year, 6544
of earlier years); the VAT due on invoicing recovered through a rectifying
credit note (CGI 272-1); under VAT on receipts (Odoo: taxes due on payment)
nothing to recover, the whole residual goes to 654; the invoice is settled
and the debtor's depreciation of it reversed (491 / 7817).
"""

from decimal import Decimal

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..rules import doubtful as rules

WRITE_OFF_REASONS = [
    ("agency", "Unrecoverable after a collection agency"),
    ("liquidation", "Liquidation closed for insufficient assets"),
    ("prescription", "Time-barred"),
]


class RecouvrementWriteOff(models.TransientModel):
    _name = "recouvrement.write.off"
    _description = "Write-off of unrecoverable receivables"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True)
    move_ids = fields.Many2many(
        "account.move", string="Invoices", required=True, check_company=True
    )
    reason = fields.Selection(WRITE_OFF_REASONS, required=True)
    date = fields.Date(required=True, default=fields.Date.context_today)
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

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if self.env.context.get("active_model") == "account.move":
            moves = self.env["account.move"].browse(
                self.env.context.get("active_ids") or []
            )
            values.update(
                company_id=moves.company_id[:1].id or self.env.company.id,
                move_ids=[Command.set(moves.ids)],
            )
        values.setdefault("company_id", self.env.company.id)
        return values

    @api.depends("company_id")
    def _compute_journal_id(self):
        for wizard in self:
            wizard.journal_id = wizard.company_id._recouvrement_journal("general")

    def _check(self):
        moves = self.move_ids
        wrong = moves.filtered(
            lambda m: (
                m.move_type != "out_invoice"
                or m.state != "posted"
                or m.currency_id.is_zero(m.amount_residual)
            )
        )
        if not moves or wrong:
            raise UserError(
                self.env._(
                    "Only posted customer invoices still due can be written off: "
                    "%(names)s.",
                    names=", ".join(wrong.mapped("display_name")),
                )
            )
        if len(moves.company_id) > 1:
            raise UserError(self.env._("Write off the invoices of one company."))
        if self.reason == "liquidation":
            closed = self.env["recouvrement.proceeding"].search(
                [
                    ("partner_id", "in", moves.commercial_partner_id.ids),
                    ("state", "=", "closed_insufficient"),
                ]
            )
            missing = moves.commercial_partner_id - closed.partner_id
            if missing:
                raise UserError(
                    self.env._(
                        "No liquidation closed for insufficient assets is recorded "
                        "for %(debtors)s.",
                        debtors=", ".join(missing.mapped("display_name")),
                    )
                )
        elif self.reason == "prescription":
            alive = moves.filtered(
                lambda m: (
                    not m.recouvrement_prescription_date
                    or m.recouvrement_prescription_date > self.date
                )
            )
            if alive:
                raise UserError(
                    self.env._(
                        "These invoices are not time-barred on %(date)s: %(names)s.",
                        date=self.date,
                        names=", ".join(alive.mapped("display_name")),
                    )
                )
        elif self.reason == "agency":
            cases = self.env["recouvrement.case"].search(
                [("move_ids", "in", moves.ids), ("state", "=", "closed_unrecoverable")]
            )
            missing = moves - cases.move_ids
            if missing:
                raise UserError(
                    self.env._(
                        "These invoices are in no agency case closed as "
                        "unrecoverable: %(names)s.",
                        names=", ".join(missing.mapped("display_name")),
                    )
                )

    def action_write_off(self):
        self.ensure_one()
        self._check()
        company = self.company_id
        accounts = company._recouvrement_doubtful_accounts()
        year_start = company.compute_fiscalyear_dates(self.date)["date_from"]
        created = self.env["account.move"]
        reversals = []
        for move in self.move_ids:
            same_year = move.invoice_date >= year_start
            loss_account = accounts["loss_year" if same_year else "loss_earlier"]
            on_debits = any(
                line.tax_line_id.tax_exigibility == "on_invoice"
                for line in move.line_ids.filtered("tax_line_id")
            )
            share = self._depreciation_share(move)
            if share:
                reversals.append((move, share))
            if on_debits:
                created |= self._credit_note(move, loss_account)
            else:
                created |= self._loss_entry(move, loss_account)
        if reversals:
            created |= self._reverse_depreciation(reversals, accounts)
        reason = dict(WRITE_OFF_REASONS)[self.reason]
        for move in self.move_ids:
            move.message_post(
                body=self.env._(
                    "Written off as a certain loss: %(reason)s.", reason=reason
                )
            )
        return created._get_records_action(name=self.env._("Write-off entries"))

    def _receivable(self, move):
        return move.line_ids.filtered(
            lambda ml: ml.account_type == "asset_receivable" and not ml.reconciled
        )

    def _credit_note(self, move, loss_account):
        """A rectifying credit note (CGI 272-1) of what remains due, its
        sales lines on the loss account, reconciled with the invoice."""
        ratio = move.amount_residual / move.amount_total
        credit_note = move._reverse_moves(
            [
                {
                    "date": self.date,
                    "invoice_date": self.date,
                    "ref": self.env._(
                        "Write-off of %(name)s (CGI art. 272-1)", name=move.name
                    ),
                }
            ]
        )
        lines = credit_note.invoice_line_ids.filtered(
            lambda ml: ml.display_type == "product"
        )
        for line in lines:
            vals = {"account_id": loss_account.id}
            if ratio != 1:
                vals["price_unit"] = line.price_unit * ratio
            line.write(vals)
        credit_note.recouvrement_doubtful_kind = "write_off"
        credit_note.action_post()
        (self._receivable(move) | self._receivable(credit_note)).reconcile()
        return credit_note

    def _loss_entry(self, move, loss_account):
        """No VAT to recover (due on payment, or none): the whole residual
        to the loss account, settling the invoice without making its VAT due
        (no cash-basis entry)."""
        receivable = self._receivable(move)
        residual = move.amount_residual
        label = self.env._("Write-off of %(name)s", name=move.name)
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.journal_id.id,
                "date": self.date,
                "ref": label,
                "recouvrement_doubtful_kind": "write_off",
                "line_ids": [
                    Command.create(
                        {
                            "account_id": loss_account.id,
                            "partner_id": move.commercial_partner_id.id,
                            "name": label,
                            "debit": residual,
                        }
                    ),
                    Command.create(
                        {
                            "account_id": receivable.account_id[:1].id,
                            "partner_id": move.commercial_partner_id.id,
                            "name": label,
                            "credit": residual,
                        }
                    ),
                ],
            }
        )
        entry.action_post()
        (receivable | self._receivable(entry)).with_context(
            no_cash_basis=True
        ).reconcile()
        return entry

    def _depreciation_share(self, move):
        """The depreciation the last posted closing booked on this invoice:
        its debtor's rate × its part excluding VAT."""
        line = self.env["recouvrement.doubtful.closing.line"].search(
            [
                ("invoice_ids", "in", move.ids),
                ("state", "=", "posted"),
                ("date", "<=", self.date),
            ],
            order="date desc, id desc",
            limit=1,
        )
        if not line:
            return 0.0
        untaxed = rules.untaxed_part(
            move.amount_residual, move.amount_total, move.amount_untaxed
        )
        return float(rules.depreciation(untaxed, Decimal(str(line.rate))))

    def _reverse_depreciation(self, reversals, accounts):
        commands = []
        for move, amount in reversals:
            label = self.env._("Depreciation reversed: %(name)s", name=move.name)
            partner = move.commercial_partner_id.id
            commands += [
                Command.create(
                    {
                        "account_id": accounts["provision"].id,
                        "partner_id": partner,
                        "name": label,
                        "debit": amount,
                    }
                ),
                Command.create(
                    {
                        "account_id": accounts["reversal"].id,
                        "partner_id": partner,
                        "name": label,
                        "credit": amount,
                    }
                ),
            ]
        entry = self.env["account.move"].create(
            {
                "move_type": "entry",
                "journal_id": self.journal_id.id,
                "date": self.date,
                "ref": self.env._("Write-off: depreciation reversed"),
                "recouvrement_doubtful_kind": "write_off",
                "line_ids": commands,
            }
        )
        entry.action_post()
        return entry
