import secrets
from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError

ACCESS_PATH = "/recouvrement/account/"


class RecouvrementPortalAccess(models.Model):
    """A signed link to a debtor's account page: the debtor reaches every
    open invoice they owe to the allowed companies, without an account."""

    _name = "recouvrement.portal.access"
    _description = "Debtor account link"
    _order = "id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner", string="Debtor", required=True, index=True, ondelete="cascade"
    )
    company_ids = fields.Many2many(
        "res.company",
        string="Companies",
        required=True,
        help="Companies whose invoices the link shows.",
    )
    # groups: the token opens the debtor's account; only the people who may
    # send reminders see it.
    token = fields.Char(
        required=True,
        index=True,
        copy=False,
        readonly=True,
        default=lambda self: secrets.token_urlsafe(32),
        groups="recouvrement_amiable.group_recouvrement_collector",
    )
    expires_on = fields.Date(required=True, index=True)
    revoked = fields.Boolean(readonly=True, index=True)
    last_used_at = fields.Datetime(readonly=True)
    is_valid = fields.Boolean(compute="_compute_is_valid", string="Valid")
    url = fields.Char(
        compute="_compute_url",
        string="Link",
        groups="recouvrement_amiable.group_recouvrement_collector",
    )

    _sql_constraints = [
        ("token_unique", "UNIQUE(token)", "A debtor account link must be unique."),
    ]

    @api.depends("revoked", "expires_on")
    def _compute_is_valid(self):
        today = fields.Date.context_today(self)
        for access in self:
            access.is_valid = not access.revoked and access.expires_on >= today

    @api.depends("token")
    def _compute_url(self):
        # Each link at its own company's address (get_base_url is per record;
        # the reminders of a run compute the links of a whole batch at once).
        for access in self:
            access.url = f"{access.get_base_url()}{ACCESS_PATH}{access.token}"

    def action_revoke(self):
        self.write({"revoked": True})
        for access in self:
            access.partner_id.message_post(
                body=self.env._("Account page link revoked."),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    @api.model
    def _from_token(self, token):
        """The valid access of ``token``, or an empty recordset."""
        if not token or len(token) > 100:
            return self.browse()
        # sudo: the visitor is public; the token is the only credential.
        access = self.sudo().search([("token", "=", token)], limit=1)
        if not access or not secrets.compare_digest(access.token, token):
            return self.browse()
        return access if access.is_valid else self.browse()

    @api.model
    def _for_debtors(self, keys, days):
        """A valid access per (commercial partner id, company id) key, valid
        for at least ``days`` more days: an existing one is reused (and its
        validity extended), a new one created for the others. One search,
        one create."""
        if days < 1:
            raise UserError(self.env._("A link must stay valid at least one day."))
        today = fields.Date.context_today(self)
        until = today + timedelta(days=days)
        partner_ids = {partner_id for partner_id, _company_id in keys}
        # sudo: collectors plan reminders; links are technical records whose
        # token they must not be able to forge or list at will.
        existing = self.sudo().search(
            [
                ("partner_id", "in", list(partner_ids)),
                ("revoked", "=", False),
                ("expires_on", ">=", today),
            ],
            order="id desc",
        )
        found = {}
        for access in existing:
            for company_id in access.company_ids.ids:
                found.setdefault((access.partner_id.id, company_id), access)
        to_extend = self.sudo().browse()
        new_keys = []
        for key in keys:
            access = found.get(key)
            if access is None:
                new_keys.append(key)
            elif access.expires_on < until:
                to_extend |= access
        if to_extend:
            to_extend.write({"expires_on": until})
        created = self.sudo().create(
            [
                {
                    "partner_id": partner_id,
                    "company_ids": [fields.Command.set([company_id])],
                    "expires_on": until,
                }
                for partner_id, company_id in dict.fromkeys(new_keys)
            ]
        )
        for access in created:
            found[(access.partner_id.id, access.company_ids.id)] = access
        return {key: found[key] for key in keys}
