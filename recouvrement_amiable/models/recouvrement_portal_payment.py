from collections import namedtuple

from odoo import api, models
from odoo.tools import str2bool

# At most this many invoices in one online payment (a longer list is no
# selection a debtor made on their page).
MAX_INVOICES = 200

# What a debtor's selection of invoices allows:
# - state "ok": ``invoices`` can be paid together, ``amount`` in ``currency``;
# - "paid": every selected invoice is paid already (the page thanks them);
# - "error": ``message`` says why they cannot be paid together;
# - "not_found": an id is not an invoice of this debtor (answer 404).
PaymentSelection = namedtuple(
    "PaymentSelection", "state invoices amount currency message", defaults=(None,) * 4
)

# Transactions a debtor's link may start per hour.
MAX_TRANSACTIONS_PER_HOUR = 20


class RecouvrementPortalPayment(models.AbstractModel):
    """Online payment of a debtor's open invoices from their account page:
    which invoices a link may pay, together, and for what amount (computed
    from the invoices, never taken from the request)."""

    _name = "recouvrement.portal.payment"
    _description = "Online payment from the debtor's account page"

    @api.model
    def _parse_invoice_ids(self, values):
        """The invoice ids of ``values`` (strings of comma-separated ids,
        as a query string gives them), in order and without duplicates;
        None when a value is not an id or the list is too long."""
        ids = []
        for value in values:
            for part in (value or "").split(","):
                part = part.strip()
                if not part:
                    continue
                if not part.isdigit() or len(part) > 12:
                    return None
                ids.append(int(part))
        ids = list(dict.fromkeys(ids))
        return ids if len(ids) <= MAX_INVOICES else None

    @api.model
    def _payment_selection(self, access, invoice_ids):
        """What the link ``access`` (a valid ``recouvrement.portal.access``)
        may pay of ``invoice_ids``, as a ``PaymentSelection``."""
        _ = self.env._
        if not invoice_ids:
            return PaymentSelection(
                "error", message=_("Select the invoices to pay on your account page.")
            )
        # sudo: the visitor is the debtor, authenticated by the link only;
        # the domain keeps to the link's debtor and companies.
        invoices = (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("id", "in", invoice_ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("commercial_partner_id", "=", access.partner_id.id),
                    ("company_id", "in", access.company_ids.ids),
                ]
            )
        )
        if len(invoices) != len(invoice_ids):
            return PaymentSelection("not_found")
        invoices = invoices.sorted(lambda m: invoice_ids.index(m.id))
        paid = invoices.filtered(lambda m: m.currency_id.is_zero(m.amount_residual))
        if paid == invoices:
            return PaymentSelection(
                "paid",
                invoices=invoices,
                message=_("Thank you: these invoices are paid."),
            )
        if paid:
            return PaymentSelection(
                "error",
                invoices=invoices,
                message=_(
                    "Already paid: %(invoices)s. Select the invoices to pay again "
                    "on your account page.",
                    invoices=", ".join(paid.mapped("name")),
                ),
            )
        processing = invoices.filtered(_payment_in_progress)
        if processing:
            return PaymentSelection(
                "error",
                invoices=invoices,
                message=_(
                    "A payment of %(invoices)s is being processed: it will "
                    "appear on your account page once confirmed.",
                    invoices=", ".join(processing.mapped("name")),
                ),
            )
        if len(invoices.company_id) > 1:
            return PaymentSelection(
                "error",
                invoices=invoices,
                message=_(
                    "These invoices were issued by several companies: pay the "
                    "invoices of one company at a time."
                ),
            )
        if len(invoices.currency_id) > 1:
            return PaymentSelection(
                "error",
                invoices=invoices,
                message=_(
                    "These invoices are in several currencies: pay the "
                    "invoices of one currency at a time."
                ),
            )
        if not str2bool(
            # sudo: a system parameter (Accounting settings, "Invoice Online
            # Payment"), read for a public visitor.
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("account_payment.enable_portal_payment")
        ):
            return PaymentSelection(
                "error",
                invoices=invoices,
                message=_("Online payment of invoices is not available."),
            )
        currency = invoices.currency_id
        amount = currency.round(sum(invoices.mapped("amount_residual")))
        return PaymentSelection("ok", invoices, amount, currency)


def _payment_in_progress(invoice):
    """Whether an online payment of ``invoice`` was made or authorised but
    is not yet in the accounts (paying it again would pay twice)."""
    return any(
        (
            tx.state in ("pending", "authorized")
            and tx.provider_code not in ("none", "custom")
        )
        or (tx.state == "done" and not tx.is_post_processed)
        for tx in invoice.transaction_ids
    )
