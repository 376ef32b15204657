"""The debtor's account page: reached from every reminder through a signed
link (/recouvrement/account/<token>), or under /my/recouvrement for portal
users. The page shows what the debtor owes and lets them act on it; online
payment is served by controllers/debtor_payment.py (<page>/pay)."""

from datetime import timedelta
from urllib.parse import urlencode

from odoo import fields, http
from odoo.exceptions import UserError, ValidationError
from odoo.http import content_disposition, request

from ..rules import debtor_page as rules

TOKEN_BASE = "/recouvrement/account/<string:token>"
MY_BASE = "/my/recouvrement"
MESSAGES = ("paid", "promise", "plan")


def _route(suffix="", method="GET", my=True):
    """A public page of the account, under the signed link and (``my``)
    under /my for portal users."""
    paths = [f"{TOKEN_BASE}{suffix}"] + ([f"{MY_BASE}{suffix}"] if my else [])
    return http.route(
        paths,
        type="http",
        auth="public",
        methods=[method],
        website=True,
        sitemap=False,
    )


class DebtorAccount(http.Controller):
    # ------------------------------------------------------------------
    # Whose account
    # ------------------------------------------------------------------

    def _debtor(self, token=None):
        """(partner, companies, access, base url) of the visitor, or None.
        With a token: the token's debtor and companies (last use noted);
        without: the portal user's own commercial partner, all companies."""
        if token is not None:
            access = request.env["recouvrement.portal.access"]._from_token(token)
            if not access:
                return None
            # sudo: _from_token returns the access in sudo already; noted
            # here so that the collector sees the link is used.
            access.sudo().last_used_at = fields.Datetime.now()
            return (
                access.partner_id.commercial_partner_id,
                access.company_ids,
                access,
                f"/recouvrement/account/{token}",
            )
        user = request.env.user
        if user._is_public() or not user.partner_id:
            return None
        # sudo: a portal user sees their own account in every company that
        # invoiced them; the partner is their own.
        companies = request.env["res.company"].sudo().search([])
        return (
            user.partner_id.commercial_partner_id.sudo(),
            companies,
            None,
            MY_BASE,
        )

    def _debtor_invoice(self, debtor, move_id):
        """The debtor's open invoice ``move_id``; 404 for any other id."""
        partner, companies, _access, _base = debtor
        move = (
            request.env["recouvrement.debtor.account"]
            ._open_invoices(partner, companies)
            .filtered(lambda m: m.id == move_id)
        )
        if not move:
            raise request.not_found()
        return move

    def _invalid(self):
        return request.render(
            "recouvrement_amiable.debtor_account_invalid", {}, status=404
        )

    def _render(self, debtor, error=None, form=None, message=None, status=200):
        partner, companies, access, base = debtor
        Account = request.env["recouvrement.debtor.account"]
        values = Account._account_values(partner, companies)
        shown = values["invoices"].company_id or companies[:1]
        policy = Account._policy(partner, shown[:1])
        values.update(
            {
                "base": base,
                "access": access,
                "identity_companies": shown,
                "error": error,
                "form": form or {},
                "message": message if message in MESSAGES else False,
                "pay_online": values["pay_online"] and access is not None,
                "promise_max_date": fields.Date.to_string(
                    values["today"] + timedelta(days=policy.portal_promise_max_days)
                ),
                "max_installments": policy.plan_max_installments,
                "today_iso": fields.Date.to_string(values["today"]),
                "company_choices": companies if len(companies) > 1 else False,
            }
        )
        return request.render(
            "recouvrement_amiable.debtor_account_page", values, status=status
        )

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------

    @_route()
    def debtor_account(self, token=None, message=None, error=None, **kw):
        debtor = self._debtor(token)
        if debtor is None:
            if token is None:
                return request.redirect("/web/login?redirect=/my/recouvrement")
            return self._invalid()
        error_text = None
        if error == "select":
            error_text = request.env._("Select the invoices you want to pay.")
        return self._render(debtor, error=error_text, message=message)

    # ------------------------------------------------------------------
    # Downloads
    # ------------------------------------------------------------------

    @_route("/invoice/<int:move_id>/pdf")
    def debtor_invoice_pdf(self, move_id, token=None, **kw):
        debtor = self._debtor(token)
        if debtor is None:
            return self._invalid()
        move = self._debtor_invoice(debtor, move_id)
        content, filename = request.env["recouvrement.debtor.account"]._invoice_pdf(
            move
        )
        return _pdf_response(content, filename)

    @_route("/statement")
    def debtor_statement_pdf(self, token=None, **kw):
        debtor = self._debtor(token)
        if debtor is None:
            return self._invalid()
        partner, companies, _access, _base = debtor
        content = request.env["recouvrement.debtor.account"]._statement_pdf(
            partner, companies
        )
        filename = request.env._(
            "Statement %(date)s.pdf", date=fields.Date.to_string(fields.Date.today())
        )
        return _pdf_response(content, filename)

    # ------------------------------------------------------------------
    # Pay online (the payment itself: controllers/debtor_payment.py)
    # ------------------------------------------------------------------

    @_route("/pay-selection", my=False)
    def debtor_pay_selection(self, token=None, **kw):
        """The page's checkboxes, as the comma-separated ids of <page>/pay."""
        debtor = self._debtor(token)
        if debtor is None:
            return self._invalid()
        partner, companies, _access, base = debtor
        invoices = request.env["recouvrement.debtor.account"]._open_invoices(
            partner, companies
        )
        ids = rules.parse_ids(
            ",".join(request.httprequest.args.getlist("invoice_ids")),
            set(invoices.ids),
        )
        if ids is None:
            raise request.not_found()
        if not ids:
            return request.redirect(f"{base}?error=select")
        return request.redirect(
            f"{base}/pay?" + urlencode({"invoice_ids": ",".join(map(str, ids))})
        )

    # ------------------------------------------------------------------
    # Contest an invoice (the existing dispute flow)
    # ------------------------------------------------------------------

    @_route("/invoice/<int:move_id>/contest")
    def debtor_contest(self, move_id, token=None, **kw):
        debtor = self._debtor(token)
        if debtor is None:
            return self._invalid()
        move = self._debtor_invoice(debtor, move_id)
        return request.redirect(
            request.env["recouvrement.debtor.account"]._contest_url(move)
        )

    # ------------------------------------------------------------------
    # Steps: already paid, promise, plan
    # ------------------------------------------------------------------

    def _post(self, token, step, call):
        debtor = self._debtor(token)
        if debtor is None:
            return self._invalid()
        form = request.httprequest.form
        values = {key: form.get(key) for key in form}
        values["invoice_ids"] = ",".join(form.getlist("invoice_ids"))
        try:
            redirect = call(debtor, values)
        except (UserError, ValidationError) as error:
            values["step"] = step
            return self._render(debtor, error=error.args[0], form=values)
        return request.redirect(redirect or f"{debtor[3]}?message={step}")

    @_route("/paid", method="POST")
    def debtor_paid(self, token=None, **post):
        def call(debtor, values):
            partner, companies, _access, _base = debtor
            proof = None
            upload = request.httprequest.files.get("proof")
            if upload and upload.filename:
                # Read one byte more than allowed: enough to refuse a
                # larger file without loading it whole.
                proof = (upload.filename, upload.read(rules.PROOF_MAX_BYTES + 1))
            request.env["recouvrement.debtor.account"]._claim_paid(
                partner,
                companies,
                values["invoice_ids"],
                values.get("paid_date"),
                values.get("amount"),
                proof=proof,
                note=(values.get("note") or "").strip(),
            )

        return self._post(token, "paid", call)

    @_route("/promise", method="POST")
    def debtor_promise(self, token=None, **post):
        def call(debtor, values):
            partner, companies, _access, _base = debtor
            request.env["recouvrement.debtor.account"]._promise(
                partner,
                companies,
                values.get("company_id"),
                values.get("promise_date"),
                values.get("amount"),
                note=(values.get("note") or "").strip(),
            )

        return self._post(token, "promise", call)

    @_route("/plan", method="POST")
    def debtor_plan(self, token=None, **post):
        def call(debtor, values):
            partner, companies, _access, _base = debtor
            _answer, plan = request.env["recouvrement.debtor.account"]._ask_plan(
                partner,
                companies,
                values.get("company_id"),
                values.get("installments"),
                note=(values.get("note") or "").strip(),
            )
            if plan.state == "waiting_signature":
                # Self-service: the agreement is signed online at once.
                return plan.get_portal_url()
            return None

        return self._post(token, "plan", call)


def _pdf_response(content, filename):
    return request.make_response(
        content,
        headers=[
            ("Content-Type", "application/pdf"),
            ("Content-Length", len(content)),
            ("Content-Disposition", content_disposition(filename)),
        ],
    )
