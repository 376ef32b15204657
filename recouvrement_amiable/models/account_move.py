from collections import defaultdict
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

from .selections import ACTIVE_CASE_STATES, PERFORMED_STATES

# Models of the add-on that may keep an invoice out of the dunning run, pause
# its clock or force its level. Each may define, taking the invoices and
# returning a dict keyed by invoice id:
#   _recouvrement_blocked_moves(moves, on_date) -> {move_id: reason}
#   _recouvrement_paused_days(moves, on_date)   -> {move_id: days}
#   _recouvrement_forced_levels(moves)          -> {move_id: level_id}
RECOUVREMENT_FEATURE_MODELS = (
    "recouvrement.dispute",
    "recouvrement.plan",
    "recouvrement.case",
    "recouvrement.legal.rate",
    "recouvrement.debtor.answer",
    # --- proceedings ---
    "recouvrement.proceeding",
    # --- court file ---
    "recouvrement.court.file",
)


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "recouvrement.move.penalties"]

    recouvrement_action_line_ids = fields.One2many(
        "recouvrement.action.line", "move_id", string="Reminders"
    )
    recouvrement_level_id = fields.Many2one(
        "recouvrement.level",
        string="Dunning level",
        compute="_compute_recouvrement_last_reminder",
        store=True,
        # Not indexed: every run rewrites the level of thousands of invoices,
        # and an indexed column makes PostgreSQL update every index of
        # account_move for each of them (see migrations/18.0.1.1.0).
        help="Level of the last reminder that made this invoice climb.",
    )
    recouvrement_last_reminder_date = fields.Datetime(
        string="Last reminder",
        compute="_compute_recouvrement_last_reminder",
        store=True,
    )
    recouvrement_last_channel = fields.Selection(
        related="recouvrement_last_action_id.channel", string="Last channel"
    )
    recouvrement_last_action_id = fields.Many2one(
        "recouvrement.action",
        string="Last reminder action",
        compute="_compute_recouvrement_last_reminder",
        store=True,
    )
    recouvrement_reminder_count = fields.Integer(
        string="Reminders ", compute="_compute_recouvrement_reminder_count"
    )
    recouvrement_next_level_id = fields.Many2one(
        "recouvrement.level", string="Next level", compute="_compute_recouvrement_next"
    )
    recouvrement_next_date = fields.Date(
        string="Next reminder", compute="_compute_recouvrement_next"
    )
    recouvrement_days_late = fields.Integer(
        string="Days late", compute="_compute_recouvrement_next"
    )

    @api.depends(
        "recouvrement_action_line_ids.action_state",
        "recouvrement_action_line_ids.contact_date",
        "recouvrement_action_line_ids.level_id",
    )
    def _compute_recouvrement_last_reminder(self):
        # The performed reminders of all the invoices in one query: a run
        # recomputes thousands of invoices at once.
        origins = self._origin.filtered("id")
        performed = defaultdict(list)
        if origins:
            # sudo: a stored value must not depend on whose change triggered
            # the recomputation (record rules would hide some reminders).
            # The reminders' states are filtered here, not in the query: a
            # join on reminders created in the same transaction (no
            # statistics yet) makes PostgreSQL choose a nested loop.
            Line = self.env["recouvrement.action.line"].sudo()
            for line in Line.search_fetch(
                [("move_id", "in", origins.ids)],
                ["move_id", "level_id", "action_id", "create_date"],
            ):
                if line.action_id.state in PERFORMED_STATES:
                    performed[line.move_id.id].append(line)
        for move in self:
            lines = sorted(
                performed.get(move._origin.id, ()),
                key=lambda line: (
                    line.action_id.contact_date or line.create_date,
                    line.id,
                ),
            )
            climbing = [line for line in lines if line.level_id]
            if lines:
                move.recouvrement_last_action_id = lines[-1].action_id
                move.recouvrement_last_reminder_date = lines[-1].action_id.contact_date
            else:
                move.recouvrement_last_action_id = False
                move.recouvrement_last_reminder_date = False
            move.recouvrement_level_id = climbing[-1].level_id if climbing else False

    @api.depends("recouvrement_action_line_ids")
    def _compute_recouvrement_reminder_count(self):
        counts = dict(
            self.env["recouvrement.action.line"]._read_group(
                [("move_id", "in", self.ids), ("action_state", "in", PERFORMED_STATES)],
                groupby=["move_id"],
                aggregates=["__count"],
            )
        )
        for move in self:
            move.recouvrement_reminder_count = counts.get(move._origin, 0)

    @api.depends(
        "invoice_date_due", "recouvrement_level_id", "amount_residual", "partner_id"
    )
    @api.depends_context("company")
    def _compute_recouvrement_next(self):
        today = fields.Date.context_today(self)
        for move in self:
            move.recouvrement_next_level_id = False
            move.recouvrement_next_date = False
            due = move.invoice_date_due
            move.recouvrement_days_late = max((today - due).days, 0) if due else 0
            if (
                move.move_type != "out_invoice"
                or move.state != "posted"
                or not due
                or move.currency_id.is_zero(move.amount_residual)
            ):
                continue
            policy = move.commercial_partner_id.with_company(
                move.company_id
            )._recouvrement_effective_policy()
            levels = policy.level_ids.sorted(lambda lv: (lv.sequence, lv.days, lv.id))
            current = move.recouvrement_level_id
            after = (
                levels
                if current not in levels
                else levels[list(levels).index(current) + 1 :]
            )
            for level in after:
                if level.days < 0 and today >= due:
                    continue
                move.recouvrement_next_level_id = level
                move.recouvrement_next_date = max(
                    due + timedelta(days=level.days), today
                )
                break

    # ------------------------------------------------------------------
    # Hooks of the features for the dunning run
    # ------------------------------------------------------------------

    def _recouvrement_feature_hook(self, method, *args):
        result = {}
        for model_name in RECOUVREMENT_FEATURE_MODELS:
            model = self.env.get(model_name)
            if model is not None and hasattr(model, method):
                result.update(getattr(model, method)(self, *args))
        return result

    def _recouvrement_blocking_reasons(self, on_date):
        """{invoice id: why no reminder may mention it} (disputed, in an
        honoured payment plan, with an agency, time-barred...)."""
        return self._recouvrement_feature_hook("_recouvrement_blocked_moves", on_date)

    def _recouvrement_paused_days(self, on_date):
        """{invoice id: days its dunning clock was paused (disputes)}."""
        return self._recouvrement_feature_hook("_recouvrement_paused_days", on_date)

    def _recouvrement_forced_levels(self):
        """{invoice id: level it must reach at once (broken payment plan)}."""
        return self._recouvrement_feature_hook("_recouvrement_forced_levels")

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------

    def action_view_recouvrement_actions(self):
        self.ensure_one()
        actions = self.recouvrement_action_line_ids.action_id
        return actions._get_records_action(name=self.env._("Reminders"))

    # --- disputes ---

    recouvrement_dispute_ids = fields.Many2many(
        "recouvrement.dispute",
        "recouvrement_dispute_move_rel",
        "move_id",
        "dispute_id",
        string="Disputes",
        copy=False,
    )
    recouvrement_dispute_count = fields.Integer(
        string="Disputes ", compute="_compute_recouvrement_dispute_count"
    )
    recouvrement_in_dispute = fields.Boolean(
        string="Disputed",
        compute="_compute_recouvrement_in_dispute",
        store=True,
        help="An open dispute stops every reminder about this invoice.",
    )

    @api.depends("recouvrement_dispute_ids")
    def _compute_recouvrement_dispute_count(self):
        for move in self:
            move.recouvrement_dispute_count = len(move.recouvrement_dispute_ids)

    @api.depends("recouvrement_dispute_ids.state")
    def _compute_recouvrement_in_dispute(self):
        for move in self:
            move.recouvrement_in_dispute = any(
                dispute.state in ("open", "in_progress")
                for dispute in move.recouvrement_dispute_ids
            )

    def action_recouvrement_open_dispute(self):
        moves = self.filtered(
            lambda m: (
                m.move_type == "out_invoice"
                and m.state == "posted"
                and not m.currency_id.is_zero(m.amount_residual)
            )
        )
        if not moves or moves != self:
            raise UserError(
                self.env._(
                    "Only posted customer invoices with an amount due can be disputed."
                )
            )
        if len(moves.commercial_partner_id) > 1:
            raise UserError(
                self.env._(
                    "Select the invoices of one customer: a dispute concerns one "
                    "customer."
                )
            )
        return self.env["recouvrement.dispute"]._action_form(
            {
                "partner_id": moves.commercial_partner_id.id,
                "move_ids": moves.ids,
                "amount_disputed": sum(moves.mapped("amount_residual")),
                "user_id": (moves[:1].invoice_user_id or self.env.user).id,
            }
        )

    def action_view_recouvrement_disputes(self):
        return self.recouvrement_dispute_ids._get_records_action(
            name=self.env._("Disputes")
        )

    # --- plans ---

    recouvrement_plan_ids = fields.Many2many(
        "recouvrement.plan",
        "recouvrement_plan_account_move_rel",
        "move_id",
        "plan_id",
        string="Payment plans",
        copy=False,
        readonly=True,
        groups="recouvrement_amiable.group_recouvrement_salesrep",
    )
    recouvrement_plan_count = fields.Integer(
        string="Payment plan count",
        compute="_compute_recouvrement_plan_count",
        groups="recouvrement_amiable.group_recouvrement_salesrep",
    )

    @api.depends("recouvrement_plan_ids")
    def _compute_recouvrement_plan_count(self):
        for move in self:
            move.recouvrement_plan_count = len(move.recouvrement_plan_ids)

    def action_view_recouvrement_plans(self):
        self.ensure_one()
        return self.recouvrement_plan_ids._get_records_action(
            name=self.env._("Payment plans")
        )

    # --- agency ---

    recouvrement_with_agency = fields.Boolean(
        string="With agency",
        compute="_compute_recouvrement_agency_case",
        search="_search_recouvrement_with_agency",
        help="A collection agency holds this invoice: internal reminders stop.",
    )
    recouvrement_case_id = fields.Many2one(
        "recouvrement.case",
        string="Agency case",
        compute="_compute_recouvrement_agency_case",
        groups="recouvrement_amiable.group_recouvrement_collector",
    )

    def _compute_recouvrement_agency_case(self):
        # sudo: whether an agency holds the invoice is part of its recovery
        # status, shown to whoever reads the invoice; the case itself stays
        # restricted (field groups, access rules).
        cases = (
            self.env["recouvrement.case"]
            .sudo()
            .search(
                [
                    ("move_ids", "in", [mid for mid in self._origin.ids if mid]),
                    ("state", "in", ACTIVE_CASE_STATES),
                ]
            )
        )
        case_of = {move.id: case.id for case in cases for move in case.move_ids}
        Case = self.env["recouvrement.case"]
        for move in self:
            case_id = case_of.get(move._origin.id)
            move.recouvrement_with_agency = bool(case_id)
            move.recouvrement_case_id = Case.browse(case_id)

    def _search_recouvrement_with_agency(self, operator, value):
        if operator not in ("=", "!="):
            raise UserError(self.env._("Unsupported search on “With agency”."))
        # sudo: see _compute_recouvrement_agency_case.
        held = (
            self.env["recouvrement.case"]
            .sudo()
            .search([("state", "in", ACTIVE_CASE_STATES)])
            .move_ids.ids
        )
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", held)]

    def action_recouvrement_transmit_to_agency(self):
        """The selected invoices in the "Transmit to agency" wizard (server
        action of the invoice list and form)."""
        return self.env["recouvrement.case.transmit"]._action_open(self)

    def action_view_recouvrement_case(self):
        self.ensure_one()
        return self.recouvrement_case_id._get_records_action(
            name=self.env._("Agency case")
        )

    # --- doubtful receivables ---

    recouvrement_doubtful_kind = fields.Selection(
        [
            ("reclassification", "Reclassification to doubtful"),
            ("reversal", "Reclassification reversed"),
            ("depreciation", "Depreciation"),
            ("write_off", "Write-off"),
        ],
        string="Doubtful receivables entry",
        readonly=True,
        copy=False,
    )
    recouvrement_doubtful_line_ids = fields.Many2many(
        "recouvrement.doubtful.closing.line",
        "recouvrement_doubtful_line_move_rel",
        "move_id",
        "line_id",
        string="Doubtful receivable closings",
        copy=False,
    )
    # --- court file ---

    recouvrement_judicial = fields.Boolean(
        string="Judicial",
        compute="_compute_recouvrement_judicial",
        search="_search_recouvrement_judicial",
        help="Sent to court (small claims or order for payment): reminders "
        "stop, and no payment plan or agency takes it.",
    )

    def _compute_recouvrement_judicial(self):
        files = self.env["recouvrement.court.file"]._judicial_files_of(
            self._origin.filtered("id")
        )
        judicial = set(files.move_ids.ids)
        for move in self:
            move.recouvrement_judicial = move._origin.id in judicial

    def _search_recouvrement_judicial(self, operator, value):
        if operator not in ("=", "!=") or not isinstance(value, bool):
            raise UserError(self.env._("Unsupported search on “Judicial”."))
        # sudo: see recouvrement.court.file._judicial_files_of.
        files = (
            self.env["recouvrement.court.file"]
            .sudo()
            .search([("state", "in", ("prepared", "filed"))])
        )
        positive = (operator == "=") == value
        return [("id", "in" if positive else "not in", files.move_ids.ids)]

    def action_recouvrement_prepare_court_file(self):
        """The selected invoices in a new court file (server action)."""
        return self.env["recouvrement.court.file"]._action_open_for(self)
