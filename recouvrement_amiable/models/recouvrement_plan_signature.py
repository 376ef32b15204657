"""The agreement of a payment plan: sent with its PDF and a link to the
portal, signed online or recorded as signed on paper or by e-mail, then
activated once every co-debtor consented. Mixed into ``recouvrement.plan``."""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import format_date


class RecouvrementPlanSignature(models.AbstractModel):
    _name = "recouvrement.plan.signature"
    _description = "Payment plan signature"

    @api.constrains("signed_date")
    def _check_signed_date(self):
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.signed_date and plan.signed_date > today:
                raise ValidationError(
                    self.env._("The signature date cannot be in the future.")
                )

    def action_mark_signed(self):
        """The collector records the signed agreement (paper or e-mail)."""
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.state != "waiting_signature":
                raise UserError(
                    self.env._("Only a plan waiting for its signature can be signed.")
                )
            plan.write(
                {
                    "signed_date": plan.signed_date or today,
                    "signed_by": plan.signed_by or plan.partner_id.name,
                    "signature_method": plan.signature_method or "paper",
                }
            )
        self._activate()
        return True

    def _sign_online(self, name, signature):
        """Signature from the portal: recorded, then the plan becomes active
        if every co-debtor consented (otherwise it waits for them)."""
        self.ensure_one()
        if self.state != "waiting_signature" or self.signed_date:
            raise UserError(
                self.env._("This agreement is not waiting for a signature.")
            )
        self.write(
            {
                "signed_date": fields.Date.context_today(self),
                "signed_by": name,
                "signature": signature,
                "signature_method": "portal",
            }
        )
        if self.consent_missing:
            self.message_post(
                body=self.env._(
                    "Signed online by %(name)s; waiting for the co-debtors' consent.",
                    name=name,
                ),
                subtype_xmlid="mail.mt_note",
            )
            self.activity_schedule(
                "mail.mail_activity_data_todo",
                user_id=self.user_id.id or self.env.uid,
                summary=self.env._("Collect the co-debtors' consent"),
            )
            return False
        self._activate()
        return True

    def action_activate(self):
        """Activate a signed plan once the co-debtors' consents are in."""
        self._activate()
        return True

    def _activate(self):
        today = fields.Date.context_today(self)
        for plan in self:
            if plan.state != "waiting_signature":
                raise UserError(
                    self.env._("Only a plan waiting for its signature can start.")
                )
            if not plan.signed_date:
                raise UserError(
                    self.env._(
                        "Record the debtor's signature of plan %(plan)s first.",
                        plan=plan.name,
                    )
                )
            missing = plan.codebtor_ids.filtered(
                lambda c: not c.consent_date or not c.consent_method
            )
            if missing:
                raise UserError(
                    self.env._(
                        "Plan %(plan)s cannot become active until every co-debtor "
                        "consents: record the consent (date and how) of %(names)s.",
                        plan=plan.name,
                        names=", ".join(missing.partner_id.mapped("display_name")),
                    )
                )
            plan._check_not_excluded()
        for plan in self:
            plan._tie_schedule_to_invoices()
            plan.write({"state": "active", "activation_date": today})
            # A signed plan acknowledges the debt (Code civil art. 2240): a
            # new prescription period starts (prescription feature).
            moves = plan.move_ids.sudo()  # sudo: see _write_due_dates
            if hasattr(moves, "_recouvrement_record_acknowledgment"):
                moves._recouvrement_record_acknowledgment(plan.signed_date)
        self._log_everywhere(
            lambda plan: self.env._(
                "Payment plan %(plan)s signed on %(date)s by %(name)s and active: "
                "no reminder while it is honoured. The signed plan acknowledges "
                "the debt.",
                plan=plan.name,
                date=format_date(self.env, plan.signed_date),
                name=plan.signed_by or plan.partner_id.name,
            )
        )

    def action_send_agreement(self):
        """Open the composer with the agreement (PDF and portal link)."""
        self.ensure_one()
        if self.state == "draft":
            raise UserError(self.env._("Confirm the plan before sending it."))
        template = self.env.ref(
            "recouvrement_amiable.mail_template_plan_agreement",
            raise_if_not_found=False,
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": "mail.mail_notification_light",
                "force_email": True,
            },
        }

    def action_print_agreement(self):
        return self.env.ref(
            "recouvrement_amiable.action_report_plan_agreement"
        ).report_action(self)
