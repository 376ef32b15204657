from odoo import SUPERUSER_ID, fields, models


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
        super()._log_message_on_linked_documents(message)
        # sudo: links are technical records the payer's user may not read.
        debtor = self.sudo().recouvrement_portal_access_id.partner_id
        if debtor:
            author = (
                self.env.user.partner_id
                if self.env.uid == SUPERUSER_ID
                else self.partner_id
            )
            debtor.message_post(body=message, author_id=author.id)
