from collections import defaultdict

from markupsafe import escape

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

from ..tools.chatter import insert_notes
from .selections import (
    ACTIVE_CASE_STATES,
    CASE_STATES,
    NEW_CASE_STATE,
)


class RecouvrementCase(models.Model):
    """A debtor's file handed to a collection agency: its invoices, what was
    claimed on the transfer date, what was recovered since, the agency's
    commission. One case per debtor; the file of a hand-over (one for the
    batch) is a ``recouvrement.case.export`` only collection managers read.
    """

    _name = "recouvrement.case"
    _description = "Agency case"
    _inherit = ["mail.thread", "recouvrement.case.handover"]
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
