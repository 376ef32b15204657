"""Installment agreements (échéanciers) and how they tie to the accounting.

How a schedule is tied to the invoices
--------------------------------------

Once the agreement is signed (state ``active``), the due date
(``date_maturity``) of every open receivable line of its invoices becomes
the date of the installment that completes the payment of that line (plain
rule ``rules.installments.assign_due_dates``), and the invoice's
``invoice_date_due`` the latest of its lines' dates, as Odoo computes it.

Why this mechanism: on a posted entry Odoo protects the amounts, accounts
and partners of the journal items (fiscal lock dates, and the inalterability
hash of French companies: name, debit, credit, account, partner), but not
``date_maturity``, which is what the aged receivable report, the partner
ledger and the follow-up read. Rewriting it changes no amount and no
balance, keeps the invoice open so payments reconcile with it as usual, is
logged by Odoo's own tracking on the invoice, and is undone exactly by
writing the original dates back (they are kept on the plan). Splitting a
receivable line into one line per installment would alter the posted
entry; a rescheduling entry reconciled with the invoices would show them
as paid and make every payment reconcile with another entry. An invoice
with several receivable lines (multi-line payment term) gets one date per
line; an invoice with one line is due, in the ledger, by the installment
that completes it, while the plan itself follows each installment.

A broken or cancelled plan writes the original due dates back; a plan paid
in full keeps the agreed ones.
"""

from collections import defaultdict

from odoo import fields, models

from ..rules import installments as rules
from ..rules.interest import to_decimal


class RecouvrementPlanAccounting(models.AbstractModel):
    """Ties a signed plan's schedule to its invoices' due dates (see the
    module docstring). Mixed into ``recouvrement.plan``."""

    _name = "recouvrement.plan.accounting"
    _description = "Payment plan due dates"

    def _receivable_lines(self, open_only=True):
        self.ensure_one()
        domain = [
            ("move_id", "in", self.move_ids.ids),
            ("account_type", "=", "asset_receivable"),
        ]
        if open_only:
            domain.append(("reconciled", "=", False))
        lines = self.env["account.move.line"].search(domain)
        return lines.sorted(
            lambda line: (
                line.date_maturity or line.date,
                line.move_id.invoice_date or line.date,
                line.move_id.id,
                line.id,
            )
        )

    def _tie_schedule_to_invoices(self):
        """Rewrite the due dates of the open receivable lines (and of the
        invoices) after the schedule, keeping the originals."""
        self.ensure_one()
        currency = self.currency_id
        lines = self._receivable_lines().filtered(
            lambda line: currency.compare_amounts(line.amount_residual_currency, 0) > 0
        )
        all_lines = self._receivable_lines(open_only=False)
        original = {
            "lines": {
                str(line.id): fields.Date.to_string(line.date_maturity)
                for line in all_lines
            },
            "moves": {
                str(move.id): fields.Date.to_string(move.invoice_date_due)
                for move in self.move_ids
            },
        }
        new_dates = rules.assign_due_dates(
            [
                to_decimal(currency.round(line.amount_residual_currency))
                for line in lines
            ],
            self._installments(),
            already_paid=to_decimal(self.amount_paid),
        )
        self.original_due_dates = original
        self._write_due_dates(dict(zip(lines, new_dates, strict=True)))

    def _restore_due_dates(self):
        """Write back the due dates the invoices had before the plan."""
        for plan in self:
            original = plan.original_due_dates or {}
            AccountMoveLine = self.env["account.move.line"]
            lines = AccountMoveLine.browse(
                [int(i) for i in original.get("lines", {})]
            ).exists()
            plan._write_due_dates(
                {
                    line: fields.Date.to_date(original["lines"][str(line.id)])
                    for line in lines
                    if not line.reconciled
                },
                move_dates={
                    int(move_id): fields.Date.to_date(value)
                    for move_id, value in original.get("moves", {}).items()
                },
            )
            plan.original_due_dates = False

    def _write_due_dates(self, line_dates, move_dates=None):
        """Write ``date_maturity`` of receivable lines ({line: date}) and the
        invoices' due dates (``move_dates`` {move id: date}, by default the
        latest date of each invoice's receivable lines, as Odoo computes it).

        Only dates change: no amount, account or partner, so the entries
        stay balanced and hashed entries stay valid. ``skip_invoice_sync``
        keeps Odoo from regenerating the payment term lines of the invoice
        from its payment term while we write the agreed dates.
        """
        # sudo: the signed agreement, not the collector's accounting rights,
        # decides these due dates; nothing but the dates is written.
        AccountMoveLine = self.env["account.move.line"].sudo()
        context = {"skip_invoice_sync": True, "skip_is_manually_modified": True}
        by_date = defaultdict(list)
        for line, due in line_dates.items():
            if line.date_maturity != due:
                by_date[due].append(line.id)
        for due, ids in by_date.items():
            AccountMoveLine.browse(ids).with_context(**context).write(
                {"date_maturity": due}
            )
        moves = self.move_ids.sudo()
        if move_dates is None:
            move_dates = {}
            for move in moves:
                dates = move.line_ids.filtered(
                    lambda line: line.account_type == "asset_receivable"
                ).mapped("date_maturity")
                if dates:
                    move_dates[move.id] = max(dates)
        by_date = defaultdict(list)
        for move in moves:
            due = move_dates.get(move.id)
            if due and move.invoice_date_due != due:
                by_date[due].append(move.id)
        for due, ids in by_date.items():
            moves.browse(ids).with_context(**context).write({"invoice_date_due": due})
