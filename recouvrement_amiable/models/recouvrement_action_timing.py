from collections import defaultdict
from datetime import timedelta

import pytz

from odoo import models

from ..rules.contact_pressure import Slot, next_contact_slot
from .selections import PERFORMED_STATES

# Days of contact history the pressure limits look at (30-day window).
HISTORY_DAYS = 31
# How far ahead public holidays are read.
HOLIDAY_HORIZON_DAYS = 90


class RecouvrementActionTiming(models.AbstractModel):
    """When a reminder may go out: the company's time zone, its working
    days and public holidays, the contact hours and limits."""

    _name = "recouvrement.action.timing"
    _description = "Reminder timing"

    def _company_tz(self):
        return pytz.timezone(self.company_id.resource_calendar_id.tz or "UTC")

    def _contact_slots(self, now):
        """{action_id: Slot} the first allowed moment (UTC) of each action,
        from its debtor's contact history, its policy's limits and the
        company's public holidays (batch queries, then the plain rules)."""
        history = defaultdict(list)
        for company, partner, dates in self._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("state", "in", PERFORMED_STATES),
                ("contact_date", ">=", now - timedelta(days=HISTORY_DAYS)),
            ],
            groupby=["company_id", "partner_id"],
            aggregates=["contact_date:array_agg"],
        ):
            history[(company.id, partner.id)] = [d for d in dates if d]
        holidays = self._public_holidays(now)
        slots = {}
        for action in self:
            if action.level_id.channel == "agency":
                slots[action.id] = Slot(moment=now)
                continue
            tz = action._company_tz()
            local = pytz.utc.localize(now).astimezone(tz).replace(tzinfo=None)
            contacts = [
                pytz.utc.localize(d).astimezone(tz).replace(tzinfo=None)
                for d in history[(action.company_id.id, action.partner_id.id)]
            ]
            slot = next_contact_slot(
                local,
                action.level_id.channel,
                contacts,
                action.policy_id._pressure_limits(),
                holidays.get(action.company_id.id, frozenset()),
            )
            moment = tz.localize(slot.moment).astimezone(pytz.utc).replace(tzinfo=None)
            slots[action.id] = Slot(
                moment=max(moment, now) if slot.reason else now, reason=slot.reason
            )
        return slots

    def _public_holidays(self, now):
        """{company_id: set of dates} of the public holidays of each company's
        working calendar (leaves without a resource)."""
        result = defaultdict(set)
        companies = self.company_id
        leaves = self.env["resource.calendar.leaves"].search(
            [
                ("resource_id", "=", False),
                ("company_id", "in", companies.ids),
                ("date_to", ">=", now - timedelta(days=1)),
                ("date_from", "<=", now + timedelta(days=HOLIDAY_HORIZON_DAYS)),
            ]
        )
        for company in companies:
            calendar = company.resource_calendar_id
            tz = pytz.timezone(calendar.tz or "UTC")
            for leave in leaves:
                if leave.company_id != company or (
                    leave.calendar_id and leave.calendar_id != calendar
                ):
                    continue
                day = pytz.utc.localize(leave.date_from).astimezone(tz).date()
                last = pytz.utc.localize(leave.date_to).astimezone(tz).date()
                while day <= last:
                    result[company.id].add(day)
                    day += timedelta(days=1)
        return result
