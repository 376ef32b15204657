from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round, format_date

from ..rules import interest as interest_rules
from ..tools.chatter import insert_notes
from ..tools.formatting import Formatter
from .selections import (
    ACTIVE_CASE_STATES,
    CREATION_COMPUTED_FIELDS,
    NEW_CASE_STATE,
    TRANSMITTED_MOVE_FIELDS,
)


class RecouvrementCaseHandover(models.AbstractModel):
    """Handing debtors' invoices to a collection agency: the checks, the
    cases and their claim on the transfer date (interest and indemnities),
    the file, the notes, the internal reminders stopped."""

    _name = "recouvrement.case.handover"
    _description = "Agency case: hand-over"

    @api.model
    def _active_cases_of(self, moves):
        return self.search(
            [("move_ids", "in", moves.ids), ("state", "in", ACTIVE_CASE_STATES)]
        )

    @api.model
    def _check_transmittable(self, moves, agency, send_email=False):
        """Refuse, with a clear message, what cannot be handed over."""
        if not moves:
            raise UserError(
                self.env._("Select the invoices to transmit to the agency.")
            )
        wrong = moves.filtered(
            lambda m: (
                m.move_type != "out_invoice"
                or m.state != "posted"
                or m.currency_id.is_zero(m.amount_residual)
            )
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only posted customer invoices with an amount due can be "
                    "transmitted to an agency: %(invoices)s.",
                    invoices=", ".join(wrong.mapped("display_name")),
                )
            )
        # --- court file --- an invoice sent to court stays with the court.
        judicial = self.env["recouvrement.court.file"]._recouvrement_blocked_moves(
            moves, fields.Date.context_today(self)
        )
        if judicial:
            raise UserError(
                self.env._(
                    "These invoices were sent to court: %(invoices)s.",
                    invoices=", ".join(
                        moves.browse(list(judicial)).mapped("display_name")
                    ),
                )
            )
        if len(moves.company_id) > 1:
            raise UserError(
                self.env._(
                    "Transmit the invoices of one company at a time: the mandate "
                    "is given by one company."
                )
            )
        if not agency or not agency.recouvrement_is_agency:
            raise UserError(
                self.env._(
                    "%(partner)s is not a collection agency: tick “Collection "
                    "agency” on the partner first.",
                    partner=agency.display_name,
                )
            )
        agency = agency.with_company(moves.company_id)
        if not (agency.recouvrement_agency_mandate_ref or "").strip():
            raise UserError(
                self.env._(
                    "Record the reference of the written mandate given to "
                    "%(agency)s before handing files over (French law requires "
                    "a written mandate, R124-3 CPCE).",
                    agency=agency.display_name,
                )
            )
        if send_email and not agency.email:
            raise UserError(
                self.env._(
                    "%(agency)s has no e-mail address: the file cannot be sent "
                    "by e-mail.",
                    agency=agency.display_name,
                )
            )
        held = self._active_cases_of(moves)
        if held:
            raise UserError(
                self.env._(
                    "These invoices are already with an agency: %(cases)s. "
                    "Recall the case before transmitting them again.",
                    cases="; ".join(
                        self.env._(
                            "%(invoices)s in case %(case)s (%(agency)s)",
                            invoices=", ".join(
                                (case.move_ids & moves).mapped("display_name")
                            ),
                            case=case.name,
                            agency=case.agency_id.display_name,
                        )
                        for case in held
                    ),
                )
            )

    @api.model
    def _transmit(self, moves, agency, note=False, file_format=None, send_email=None):
        """Hand ``moves`` over to ``agency``: one case per debtor, one file
        for the batch, attached to the export (managers only), invoices
        marked as with the agency, chatter of invoices and debtors, pending
        internal reminders cancelled. Returns the
        ``recouvrement.case.export``."""
        # The invoices' fields a hand-over reads, for all of them at once:
        # the first access to one would fetch its hundred columns.
        moves.fetch([name for name in TRANSMITTED_MOVE_FIELDS if name in moves._fields])
        company = moves.company_id[:1]
        agency = agency.with_company(company) if agency else agency
        if send_email is None:
            send_email = agency.recouvrement_agency_send_email if agency else False
        self._check_transmittable(moves, agency, send_email)
        today = fields.Date.context_today(self)
        file_format = file_format or agency.recouvrement_agency_file_format or "xlsx"

        Case = self.with_company(company).with_context(mail_create_nosubscribe=True)
        export = (
            self.env["recouvrement.case.export"]
            .with_context(mail_create_nosubscribe=True)
            .create(
                {
                    "name": Case._next_references("recouvrement.case.export")[0],
                    "company_id": company.id,
                    "agency_id": agency.id,
                    "user_id": self.env.uid,
                    "export_date": fields.Datetime.now(),
                    "transfer_date": today,
                    "file_format": file_format,
                    "note": note or False,
                }
            )
        )
        by_debtor = moves.with_env(Case.env).grouped("commercial_partner_id")
        penalties = self._agency_penalties(moves, today)
        names = Case._next_references("recouvrement.case", len(by_debtor))
        vals_list = []
        in_company = self._company_penalties(moves, penalties, today)
        paid = Case._payments_by_move(moves)
        round_ = company.currency_id.round
        for name, (debtor, debtor_moves) in zip(names, by_debtor.items(), strict=True):
            principal = round_(sum(debtor_moves.mapped("amount_residual_signed")))
            interest = indemnity = 0.0
            for move_id in debtor_moves.ids:
                move_interest, move_indemnity = in_company[move_id]
                interest += move_interest
                indemnity += move_indemnity
            interest, indemnity = round_(interest), round_(indemnity)
            recovered, commission = Case._recovered(
                paid,
                debtor_moves.ids,
                today,
                agency.recouvrement_agency_commission,
                company.currency_id,
            )
            vals_list.append(
                {
                    "name": name,
                    "company_id": company.id,
                    "agency_id": agency.id,
                    "partner_id": debtor.id,
                    "move_ids": [fields.Command.set(debtor_moves.ids)],
                    "transfer_date": today,
                    "user_id": self.env.uid,
                    "note": note or False,
                    "mandate_ref": agency.recouvrement_agency_mandate_ref,
                    "commission_rate": agency.recouvrement_agency_commission,
                    "amount_principal": principal,
                    "amount_interest": interest,
                    "amount_indemnity": indemnity,
                    # What their computations give on the transfer date,
                    # stored with the case instead of recomputed for 2,000
                    # cases and written again.
                    "amount_claimed": round_(principal + interest + indemnity),
                    "amount_residual": principal,
                    "amount_recovered": recovered,
                    "amount_commission": commission,
                    "is_active": NEW_CASE_STATE in ACTIVE_CASE_STATES,
                    "export_id": export.id,
                }
            )
        # The file is written from the data gathered (plain Python), then
        # attached once the cases, their notes and the reminders are in the
        # database.
        attach_files = export._prepare_files(
            [
                (vals["name"], debtor, debtor_moves, vals["mandate_ref"])
                for vals, (debtor, debtor_moves) in zip(
                    vals_list, by_debtor.items(), strict=True
                )
            ],
            penalties,
            in_company,
        )
        # mail.thread would log the creation notes one sanitised body per
        # case: _log_creation logs them in one INSERT. Nothing is tracked at
        # creation (the state, the one tracked field, is not in the values):
        # mail_notrack spares the tracking set-up of the company currency
        # Odoo computes on a new record for each amount it stores. The cases
        # go on without these keys, which must not reach what comes next.
        cases = Case.with_context(mail_create_nolog=True, mail_notrack=True).create(
            vals_list
        )
        cases = cases.with_env(Case.env)
        # Writing the invoices into the new cases marked the amounts given
        # above to be computed again: Odoo protects only editable and
        # precomputed fields. They are what the computations give.
        for fname in CREATION_COMPUTED_FIELDS:
            self.env.remove_to_compute(Case._fields[fname], cases)
        cases._log_creation()
        cases._log_transfer()
        cases._stop_internal_reminders()
        attach_files()
        if send_email:
            export._send_by_email()
        return export

    @api.model
    def _next_references(self, code, count=1):
        """``count`` references of the sequence ``code``, as ``next_by_code``
        draws them one by one (two queries each): one query for a batch."""
        Sequence = self.env["ir.sequence"]
        Sequence.browse().check_access("read")
        sequence = Sequence.search(
            [("code", "=", code), ("company_id", "in", [self.env.company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence:
            return [False] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            # Gapless sequences lock a row, date ranges have their own
            # sequence: Odoo draws those.
            return [sequence.next_by_id() for _index in range(count)]
        # The PostgreSQL sequence of a standard ir.sequence (ir_sequence.py);
        # no ORM method draws several numbers at once.
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        # get_next_char's format, with the prefix and suffix interpolated once.
        prefix, suffix = sequence._get_prefix_suffix()
        return [
            f"{prefix}{number:0{sequence.padding}d}{suffix}"
            for (number,) in self.env.cr.fetchall()
        ]

    @api.model
    def _to_company_currency(self, move, amount, on_date):
        """``amount`` in the invoice's currency, in its company's currency."""
        # Read through company_id: the related company_currency_id would be
        # computed for each of thousands of invoices.
        company_currency = move.company_id.currency_id
        if not amount or move.currency_id == company_currency:
            return amount
        return move.currency_id._convert(
            amount, company_currency, move.company_id, on_date
        )

    @api.model
    def _company_penalties(self, moves, penalties, on_date):
        """{invoice id: (interest, indemnity)}: ``penalties`` (by invoice id,
        in the invoice currency) in the invoice's company currency, as
        ``_to_company_currency`` gives each; only invoices in another
        currency are converted."""
        result = {}
        for move in moves:
            interest, indemnity = penalties.get(move.id, (0.0, 0.0))
            if (interest or indemnity) and (
                move.currency_id != move.company_id.currency_id
            ):
                interest = self._to_company_currency(move, interest, on_date)
                indemnity = self._to_company_currency(move, indemnity, on_date)
            result[move.id] = (interest, indemnity)
        return result

    def _log_creation(self):
        """The note "Agency case created" that ``mail.thread`` logs on new
        records, for a batch of cases in one INSERT, unless the context asks
        ``mail.thread`` not to."""
        context = self.env.context
        if (
            not self
            or context.get("tracking_disable")
            or context.get("mail_create_nolog")
        ):
            return
        # The body as mail.message stores it (escaped, then sanitised): the
        # same for every case, sanitised once.
        Message = self.env["mail.message"]
        body = Message._fields["body"].convert_to_cache(
            escape(self[:1]._creation_message()), Message
        )
        insert_notes(self.env, self._name, dict.fromkeys(self.ids, body))

    def _log_transfer(self):
        """Chatter of the cases, their invoices and their debtors (batch)."""
        case_bodies, move_bodies, partner_bodies = {}, {}, {}
        # A batch shares its transfer date: formatted once.
        dates = {
            day: format_date(self.env, day) for day in set(self.mapped("transfer_date"))
        }
        # format_amount's text, the language and currency looked up once.
        formatter = Formatter(self.env)
        for case in self:
            body = escape(
                self.env._(
                    "Handed over to the collection agency %(agency)s on %(date)s "
                    "(case %(case)s, %(amount)s claimed): internal reminders stop.",
                    agency=case.agency_id.display_name,
                    date=dates[case.transfer_date],
                    case=case.name,
                    amount=formatter.amount(case.amount_claimed, case.currency_id),
                )
            )
            case_bodies[case.id] = body
            partner_bodies[case.partner_id.id] = body
            move_bodies.update(dict.fromkeys(case.move_ids.ids, body))
        insert_notes(self.env, self._name, case_bodies)
        insert_notes(self.env, "account.move", move_bodies)
        insert_notes(self.env, "res.partner", partner_bodies)

    def _stop_internal_reminders(self):
        """Pending reminders about the transmitted invoices are cancelled
        (the next run plans the debtor's other invoices again); the agency
        proposals they answer are done."""
        moves = self.move_ids
        actions = self.env["recouvrement.action"].search(
            [
                ("line_ids.move_id", "in", moves.ids),
                "|",
                ("state", "in", ("waiting", "to_validate", "failed")),
                "&",
                ("state", "=", "to_do"),
                ("channel", "=", "agency"),
            ]
        )
        pending = actions.filtered(lambda a: a.state != "to_do")
        if pending:
            pending.action_cancel()
        proposals = actions - pending
        with_activity = proposals.filtered("activity_id")
        for action in with_activity:
            action.activity_id.action_feedback(
                feedback=self.env._("Handed over to the collection agency.")
            )
        (proposals - with_activity).write({"state": "done"})

    # ------------------------------------------------------------------
    # Claim: interest and indemnities on the transfer date
    # ------------------------------------------------------------------

    @api.model
    def _agency_penalties(self, moves, on_date):
        """{invoice id: (interest, indemnity)} in the invoice currency on
        ``on_date``: what the creditor may claim beyond the principal.

        With the penalties feature (``recouvrement.penalty``), its claims:
        interest at the half-year rates (or the contractual rate) on each
        outstanding amount, consumers from the formal notice, the 40 EUR
        indemnity per invoice paid late for professionals, less what penalty
        invoices already charged; a missing half-year rate stops the
        hand-over with the reason, never a zero rate. Without it, only the
        flat indemnity of professionals (``rules.interest``) is claimed and
        interest stays 0.0.
        """
        Penalty = self.env.get("recouvrement.penalty")
        if Penalty is not None and hasattr(Penalty, "_recouvrement_claims"):
            claims = Penalty._recouvrement_claims(moves, on_date)
            result = {}
            roundings = {}  # currency id: rounding (currency.round per invoice)
            for move in moves:
                claim = claims.get(move.id)
                if claim is None:
                    result[move.id] = (0.0, 0.0)
                    continue
                if claim.error:
                    self.env["recouvrement.legal.rate"]._raise_missing_rate(claim.error)
                currency = move.currency_id
                if currency.id not in roundings:
                    roundings[currency.id] = currency.rounding
                rounding = roundings[currency.id]
                result[move.id] = (
                    float_round(claim.interest, precision_rounding=rounding),
                    float_round(claim.indemnity, precision_rounding=rounding),
                )
            return result
        eur = self.env.ref("base.EUR")
        result = {}
        for move in moves:
            due = move.invoice_date_due
            late = bool(due and due < on_date)
            indemnity = float(
                interest_rules.recovery_indemnity(
                    move.commercial_partner_id.recouvrement_debtor_type
                    or interest_rules.PROFESSIONAL,
                    late,
                )
            )
            if indemnity and move.currency_id != eur:
                indemnity = eur._convert(
                    indemnity, move.currency_id, move.company_id, on_date
                )
            result[move.id] = (0.0, move.currency_id.round(indemnity))
        return result
