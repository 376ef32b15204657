from odoo import api, fields, models
from odoo.exceptions import ValidationError


class RecouvrementDisputeReason(models.Model):
    _name = "recouvrement.dispute.reason"
    _description = "Dispute reason"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    deadline_days = fields.Integer(
        string="Days to resolve",
        default=15,
        help="Deadline given to the owner to resolve a dispute for this reason.",
    )
    active = fields.Boolean(default=True)

    @api.constrains("deadline_days")
    def _check_deadline_days(self):
        for reason in self:
            if reason.deadline_days < 1:
                raise ValidationError(
                    self.env._(
                        "The days to resolve a dispute (%(reason)s) must be at "
                        "least 1.",
                        reason=reason.name,
                    )
                )
