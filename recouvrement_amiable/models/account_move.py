from datetime import timedelta

from odoo import api, fields, models

from .selections import PERFORMED_STATES

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
)


class AccountMove(models.Model):
    _inherit = "account.move"

    recouvrement_action_line_ids = fields.One2many(
        "recouvrement.action.line", "move_id", string="Reminders"
    )
    recouvrement_level_id = fields.Many2one(
        "recouvrement.level",
        string="Dunning level",
        compute="_compute_recouvrement_last_reminder",
        store=True,
        index="btree_not_null",
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
        for move in self:
            performed = move.recouvrement_action_line_ids.filtered(
                lambda line: line.action_state in PERFORMED_STATES
            ).sorted(lambda line: (line.contact_date or line.create_date, line.id))
            last = performed[-1:] if performed else performed
            climbing = performed.filtered("level_id")
            move.recouvrement_last_action_id = last.action_id
            move.recouvrement_last_reminder_date = last.contact_date
            move.recouvrement_level_id = climbing[-1:].level_id if climbing else False

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
