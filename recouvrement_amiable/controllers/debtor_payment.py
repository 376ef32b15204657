from datetime import timedelta

from odoo import fields, http
from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.http import request

from odoo.addons.account_payment.controllers.payment import PaymentPortal
from odoo.addons.payment import utils as payment_utils

from ..models.recouvrement_portal_access import ACCESS_PATH
from ..models.recouvrement_portal_payment import MAX_TRANSACTIONS_PER_HOUR


class RecouvrementDebtorPayment(PaymentPortal):
    """The debtor pays one, several or all of their open invoices online
    from their account page, through Odoo's payment providers."""

    @http.route(
        "/recouvrement/account/<string:token>/pay",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
    )
    def recouvrement_debtor_pay(self, token, **kwargs):
        access = request.env["recouvrement.portal.access"]._from_token(token)
        if not access:
            raise request.not_found()
        Payment = request.env["recouvrement.portal.payment"]
        invoice_ids = Payment._parse_invoice_ids(
            request.httprequest.args.getlist("invoice_ids")
        )
        if invoice_ids is None:
            raise request.not_found()
        selection = Payment._payment_selection(access, invoice_ids)
        if selection.state == "not_found":
            raise request.not_found()
        values = {
            "access": access,
            "selection": selection,
            "invoices": selection.invoices or request.env["account.move"],
            "account_url": f"{ACCESS_PATH}{token}",
            "page_name": "recouvrement_debtor_pay",
            # The company's identity (logo, name) on the page.
            "res_company": selection.invoices.company_id[:1]
            if selection.invoices
            else access.company_ids[:1],
        }
        if selection.state == "ok":
            values.update(self._recouvrement_payment_values(access, token, selection))
        return request.render("recouvrement_amiable.debtor_payment_page", values)

    @http.route(
        "/recouvrement/account/<string:token>/pay/transaction/<string:invoice_ids>",
        type="json",
        auth="public",
    )
    def recouvrement_debtor_pay_transaction(
        self, token, invoice_ids, access_token=None, **kwargs
    ):
        """Create the transaction of the payment form: its invoices, amount
        and currency come from the link and the invoices, not from the
        request."""
        _ = request.env._
        access = request.env["recouvrement.portal.access"]._from_token(token)
        if not access:
            raise ValidationError(_("This link is no longer valid."))
        Payment = request.env["recouvrement.portal.payment"]
        ids = Payment._parse_invoice_ids([invoice_ids])
        selection = Payment._payment_selection(access, ids) if ids is not None else None
        if selection is None or selection.state == "not_found":
            raise ValidationError(_("These invoices cannot be paid from this link."))
        if selection.state != "ok":
            raise ValidationError(selection.message)
        partner, own = self._recouvrement_payer(access)
        # The form's access token signs the amount shown on the page: the
        # debtor pays what they saw, or reloads the page.
        if not payment_utils.check_access_token(
            access_token, partner.id, selection.amount, selection.currency.id
        ):
            raise ValidationError(
                _("The amount due has changed since you opened this page: reload it.")
            )
        self._validate_transaction_kwargs(kwargs)
        providers = self._recouvrement_providers(partner, selection)[0]
        if kwargs.get("flow") == "token":
            if not own:
                raise ValidationError(_("Log in to pay with a saved payment method."))
        elif self._cast_as_int(kwargs.get("provider_id")) not in providers.ids:
            raise ValidationError(_("This payment method is not available."))
        # sudo: the debtor may be a public visitor; a technical count.
        since = fields.Datetime.now() - timedelta(hours=1)
        recent = (
            request.env["payment.transaction"]
            .sudo()
            .search_count(
                [
                    ("partner_id", "child_of", access.partner_id.id),
                    ("create_date", ">=", since),
                ]
            )
        )
        if recent >= MAX_TRANSACTIONS_PER_HOUR:
            raise ValidationError(_("Too many payment attempts: try again in an hour."))
        kwargs.pop("amount", None)
        kwargs.update(
            {
                "is_validation": False,
                # A visitor of the link saves no payment method for the debtor.
                "tokenization_requested": bool(
                    own and kwargs.get("tokenization_requested")
                ),
                "landing_route": self._recouvrement_landing_route(
                    token, selection.invoices
                ),
            }
        )
        tx_sudo = self._create_transaction(
            amount=selection.amount,
            currency_id=selection.currency.id,
            partner_id=partner.id,
            custom_create_values={
                "invoice_ids": [Command.set(selection.invoices.ids)],
                "recouvrement_portal_access_id": access.id,
            },
            **kwargs,
        )
        return tx_sudo._get_processing_values()

    # --- helpers ---

    @staticmethod
    def _recouvrement_payer(access):
        """The partner paying, and whether the visitor is the debtor's own
        logged-in user (only then are saved payment methods offered)."""
        user = request.env.user
        own = (
            not user._is_public()
            and user.partner_id.commercial_partner_id == access.partner_id
        )
        return (user.partner_id if own else access.partner_id), own

    @staticmethod
    def _recouvrement_providers(partner, selection):
        report = {}
        # sudo: a public visitor reads the providers and methods to choose
        # from, as Odoo's own payment pages do.
        providers = (
            request.env["payment.provider"]
            .sudo()
            ._get_compatible_providers(
                selection.invoices.company_id.id,
                partner.id,
                selection.amount,
                currency_id=selection.currency.id,
                report=report,
            )
        )
        methods = (
            request.env["payment.method"]
            .sudo()
            ._get_compatible_payment_methods(
                providers.ids,
                partner.id,
                currency_id=selection.currency.id,
                report=report,
            )
        )
        return providers, methods, report

    @staticmethod
    def _recouvrement_landing_route(token, invoices):
        ids = ",".join(str(invoice_id) for invoice_id in invoices.ids)
        return f"{ACCESS_PATH}{token}/pay?invoice_ids={ids}"

    def _recouvrement_payment_values(self, access, token, selection):
        """The values of Odoo's payment form (``payment.form``) for the
        selected invoices."""
        partner, own = self._recouvrement_payer(access)
        company = selection.invoices.company_id
        providers, methods, report = self._recouvrement_providers(partner, selection)
        if own:
            # sudo: the debtor's own saved payment methods.
            tokens = (
                request.env["payment.token"]
                .sudo()
                ._get_available_tokens(providers.ids, partner.id)
            )
            show_tokenize = self._compute_show_tokenize_input_mapping(providers)
        else:
            tokens = request.env["payment.token"]
            show_tokenize = dict.fromkeys(providers.ids, False)
        ids = ",".join(str(invoice_id) for invoice_id in selection.invoices.ids)
        return {
            "company_mismatch": not PaymentPortal._can_partner_pay_in_company(
                partner, company
            ),
            "expected_company": company,
            "show_tokenize_input_mapping": show_tokenize,
            "amount": selection.amount,
            "currency": selection.currency,
            "partner_id": partner.id,
            "providers_sudo": providers,
            "payment_methods_sudo": methods,
            "tokens_sudo": tokens,
            "availability_report": report,
            "transaction_route": f"{ACCESS_PATH}{token}/pay/transaction/{ids}",
            "landing_route": self._recouvrement_landing_route(
                token, selection.invoices
            ),
            "access_token": payment_utils.generate_access_token(
                partner.id, selection.amount, selection.currency.id
            ),
        }
