from odoo import api, models


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        # --- debtor page --- a debtor's "already paid" claim ends when the
        # payment is reconciled with the invoices it names.
        moves = (partials.debit_move_id | partials.credit_move_id).move_id
        if moves:
            # sudo: whoever reconciles may not read the add-on's answers.
            answers = (
                self.env["recouvrement.debtor.answer"]
                .sudo()
                .search(
                    [
                        ("state", "=", "open"),
                        ("kind", "=", "paid"),
                        ("move_ids", "in", moves.ids),
                    ]
                )
            )
            answers._close_settled()
        return partials
