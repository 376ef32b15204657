from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.mail.models.mail_render_mixin import MailRenderMixin

from .common import NOW, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestReminderBodies(RecouvrementCommon):
    def test_batch_render_equals_odoo_render(self):
        """The reminder bodies rendered for a batch with one compilation are
        exactly those Odoo renders record by record."""
        invoices = self.invoice(self.debtor, 1234.56, days_late=8) + self.invoice(
            self.consumer, 99.9, days_late=12
        )
        actions = self.run_dunning()
        self.assertEqual(len(actions), 2)
        Template = self.env["mail.template"]
        for template in actions.level_id.mail_template_id:
            batch = Template._render_template_qweb(
                template.body_html, "recouvrement.action", actions.ids
            )
            # Odoo's own method, record by record.
            one_by_one = {
                action.id: MailRenderMixin._render_template_qweb(
                    Template, template.body_html, "recouvrement.action", action.ids
                )[action.id]
                for action in actions
            }
            self.assertEqual(batch, one_by_one)
            for action in actions:
                invoice = invoices.filtered(
                    lambda m, a=action: m.partner_id == a.partner_id
                )
                self.assertIn(invoice.name, batch[action.id])
