from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount


class RecouvrementDisputeResolution(models.AbstractModel):
    """How a dispute ends: rejected (dunning resumes) or justified (credit
    notes made by Odoo's reversal wizard)."""

    _name = "recouvrement.dispute.resolution"
    _description = "Dispute: resolution"

    def _close(self, state, texts, note=None):
        vals = {"state": state, "date_resolved": fields.Date.context_today(self)}
        if note:
            vals["resolution_note"] = note
        self.write(vals)
        self.activity_ids.action_feedback(feedback=self.env._("Dispute closed."))
        self._log_everywhere(texts)

    def _resolve_rejected(self, note):
        self._close(
            "resolved_rejected",
            {
                d.id: self.env._(
                    "Dispute %(ref)s rejected: the invoices are due; dunning resumes "
                    "where it stopped.",
                    ref=d.name,
                )
                for d in self
            },
            note,
        )

    def _resolve_justified(self, amount, note):
        """Credit the customer ``amount`` with credit notes made by Odoo's
        reversal wizard, invoice by invoice (oldest due first)."""
        self.ensure_one()
        currency = self.currency_id
        if currency.compare_amounts(amount, 0) <= 0:
            raise UserError(
                self.env._("The amount to credit must be greater than zero.")
            )
        if currency.compare_amounts(amount, self.amount_residual) > 0:
            raise UserError(
                self.env._(
                    "The amount to credit (%(amount)s) cannot exceed the amount due "
                    "(%(due)s).",
                    amount=format_amount(self.env, amount, currency),
                    due=format_amount(self.env, self.amount_residual, currency),
                )
            )
        shares = {}
        left = amount
        for move in self.move_ids.sorted(lambda m: (m.invoice_date_due, m.id)):
            share = min(left, move.amount_residual)
            if currency.compare_amounts(share, 0) > 0:
                shares[move] = currency.round(share)
                left = currency.round(left - share)
        credit_notes = self._create_credit_notes(shares)
        self.credit_note_ids = [fields.Command.link(m.id) for m in credit_notes]
        posted = credit_notes.filtered(lambda m: m.state == "posted")
        text = self.env._(
            "Dispute %(ref)s justified: credit of %(amount)s (%(notes)s).",
            ref=self.name,
            amount=format_amount(self.env, amount, currency),
            notes=", ".join(credit_notes.mapped("display_name")),
        )
        if credit_notes - posted:
            text += " " + self.env._(
                "The credit note waits for accounting to post it; reminders stay "
                "suspended until then."
            )
        self._close("resolved_justified", {self.id: text}, note)

    def _create_credit_notes(self, shares):
        """Credit notes for {invoice: amount}, through account.move.reversal
        so that they carry everything Odoo sets on a reversal (reference,
        reversed_entry_id, payment reference...).

        A user with invoicing rights gets them posted and reconciled with the
        invoice; a sales rep without them leaves drafts that accounting
        checks and posts (an activity asks for it)."""
        moves = self.env["account.move"].browse([m.id for m in shares])
        can_post = self.env.user.has_group("account.group_account_invoice")
        # sudo: the sales rep resolving the dispute may not create account
        # entries; the credit notes stay in draft for accounting to post.
        env_moves = moves if can_post else moves.sudo()
        wizard = (
            env_moves.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=moves.ids)
            .create(
                {
                    "move_ids": [fields.Command.set(moves.ids)],
                    "journal_id": moves[:1].journal_id.id,
                    "reason": self.env._(
                        "Dispute %(ref)s: %(reason)s",
                        ref=self.name,
                        reason=self.reason_id.name,
                    ),
                    "date": fields.Date.context_today(self),
                }
            )
        )
        wizard.reverse_moves()
        credit_notes = wizard.new_move_ids
        for credit_note in credit_notes:
            invoice = credit_note.reversed_entry_id
            _scale_credit_note(credit_note, invoice, shares[invoice])
        if can_post:
            credit_notes.action_post()
            for credit_note in credit_notes:
                lines = (
                    credit_note.line_ids + credit_note.reversed_entry_id.line_ids
                ).filtered(
                    lambda line: (
                        line.account_type == "asset_receivable" and not line.reconciled
                    )
                )
                lines.reconcile()
        else:
            todo = self.env.ref("mail.mail_activity_data_todo")
            for credit_note in credit_notes:
                # sudo: same reason as above; the activity goes to the collector.
                credit_note.sudo().activity_schedule(
                    activity_type_id=todo.id,
                    summary=self.env._(
                        "Post the credit note of dispute %(ref)s", ref=self.name
                    ),
                    user_id=(self.collector_id or self.env.user).id,
                )
        return credit_notes.with_env(self.env)


def _scale_credit_note(credit_note, invoice, amount):
    """Bring a full reversal of ``invoice`` down to ``amount`` (tax included):
    every line scaled by the same ratio, then the first line nudged until
    the total is exact to the cent."""
    currency = credit_note.currency_id
    if currency.compare_amounts(amount, invoice.amount_total) == 0:
        return
    ratio = amount / invoice.amount_total
    lines = credit_note.invoice_line_ids.filtered(lambda l: l.display_type == "product")
    for line in lines:
        line.price_unit = line.price_unit * ratio
    first = lines[:1]
    for _attempt in range(6):
        diff = currency.round(amount - credit_note.amount_total)
        if currency.is_zero(diff) or not first or not first.quantity:
            break
        factor = (
            (first.price_total / first.price_subtotal) if first.price_subtotal else 1
        )
        step = diff / factor / first.quantity
        if currency.is_zero(step):
            step = currency.rounding if diff > 0 else -currency.rounding
        first.price_unit += step
