from collections import defaultdict

from markupsafe import Markup

from odoo import api, fields, models

from ..rules.agency_file import (
    Debtor,
    Invoice,
    Reminder,
    build_files,
)
from .selections import FILE_FORMATS, PERFORMED_STATES

# Plans that were agreed with the debtor (installment plans feature).
PAST_PLAN_EXCLUDED_STATES = ("draft", "cancelled")


class RecouvrementCaseExport(models.Model):
    """One hand-over to an agency, and its log: who transmitted which
    invoices to which agency, when, and the file (one for the batch). Only
    collection managers read it: the file holds debtors' personal data."""

    _name = "recouvrement.case.export"
    _description = "Agency file"
    _inherit = ["mail.thread"]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    agency_id = fields.Many2one(
        "res.partner",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    user_id = fields.Many2one(
        "res.users", string="Exported by", required=True, readonly=True
    )
    export_date = fields.Datetime(string="Exported on", required=True, readonly=True)
    transfer_date = fields.Date(required=True, readonly=True)
    file_format = fields.Selection(FILE_FORMATS, required=True, readonly=True)
    note = fields.Text(string="Note to the agency", readonly=True)
    # Its cases' invoices: stored with each case, not a second time here.
    move_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_move_ids",
        search="_search_move_ids",
    )
    case_ids = fields.One2many(
        "recouvrement.case", "export_id", string="Cases", readonly=True
    )
    attachment_ids = fields.Many2many(
        "ir.attachment",
        "recouvrement_case_export_attachment_rel",
        "export_id",
        "attachment_id",
        string="Files",
        readonly=True,
    )
    case_count = fields.Integer(compute="_compute_counts")
    invoice_count = fields.Integer(compute="_compute_counts")
    amount_claimed = fields.Monetary(string="Claimed", compute="_compute_counts")
    emailed = fields.Boolean(string="Sent by e-mail", readonly=True)

    @api.depends("case_ids.move_ids")
    def _compute_move_ids(self):
        for export in self:
            export.move_ids = export.case_ids.move_ids

    def _search_move_ids(self, operator, value):
        return [("case_ids.move_ids", operator, value)]

    @api.depends("case_ids.move_ids", "case_ids.amount_claimed")
    def _compute_counts(self):
        for export in self:
            export.case_count = len(export.case_ids)
            export.invoice_count = len(export.move_ids)
            export.amount_claimed = sum(export.case_ids.mapped("amount_claimed"))

    # ------------------------------------------------------------------
    # The file
    # ------------------------------------------------------------------

    def _prepare_files(self, file_cases, penalties, in_company):
        """Write the file of this export from the data of its cases, in this
        process (plain Python, ``rules.agency_file``); returns the function
        that attaches it to the export and returns the attachments, called
        once the export's cases exist. ``file_cases``: [(case reference,
        debtor, invoices, mandate reference)], the cases of the file, in
        their order; ``penalties`` and ``in_company``: {invoice id:
        (interest, indemnity)} in the invoice's and in the company's
        currency."""
        self.ensure_one()
        export = self.with_context(lang=self.agency_id.lang or self.env.lang)
        debtors, invoices, reminders = export._file_data(
            file_cases, penalties, in_company
        )
        title = export.env._(
            "Files handed to %(agency)s (%(ref)s)",
            agency=self.agency_id.name,
            ref=self.name,
        )
        files = build_files(
            debtors,
            invoices,
            reminders,
            self.transfer_date,
            export._file_labels(),
            self.file_format,
            self.name,
            title=title,
            author=self.company_id.name,
        )
        return lambda: self._attach_files(files)

    def _attach_files(self, files):
        """Attach ``files`` [(name, content, mimetype)] to this export."""
        attachments = self.env["ir.attachment"].create(
            [
                {
                    "name": name.replace("/", "-"),
                    "raw": content,
                    "mimetype": mimetype,
                    "res_model": self._name,
                    "res_id": self.id,
                    "type": "binary",
                }
                for name, content, mimetype in files
            ]
        )
        self.attachment_ids = [fields.Command.set(attachments.ids)]
        return attachments

    def _file_data(self, file_cases, penalties, in_company):
        """The plain dataclasses of the agency file: (debtors, invoices,
        reminders) of ``file_cases`` (see ``_prepare_files``). Only what the
        agency needs: no internal note."""
        # The invoices read as given (their environment: the cases').
        moves = (file_cases[0][2] if file_cases else self.env["account.move"]).browse(
            [
                move_id
                for _ref, _debtor, invoices, _mandate in file_cases
                for move_id in invoices.ids
            ]
        )
        agency = self.agency_id.with_company(self.company_id)
        common = {
            "currency": self.company_id.currency_id.name,
            "mandate_date": agency.recouvrement_agency_mandate_date or None,
        }
        ref_of_move = {
            move_id: ref
            for ref, _debtor, invoices, _mandate in file_cases
            for move_id in invoices.ids
        }
        # The debtors read together, as given (their environment).
        partners = (file_cases[0][1] if file_cases else self.env["res.partner"]).browse(
            [debtor.id for _ref, debtor, _invoices, _mandate in file_cases]
        )
        disputed = self._disputed_moves(moves)
        plans = self._past_plans(partners)
        debtors = [
            self._debtor_data(
                debtor,
                plans.get(debtor.id, 0),
                case_ref=ref,
                open_dispute=bool(disputed and not disputed.isdisjoint(invoices.ids)),
                mandate_ref=mandate_ref or "",
                **common,
            )
            for (ref, _debtor, invoices, mandate_ref), debtor in zip(
                file_cases, partners, strict=True
            )
        ]
        # Plain values read for the whole batch (one list per field), not
        # field by field for each of thousands of invoices.
        values = zip(
            moves,
            moves.mapped("name"),
            moves.mapped("invoice_date"),
            moves.mapped("invoice_date_due"),
            moves.mapped("amount_total"),
            moves.mapped("amount_residual"),
            moves.mapped("amount_residual_signed"),
            strict=True,
        )
        invoices = []
        for move, number, invoice_date, due_date, total, residual, signed in values:
            interest, indemnity = penalties.get(move.id, (0.0, 0.0))
            company_interest, company_indemnity = in_company[move.id]
            invoices.append(
                Invoice(
                    case_ref=ref_of_move[move.id],
                    number=number,
                    invoice_date=invoice_date,
                    due_date=due_date,
                    total=total,
                    residual=residual,
                    currency=move.currency_id.name,
                    level=move.recouvrement_level_id.name or "",
                    interest=interest,
                    indemnity=indemnity,
                    company_residual=signed,
                    company_interest=company_interest,
                    company_indemnity=company_indemnity,
                )
            )
        return debtors, invoices, self._reminder_data(moves, ref_of_move)

    def _debtor_data(self, partner, past_plans, **values):
        """The ``Debtor`` of ``partner``; ``values``: those of the case
        (reference, currency, mandate, open dispute)."""
        contact = self._contact_of(partner)
        registry = "".join((partner.company_registry or "").split())
        siret = partner.siret if "siret" in partner._fields else ""
        siren = registry
        if len(registry) == 14 and not siret:
            # A SIRET typed in the company ID field.
            siret, siren = registry, ""
        return Debtor(
            name=partner.name or "",
            professional=partner.recouvrement_debtor_type != "consumer",
            siren=siren,
            siret=siret or "",
            vat=partner.vat or "",
            street=partner.street or "",
            street2=partner.street2 or "",
            zip=partner.zip or "",
            city=partner.city or "",
            country_code=partner.country_id.code or "",
            country=partner.country_id.name or "",
            phone=partner.phone or contact.phone or "",
            mobile=partner.mobile or contact.mobile or "",
            email=contact.email or partner.email or "",
            contact=contact.name if contact != partner else "",
            past_plans=past_plans,
            **values,
        )

    @api.model
    def _contact_of(self, partner):
        """The debtor's invoicing contact, else its first contact person."""
        contact = None
        for child in partner.child_ids:
            if not (child.active and child.name):
                continue
            if child.type == "invoice":
                return child
            if contact is None and child.type == "contact":
                contact = child
        return contact or partner

    @api.model
    def _disputed_moves(self, moves):
        """Ids of the invoices with an open dispute (disputes feature)."""
        if "recouvrement_in_dispute" not in moves._fields:
            return set()
        return set(moves.filtered("recouvrement_in_dispute").ids)

    @api.model
    def _past_plans(self, partners):
        """{debtor id: installment plans agreed with it} (plans feature)."""
        Plan = self.env.get("recouvrement.plan")
        if Plan is None or not {"partner_id", "state"} <= set(Plan._fields):
            return {}
        return {
            partner.id: count
            for partner, count in Plan._read_group(
                [
                    ("partner_id", "in", partners.ids),
                    ("state", "not in", PAST_PLAN_EXCLUDED_STATES),
                ],
                groupby=["partner_id"],
                aggregates=["__count"],
            )
        }

    def _reminder_data(self, moves, ref_of_move):
        """Every reminder that reached the debtors about these invoices
        (agency proposals are internal: left out)."""
        lines = self.env["recouvrement.action.line"].search_fetch(
            [("move_id", "in", moves.ids), ("action_state", "in", PERFORMED_STATES)],
            ["action_id", "move_id"],
        )
        # Grouped on plain ids: thousands of lines, each compared as a
        # recordset by ``grouped``, cost more than the rest of the sheet.
        line_ids_of = defaultdict(list)
        for line in lines:
            line_ids_of[line.action_id.id].append(line.id)
        Action = self.env["recouvrement.action"]
        channels = dict(Action._fields["channel"]._description_selection(self.env))
        states = dict(Action._fields["state"]._description_selection(self.env))
        outcomes = dict(Action._fields["outcome"]._description_selection(self.env))
        promises = dict(
            Action._fields["promise_state"]._description_selection(self.env)
        )
        reminders = []
        for action in Action.browse(list(line_ids_of)):
            action_lines = lines.browse(line_ids_of[action.id])
            if action.channel == "agency":
                continue
            when = action.contact_date
            day = fields.Date.context_today(self, when) if when else action.planned_date
            outcome = outcomes.get(action.outcome) or states.get(action.state, "")
            if action.promise_state:
                outcome = self.env._(
                    "%(outcome)s: %(amount)s promised for %(date)s (%(state)s)",
                    outcome=outcome,
                    amount=f"{action.promise_amount:.2f} {action.currency_id.name}",
                    date=action.promise_date.strftime("%d/%m/%Y"),
                    state=promises[action.promise_state],
                )
            reminders.append(
                Reminder(
                    case_ref=ref_of_move[action_lines[0].move_id.id],
                    date=day,
                    reference=action.name or "",
                    channel=channels.get(action.channel, action.channel),
                    level=action.level_id.name or "",
                    invoice_numbers=tuple(action_lines.move_id.mapped("name")),
                    outcome=outcome,
                )
            )
        return reminders

    def _file_labels(self):
        """Column titles and words of the file, in the context's language."""
        _ = self.env._
        return {
            "case_ref": _("Case reference"),
            "debtor": _("Debtor"),
            "debtor_type": _("Debtor type"),
            "legal_form": _("Legal form"),
            "siren": _("SIREN"),
            "siren_check": _("SIREN check"),
            "siret": _("SIRET"),
            "siret_check": _("SIRET check"),
            "vat": _("VAT number"),
            "vat_check": _("VAT check"),
            "address": _("Address"),
            "zip": _("ZIP"),
            "city": _("City"),
            "country": _("Country"),
            "phone": _("Phone"),
            "phone_check": _("Phone check"),
            "mobile": _("Mobile"),
            "mobile_check": _("Mobile check"),
            "email": _("E-mail"),
            "contact": _("Contact person"),
            "invoice_count": _("Invoices"),
            "principal": _("Principal due"),
            "interest": _("Late-payment interest"),
            "indemnity": _("Recovery indemnities"),
            "total_claimed": _("Total claimed"),
            "currency": _("Currency"),
            "oldest_due_date": _("Oldest due date"),
            "last_reminder_date": _("Last reminder"),
            "last_reminder_channel": _("Last reminder channel"),
            "open_dispute": _("Open dispute"),
            "past_plans": _("Past installment plans"),
            "mandate_ref": _("Mandate reference"),
            "mandate_date": _("Mandate date"),
            "invoice": _("Invoice"),
            "invoice_date": _("Invoice date"),
            "due_date": _("Due date"),
            "total": _("Invoice total"),
            "residual": _("Amount due"),
            "days_overdue": _("Days overdue"),
            "level": _("Dunning level"),
            "invoice_indemnity": _("Recovery indemnity"),
            "date": _("Date"),
            "reference": _("Reminder"),
            "channel": _("Channel"),
            "invoices": _("Invoices"),
            "outcome": _("Outcome"),
            "ok": _("OK"),
            "missing": _("Missing"),
            "invalid": _("Invalid"),
            "reason_format": _("wrong format"),
            "reason_checksum": _("wrong check digit"),
            "reason_not_mobile": _("not a mobile number"),
            "reason_unknown_number": _("number does not exist"),
            "yes": _("Yes"),
            "no": _("No"),
            "professional": _("Professional"),
            "consumer": _("Consumer"),
        }

    # ------------------------------------------------------------------
    # Delivery
    # ------------------------------------------------------------------

    def _send_by_email(self):
        """E-mail the file to the agency (logged in this export's chatter)."""
        self.ensure_one()
        agency = self.agency_id.with_company(self.company_id)
        export = self.with_context(lang=agency.lang or self.env.lang)
        acting = dict(
            self.env["res.partner"]
            ._fields["recouvrement_agency_acting"]
            ._description_selection(export.env)
        )[agency.recouvrement_agency_acting or "own"]
        paragraphs = [
            export.env._(
                "Please find attached the files of %(count)s debtor(s) handed over "
                "under mandate %(mandate)s, to be recovered %(acting)s.",
                count=len(self.case_ids),
                mandate=agency.recouvrement_agency_mandate_ref or "",
                acting=acting.lower(),
            ),
            export.env._(
                "Case references: %(refs)s.",
                refs=", ".join(self.case_ids.mapped("name")),
            ),
        ]
        if self.note:
            paragraphs.append(self.note)
        body = Markup("").join(Markup("<p>%s</p>") % text for text in paragraphs)
        self.message_post(
            body=body,
            subject=export.env._(
                "%(company)s: files handed over (%(ref)s)",
                company=self.company_id.name,
                ref=self.name,
            ),
            partner_ids=agency.ids,
            attachment_ids=self.attachment_ids.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        self.emailed = True

    def action_open_cases(self):
        return self.case_ids._get_records_action(name=self.env._("Agency cases"))
