"""A court or small-claims file prepared from the amicable history.

When the formal notice failed, a collection manager prepares the file of a
debtor's invoices: the route proposed (small claims up to 5,000 EUR, else an
injonction de payer before the competent court), the itemised claim, the
chronology of the amicable steps and the documents, in a ZIP
(``recouvrement.court.file.documents``). The invoices become "judicial":
reminders stop, and no payment plan or agency takes them. The add-on
prepares the file; it files nothing. Filing date, court reference, outcome
and costs advanced are recorded afterwards; the filing date interrupts the
prescription (court claim, Code civil 2241).
"""

from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..rules import court_file as rules
from .selections import JUDICIAL_STATES

COURT_FILE_STATES = [
    ("draft", "Draft"),
    ("prepared", "Prepared"),
    ("filed", "Filed"),
    ("closed", "Closed"),
    ("cancelled", "Cancelled"),
]
# States in which the invoices are judicial: no reminder, plan or agency.
ROUTES = [
    (rules.SMALL_CLAIMS, "Small-claims procedure (commissaire de justice)"),
    (rules.INJONCTION, "Order for payment (injonction de payer)"),
]
COURT_KINDS = [
    (rules.COMMERCIAL_COURT, "Commercial court"),
    (rules.JUDICIAL_COURT, "Tribunal judiciaire"),
]
OUTCOMES = [
    ("granted", "Order granted"),
    ("opposition", "Opposition"),
    ("paid", "Paid"),
]


