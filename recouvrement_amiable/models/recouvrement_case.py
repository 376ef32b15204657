from collections import defaultdict

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_round, format_amount, format_date

from ..rules import interest as interest_rules
from ..tools.chatter import insert_notes
from ..tools.formatting import Formatter

CASE_STATES = [
    ("sent", "Sent"),
    ("in_progress", "In progress"),
    ("closed_recovered", "Closed: recovered"),
    ("closed_partial", "Closed: partly recovered"),
    ("closed_unrecoverable", "Closed: unrecoverable"),
    ("recalled", "Recalled"),
]
# States in which the agency holds the file: internal reminders stop and the
# invoices cannot be transmitted again.
ACTIVE_CASE_STATES = ("sent", "in_progress")
# A case handed over just now.
NEW_CASE_STATE = "sent"
# Stored computed fields _transmit gives at creation, as computed on the
# transfer date.
CREATION_COMPUTED_FIELDS = (
    "amount_claimed",
    "amount_residual",
    "amount_recovered",
    "amount_commission",
    "is_active",
)

# What a hand-over reads of its invoices (checks, amounts, the file).
TRANSMITTED_MOVE_FIELDS = (
    "name",
    "move_type",
    "state",
    "company_id",
    "currency_id",
    "commercial_partner_id",
    "invoice_date",
    "invoice_date_due",
    "amount_total",
    "amount_residual",
    "amount_residual_signed",
    "recouvrement_level_id",
    "recouvrement_in_dispute",
    "recouvrement_is_penalty_invoice",
)

FILE_FORMATS = [("xlsx", "XLSX"), ("csv", "CSV (semicolon, UTF-8)")]
ACTING_NAMES = [
    ("creditor", "In the creditor's name (white label)"),
    ("own", "In its own name"),
]


