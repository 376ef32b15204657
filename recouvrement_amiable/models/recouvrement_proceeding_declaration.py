"""The claim declaration of collective proceedings (LEGAL_FR.md section 8):
the amounts due on the judgment date per invoice, the French document and
its ZIP with the invoices, and the payments received after the judgment
(to be returned, never asked for). Mixed into ``recouvrement.proceeding``.
"""

import base64
import io
import zipfile
from decimal import Decimal

from odoo import api, models
from odoo.tools.misc import format_date

from ..rules import proceedings as rules

PAYMENT_AFTER_ACTIVITY = "recouvrement_amiable.mail_activity_payment_after_judgment"


class RecouvrementProceedingDeclaration(models.AbstractModel):
    _name = "recouvrement.proceeding.declaration"
    _description = "Claim declaration of collective proceedings"

    def _declaration_moves(self):
        self.ensure_one()
        return self.env["account.move"].search(
            [
                ("company_id", "=", self.company_id.id),
                ("commercial_partner_id", "=", self.partner_id.id),
                ("move_type", "=", "out_invoice"),
                ("state", "=", "posted"),
                ("invoice_date", "<=", self.judgment_date),
            ],
            order="invoice_date, name, id",
        )

    def _declaration_lines(self):
        """One dict per invoice born before the judgment and not paid on
        that day: principal due on the judgment date, interest up to it, the
        40 EUR indemnity, whether it falls due later, what was received
        after the judgment; totals converted to the company currency at the
        rate of the judgment date."""
        self.ensure_one()
        moves = self._declaration_moves()
        if not moves:
            return []
        Penalty = self.env["recouvrement.penalty"]
        judgment = self.judgment_date
        receivables = self.env["account.move.line"].search(
            [
                ("move_id", "in", moves.ids),
                ("account_type", "=", "asset_receivable"),
                ("amount_currency", ">", 0),
            ]
        )
        payments = Penalty._recouvrement_payments(receivables)
        claims = Penalty._recouvrement_claims(moves, judgment)
        company = self.company_id
        lines = []
        for move in moves:
            principal = paid_after = Decimal(0)
            later = False
            for line in receivables.filtered(lambda r, m=move: r.move_id == m):
                declared = rules.declared_invoice(
                    line.amount_currency,
                    line.date_maturity or move.invoice_date_due,
                    judgment,
                    [(p.date, p.amount) for p in payments.get(line.id, [])],
                )
                principal += declared.principal
                paid_after += declared.paid_after
                later = later or declared.falls_due_later
            if not principal and not paid_after:
                continue
            claim = claims.get(move.id)
            interest = claim.interest if claim and not claim.error else 0.0
            indemnity = claim.indemnity if claim and not claim.error else 0.0
            total = float(principal) + interest + indemnity
            currency = move.currency_id
            lines.append(
                {
                    "move": move,
                    "currency": currency,
                    "due_date": move.invoice_date_due,
                    "falls_due_later": later,
                    "principal": float(principal),
                    "interest": interest,
                    "indemnity": indemnity,
                    "total": total,
                    "paid_after": float(paid_after),
                    "total_company": currency._convert(
                        total, company.currency_id, company, judgment
                    ),
                    "paid_after_company": currency._convert(
                        float(paid_after), company.currency_id, company, judgment
                    ),
                }
            )
        return lines

    @api.model
    def _cron_flag_payments_after(self):
        """Tell accounting, once per proceeding, about payments received
        after the judgment for claims born before it: they are to be
        returned to the mandataire (L622-7), never asked for again."""
        activity_type = self.env.ref(PAYMENT_AFTER_ACTIVITY)
        proceedings = self.search([("state", "!=", "closed")])
        for proceeding in proceedings:
            if proceeding.activity_ids.filtered(
                lambda a: a.activity_type_id == activity_type
            ):
                continue
            lines = [
                line for line in proceeding._declaration_lines() if line["paid_after"]
            ]
            if not lines:
                continue
            proceeding.activity_schedule(
                activity_type_id=activity_type.id,
                summary=self.env._("Payments received after the judgment"),
                note=self.env._(
                    "Received after the judgment of %(date)s for %(invoices)s: "
                    "%(amount)s, to be returned to the mandataire, never asked for.",
                    date=format_date(self.env, proceeding.judgment_date),
                    invoices=", ".join(line["move"].name for line in lines),
                    amount=proceeding.paid_after_amount,
                ),
                user_id=proceeding.create_uid.id or self.env.user.id,
            )

    def _declaration_lang(self):
        """The declaration is written in French (filed with a French court's
        mandataire): fr_FR when installed, else the mandataire's language."""
        self.ensure_one()
        if self.env["res.lang"]._lang_get("fr_FR"):
            return "fr_FR"
        return self.mandataire_id.lang or self.env.lang

    def action_print_declaration(self):
        self.ensure_one()
        return self.env.ref(
            "recouvrement_amiable.action_report_claim_declaration"
        ).report_action(self)

    def action_download_zip(self):
        """A ZIP of the declaration and the PDFs of its invoices, attached to
        the proceedings."""
        self.ensure_one()
        Report = self.env["ir.actions.report"]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            content, ext = Report._render(
                "recouvrement_amiable.action_report_claim_declaration", self.ids
            )
            archive.writestr(f"declaration_creance.{ext}", content)
            for line in self._declaration_lines():
                move = line["move"]
                content, ext = Report._render("account.account_invoices", move.ids)
                archive.writestr(f"{move.name.replace('/', '_')}.{ext}", content)
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"declaration_creance_{self.partner_id.name}.zip",
                "datas": base64.b64encode(buffer.getvalue()),
                "res_model": self._name,
                "res_id": self.id,
                "mimetype": "application/zip",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{attachment.id}?download=true",
            "target": "self",
        }