class RecouvrementCourtFile(models.Model):
    _name = "recouvrement.court.file"
    _description = "Court file"
    _inherit = [
        "mail.thread",
        "recouvrement.court.file.documents",
        "recouvrement.court.file.dunning",
    ]
    _order = "id desc"
    _check_company_auto = True

    name = fields.Char(
        string="Reference", compute="_compute_name", store=True, readonly=True
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        readonly=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(
        "res.currency",
        compute="_compute_currency_id",
        store=True,
        help="The invoices' currency.",
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Debtor",
        required=True,
        index=True,
        check_company=True,
        tracking=True,
        readonly=True,
    )
    move_ids = fields.Many2many(
        "account.move",
        "recouvrement_court_file_move_rel",
        "court_file_id",
        "move_id",
        string="Invoices",
        check_company=True,
        readonly=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('commercial_partner_id', '=', partner_id)]",
    )
    state = fields.Selection(
        COURT_FILE_STATES,
        required=True,
        default="draft",
        readonly=True,
        index=True,
        tracking=True,
        copy=False,
    )
    notice_id = fields.Many2one(
        "recouvrement.action",
        string="Formal notice",
        compute="_compute_notice",
        help="The last formal notice about these invoices that reached the debtor.",
    )
    notice_presented_date = fields.Date(
        string="Notice presented on", compute="_compute_notice"
    )
    notice_deadline = fields.Date(
        string="Notice deadline",
        compute="_compute_notice",
        help="Last day the formal notice gave the debtor to pay.",
    )
    override_reason = fields.Text(
        help="A collection manager's reason to prepare the file without a "
        "formal notice presented and past its deadline.",
        tracking=True,
    )
    amount_principal = fields.Monetary(
        string="Principal", readonly=True, help="Amount due on the invoices."
    )
    amount_interest = fields.Monetary(
        string="Interest", readonly=True, help="Late-payment interest."
    )
    amount_indemnity = fields.Monetary(
        string="Indemnities", readonly=True, help="40 EUR per invoice paid late."
    )
    amount_claim = fields.Monetary(
        string="Claim (principal and interest)",
        compute="_compute_totals",
        store=True,
        help="What decides the route: small claims up to 5,000 EUR.",
    )
    court_fees = fields.Monetary(string="Court fees advanced", tracking=True)
    bailiff_fees = fields.Monetary(
        string="Commissaire de justice fees advanced", tracking=True
    )
    costs_claimed = fields.Boolean(
        string="Claim the costs",
        help="Add the costs advanced to the claim where the law allows it "
        "(the judge decides on them; never charged to a consumer without an "
        "enforceable title).",
    )
    amount_total = fields.Monetary(
        string="Total claimed", compute="_compute_totals", store=True
    )
    route_proposed = fields.Selection(
        ROUTES, string="Route proposed", compute="_compute_route", store=True
    )
    route = fields.Selection(
        ROUTES,
        compute="_compute_route",
        store=True,
        readonly=False,
        tracking=True,
        help="Small claims are proposed first up to 5,000 EUR (principal and "
        "interest); else an order for payment.",
    )
    court_kind = fields.Selection(
        COURT_KINDS,
        string="Court",
        compute="_compute_court",
        store=True,
        readonly=False,
        help="Commercial court between merchants, tribunal judiciaire otherwise.",
    )
    court_name = fields.Char(
        string="Competent court",
        compute="_compute_court",
        store=True,
        readonly=False,
        help="From the debtor's registered office; fill it when unknown.",
    )
    prepared_date = fields.Date(string="Prepared on", readonly=True, copy=False)
    attachment_id = fields.Many2one(
        "ir.attachment", string="File (ZIP)", readonly=True, copy=False
    )
    filing_date = fields.Date(
        string="Filed on",
        tracking=True,
        copy=False,
        help="Day the claim was filed: the prescription of the invoices is "
        "interrupted that day (court claim), except for an order for payment, "
        "which only its service interrupts.",
    )
    service_date = fields.Date(
        string="Order served on",
        tracking=True,
        copy=False,
        help="Day the order for payment (injonction de payer) was served on the "
        "debtor: filing the request does not interrupt the prescription, the "
        "service does.",
    )
    court_ref = fields.Char(string="Court reference", tracking=True, copy=False)
    outcome = fields.Selection(OUTCOMES, tracking=True, copy=False)
    outcome_date = fields.Date(copy=False)
    note = fields.Text()

    _sql_constraints = [
        (
            "fees_positive",
            "CHECK(COALESCE(court_fees, 0) >= 0 AND COALESCE(bailiff_fees, 0) >= 0)",
            "Costs advanced cannot be negative.",
        ),
    ]

    @api.depends("create_date")
    def _compute_name(self):
        for court_file in self:
            court_file.name = f"JUD{court_file.id:05d}" if court_file.id else False

    @api.depends("move_ids.currency_id", "company_id")
    def _compute_currency_id(self):
        for court_file in self:
            court_file.currency_id = (
                court_file.move_ids[:1].currency_id or court_file.company_id.currency_id
            )

    @api.depends("move_ids")
    def _compute_notice(self):
        Line = self.env["recouvrement.action.line"]
        for court_file in self:
            lines = Line.search(
                [
                    ("move_id", "in", court_file.move_ids.ids),
                    ("action_id.channel", "=", "formal_notice"),
                    ("action_id.state", "in", ("to_do", "done")),
                ]
            )
            notices = lines.action_id.sorted(
                lambda a: (
                    bool(a.presented_date),
                    a.contact_date or a.create_date,
                    a.id,
                )
            )
            notice = notices[-1:] if notices else notices
            court_file.notice_id = notice
            court_file.notice_presented_date = notice.presented_date
            court_file.notice_deadline = notice.presented_date and (
                notice.presented_date
                + timedelta(days=notice.level_id.payment_delay_days)
            )

    @api.depends(
        "amount_principal",
        "amount_interest",
        "amount_indemnity",
        "court_fees",
        "bailiff_fees",
        "costs_claimed",
    )
    def _compute_totals(self):
        for court_file in self:
            costs = (
                court_file.court_fees + court_file.bailiff_fees
                if court_file.costs_claimed
                else 0.0
            )
            court_file.amount_claim = (
                court_file.amount_principal + court_file.amount_interest
            )
            court_file.amount_total = (
                court_file.amount_claim + court_file.amount_indemnity + costs
            )

    @api.depends("amount_principal", "amount_interest")
    def _compute_route(self):
        for court_file in self:
            limit = court_file._small_claims_limit()
            route = rules.proposed_route(
                court_file.amount_principal, court_file.amount_interest, limit
            )
            court_file.route_proposed = route
            court_file.route = route

    def _small_claims_limit(self):
        """5,000 EUR in the file's currency."""
        self.ensure_one()
        eur = self.env.ref("base.EUR")
        currency = self.currency_id or self.company_id.currency_id
        if currency == eur:
            return rules.SMALL_CLAIMS_LIMIT
        return eur._convert(
            float(rules.SMALL_CLAIMS_LIMIT),
            currency,
            self.company_id,
            fields.Date.context_today(self),
        )

    @api.depends("partner_id", "company_id")
    def _compute_court(self):
        for court_file in self:
            debtor = court_file.partner_id.commercial_partner_id
            kind = rules.court_kind(
                True,
                debtor.is_company and debtor.recouvrement_debtor_type != "consumer",
            )
            court_file.court_kind = kind
            court_file.court_name = rules.court_name(
                kind, debtor.zip or "", debtor.city or ""
            )

    # ------------------------------------------------------------------
    # Creating from a customer or invoices
    # ------------------------------------------------------------------

    @api.model
    def _action_open_for(self, moves):
        """A draft file of ``moves`` (one debtor's open invoices), opened."""
        moves = moves.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and not m.currency_id.is_zero(m.amount_residual)
            )
        )
        if not moves:
            raise UserError(
                self.env._(
                    "Select posted customer invoices with an amount due to "
                    "prepare a court file."
                )
            )
        if len(moves.commercial_partner_id) > 1 or len(moves.company_id) > 1:
            raise UserError(
                self.env._(
                    "A court file concerns one customer of one company: select "
                    "the invoices of one customer."
                )
            )
        court_file = self.with_company(moves.company_id).create(
            {
                "company_id": moves.company_id.id,
                "partner_id": moves.commercial_partner_id.id,
                "move_ids": [fields.Command.set(moves.ids)],
            }
        )
        court_file._compute_amounts()
        return court_file._get_records_action(name=self.env._("Court file"))

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _check_moves(self):
        """Refuse, with a clear message, invoices that cannot go to court."""
        self.ensure_one()
        moves = self.move_ids
        if not moves:
            raise UserError(self.env._("Add the invoices to claim."))
        wrong = moves.filtered(
            lambda m: (
                m.move_type != "out_invoice"
                or m.state != "posted"
                or m.currency_id.is_zero(m.amount_residual)
                or m.commercial_partner_id != self.partner_id.commercial_partner_id
            )
        )
        if wrong:
            raise UserError(
                self.env._(
                    "Only posted invoices of %(debtor)s with an amount due can be "
                    "claimed: %(invoices)s.",
                    debtor=self.partner_id.display_name,
                    invoices=", ".join(wrong.mapped("display_name")),
                )
            )
        if len(moves.currency_id) > 1:
            raise UserError(
                self.env._(
                    "A court file claims one currency: prepare one file per "
                    "currency of the invoices."
                )
            )
        today = fields.Date.context_today(self)
        reasons = {}
        for model_name in ("recouvrement.case", "recouvrement.plan"):
            model = self.env.get(model_name)
            if model is not None and hasattr(model, "_recouvrement_blocked_moves"):
                reasons.update(model._recouvrement_blocked_moves(moves, today))
        # sudo: another manager's file, maybe of another of the user's
        # companies, holds the invoice just the same.
        others = self.sudo().search(
            [
                ("id", "not in", self.ids),
                ("move_ids", "in", moves.ids),
                ("state", "in", JUDICIAL_STATES),
            ]
        )
        for other in others:
            for move in other.move_ids & moves:
                reasons[move.id] = self.env._(
                    "already in the court file %(file)s", file=other.name
                )
        if reasons:
            raise UserError(
                self.env._(
                    "These invoices cannot go to court now: %(reasons)s. End the "
                    "payment plan or recall the agency case first, or take them "
                    "out of the file.",
                    reasons="; ".join(
                        f"{move.display_name} ({reasons[move.id]})"
                        for move in moves
                        if move.id in reasons
                    ),
                )
            )

    def _check_can_prepare(self):
        self.ensure_one()
        notice = self.notice_id
        reason = rules.blocking_reason(
            bool(notice),
            notice.presented_date,
            self.notice_deadline,
            fields.Date.context_today(self),
            self.override_reason,
        )
        if reason == rules.NO_NOTICE:
            message = self.env._(
                "No formal notice was sent about these invoices: send one, or "
                "give the reason to go to court without it."
            )
        elif reason == rules.NOT_PRESENTED:
            message = self.env._(
                "The formal notice %(ref)s has no date of first presentation: "
                "record its proof of sending, or give the reason to go to court "
                "without it.",
                ref=notice.name,
            )
        elif reason == rules.DEADLINE_NOT_PASSED:
            message = self.env._(
                "The formal notice %(ref)s gave the debtor until %(date)s to pay: "
                "wait until that day has passed, or give the reason to go to "
                "court now.",
                ref=notice.name,
                date=fields.Date.to_string(self.notice_deadline),
            )
        else:
            return
        raise UserError(message)

    @api.constrains("filing_date", "service_date", "outcome_date", "prepared_date")
    def _check_dates(self):
        today = fields.Date.context_today(self)
        for court_file in self:
            for day in (
                court_file.filing_date,
                court_file.service_date,
                court_file.outcome_date,
            ):
                if day and day > today:
                    raise ValidationError(
                        self.env._(
                            "%(file)s: the date %(date)s is in the future.",
                            file=court_file.name,
                            date=fields.Date.to_string(day),
                        )
                    )
            if (
                court_file.filing_date
                and court_file.prepared_date
                and court_file.filing_date < court_file.prepared_date
            ):
                raise ValidationError(
                    self.env._(
                        "%(file)s cannot be filed before it was prepared (%(date)s).",
                        file=court_file.name,
                        date=fields.Date.to_string(court_file.prepared_date),
                    )
                )

    # ------------------------------------------------------------------
    # Life cycle
    # ------------------------------------------------------------------

    def action_prepare(self):
        """Check the file, compute the claim, build the ZIP and attach it
        (``attachment_id``); the invoices become judicial."""
        for court_file in self:
            if court_file.state not in ("draft", "prepared"):
                raise UserError(
                    self.env._(
                        "%(file)s was already filed: its documents stay as they were.",
                        file=court_file.name,
                    )
                )
            court_file._check_moves()
            court_file._check_can_prepare()
            court_file._compute_amounts()
            today = fields.Date.context_today(self)
            court_file.prepared_date = today
            previous = court_file.attachment_id
            court_file.attachment_id = court_file._build_zip_attachment()
            if previous:
                previous.unlink()
            first = court_file.state == "draft"
            court_file.state = "prepared"
            if first:
                court_file._stop_reminders()
                court_file._log_judicial()
        return True

    def action_download(self):
        self.ensure_one()
        if not self.attachment_id:
            raise UserError(self.env._("Prepare the file first."))
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/{self.attachment_id.id}?download=true",
            "target": "self",
        }

    def action_cancel(self):
        if any(f.state in ("filed", "closed") for f in self):
            raise UserError(
                self.env._("A file filed with the court cannot be cancelled.")
            )
        self.write({"state": "cancelled"})
        return True

    def action_close(self):
        if any(f.state != "filed" for f in self):
            raise UserError(self.env._("Only a filed court file can be closed."))
        if any(not f.outcome for f in self):
            raise UserError(self.env._("Record the outcome before closing the file."))
        self.write({"state": "closed"})
        return True

    def write(self, vals):
        result = super().write(vals)
        if vals.get("filing_date"):
            self._record_filing()
        if vals.get("service_date"):
            self._record_service()
        return result

    def _record_filing(self):
        """The file is filed; the filing date interrupts the prescription of
        the invoices (court claim, Code civil 2241), except for an order for
        payment: filing its request interrupts nothing (LEGAL_FR 3)."""
        for court_file in self:
            if court_file.state not in ("prepared", "filed"):
                raise UserError(
                    self.env._(
                        "Prepare %(file)s before recording its filing.",
                        file=court_file.name,
                    )
                )
            if court_file.route != rules.INJONCTION:
                court_file.move_ids._recouvrement_record_acknowledgment(
                    court_file.filing_date
                )
            if court_file.state == "prepared":
                court_file.state = "filed"

    def _record_service(self):
        """Serving the order for payment interrupts the prescription."""
        for court_file in self:
            if court_file.route != rules.INJONCTION:
                raise UserError(
                    self.env._(
                        "%(file)s is not an order for payment: there is no order "
                        "to serve.",
                        file=court_file.name,
                    )
                )
            if not court_file.filing_date or (
                court_file.service_date < court_file.filing_date
            ):
                raise UserError(
                    self.env._(
                        "%(file)s: record the filing first; the order is served "
                        "after it.",
                        file=court_file.name,
                    )
                )
            court_file.move_ids._recouvrement_record_acknowledgment(
                court_file.service_date
            )
