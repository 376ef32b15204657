from odoo import SUPERUSER_ID, fields, models

from .selections import PENDING_STATES


class PaymentTransaction(models.Model):
    _inherit = "payment.transaction"

    # --- debtor payment ---
    recouvrement_portal_access_id = fields.Many2one(
        "recouvrement.portal.access",
        string="Debtor account link",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
        help="The link to the debtor's account page the payment was made from.",
    )

    def _log_message_on_linked_documents(self, message):
        """A payment made from the debtor's account page is written in the
        debtor's chatter too, as on the invoices."""
        result = super()._log_message_on_linked_documents(message)
        # sudo: links are technical records the payer's user may not read.
        debtor = self.sudo().recouvrement_portal_access_id.partner_id
        if debtor:
            author = (
                self.env.user.partner_id
                if self.env.uid == SUPERUSER_ID
                else self.partner_id
            )
            debtor.message_post(body=message, author_id=author.id)
        return result

    def _post_process(self):
        """Reminders stop at once: the reminders not yet sent whose invoices
        a payment settled are cancelled (the next run plans none)."""
        super()._post_process()
        settled = self.filtered(lambda tx: tx.state == "done").invoice_ids.filtered(
            lambda move: move.currency_id.is_zero(move.amount_residual)
        )
        if not settled:
            return
        # sudo: the payer is the debtor (often a public visitor); the
        # reminders are the collectors' records.
        actions = (
            self.env["recouvrement.action"]
            .sudo()
            .search(
                [
                    ("state", "in", PENDING_STATES),
                    ("line_ids.move_id", "in", settled.ids),
                ]
            )
            .filtered(
                lambda action: all(
                    move.currency_id.is_zero(move.amount_residual)
                    for move in action.line_ids.move_id
                )
            )
        )
        if not actions:
            return
        actions.action_cancel()
        for action in actions:
            action.partner_id.message_post(
                body=self.env._(
                    "Reminder %(reminder)s cancelled: its invoices were paid online.",
                    reminder=action.name,
                ),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
