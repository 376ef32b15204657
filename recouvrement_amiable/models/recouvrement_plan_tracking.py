"""The daily follow-up of payment plans (paid, late, broken, unsigned,
installment reminders) and the hooks by which plans keep their invoices out
of the dunning run or send them back to it. Mixed into
``recouvrement.plan``."""

from datetime import timedelta

from markupsafe import escape

from odoo import api, fields, models
from odoo.tools import format_amount, format_date

from .selections import HOLDING_STATES


class RecouvrementPlanTracking(models.AbstractModel):
    _name = "recouvrement.plan.tracking"
    _description = "Payment plan follow-up"

    @api.model
    def _cron_check_plans(self):
        """Daily: close paid plans, break late ones, lapse unsigned ones, and
        remind the installments soon due (every company)."""
        # sudo: the cron's user may not belong to every company.
        companies = self.env["res.company"].sudo().search([])
        self.sudo().with_context(allowed_company_ids=companies.ids)._check_plans(
            fields.Date.context_today(self)
        )

    @api.model
    def _check_plans(self, on_date):
        """Follow every plan in progress on ``on_date``; returns
        {"done": plans, "broken": plans, "lapsed": plans, "reminded": lines}."""
        plans = self.search([("state", "in", HOLDING_STATES)])
        plans.line_ids._refresh_payment_state()
        done = broken = lapsed = self.browse()
        for plan in plans:
            if plan.state == "waiting_signature":
                first = plan.line_ids.sorted("due_date")[:1]
                delay = timedelta(days=plan.policy_id.plan_break_days)
                if first and first.due_date + delay < on_date:
                    lapsed |= plan
                continue
            if plan.currency_id.compare_amounts(plan.amount_residual, 0) <= 0:
                done |= plan
                continue
            breach = plan._breaching_line(on_date)
            if breach:
                plan._break(breach, on_date)
                broken |= plan
        done._close(on_date)
        lapsed._lapse(on_date)
        reminded = (plans - done - broken - lapsed)._send_installment_reminders(on_date)
        return {"done": done, "broken": broken, "lapsed": lapsed, "reminded": reminded}

    def _close(self, on_date):
        if not self:
            return
        self.write({"state": "done", "close_date": on_date})
        self._log_everywhere(
            lambda plan: self.env._(
                "Payment plan %(plan)s fully paid: closed.", plan=plan.name
            )
        )

    def _lapse(self, on_date):
        if not self:
            return
        self.write(
            {
                "state": "cancelled",
                "close_date": on_date,
                "break_reason": self.env._("Not signed in time."),
            }
        )
        self._log_everywhere(
            lambda plan: self.env._(
                "Payment plan %(plan)s was not signed in time: cancelled, the "
                "invoices follow the dunning again.",
                plan=plan.name,
            )
        )
        self._notify_collector(self.env._("Payment plan not signed"))

    def _break(self, line, on_date):
        self.ensure_one()
        currency = self.currency_id
        reason = self.env._(
            "The installment of %(date)s (%(amount)s, %(residual)s unpaid) is "
            "%(days)s days late.",
            date=format_date(self.env, line.due_date),
            amount=format_amount(self.env, line.amount, currency),
            residual=format_amount(self.env, line.amount_residual, currency),
            days=(on_date - line.due_date).days,
        )
        self._restore_due_dates()
        self.write({"state": "broken", "close_date": on_date, "break_reason": reason})
        level = self.policy_id._recouvrement_plan_broken_level()
        if level:
            message = self.env._(
                "Payment plan %(plan)s broken: %(reason)s Recovery resumes at level "
                "%(level)s, with the original due dates.",
                plan=self.name,
                reason=reason,
                level=level.name,
            )
        else:
            message = self.env._(
                "Payment plan %(plan)s broken: %(reason)s Recovery resumes with the "
                "original due dates.",
                plan=self.name,
                reason=reason,
            )
        self._log_everywhere(lambda plan: message)
        self._notify_collector(self.env._("Payment plan broken"), reason)

    def _notify_collector(self, summary, note=""):
        """A to-do for the collector of each plan."""
        for plan in self:
            plan.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=(plan.user_id or plan.policy_id.collector_id).id
                or self.env.uid,
                summary=summary,
                note=escape(note),
            )

    def _send_installment_reminders(self, on_date):
        """Remind the debtor of the installments due within the policy's
        delay, through the policy's channel; returns the lines reminded."""
        lines = self.line_ids.filtered(
            lambda line: (
                line.plan_id.state == "active"
                and line.payment_state != "paid"
                and not line.reminder_date
                and line.plan_id.policy_id.plan_reminder_channel != "none"
                and line.due_date
                - timedelta(days=line.plan_id.policy_id.plan_reminder_days)
                <= on_date
                <= line.due_date
            )
        )
        mail_template = self.env.ref(
            "recouvrement_amiable.mail_template_plan_reminder", raise_if_not_found=False
        )
        sms_template = self.env.ref(
            "recouvrement_amiable.sms_template_plan_reminder", raise_if_not_found=False
        )
        reminded = self.env["recouvrement.plan.line"]
        for plan, plan_lines in lines.grouped("plan_id").items():
            line = plan_lines.sorted("due_date")[:1]
            channel = plan.policy_id.plan_reminder_channel
            if channel == "sms" and sms_template and plan.partner_id.mobile:
                plan._message_sms_with_template(
                    template=sms_template, partner_ids=plan.partner_id.ids
                )
            elif mail_template and plan.partner_id.email:
                plan.message_post_with_source(
                    mail_template,
                    subtype_xmlid="mail.mt_comment",
                    message_type="comment",
                )
            else:
                plan.message_post(
                    body=self.env._(
                        "No reminder of the installment of %(date)s: the customer "
                        "has no e-mail address or mobile number.",
                        date=format_date(self.env, line.due_date),
                    ),
                    subtype_xmlid="mail.mt_note",
                )
            reminded |= plan_lines
        reminded.write({"reminder_date": on_date})
        return reminded

    @api.model
    def _recouvrement_plans_of(self, moves, states):
        # sudo: whether an invoice is in a plan must not depend on who runs
        # the dunning (record rules of sales reps); the callers only return
        # invoice ids, level ids and dates.
        return self.sudo().search(
            [("move_ids", "in", moves.ids), ("state", "in", states)]
        )

    @api.model
    def _recouvrement_blocked_moves(self, moves, on_date):
        """Invoices of a plan waiting for its signature, or active and
        honoured on ``on_date``: no reminder."""
        result = {}
        for plan in self._recouvrement_plans_of(moves, HOLDING_STATES):
            if plan.state == "active" and plan._breaching_line(on_date):
                continue
            reason = self.env._("In payment plan %(plan)s", plan=plan.name)
            for move in plan.move_ids & moves:
                result[move.id] = reason
        return result

    @api.model
    def _recouvrement_forced_levels(self, moves):
        """Invoices of a broken plan reach the policy's level for broken
        plans at once (unless a newer plan holds them)."""
        held = {
            move.id
            for plan in self._recouvrement_plans_of(moves, HOLDING_STATES)
            for move in plan.move_ids
        }
        result = {}
        broken = self._recouvrement_plans_of(moves, ("broken",))
        for plan in broken.sorted(
            lambda p: (p.close_date or fields.Date.today(), p.id)
        ):
            level = plan.policy_id._recouvrement_plan_broken_level()
            if not level:
                continue
            for move in plan.move_ids & moves:
                if move.id not in held:
                    result[move.id] = level.id
        return result
