from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .recouvrement_proceeding import PROCEEDING_KINDS


class ResPartnerProceedings(models.AbstractModel):
    """The debtor's collective proceedings on the customer (mixed into
    ``res.partner``): the current proceeding's type and dates, stored, and
    written back to the proceedings history."""

    _name = "recouvrement.partner.proceedings"
    _description = "Debtor: collective proceedings"

    recouvrement_proceeding_ids = fields.One2many(
        "recouvrement.proceeding", "partner_id", string="Proceedings history"
    )
    recouvrement_proceeding_type = fields.Selection(
        PROCEEDING_KINDS,
        string="Collective proceedings",
        compute="_compute_recouvrement_proceeding",
        inverse="_inverse_recouvrement_proceeding",
        store=True,
        readonly=False,
        help="Sauvegarde, redressement or liquidation judiciaire in progress: "
        "the claims born before the judgment may no longer be pursued.",
    )
    recouvrement_proceeding_date = fields.Date(
        string="Judgment date",
        compute="_compute_recouvrement_proceeding",
        inverse="_inverse_recouvrement_proceeding",
        store=True,
        readonly=False,
    )
    recouvrement_bodacc_date = fields.Date(
        string="BODACC publication",
        compute="_compute_recouvrement_proceeding",
        inverse="_inverse_recouvrement_proceeding",
        store=True,
        readonly=False,
    )

    @api.depends(
        "recouvrement_proceeding_ids.kind",
        "recouvrement_proceeding_ids.judgment_date",
        "recouvrement_proceeding_ids.bodacc_date",
        "recouvrement_proceeding_ids.state",
    )
    def _compute_recouvrement_proceeding(self):
        for partner in self:
            # sudo: the judgment binds every creditor; a stored value must
            # not depend on the companies of whoever triggered it.
            current = partner.sudo().recouvrement_proceeding_ids.filtered(
                lambda p: p.state != "closed"
            )[:1]
            partner.recouvrement_proceeding_type = current.kind
            partner.recouvrement_proceeding_date = current.judgment_date
            partner.recouvrement_bodacc_date = current.bodacc_date

    def _inverse_recouvrement_proceeding(self):
        Proceeding = self.env["recouvrement.proceeding"]
        for partner in self:
            debtor = partner.commercial_partner_id
            current = Proceeding.search(
                [
                    ("partner_id", "=", debtor.id),
                    ("company_id", "=", self.env.company.id),
                    ("state", "!=", "closed"),
                ],
                limit=1,
            )
            kind = partner.recouvrement_proceeding_type
            judgment = partner.recouvrement_proceeding_date
            if not kind:
                current.action_close()
                continue
            if not judgment:
                raise ValidationError(
                    self.env._(
                        "Give the judgment date of the proceedings of %(debtor)s.",
                        debtor=debtor.display_name,
                    )
                )
            vals = {
                "kind": kind,
                "judgment_date": judgment,
                "bodacc_date": partner.recouvrement_bodacc_date,
            }
            if current:
                current.write(vals)
            else:
                Proceeding.create({**vals, "partner_id": debtor.id})

    def action_view_recouvrement_proceedings(self):
        self.ensure_one()
        debtor = self.commercial_partner_id
        return debtor.recouvrement_proceeding_ids._get_records_action(
            name=self.env._("Collective proceedings"),
            context={"default_partner_id": debtor.id},
        )
