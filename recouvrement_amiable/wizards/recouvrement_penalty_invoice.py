from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount, format_date

from ..rules.interest import CONSUMER


class RecouvrementPenaltyInvoice(models.TransientModel):
    """Invoice the late-payment interest and recovery indemnities of some
    invoices of one customer: one customer invoice, with the legal wording,
    no VAT, linked to the invoices, never charging a period twice."""

    _name = "recouvrement.penalty.invoice"
    _description = "Invoice late-payment penalties"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        domain="[('parent_id', '=', False)]",
        check_company=True,
    )
    debtor_type = fields.Selection(related="partner_id.recouvrement_debtor_type")
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id), ('company_id', '=', company_id), "
        "('recouvrement_is_penalty_invoice', '=', False)]",
        help="The late invoices whose penalties are invoiced.",
    )
    date = fields.Date(
        string="Interest up to",
        required=True,
        default=fields.Date.context_today,
        help="Interest is computed up to this day included; it is also the "
        "date of the penalty invoice.",
    )
    journal_id = fields.Many2one(
        "account.journal",
        required=True,
        domain="[('type', '=', 'sale'), ('company_id', '=', company_id)]",
        compute="_compute_journal_id",
        store=True,
        precompute=True,
        readonly=False,
        check_company=True,
    )
    currency_id = fields.Many2one("res.currency", compute="_compute_claims")
    interest_total = fields.Monetary(compute="_compute_claims", string="Interest")
    indemnity_total = fields.Monetary(
        compute="_compute_claims", string="Recovery indemnities"
    )
    preview_html = fields.Html(compute="_compute_claims", sanitize=False)
    error = fields.Text(compute="_compute_claims")

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        model = self.env.context.get("active_model")
        ids = self.env.context.get("active_ids") or []
        if model == "account.move" and ids:
            moves = self.env["account.move"].browse(ids)
            self._check_invoices(moves)
            values.update(
                partner_id=moves.commercial_partner_id.id,
                company_id=moves.company_id.id,
                move_ids=[Command.set(moves.ids)],
            )
        elif model == "res.partner" and ids:
            partner = self.env["res.partner"].browse(ids[:1]).commercial_partner_id
            company = self.env.company
            today = fields.Date.context_today(self)
            moves = self.env["account.move"].search(
                [
                    ("move_type", "=", "out_invoice"),
                    ("state", "=", "posted"),
                    ("commercial_partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("recouvrement_is_penalty_invoice", "=", False),
                    ("payment_state", "in", ("not_paid", "partial")),
                    ("invoice_date_due", "<", today),
                ]
            )
            values.update(
                partner_id=partner.id,
                company_id=company.id,
                move_ids=[Command.set(moves.ids)],
            )
        return values

    @api.depends("company_id")
    def _compute_journal_id(self):
        for wizard in self:
            wizard.journal_id = wizard.company_id._recouvrement_journal("sale")

    @api.depends("move_ids", "date")
    def _compute_claims(self):
        Penalty = self.env["recouvrement.penalty"]
        Rate = self.env["recouvrement.legal.rate"]
        for wizard in self:
            moves = wizard.move_ids._origin
            wizard.currency_id = moves[:1].currency_id or wizard.company_id.currency_id
            claims = (
                Penalty._recouvrement_claims(moves, wizard.date)
                if moves and wizard.date
                else {}
            )
            errors = [c.error for c in claims.values() if c.error]
            wizard.error = Rate._missing_rate_message(errors[0]) if errors else False
            wizard.interest_total = sum(c.interest for c in claims.values())
            wizard.indemnity_total = sum(c.indemnity for c in claims.values())
            wizard.preview_html = wizard._preview(claims)

    def _preview(self, claims):
        rows = []
        for claim in claims.values():
            currency = claim.move.currency_id
            rows.append(
                Markup(
                    "<tr><td>%s</td><td>%s</td><td>%s</td>"
                    "<td class='text-end'>%s</td><td class='text-end'>%s</td></tr>"
                )
                % (
                    claim.move.name,
                    format_date(self.env, claim.move.invoice_date_due),
                    self._period_text(claim),
                    format_amount(self.env, claim.interest, currency),
                    format_amount(self.env, claim.indemnity, currency),
                )
            )
        header = Markup(
            "<table class='table table-sm'><thead><tr><th>%s</th><th>%s</th>"
            "<th>%s</th><th class='text-end'>%s</th><th class='text-end'>%s</th>"
            "</tr></thead><tbody>"
        ) % (
            self.env._("Invoice"),
            self.env._("Due date"),
            self.env._("Interest period"),
            self.env._("Interest"),
            self.env._("Indemnity"),
        )
        return header + Markup("").join(rows) + Markup("</tbody></table>")

    def _period_text(self, claim):
        if claim.error:
            return self.env._("missing rate")
        if claim.debtor_type == CONSUMER and not claim.notice_date:
            return self.env._("no formal notice yet")
        if not claim.segments:
            return self.env._("nothing new")
        return self.env._(
            "%(start)s to %(end)s (%(days)s days)",
            start=format_date(self.env, claim.date_from),
            end=format_date(self.env, claim.date_to),
            days=sum(s.days for s in claim.segments),
        )

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _check_invoices(self, moves):
        if not moves:
            raise UserError(self.env._("Select the late invoices to charge."))
        wrong = moves.filtered(
            lambda m: (
                m.move_type != "out_invoice"
                or m.state != "posted"
                or m.recouvrement_is_penalty_invoice
            )
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Penalties are charged on posted customer invoices only (not "
                    "on penalty invoices): %(names)s.",
                    names=", ".join(wrong.mapped("display_name")),
                )
            )
        if len(moves.commercial_partner_id) > 1 or len(moves.company_id) > 1:
            raise UserError(
                self.env._(
                    "Select the invoices of one customer in one company: the "
                    "penalties go on one invoice."
                )
            )
        if len(moves.currency_id) > 1:
            raise UserError(
                self.env._(
                    "Select invoices in one currency: the penalties go on one invoice."
                )
            )
        # --- proceedings ---
        self.env["recouvrement.proceeding"]._recouvrement_check_pursuit(moves)

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------

    def action_create_invoice(self):
        self.ensure_one()
        moves = self.move_ids
        self._check_invoices(moves)
        if moves.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(
                self.env._("The invoices do not belong to the selected customer.")
            )
        claims = self.env["recouvrement.penalty"]._recouvrement_claims(moves, self.date)
        for claim in claims.values():
            if claim.error:
                self.env["recouvrement.legal.rate"]._raise_missing_rate(claim.error)
        claims = [
            claims[move.id]
            for move in moves.sorted(lambda m: (m.invoice_date_due, m.name))
            if move.id in claims and not claims[move.id].is_empty
        ]
        if not claims:
            raise UserError(
                self.env._(
                    "Nothing to invoice: no penalty is due on these invoices up to "
                    "%(date)s beyond what was already invoiced.",
                    date=format_date(self.env, self.date),
                )
            )
        invoice = self._create_penalty_invoice(claims)
        self._record(invoice, claims)
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": invoice.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    def _create_penalty_invoice(self, claims):
        company = self.company_id
        account = company.recouvrement_penalty_account_id
        lines = []
        for claim in claims:
            common = {"quantity": 1, "tax_ids": [Command.clear()]}
            if account:
                common["account_id"] = account.id
            if claim.interest:
                lines.append(
                    Command.create(
                        {
                            **common,
                            "name": self._interest_label(claim),
                            "price_unit": claim.interest,
                        }
                    )
                )
            if claim.indemnity:
                lines.append(
                    Command.create(
                        {
                            **common,
                            "name": self.env._(
                                "Flat recovery indemnity for the late payment of "
                                "%(invoice)s (articles L441-10 and D441-5 of the "
                                "French Commercial Code), not subject to VAT",
                                invoice=claim.move.name,
                            ),
                            "price_unit": claim.indemnity,
                        }
                    )
                )
        moves = self.env["account.move"].union(*(claim.move for claim in claims))
        invoice = (
            self.env["account.move"]
            .with_company(company)
            .create(
                {
                    "move_type": "out_invoice",
                    "partner_id": self.partner_id.id,
                    "company_id": company.id,
                    "journal_id": self.journal_id.id,
                    "currency_id": moves.currency_id.id,
                    "invoice_date": self.date,
                    "invoice_origin": ", ".join(moves.mapped("name")),
                    "narration": self._legal_wording(claims),
                    "recouvrement_is_penalty_invoice": True,
                    "invoice_line_ids": lines,
                }
            )
        )
        # No VAT on penalties: remove any default tax of the income account.
        taxed = invoice.invoice_line_ids.filtered("tax_ids")
        if taxed:
            taxed.tax_ids = [Command.clear()]
        return invoice

    def _interest_label(self, claim):
        move = claim.move
        if claim.debtor_type == CONSUMER:
            title = self.env._(
                "Interest at the legal rate on %(invoice)s from the formal notice "
                "of %(notice)s (articles 1231-6 and 1344-1 of the French Civil "
                "Code)",
                invoice=move.name,
                notice=format_date(self.env, claim.notice_date),
            )
        else:
            title = self.env._(
                "Late-payment interest on %(invoice)s due %(due)s (article L441-10 "
                "of the French Commercial Code)",
                invoice=move.name,
                due=format_date(self.env, move.invoice_date_due),
            )
        detail = self.env["recouvrement.penalty"]._recouvrement_claim_detail(claim)
        return f"{title}\n{detail}" if detail else title

    def _legal_wording(self, claims):
        if claims[0].debtor_type == CONSUMER:
            text = self.env._(
                "Interest at the legal rate on the sums due from the formal notice "
                "(articles 1231-6 and 1344-1 of the French Civil Code), simple "
                "interest per day until payment."
            )
        else:
            text = self.env._(
                "Late-payment penalties under article L441-10 of the French "
                "Commercial Code: simple interest from the day after each due "
                "date until payment, at the rates shown on each line (ECB rate + "
                "10 points, or the contractual rate); flat recovery indemnity of "
                "40 € per invoice paid late (article D441-5), not subject to VAT. "
                "Late-payment interest is outside the scope of VAT."
            )
        names = ", ".join(claim.move.name for claim in claims)
        source = self.env._("Invoices concerned: %(names)s.", names=names)
        return Markup("<p>%s</p><p>%s</p>") % (text, source)

    def _record(self, invoice, claims):
        Penalty = self.env["recouvrement.penalty"]
        Penalty.create(
            [
                {
                    "company_id": invoice.company_id.id,
                    "invoice_id": invoice.id,
                    "move_id": claim.move.id,
                    "currency_id": claim.move.currency_id.id,
                    "debtor_type": claim.debtor_type,
                    "date_from": claim.date_from,
                    "date_to": self.date,
                    "interest_amount": claim.interest,
                    "indemnity_amount": claim.indemnity,
                    "detail": Penalty._recouvrement_claim_detail(claim),
                }
                for claim in claims
            ]
        )
        bodies = {
            claim.move.id: escape(
                self.env._(
                    "Penalties up to %(date)s charged on %(invoice)s: interest "
                    "%(interest)s, indemnity %(indemnity)s.",
                    date=format_date(self.env, self.date),
                    invoice=invoice.display_name,
                    interest=format_amount(
                        self.env, claim.interest, claim.move.currency_id
                    ),
                    indemnity=format_amount(
                        self.env, claim.indemnity, claim.move.currency_id
                    ),
                )
            )
            for claim in claims
        }
        self.env["account.move"].browse(list(bodies))._message_log_batch(bodies=bodies)
