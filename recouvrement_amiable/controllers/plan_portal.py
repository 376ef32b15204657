import binascii

from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal


class RecouvrementPlanPortal(CustomerPortal):
    """The debtor reads, downloads and signs a payment plan online (link
    with an access token, sent with the agreement)."""

    # website=True: a frontend page (languages, portal layout), also
    # without the website module.
    @http.route(
        ["/my/payment_plans/<int:plan_id>"], type="http", auth="public", website=True
    )
    def portal_payment_plan(
        self, plan_id, access_token=None, report_type=None, download=False, **kw
    ):
        try:
            plan_sudo = self._document_check_access(
                "recouvrement.plan", plan_id, access_token
            )
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=plan_sudo,
                report_type=report_type,
                report_ref="recouvrement_amiable.action_report_plan_agreement",
                download=download,
            )
        values = self._get_page_view_values(
            plan_sudo,
            access_token,
            {
                "plan": plan_sudo,
                "message": kw.get("message"),
                "page_name": "payment_plan",
            },
            "my_payment_plans_history",
            False,
        )
        return request.render("recouvrement_amiable.portal_plan_page", values)

    @http.route(
        ["/my/payment_plans/<int:plan_id>/accept"],
        type="json",
        auth="public",
        website=True,
    )
    def portal_payment_plan_accept(
        self, plan_id, access_token=None, name=None, signature=None
    ):
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            plan_sudo = self._document_check_access(
                "recouvrement.plan", plan_id, access_token=access_token
            )
        except (AccessError, MissingError):
            return {"error": request.env._("Invalid agreement.")}
        if plan_sudo.state != "waiting_signature" or plan_sudo.signed_date:
            return {
                "error": request.env._("This agreement is not waiting for a signature.")
            }
        if not signature:
            return {"error": request.env._("Signature is missing.")}
        try:
            plan_sudo._sign_online(name or plan_sudo.partner_id.name, signature)
        except (TypeError, binascii.Error):
            return {"error": request.env._("Invalid signature data.")}
        except UserError as error:
            return {"error": error.args[0]}
        return {
            "force_refresh": True,
            "redirect_url": plan_sudo.get_portal_url(query_string="&message=sign_ok"),
        }