class RecouvrementCase(models.Model):
    """A debtor's file handed to a collection agency: its invoices, what was
    claimed on the transfer date, what was recovered since, the agency's
    commission. One case per debtor; the file of a hand-over (one for the
    batch) is a ``recouvrement.case.export`` only collection managers read.
    """

    _name = "recouvrement.case"
    _description = "Agency case"
    _inherit = ["mail.thread"]
    _order = "transfer_date desc, id desc"
    _check_company_auto = True

    name = fields.Char(string="Reference", required=True, readonly=True, copy=False)
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    # The company's: computed, neither stored nor related. To read a stored
    # or related currency, Odoo makes a new record per amount of each new
    # case (seconds for the 2,000 cases of a hand-over); with this one, the
    # amounts are inserted as given (_transmit rounds them) and rounded in
    # it whenever they are computed again.
    currency_id = fields.Many2one("res.currency", compute="_compute_currency_id")
    agency_id = fields.Many2one(
        "res.partner",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
        domain="[('recouvrement_is_agency', '=', True)]",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        readonly=True,
        index=True,
        check_company=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        "recouvrement_case_move_rel",
        "case_id",
        "move_id",
        string="Invoices",
        readonly=True,
        check_company=True,
    )
    invoice_count = fields.Integer(compute="_compute_invoice_count")
    state = fields.Selection(
        CASE_STATES,
        required=True,
        default=NEW_CASE_STATE,
        readonly=True,
        index=True,
        tracking=True,
    )
    is_active = fields.Boolean(
        string="Active case",
        compute="_compute_is_active",
        store=True,
        help="The agency holds the file: no internal reminder for its invoices.",
    )
    transfer_date = fields.Date(required=True, readonly=True, index=True)
    user_id = fields.Many2one("res.users", string="Transferred by", readonly=True)
    date_closed = fields.Date(string="Closed on", readonly=True, copy=False)
    note = fields.Text(string="Note to the agency", readonly=True)
    mandate_ref = fields.Char(string="Mandate reference", readonly=True)
    commission_rate = fields.Float(
        string="Commission (%)",
        digits=(16, 2),
        readonly=True,
        help="The agency's commission rate on the transfer date.",
    )
    amount_principal = fields.Monetary(
        string="Principal",
        readonly=True,
        help="Amount due on the invoices on the transfer date.",
    )
    amount_interest = fields.Monetary(
        string="Interest",
        readonly=True,
        help="Late-payment interest to the transfer date.",
    )
    amount_indemnity = fields.Monetary(
        string="Indemnities",
        readonly=True,
        help="Flat recovery indemnities (professional debtors).",
    )
    amount_claimed = fields.Monetary(
        string="Claimed",
        compute="_compute_amount_claimed",
        store=True,
        help="Principal, interest and indemnities handed to the agency.",
    )
    amount_residual = fields.Monetary(
        string="Still due",
        compute="_compute_amount_residual",
        store=True,
        help="What the debtor still owes on the invoices of the case.",
    )
    amount_recovered = fields.Monetary(
        string="Recovered",
        compute="_compute_amount_recovered",
        store=True,
        help="Payments received on the invoices since the transfer date.",
    )
    amount_commission = fields.Monetary(
        string="Commission",
        compute="_compute_amount_recovered",
        store=True,
        help="The agency's commission on the recovered amount.",
    )
    export_id = fields.Many2one(
        "recouvrement.case.export",
        string="Agency file",
        readonly=True,
        index=True,
        ondelete="restrict",
        groups="recouvrement_amiable.group_recouvrement_manager",
    )
    attachment_ids = fields.Many2many(
        related="export_id.attachment_ids",
        string="Files",
        groups="recouvrement_amiable.group_recouvrement_manager",
    )

    _sql_constraints = [
        ("name_unique", "UNIQUE(company_id, name)", "A case reference is unique."),
    ]

    @api.depends("company_id")
    def _compute_currency_id(self):
        # A company's currency does not change once it has entries.
        for case in self:
            case.currency_id = case.company_id.currency_id

    @api.depends("move_ids")
    def _compute_invoice_count(self):
        for case in self:
            case.invoice_count = len(case.move_ids)

    @api.depends("state")
    def _compute_is_active(self):
        for case in self:
            case.is_active = case.state in ACTIVE_CASE_STATES

    @api.depends("amount_principal", "amount_interest", "amount_indemnity")
    def _compute_amount_claimed(self):
        for case in self:
            case.amount_claimed = (
                case.amount_principal + case.amount_interest + case.amount_indemnity
            )

    @api.depends("move_ids.amount_residual_signed")
    def _compute_amount_residual(self):
        for case in self:
            case.amount_residual = sum(case.move_ids.mapped("amount_residual_signed"))

    @api.depends("move_ids.amount_residual", "transfer_date", "commission_rate")
    def _compute_amount_recovered(self):
        paid = self._payments_by_move(self.move_ids)
        for case in self:
            case.amount_recovered, case.amount_commission = self._recovered(
                paid,
                case.move_ids.ids,
                case.transfer_date,
                case.commission_rate,
                case.currency_id,
            )

    @api.model
    def _payments_by_move(self, moves):
        """{invoice id: [(date, amount)]}: the payments (and bank statement
        lines) reconciled with the invoices' receivable lines; credit notes
        and write-offs are not recovered money."""
        # The receivable lines in the domain: reading every line of thousands
        # of invoices to filter them costs seconds at hand-over.
        # Only the fields used here are read, not every column of the lines.
        partials = self.env["account.partial.reconcile"].search_fetch(
            [
                ("debit_move_id.move_id", "in", moves.ids),
                ("debit_move_id.account_type", "=", "asset_receivable"),
            ],
            ["debit_move_id", "credit_move_id", "amount"],
        )
        partials.debit_move_id.fetch(["move_id"])
        partials.credit_move_id.fetch(["payment_id", "statement_line_id", "date"])
        paid = defaultdict(list)
        for partial in partials:
            counterpart = partial.credit_move_id
            if counterpart.payment_id or counterpart.statement_line_id:
                paid[partial.debit_move_id.move_id.id].append(
                    (counterpart.date, partial.amount)
                )
        return paid

    @api.model
    def _recovered(self, paid, move_ids, transfer_date, commission_rate, currency):
        """(recovered, commission) in ``currency``, the company's: the payments
        ``paid`` (see ``_payments_by_move``) of the invoices ``move_ids``
        dated on or after the transfer date, and the agency's commission on
        them."""
        recovered = currency.round(
            sum(
                amount
                for move_id in move_ids
                for day, amount in paid.get(move_id, ())
                if transfer_date and day >= transfer_date
            )
        )
        return recovered, currency.round(recovered * commission_rate / 100.0)

    def _check_company(self, fnames=None):
        """Odoo's check of the records' companies, for cases of one company
        checked together: Odoo runs a ``filtered_domain`` per case and field,
        6,000 for the 2,000 cases of a hand-over. Should a value belong to
        another company, Odoo's own check runs and names it."""
        if len(self) < 2 or len(self.grouped("company_id")) != 1:
            return super()._check_company(fnames)
        company = self[:1].company_id
        if fnames is None or {"company_id", "company_ids"} & set(fnames):
            fnames = self._fields
        # sudo: as Odoo's check, which reads the values whatever the rights.
        cases = self.sudo()
        for name in fnames:
            field = self._fields[name]
            if not (field.relational and field.check_company):
                continue
            corecords = cases.mapped(name)
            domain = corecords and corecords._check_company_domain(company)
            if field.company_dependent or (
                domain
                and corecords
                != corecords.with_context(active_test=False).filtered_domain(domain)
            ):
                return super()._check_company(fnames)
        return None

    # ------------------------------------------------------------------
    # Feature hook of the dunning run
    # ------------------------------------------------------------------

    @api.model
    def _recouvrement_blocked_moves(self, moves, on_date):
        """{invoice id: reason} for the invoices an agency holds: the run
        sends no internal reminder about them."""
        # sudo: the run must leave out every invoice held by an agency,
        # whoever runs it (a collector, the cron).
        cases = (
            self.sudo()
            ._active_cases_of(moves)
            .filtered(lambda c: c.transfer_date <= on_date)
        )
        blocked = {}
        for case in cases:
            reason = self.env._(
                "With the agency %(agency)s (case %(case)s)",
                agency=case.agency_id.display_name,
                case=case.name,
            )
            for move in case.move_ids & moves:
                blocked[move.id] = reason
        return blocked

    # ------------------------------------------------------------------
    # Hand-over
    # ------------------------------------------------------------------

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

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    def _check_state(self, states, message):
        wrong = self.filtered(lambda c: c.state not in states)
        if wrong:
            raise UserError(
                message + " " + ", ".join(wrong.mapped("name")),
            )

    def action_start(self):
        """The agency acknowledged the file and works on it."""
        self._check_state(
            ("sent",), self.env._("Only cases sent to the agency can start:")
        )
        self.write({"state": "in_progress"})
        return True

    def action_close(self):
        """Close the cases; the outcome follows the amounts: fully paid,
        partly recovered, or nothing recovered."""
        self._check_state(
            ACTIVE_CASE_STATES, self.env._("Only open cases can be closed:")
        )
        today = fields.Date.context_today(self)
        for case in self:
            if case.currency_id.is_zero(case.amount_residual):
                state = "closed_recovered"
            elif case.currency_id.compare_amounts(case.amount_recovered, 0) > 0:
                state = "closed_partial"
            else:
                state = "closed_unrecoverable"
            case.write({"state": state, "date_closed": today})
        self._message_log_batch(
            bodies={
                case.id: escape(
                    self.env._(
                        "Case closed: %(recovered)s recovered, %(residual)s still "
                        "due, commission %(commission)s.",
                        recovered=format_amount(
                            self.env, case.amount_recovered, case.currency_id
                        ),
                        residual=format_amount(
                            self.env, case.amount_residual, case.currency_id
                        ),
                        commission=format_amount(
                            self.env, case.amount_commission, case.currency_id
                        ),
                    )
                )
                for case in self
            }
        )
        return True

    def action_recall(self):
        """Take the files back from the agency: the invoices come back into
        internal recovery at the level they had reached."""
        self._check_state(
            ACTIVE_CASE_STATES, self.env._("Only open cases can be recalled:")
        )
        self.write(
            {"state": "recalled", "date_closed": fields.Date.context_today(self)}
        )
        case_bodies, move_bodies, partner_bodies = {}, {}, {}
        for case in self:
            text = self.env._(
                "Recalled from the collection agency %(agency)s (case %(case)s): "
                "internal recovery resumes.",
                agency=case.agency_id.display_name,
                case=case.name,
            )
            case_bodies[case.id] = escape(text)
            partner_bodies[case.partner_id.id] = escape(text)
            for move in case.move_ids:
                level = move.recouvrement_level_id
                move_bodies[move.id] = escape(
                    text
                    + (
                        " " + self.env._("Level kept: %(level)s.", level=level.name)
                        if level
                        else ""
                    )
                )
        insert_notes(self.env, self._name, case_bodies)
        insert_notes(self.env, "account.move", move_bodies)
        insert_notes(self.env, "res.partner", partner_bodies)
        return True

    def action_register_agency_payment(self):
        """Register what the agency reports it collected, against the
        invoices of the case (Odoo's payment wizard)."""
        self.ensure_one()
        if self.state not in ACTIVE_CASE_STATES:
            raise UserError(
                self.env._("Agency payments are registered on open cases only.")
            )
        moves = self.move_ids.filtered(
            lambda m: (
                m.state == "posted" and not m.currency_id.is_zero(m.amount_residual)
            )
        )
        if not moves:
            raise UserError(self.env._("The invoices of this case are paid."))
        action = moves.action_register_payment()
        action["context"] = dict(
            action.get("context") or {},
            default_communication=self.env._(
                "%(case)s - %(agency)s", case=self.name, agency=self.agency_id.name
            ),
            default_group_payment=True,
        )
        return action

    def action_open_invoices(self):
        return self.move_ids._get_records_action(name=self.env._("Invoices"))

    def action_open_export(self):
        self.ensure_one()
        return self.export_id._get_records_action(name=self.env._("Agency file"))
