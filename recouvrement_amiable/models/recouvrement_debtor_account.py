"""The debtor's account page: what a debtor owes across the companies their
link allows, and the steps they take on it ("I have already paid", promise,
payment plan). The controller (controllers/debtor_account.py) only parses
the request; the checks are plain rules (rules/debtor_page.py)."""

import base64
from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_amount, format_date

from ..rules import debtor_page as rules
from ..rules.dunning import totals_by_currency
from .selections import OPEN_CREDIT_DOMAIN

OPEN_PAYMENT_STATES = ("not_paid", "partial")


class RecouvrementDebtorAccount(models.AbstractModel):
    _name = "recouvrement.debtor.account"
    _description = "Debtor account page"

    # ------------------------------------------------------------------
    # Reading the account
    # ------------------------------------------------------------------

    @api.model
    def _open_invoices(self, partner, companies):
        """The debtor's open posted customer invoices in ``companies``."""
        # sudo: the visitor is the debtor (public user with a token, or a
        # portal user); the caller resolved ``partner`` and ``companies``
        # from that credential, and the domain keeps to them.
        return (
            self.env["account.move"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "in", companies.ids),
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("payment_state", "in", OPEN_PAYMENT_STATES),
                ],
                order="invoice_date_due, id",
            )
        )

    @api.model
    def _open_credit_lines(self, partner, companies):
        """Credit notes and payments of the debtor not yet allocated."""
        # sudo: as _open_invoices.
        return (
            self.env["account.move.line"]
            .sudo()
            .search(
                [
                    ("company_id", "in", companies.ids),
                    ("partner_id", "=", partner.id),
                    *OPEN_CREDIT_DOMAIN,
                ],
                order="date, id",
            )
        )

    @api.model
    def _account_values(self, partner, companies):
        """Everything the page (and the statement PDF) shows, formatted in
        the context's language."""
        today = fields.Date.context_today(self)
        invoices = self._open_invoices(partner, companies)
        credit_lines = self._open_credit_lines(partner, companies)
        Currency = self.env["res.currency"]
        credits = defaultdict(float)
        for line in credit_lines:
            credits[line.currency_id.id] += line.amount_residual_currency
        first_currency = companies[:1].currency_id.id
        totals = totals_by_currency(
            [(m.currency_id.id, m.amount_residual, 0.0, 0.0) for m in invoices],
            first_currency_id=first_currency,
            credits=dict(credits),
        )
        online = self._pay_online_companies(companies)
        rows = [
            {
                "move": move,
                "name": move.name,
                "company": move.company_id.name,
                "invoice_date": format_date(self.env, move.invoice_date),
                "date_due": format_date(self.env, move.invoice_date_due),
                "days_late": max((today - move.invoice_date_due).days, 0)
                if move.invoice_date_due
                else 0,
                "level": move.recouvrement_level_id.name or "",
                "total": format_amount(self.env, move.amount_total, move.currency_id),
                "due": format_amount(self.env, move.amount_residual, move.currency_id),
                "in_dispute": move.recouvrement_in_dispute,
                "payable": move.company_id in online,
            }
            for move in invoices
        ]
        return {
            "partner": partner,
            "companies": companies,
            "invoices": invoices,
            "rows": rows,
            "credit_rows": [
                {
                    "name": line.move_id.name,
                    "date": format_date(self.env, line.date),
                    "amount": format_amount(
                        self.env, -line.amount_residual_currency, line.currency_id
                    ),
                }
                for line in credit_lines
            ],
            "totals": [
                {
                    "currency": Currency.browse(total.currency_id),
                    "due": format_amount(
                        self.env, total.due, Currency.browse(total.currency_id)
                    ),
                    "credit": total.credit
                    and format_amount(
                        self.env, -total.credit, Currency.browse(total.currency_id)
                    ),
                    "to_pay": format_amount(
                        self.env, total.to_pay, Currency.browse(total.currency_id)
                    ),
                }
                for total in totals
            ],
            "pay_online": any(row["payable"] for row in rows),
            "today": today,
            "today_text": format_date(self.env, today),
        }

    @api.model
    def _pay_online_companies(self, companies):
        """The companies of ``companies`` with an enabled payment provider
        (what the reminders use to link invoices to online payment)."""
        Action = self.env["recouvrement.action"]
        probes = Action.concat(*(Action.new({"company_id": c.id}) for c in companies))
        return probes._pay_online_companies()

    @api.model
    def _invoice_pdf(self, move):
        """(content, filename) of ``move``'s PDF: the one Odoo stored when
        the invoice was sent, rendered only when there is none."""
        # sudo: the invoice is the debtor's (checked by the caller); its
        # stored PDF is an attachment the public user cannot read.
        move = move.sudo()
        if move.invoice_pdf_report_id:
            return (
                move.invoice_pdf_report_id.raw,
                move.invoice_pdf_report_id.name,
            )
        content, _type = (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf("account.account_invoices", move.ids)
        )
        return content, f"{move._get_report_base_filename()}.pdf"

    @api.model
    def _statement_pdf(self, partner, companies):
        """The account statement as a PDF, rendered now and not stored."""
        values = self._account_values(partner, companies)
        # sudo: rendering a report reads the company's layout and the
        # debtor, which the public user cannot.
        content, _type = (
            self.env["ir.actions.report"]
            .sudo()
            ._render_qweb_pdf(
                "recouvrement_amiable.action_report_debtor_statement",
                partner.ids,
                data={"account": values},
            )
        )
        return content

    # ------------------------------------------------------------------
    # The debtor's steps
    # ------------------------------------------------------------------

    def _error(self, error, currency=None):
        """The translated message of a ``rules.PageError``."""
        _ = self.env._
        code, params = error.code, error.params
        if code == "amount_above_due":
            due = params["due"]
            if currency:
                due = format_amount(self.env, due, currency)
            return _("The amount cannot be above what is due (%(due)s).", due=due)
        if code == "paid_date_too_old":
            return _(
                "The payment date cannot be more than %(days)s days ago.",
                days=params["days"],
            )
        if code == "promise_date_too_far":
            return _(
                "Please promise a date no later than %(last)s.",
                last=format_date(self.env, params["last"]),
            )
        if code == "installments_too_many":
            return _(
                "A payment plan has at most %(max)s installments.", max=params["max"]
            )
        if code == "proof_size":
            return _(
                "The proof file is too large (%(max_mb)s MB at most).",
                max_mb=params["max_mb"],
            )
        if code == "note_too_long":
            return _(
                "Your message is too long (%(max)s characters at most).",
                max=params["max"],
            )
        messages = {
            "amount_invalid": _("Enter the amount as a number, e.g. 1250.50."),
            "amount_not_positive": _("The amount must be positive."),
            "date_invalid": _("Enter a valid date."),
            "paid_date_future": _("The payment date cannot be in the future."),
            "promise_date_past": _(
                "The date you promise to pay by cannot be in the past."
            ),
            "installments_invalid": _(
                "Enter the number of installments as a whole number."
            ),
            "installments_too_few": _("A payment plan has at least two installments."),
            "proof_type": _("The proof must be a PDF, PNG or JPEG file."),
            "proof_empty": _("The proof file is empty."),
            "rate_limited": _(
                "You have sent many requests in the last hour: please try again "
                "later or contact us."
            ),
        }
        return messages[code]

    def _raise(self, error, currency=None):
        raise ValidationError(self._error(error, currency))

    @api.model
    def _check_rate(self, partner, companies):
        """At most ``rules.RATE_LIMIT`` steps an hour per debtor (a link
        belongs to one debtor)."""
        since = fields.Datetime.now() - rules.RATE_WINDOW
        # sudo: the visitor cannot read answers; only their dates are used.
        answers = (
            self.env["recouvrement.debtor.answer"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "in", companies.ids),
                    ("kind", "!=", "reply"),
                    ("create_date", ">", since),
                ]
            )
        )
        if rules.rate_limited(answers.mapped("create_date"), fields.Datetime.now()):
            self._raise(rules.PageError("rate_limited"))

    @api.model
    def _selected(self, partner, companies, ids_text):
        """The debtor's open invoices named by ``ids_text`` (all when empty);
        a ValidationError when it names any other record."""
        invoices = self._open_invoices(partner, companies)
        ids = rules.parse_ids(ids_text, set(invoices.ids))
        if ids is None:
            raise ValidationError(
                self.env._("Choose among the invoices shown on your account page.")
            )
        return invoices.browse(ids) if ids else invoices

    def _policy(self, partner, company):
        return partner.with_company(company).sudo()._recouvrement_effective_policy()

    def _answer_vals(self, partner, company, kind, moves, **values):
        return {
            "partner_id": partner.id,
            "company_id": company.id,
            "kind": kind,
            "move_ids": [fields.Command.set(moves.ids)],
            **values,
        }

    @api.model
    def _claim_paid(
        self, partner, companies, ids_text, paid_date, amount, proof=None, note=""
    ):
        """ "I have already paid": an answer of kind paid per company whose
        invoices are named; reminders of those invoices pause for the
        policy's days; the claim ends when they are reconciled."""
        self._check_rate(partner, companies)
        moves = self._selected(partner, companies, ids_text)
        if not moves:
            raise ValidationError(self.env._("You have no open invoice to pay."))
        if len(moves.currency_id) > 1:
            raise ValidationError(
                self.env._(
                    "Choose invoices in a single currency: tell us one payment at "
                    "a time."
                )
            )
        today = fields.Date.context_today(self)
        due = sum(moves.mapped("amount_residual"))
        parsed_date = rules.parse_date(paid_date)
        parsed_amount = rules.parse_amount(amount)
        error = rules.check_paid(parsed_date, parsed_amount, due, today) or (
            rules.check_note(note)
        )
        if not error and proof:
            error = rules.check_proof(proof[0], proof[1])
        if error:
            self._raise(error, moves.currency_id)
        Answer = self.env["recouvrement.debtor.answer"].sudo()
        answers = Answer
        with self.env.cr.savepoint():
            for company, company_moves in moves.grouped("company_id").items():
                policy = self._policy(partner, company)
                # The amount is split over the companies in the order of
                # their invoices (one payment, several creditors is rare).
                share = min(parsed_amount, sum(company_moves.mapped("amount_residual")))
                parsed_amount -= share
                answer = Answer.with_company(company)._record_answers(
                    [
                        self._answer_vals(
                            partner,
                            company,
                            "paid",
                            company_moves,
                            paid_date=parsed_date,
                            amount=share,
                            currency_id=company_moves.currency_id.id,
                            note=note or False,
                        )
                    ],
                    {"paid": policy.portal_paid_pause_days},
                )
                if proof:
                    attachment = (
                        self.env["ir.attachment"]
                        .sudo()
                        .create(
                            {
                                "name": proof[0],
                                "datas": base64.b64encode(proof[1]),
                                "res_model": answer._name,
                                "res_id": answer.id,
                            }
                        )
                    )
                    answer.attachment_ids = attachment
                answers |= answer
        return answers

    @api.model
    def _promise(self, partner, companies, company_id, promise_date, amount, note=""):
        """A promise to pay: recorded on the debtor's latest reminder as
        after a call (the run waits for it), and as an answer."""
        self._check_rate(partner, companies)
        company = companies.filtered(lambda c: str(c.id) == str(company_id))[:1]
        if len(companies) == 1:
            company = companies
        if not company:
            raise ValidationError(self.env._("Choose the company you owe."))
        moves = self._open_invoices(partner, company).filtered(
            lambda m: m.currency_id == company.currency_id
        )
        if not moves:
            raise ValidationError(self.env._("You have no open invoice to pay."))
        policy = self._policy(partner, company)
        today = fields.Date.context_today(self)
        parsed_date = rules.parse_date(promise_date)
        parsed_amount = rules.parse_amount(amount)
        error = rules.check_promise(
            parsed_date,
            parsed_amount,
            sum(moves.mapped("amount_residual")),
            today,
            policy.portal_promise_max_days,
        ) or rules.check_note(note)
        if error:
            self._raise(error, company.currency_id)
        # sudo: the public visitor cannot read reminders; the search keeps to
        # the debtor and company of its credential.
        action = (
            self.env["recouvrement.action"]
            .sudo()
            .search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "in", ("to_do", "done")),
                ],
                order="planned_date desc, id desc",
                limit=1,
            )
        )
        with self.env.cr.savepoint():
            if action:
                action.with_company(company)._record_promise(
                    parsed_date, parsed_amount, note or False
                )
            answer = (
                self.env["recouvrement.debtor.answer"]
                .sudo()
                .with_company(company)
                ._record_answers(
                    [
                        self._answer_vals(
                            partner,
                            company,
                            "promise",
                            moves,
                            action_id=action.id or False,
                            paid_date=parsed_date,
                            amount=parsed_amount,
                            currency_id=company.currency_id.id,
                            note=note or False,
                        )
                    ],
                    {},
                )
            )
        return answer

    @api.model
    def _ask_plan(self, partner, companies, company_id, installments, note=""):
        """A payment plan over the debtor's eligible invoices: a draft for a
        collector, or, with the policy's self-service, proposed for online
        signature at once. Returns (answer, plan)."""
        self._check_rate(partner, companies)
        company = companies.filtered(lambda c: str(c.id) == str(company_id))[:1]
        if len(companies) == 1:
            company = companies
        if not company:
            raise ValidationError(self.env._("Choose the company you owe."))
        policy = self._policy(partner, company)
        count, error = rules.check_installments(
            installments, policy.plan_max_installments
        )
        error = error or rules.check_note(note)
        if error:
            self._raise(error)
        # sudo: plans are the collectors' records; the debtor only asks for
        # one over their own invoices (the search keeps to them).
        Plan = self.env["recouvrement.plan"].sudo().with_company(company)
        moves = Plan._eligible_moves(partner)
        if not moves:
            raise ValidationError(
                self.env._(
                    "None of your invoices can be part of a payment plan: please "
                    "contact us."
                )
            )
        with self.env.cr.savepoint():
            plan = Plan.create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "move_ids": [fields.Command.set(moves.ids)],
                    "schedule_mode": "count",
                    "installment_count": count,
                    "note": note or False,
                }
            )
            if policy.portal_plan_self_service:
                plan.action_confirm()
            answer = (
                self.env["recouvrement.debtor.answer"]
                .sudo()
                .with_company(company)
                ._record_answers(
                    [
                        self._answer_vals(
                            partner,
                            company,
                            "plan",
                            moves,
                            amount=plan.amount_total,
                            currency_id=plan.currency_id.id,
                            note=self.env._(
                                "Plan %(plan)s in %(count)s installments.",
                                plan=plan.name,
                                count=count,
                            )
                            + (f"\n{note}" if note else ""),
                        )
                    ],
                    {"plan": policy.reply_pause_days},
                )
            )
        return answer, plan

    @api.model
    def _contest_url(self, move):
        """The existing dispute flow for ``move``, with its access token."""
        # sudo: the public visitor cannot write the invoice's access token.
        move = move.sudo()
        move._portal_ensure_token()
        return f"/my/invoices/{move.id}/contest?access_token={move.access_token}"

    @api.model
    def _user_error(self, error):
        """The message of a UserError/ValidationError for the page."""
        if isinstance(error, (UserError, ValidationError)):
            return error.args[0]
        return str(error)
