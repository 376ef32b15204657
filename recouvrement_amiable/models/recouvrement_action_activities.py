from markupsafe import Markup

from odoo import fields, models
from odoo.tools import format_amount

from ..rules.identifiers import normalize_phone


class RecouvrementActionActivities(models.AbstractModel):
    """Channels that give the collector an activity instead of contacting
    the debtor: phone calls and agency proposals."""

    _name = "recouvrement.action.activities"
    _description = "Reminder activities"

    def _perform_phone(self, actions, now):
        """Phone calls become activities of the customer's collector, with
        the numbers to call, the invoices and the call script."""
        failures = {}
        ready = self.browse()
        for action in actions:
            contact = action._contact_partner()
            numbers = [
                normalize_phone(n, action._country_code())
                for n in (
                    contact.mobile,
                    contact.phone,
                    action.partner_id.mobile,
                    action.partner_id.phone,
                )
                if n
            ]
            valid = list(
                dict.fromkeys(n.normalized for n in numbers if n.status == "valid")
            )
            if not valid:
                failures[action.id] = self.env._(
                    "no valid phone number for %(partner)s",
                    partner=action.partner_id.display_name,
                )
            else:
                action.sms_number = ", ".join(valid)
                ready |= action
        activities = ready._schedule_activities(
            lambda a: self.env._(
                "Call %(partner)s about %(amount)s overdue",
                partner=a.partner_id.name,
                amount=format_amount(self.env, a.amount_due, a.currency_id),
            ),
            lambda a: a._call_note(),
            lambda a: (
                a.level_id.activity_type_id
                or self.env.ref("mail.mail_activity_data_call")
            ),
        )
        ready._mark_performed(
            "to_do",
            now,
            {action.id: {"activity_id": activities[action.id].id} for action in ready},
        )
        return failures

    def _perform_agency(self, actions, now):
        """Proposal to hand the file to an agency: an activity for the
        collector, the debtor is not contacted."""
        activities = actions._schedule_activities(
            lambda a: self.env._(
                "Propose handing %(partner)s over to a collection agency",
                partner=a.partner_id.name,
            ),
            lambda a: a._invoice_table(),
            lambda a: (
                a.level_id.activity_type_id
                or self.env.ref("mail.mail_activity_data_todo")
            ),
        )
        for action in actions:
            action.write({"state": "to_do", "activity_id": activities[action.id].id})
        return {}

    def _schedule_activities(self, summary, note, activity_type):
        """One activity per action on the debtor, for its collector."""
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for action in self:
            scheduled = action.scheduled_at or fields.Datetime.now()
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": action.partner_id.id,
                    "activity_type_id": activity_type(action).id,
                    "summary": summary(action),
                    "note": note(action),
                    "user_id": action.user_id.id or self.env.uid,
                    "date_deadline": scheduled.date(),
                    "recouvrement_action_id": action.id,
                }
            )
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        return dict(zip(self.ids, activities, strict=True))

    def _invoice_table(self):
        """The invoices of the reminder (same QWeb table as the e-mails)."""
        self.ensure_one()
        return self.invoice_table_html

    def _call_note(self):
        self.ensure_one()
        numbers = Markup("<p>%s %s</p>") % (
            self.env._("Numbers to call:"),
            self.sms_number or "",
        )
        hours = self.policy_id
        window = Markup("<p>%s</p>") % self.env._(
            "Call between %(m1)s and %(m2)s or %(a1)s and %(a2)s.",
            m1=_hours(hours.call_morning_start),
            m2=_hours(hours.call_morning_end),
            a1=_hours(hours.call_afternoon_start),
            a2=_hours(hours.call_afternoon_end),
        )
        script = self.level_id.call_script or Markup("")
        return numbers + window + script + self._invoice_table()


def _hours(value):
    hours, minutes = divmod(round(value * 60), 60)
    return f"{hours:02d}:{minutes:02d}"
