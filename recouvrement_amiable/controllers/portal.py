from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.account.controllers.portal import PortalAccount

MESSAGE_MAX_LENGTH = 5000


class RecouvrementPortal(PortalAccount):
    """A customer contests one of their invoices from /my/invoices."""

    def _invoice_get_page_view_values(self, invoice, access_token, **kwargs):
        values = super()._invoice_get_page_view_values(invoice, access_token, **kwargs)
        values["recouvrement_can_contest"] = _can_contest(invoice)
        values["recouvrement_contested"] = kwargs.get("contested")
        return values

    @http.route(
        ["/my/invoices/<int:invoice_id>/contest"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
    )
    def portal_contest_invoice(self, invoice_id, access_token=None, **post):
        try:
            # The same check as the invoice page: the user's own company's
            # invoices, or a valid access token.
            invoice_sudo = self._document_check_access(
                "account.move", invoice_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        # sudo: portal users cannot read the add-on's reasons or create
        # disputes; the controller checked their right on the invoice.
        reasons = request.env["recouvrement.dispute.reason"].sudo().search([])
        values = {
            "invoice": invoice_sudo,
            "access_token": access_token,
            "reasons": reasons,
            "error": False,
            "reason_id": post.get("reason_id"),
            "message": post.get("message", ""),
            "page_name": "invoice",
        }
        if not _can_contest(invoice_sudo):
            return request.redirect(invoice_sudo.get_portal_url())
        if request.httprequest.method == "POST":
            message = (post.get("message") or "").strip()
            reason = reasons.filtered(lambda r: str(r.id) == post.get("reason_id"))
            if not reason:
                values["error"] = request.env._("Choose the reason of your dispute.")
            elif not message:
                values["error"] = request.env._(
                    "Tell us what is wrong with this invoice."
                )
            elif len(message) > MESSAGE_MAX_LENGTH:
                values["error"] = request.env._(
                    "Your message is too long (%(max)s characters at most).",
                    max=MESSAGE_MAX_LENGTH,
                )
            else:
                author = (
                    request.env.user.partner_id
                    if not request.env.user._is_public()
                    else invoice_sudo.partner_id
                )
                try:
                    request.env["recouvrement.dispute"].sudo().with_company(
                        invoice_sudo.company_id
                    )._open_from_portal(invoice_sudo, reason, message, author)
                except UserError as error:
                    values["error"] = error.args[0]
                else:
                    return request.redirect(
                        invoice_sudo.get_portal_url(query_string="&contested=1")
                    )
        return request.render("recouvrement_amiable.portal_contest_invoice", values)


def _can_contest(invoice):
    return (
        invoice.move_type == "out_invoice"
        and invoice.state == "posted"
        and invoice.payment_state in ("not_paid", "partial")
        and not invoice.recouvrement_in_dispute
    )
