from markupsafe import Markup, escape

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..rules.dunning import OpenInvoice
from ..rules.start import CLIMB, PLACE, count_by_level, first_rung, plan_placement


class RecouvrementStart(models.TransientModel):
    """Start recovery on a policy whose debtors already have overdue invoices:
    place each overdue invoice at the level its age calls for (nothing is
    sent; the placement is recorded as imported), or let the first runs
    climb one rung at a time. ``rules.start`` decides; this wizard gathers
    the invoices as the run does, previews and records."""

    _name = "recouvrement.start"
    _description = "Start recovery"
    _check_company_auto = True

    policy_id = fields.Many2one(
        "recouvrement.policy", required=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(related="policy_id.company_id")
    mode = fields.Selection(
        [
            (
                PLACE,
                "Place each overdue invoice at the level its age calls for",
            ),
            (CLIMB, "Let the first runs climb one rung at a time"),
        ],
        required=True,
        default=PLACE,
        help="Placing sends nothing: each overdue invoice is recorded at the "
        "level its age calls for, marked “imported” in the reminders, and the "
        "next level follows from it. Climbing: the first run sends every "
        "overdue debtor the first reminder, and each later level comes at its "
        "own delay.",
    )
    date = fields.Date(default=fields.Date.context_today, readonly=True)
    invoice_count = fields.Integer(compute="_compute_preview", string="Invoices")
    debtor_count = fields.Integer(compute="_compute_preview", string="Debtors")
    preview_html = fields.Html(compute="_compute_preview", sanitize=False)

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        if (
            not values.get("policy_id")
            and self.env.context.get("active_model") == "recouvrement.policy"
        ):
            values["policy_id"] = self.env.context.get("active_id")
        return values

    # ------------------------------------------------------------------
    # What the wizard would do
    # ------------------------------------------------------------------

    def _open_invoices(self):
        """{(company_id, partner_id): [OpenInvoice]} of the debtors of the
        policy who may be reminded, as the run sees them (disputed invoices,
        plans, agency cases... left out; disputed days not counted)."""
        self.ensure_one()
        policy = self.policy_id
        Run = self.env["recouvrement.run"]
        debtors, _credits = Run._gather(self.date, policy.company_id)
        settings = Run._debtor_settings(debtors, self.date)
        debtors = {
            key: invoices
            for key, invoices in debtors.items()
            if key in settings and settings[key][0] == policy
        }
        moves = self.env["account.move"].browse(
            [move.id for invoices in debtors.values() for move, *_ in invoices]
        )
        blocked = moves._recouvrement_blocking_reasons(self.date)
        paused = moves._recouvrement_paused_days(self.date)
        result = {}
        for key, invoices in debtors.items():
            open_invoices = [
                OpenInvoice(
                    id=move.id,
                    due_date=due,
                    residual=residual,
                    current_level_id=move.recouvrement_level_id.id or None,
                    paused_days=paused.get(move.id, 0),
                )
                for move, due, residual, _cur in invoices
                if move.id not in blocked
            ]
            if open_invoices:
                result[key] = open_invoices
        return result

    def _stop_level_ids(self):
        """Rungs placement never reaches: formal notices, hand-overs to an
        agency, levels waiting for validation."""
        return set(
            self.policy_id.level_ids.filtered(
                lambda lv: (
                    lv.needs_validation or lv.channel in ("formal_notice", "agency")
                )
            ).ids
        )

    def _placements(self):
        """{(company_id, partner_id): {invoice id: rules Level}} where each
        debtor's overdue invoices are placed."""
        self.ensure_one()
        levels = self.policy_id._recouvrement_rule_levels()
        stop = self._stop_level_ids()
        result = {}
        for key, invoices in self._open_invoices().items():
            placed = plan_placement(levels, invoices, self.date, stop)
            if placed:
                result[key] = placed
        return result

    def _first_rungs(self):
        """{(company_id, partner_id): rules Level} the first run sends when
        the invoices climb one rung at a time."""
        self.ensure_one()
        levels = self.policy_id._recouvrement_rule_levels()
        result = {}
        for key, invoices in self._open_invoices().items():
            level = first_rung(levels, invoices, self.date)
            if level:
                result[key] = level
        return result

    @api.depends("policy_id", "mode", "date")
    def _compute_preview(self):
        for wizard in self:
            if not wizard.policy_id:
                wizard.invoice_count = wizard.debtor_count = 0
                wizard.preview_html = False
                continue
            if wizard.mode == PLACE:
                placements = wizard._placements()
            else:
                # Climbing: every overdue invoice of a debtor due a first
                # reminder goes into that reminder.
                opened = wizard._open_invoices()
                placements = {
                    key: {
                        inv.id: level
                        for inv in opened[key]
                        if inv.due_date < wizard.date
                    }
                    for key, level in wizard._first_rungs().items()
                }
            counts = count_by_level(placements)
            wizard.invoice_count = sum(c.invoices for c in counts)
            wizard.debtor_count = len(placements)
            wizard.preview_html = wizard._preview_table(counts)

    def _preview_table(self, counts):
        names = {
            level.id: level.display_name
            for level in self.env["recouvrement.level"].browse(
                [count.level_id for count in counts]
            )
        }
        if not counts:
            return Markup("<p>%s</p>") % self.env._(
                "No overdue invoice of this policy's debtors is concerned."
            )
        rows = Markup("").join(
            Markup("<tr><td>%s</td><td class='text-end'>%s</td>")
            % (names[count.level_id], count.invoices)
            + Markup("<td class='text-end'>%s</td></tr>") % count.debtors
            for count in counts
        )
        head = Markup(
            "<thead><tr><th>%s</th><th class='text-end'>%s</th>"
            "<th class='text-end'>%s</th></tr></thead>"
        ) % (
            self.env._("Level"),
            self.env._("Invoices"),
            self.env._("Debtors"),
        )
        return (
            Markup("<table class='table table-sm o_recouvrement_start'>")
            + head
            + Markup("<tbody>")
            + rows
            + Markup("</tbody></table>")
        )

    # ------------------------------------------------------------------
    # Confirming
    # ------------------------------------------------------------------

    def action_start(self):
        self.ensure_one()
        policy = self.policy_id
        if not policy.active or not policy.level_ids:
            raise UserError(
                self.env._(
                    "Policy “%(policy)s” has no levels or is archived: recovery "
                    "cannot start with it.",
                    policy=policy.name,
                )
            )
        actions = self.env["recouvrement.action"]
        if self.mode == PLACE:
            actions = self._record_placements(self._placements())
        policy.write(
            {"recouvrement_start_date": self.date, "recouvrement_start_mode": self.mode}
        )
        if self.mode == PLACE:
            message = self.env._(
                "%(invoices)s invoices of %(debtors)s debtors placed at the level "
                "their age calls for; nothing was sent.",
                invoices=len(actions.line_ids),
                debtors=len(actions.partner_id),
            )
        else:
            message = self.env._(
                "Recovery started: the next run sends the first reminders."
            )
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    def _record_placements(self, placements):
        """One performed ``recouvrement.action`` per debtor, marked as a
        placement (nothing sent, no contact date), with one line per placed
        invoice at its level: the invoices' levels follow from these lines
        as from any reminder. Returns the actions."""
        if not placements:
            return self.env["recouvrement.action"]
        policy = self.policy_id
        settings = self.env["recouvrement.run"]._debtor_settings(
            {key: () for key in placements}, self.date
        )
        moves = self.env["account.move"].browse(
            [move_id for placed in placements.values() for move_id in placed]
        )
        by_id = {move.id: move for move in moves}
        vals_list = []
        for key, placed in placements.items():
            top = max(placed.values(), key=lambda lv: (lv.sequence, lv.days, lv.id))
            level = self.env["recouvrement.level"].browse(top.id)
            vals_list.append(
                {
                    "company_id": key[0],
                    "partner_id": key[1],
                    "policy_id": policy.id,
                    "level_id": level.id,
                    "channel": level.channel,
                    "state": "done",
                    "recouvrement_import": "placement",
                    "planned_date": self.date,
                    "user_id": settings[key][1].id,
                    "line_ids": [
                        Command.create(
                            {
                                "move_id": move_id,
                                "level_id": rule_level.id,
                                "date_due": by_id[move_id].invoice_date_due,
                                "days_late": (
                                    self.date - by_id[move_id].invoice_date_due
                                ).days,
                                "amount_residual": by_id[
                                    move_id
                                ].amount_residual_signed,
                                "amount_residual_currency": by_id[
                                    move_id
                                ].amount_residual,
                            }
                        )
                        for move_id, rule_level in placed.items()
                    ],
                }
            )
        actions = self.env["recouvrement.action"].create(vals_list)
        note = self.env._(
            "Recovery started: invoices placed at the level their age calls for "
            "(imported, nothing was sent)."
        )
        actions._log_on_partners(
            {
                action.id: Markup("<p>%s</p><ul>%s</ul>")
                % (
                    note,
                    Markup("").join(
                        Markup("<li>%s: %s</li>")
                        % (line.move_id.name, escape(line.level_id.display_name))
                        for line in action.line_ids
                    ),
                )
                for action in actions
            }
        )
        return actions
