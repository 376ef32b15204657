"""What a court file holds: the itemised claim, the chronology of the
amicable steps, the parties and the documents, in one ZIP."""

import base64
from decimal import Decimal

from odoo import api, fields, models
from odoo.tools import format_date

from ..rules import court_file as rules
from ..rules.agency_file import legal_form
from ..rules.interest import to_decimal
from .selections import PERFORMED_STATES

# The ZIP's files (French names: the file goes to a French court).
SUMMARY_NAME = "00_recapitulatif_creance"
CLAIM_NAME = "01_creance_detaillee.csv"
REQUEST_NAME = "02_demande_commissaire_de_justice"
INVOICES_FOLDER = "factures"
NOTICE_FOLDER = "mise_en_demeure"
STATEMENT_NAME = "releve_de_compte"


class RecouvrementCourtFileDocuments(models.AbstractModel):
    _name = "recouvrement.court.file.documents"
    _description = "Court file documents"

    # ------------------------------------------------------------------
    # The claim
    # ------------------------------------------------------------------

    def _claims(self):
        """{invoice id: penalty Claim} on the file's date (today)."""
        self.ensure_one()
        Penalty = self.env["recouvrement.penalty"]
        return Penalty._recouvrement_claims(
            self.move_ids, fields.Date.context_today(self)
        )

    def _claim_rows(self, claims=None):
        """``rules.court_file.ClaimRow`` per invoice, by due date."""
        self.ensure_one()
        claims = self._claims() if claims is None else claims
        rows = []
        for move in self.move_ids.sorted(
            lambda m: (m.invoice_date_due or m.date, m.name or "", m.id)
        ):
            claim = claims.get(move.id)
            parts = ()
            indemnity = Decimal(0)
            if claim and not claim.error:
                parts = rules.interest_by_half_year(claim.segments)
                indemnity = to_decimal(claim.indemnity).quantize(rules.CENT)
            rows.append(
                rules.ClaimRow(
                    reference=move.name or "",
                    invoice_date=move.invoice_date,
                    due_date=move.invoice_date_due,
                    total=to_decimal(move.amount_total).quantize(rules.CENT),
                    principal=to_decimal(move.amount_residual).quantize(rules.CENT),
                    interest_parts=parts,
                    indemnity=indemnity,
                )
            )
        return rows

    def _compute_amounts(self):
        """Principal, interest and indemnities of the claim today (written
        only when they changed: the route the user chose stays)."""
        for court_file in self:
            claims = court_file._claims()
            errors = [c.error for c in claims.values() if c.error]
            if errors:
                self.env["recouvrement.legal.rate"]._raise_missing_rate(errors[0])
            totals = rules.claim_totals(court_file._claim_rows(claims))
            values = {
                "amount_principal": float(totals.principal),
                "amount_interest": float(totals.interest),
                "amount_indemnity": float(totals.indemnity),
            }
            currency = court_file.currency_id
            changed = {
                name: value
                for name, value in values.items()
                if currency.compare_amounts(court_file[name], value)
            }
            if changed:
                court_file.write(changed)

    def _costs_claimed(self):
        self.ensure_one()
        return (self.court_fees + self.bailiff_fees) if self.costs_claimed else 0.0

    # ------------------------------------------------------------------
    # The chronology
    # ------------------------------------------------------------------

    def _chronology(self):
        """The amicable steps about the file's invoices, in date order:
        ``rules.court_file.Event`` (French text when rendered in French)."""
        self.ensure_one()
        env = self.env
        moves = self.move_ids
        events = []
        for move in moves:
            events.append(
                rules.event(
                    move.invoice_date,
                    "invoice",
                    env._(
                        "Invoice %(invoice)s issued, %(amount)s, due on %(due)s.",
                        invoice=move.name,
                        amount=self._money(move.amount_total),
                        due=self._date(move.invoice_date_due),
                    ),
                )
            )
        actions = (
            env["recouvrement.action.line"]
            .search(
                [
                    ("move_id", "in", moves.ids),
                    ("action_state", "in", PERFORMED_STATES),
                ]
            )
            .action_id
        )
        channels = dict(actions._fields["channel"]._description_selection(env))
        outcomes = dict(actions._fields["outcome"]._description_selection(env))
        for action in actions.sorted(lambda a: (a.contact_date or a.create_date, a.id)):
            day = (action.contact_date or action.create_date).date()
            if action.channel == "formal_notice":
                events.extend(self._notice_events(action, day))
                continue
            kind = "call" if action.channel == "phone" else "reminder"
            text = env._(
                "%(channel)s %(ref)s (%(level)s), %(amount)s claimed.",
                channel=channels.get(action.channel, ""),
                ref=action.name,
                level=action.level_id.name,
                amount=self._money(action.amount_due),
            )
            if action.outcome:
                text += " " + env._(
                    "Outcome: %(outcome)s.", outcome=outcomes[action.outcome]
                )
            events.append(rules.event(day, kind, text))
            if action.promise_state:
                events.append(
                    rules.event(
                        action.promise_date,
                        "promise",
                        env._(
                            "Promise to pay %(amount)s by %(date)s: %(state)s.",
                            amount=self._money(action.promise_amount),
                            date=self._date(action.promise_date),
                            state=dict(
                                action._fields["promise_state"]._description_selection(
                                    env
                                )
                            )[action.promise_state],
                        ),
                    )
                )
        events.extend(self._dispute_events(moves))
        events.extend(self._plan_events(moves))
        return rules.chronology(events)

    def _notice_events(self, notice, day):
        env = self.env
        methods = dict(notice._fields["sending_method"]._description_selection(env))
        outcomes = dict(notice._fields["delivery_outcome"]._description_selection(env))
        events = [
            rules.event(
                day,
                "notice",
                env._(
                    "Formal notice %(ref)s prepared, %(amount)s claimed.",
                    ref=notice.name,
                    amount=self._money(notice.amount_due),
                ),
            )
        ]
        if notice.sent_date:
            events.append(
                rules.event(
                    notice.sent_date,
                    "notice",
                    env._(
                        "Formal notice %(ref)s sent: %(method)s, no. %(number)s.",
                        ref=notice.name,
                        method=methods.get(notice.sending_method, ""),
                        number=notice.tracking_ref or "-",
                    ),
                )
            )
        if notice.presented_date:
            events.append(
                rules.event(
                    notice.presented_date,
                    "notice",
                    env._(
                        "Formal notice %(ref)s first presented to the debtor "
                        "(%(outcome)s).",
                        ref=notice.name,
                        outcome=outcomes.get(notice.delivery_outcome, "-"),
                    ),
                )
            )
        return events

    def _dispute_events(self, moves):
        env = self.env
        if "recouvrement.dispute" not in env:
            return []
        disputes = env["recouvrement.dispute"].search([("move_ids", "in", moves.ids)])
        states = dict(disputes._fields["state"]._description_selection(env))
        events = []
        for dispute in disputes:
            events.append(
                rules.event(
                    dispute.date_open,
                    "dispute",
                    env._(
                        "Dispute %(ref)s opened: %(reason)s.",
                        ref=dispute.name,
                        reason=dispute.reason_id.name or "-",
                    ),
                )
            )
            if dispute.date_resolved:
                events.append(
                    rules.event(
                        dispute.date_resolved,
                        "dispute",
                        env._(
                            "Dispute %(ref)s closed: %(state)s.",
                            ref=dispute.name,
                            state=states[dispute.state],
                        ),
                    )
                )
        return events

    def _plan_events(self, moves):
        env = self.env
        if "recouvrement.plan" not in env:
            return []
        plans = env["recouvrement.plan"].search([("move_ids", "in", moves.ids)])
        events = []
        for plan in plans:
            if plan.signed_date or plan.activation_date:
                events.append(
                    rules.event(
                        plan.signed_date or plan.activation_date,
                        "plan",
                        env._(
                            "Payment plan %(ref)s agreed, %(amount)s.",
                            ref=plan.name,
                            amount=self._money(plan.amount_total),
                        ),
                    )
                )
            if plan.state in ("broken", "cancelled", "done") and plan.close_date:
                states = dict(plan._fields["state"]._description_selection(env))
                events.append(
                    rules.event(
                        plan.close_date,
                        "plan",
                        env._(
                            "Payment plan %(ref)s: %(state)s.",
                            ref=plan.name,
                            state=states[plan.state].lower(),
                        ),
                    )
                )
        return events

    # ------------------------------------------------------------------
    # Values of the summary (QWeb)
    # ------------------------------------------------------------------

    def _money(self, amount):
        """An amount the French way, in the file's currency: 1 234,56 €."""
        currency = self.currency_id or self.company_id.currency_id
        text = rules.french_amount(amount)
        if currency.position == "before":
            return f"{currency.symbol}\u00a0{text}"
        return f"{text}\u00a0{currency.symbol}"

    def _date(self, day):
        return format_date(self.env, day, date_format="dd/MM/yyyy") if day else ""

    def _party(self, partner):
        """Identity lines of a party: name, legal form, SIREN, office."""
        partner = partner.commercial_partner_id
        registry = "".join((partner.company_registry or "").split())
        siret = partner.siret if "siret" in partner._fields else ""
        address = partner._display_address(without_company=True)
        return {
            "name": partner.name or "",
            "legal_form": legal_form(partner.name) if partner.is_company else "",
            "siren": registry[:9] if registry else (siret or "")[:9],
            "vat": partner.vat or "",
            "address": [line for line in address.split("\n") if line.strip()],
            "is_company": partner.is_company,
        }

    def _summary_values(self):
        """Everything the French summary shows, formatted."""
        self.ensure_one()
        rows = self._claim_rows()
        totals = rules.claim_totals(rows, self._costs_claimed())
        money = self._money
        return {
            "creditor": self._party(self.company_id.partner_id),
            "debtor": self._party(self.partner_id),
            "rows": [
                {
                    "reference": row.reference,
                    "invoice_date": self._date(row.invoice_date),
                    "due_date": self._date(row.due_date),
                    "total": money(row.total),
                    "principal": money(row.principal),
                    "parts": [
                        {
                            "label": part.label,
                            "from": self._date(part.date_from),
                            "to": self._date(part.date_to),
                            "days": part.days,
                            "rate": rules.french_amount(part.rate),
                            "amount": money(part.amount),
                        }
                        for part in row.interest_parts
                    ],
                    "interest": money(row.interest),
                    "indemnity": money(row.indemnity),
                    "claimed": money(row.claimed),
                }
                for row in rows
            ],
            "principal": money(totals.principal),
            "interest": money(totals.interest),
            "indemnity": money(totals.indemnity),
            "costs": money(totals.costs),
            "total": money(totals.total),
            "claim": money(totals.principal + totals.interest),
            "events": [
                {"date": self._date(event.day), "text": event.text}
                for event in self._chronology()
            ],
            "cerfa": rules.cerfa(self.route, self.court_kind),
            "today": self._date(fields.Date.context_today(self)),
            "notice": self.notice_id,
            "notice_presented": self._date(self.notice_id.presented_date),
            "terms": self.company_id.invoice_terms
            if "invoice_terms" in self.company_id._fields
            else "",
        }

    # ------------------------------------------------------------------
    # The ZIP
    # ------------------------------------------------------------------

    def _document_lang(self):
        """French when installed: the file goes to a French court."""
        installed = dict(self.env["res.lang"].get_installed())
        return "fr_FR" if "fr_FR" in installed else self.env.lang

    def _render(self, report_ref, res_ids):
        """(bytes, extension) of a report: PDF, or HTML where Odoo renders
        reports as HTML (tests, no wkhtmltopdf)."""
        content, kind = (
            self.env["ir.actions.report"]
            .with_context(report_pdf_no_attachment=True)
            ._render_qweb_pdf(report_ref, res_ids)
        )
        if isinstance(content, str):
            content = content.encode()
        return content, "pdf" if kind == "pdf" else "html"

    def _zip_files(self):
        """[(path, bytes)] of the file, in order."""
        self.ensure_one()
        court_file = self.with_context(lang=self._document_lang())
        files = []
        content, ext = court_file._render(
            "recouvrement_amiable.report_court_file", self.ids
        )
        files.append((f"{SUMMARY_NAME}.{ext}", content))
        rows = court_file._claim_rows()
        totals = rules.claim_totals(rows, self._costs_claimed())
        files.append((CLAIM_NAME, rules.claim_csv(rows, totals)))
        if self.route == rules.SMALL_CLAIMS:
            content, ext = court_file._render(
                "recouvrement_amiable.report_court_file_request", self.ids
            )
            files.append((f"{REQUEST_NAME}.{ext}", content))
        for move in self.move_ids.sorted(lambda m: (m.invoice_date_due, m.id)):
            name = rules.safe_file_name(move.name, "facture")
            pdf = move.invoice_pdf_report_id
            if pdf:
                files.append((f"{INVOICES_FOLDER}/{name}.pdf", pdf.raw))
            else:
                content, ext = court_file._render("account.account_invoices", move.ids)
                files.append((f"{INVOICES_FOLDER}/{name}.{ext}", content))
        notice = self.notice_id
        if notice:
            name = rules.safe_file_name(notice.name, "mise_en_demeure")
            if notice.attachment_id:
                ext = (notice.attachment_id.name or "").rpartition(".")[2] or "pdf"
                files.append(
                    (f"{NOTICE_FOLDER}/{name}.{ext}", notice.attachment_id.raw)
                )
            elif notice._document_report():
                content, ext = court_file._render(notice._document_report(), notice.ids)
                files.append((f"{NOTICE_FOLDER}/{name}.{ext}", content))
            if notice.proof_scan:
                scan_name = rules.safe_file_name(
                    notice.proof_scan_name or "accuse_de_reception.pdf"
                )
                files.append(
                    (
                        f"{NOTICE_FOLDER}/AR_{scan_name}",
                        base64.b64decode(notice.proof_scan),
                    )
                )
        statement = self._last_statement_action()
        if statement:
            content, ext = court_file._render(
                statement.policy_id.statement_report_id, statement.ids
            )
            files.append((f"{STATEMENT_NAME}.{ext}", content))
        return files

    def _last_statement_action(self):
        """The debtor's last performed reminder about these invoices whose
        policy has a statement: its statement is the last one sent."""
        actions = (
            self.env["recouvrement.action.line"]
            .search(
                [
                    ("move_id", "in", self.move_ids.ids),
                    ("action_state", "in", PERFORMED_STATES),
                ]
            )
            .action_id.filtered(lambda a: a.policy_id.statement_report_id)
        )
        return actions.sorted(lambda a: (a.contact_date or a.create_date, a.id))[-1:]

    def _build_zip_attachment(self):
        self.ensure_one()
        data = rules.build_zip(self._zip_files())
        name = rules.safe_file_name(
            f"{self.name}_{self.partner_id.commercial_partner_id.name}", "dossier"
        )
        return self.env["ir.attachment"].create(
            {
                "name": f"{name}.zip",
                "raw": data,
                "mimetype": "application/zip",
                "res_model": self._name,
                "res_id": self.id,
            }
        )

    @api.model
    def _report_values(self, docs):
        return {doc.id: doc._summary_values() for doc in docs}
