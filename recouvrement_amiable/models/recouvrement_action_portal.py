from collections import defaultdict
from urllib.parse import urlencode

from markupsafe import Markup, escape

from odoo import api, fields, models

DEFAULT_LINK_DAYS = 60


class RecouvrementActionPortal(models.AbstractModel):
    """The link of a reminder to the debtor's account page: every e-mail,
    SMS and letter carries it, so that the debtor sees and settles all they
    owe without a PDF per e-mail."""

    _name = "recouvrement.action.portal"
    _description = "Reminder: link to the debtor's account page"

    portal_access_id = fields.Many2one(
        "recouvrement.portal.access",
        string="Account page link",
        readonly=True,
        index="btree_not_null",
        ondelete="set null",
    )
    portal_link = fields.Char(
        string="Account page", compute="_compute_portal_link", compute_sudo=True
    )
    portal_link_html = fields.Html(
        compute="_compute_portal_link", sanitize=False, compute_sudo=True
    )

    @api.depends("portal_access_id")
    def _compute_portal_link(self):
        for action in self:
            url = action.portal_access_id.url or False
            action.portal_link = url
            action.portal_link_html = (
                Markup(
                    '<p style="margin: 16px 0;"><a href="%s" style="background-color:'
                    " #875A7B; padding: 8px 16px; color: #ffffff; text-decoration:"
                    ' none; border-radius: 5px;">%s</a></p>'
                )
                % (url, escape(self.env._("See my account and pay online")))
                if url
                else ""
            )

    def _ensure_portal_access(self):
        """Give the reminders without a valid link one: one per debtor and
        company, reused by the following reminders and extended."""
        todo = self.filtered(
            lambda a: not a.portal_access_id or not a.portal_access_id.is_valid
        )
        if not todo:
            return
        Access = self.env["recouvrement.portal.access"]
        for days, group in todo.grouped(
            lambda a: a.policy_id.portal_link_days or DEFAULT_LINK_DAYS
        ).items():
            keys = [
                (action.partner_id.commercial_partner_id.id, action.company_id.id)
                for action in group
            ]
            accesses = Access._for_debtors(keys, days)
            by_access = defaultdict(list)
            for action, key in zip(group, keys, strict=True):
                by_access[accesses[key]].append(action.id)
            for access, action_ids in by_access.items():
                self.browse(action_ids).portal_access_id = access.id

    def _portal_qr_src(self):
        """The link as a QR code image (printed on letters)."""
        self.ensure_one()
        if not self.portal_link:
            return False
        return "/report/barcode/?" + urlencode(
            {
                "barcode_type": "QR",
                "value": self.portal_link,
                "width": 150,
                "height": 150,
            }
        )
