from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestDunningSecurity(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesrep = new_test_user(
            cls.env,
            "salesrep",
            groups="base.group_user,recouvrement_amiable.group_recouvrement_salesrep",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.invoicing_user = new_test_user(
            cls.env,
            "billing",
            groups="account.group_account_invoice",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    def test_access_per_group(self):
        self.debtor.user_id = self.salesrep
        self.invoice(self.debtor, 500.0, days_late=8)
        self.invoice(self.consumer, 500.0, days_late=11)
        actions = self.run_dunning()
        self.assertEqual(len(actions), 2)
        own = actions.filtered(lambda a: a.partner_id == self.debtor)
        # The sales rep reads the reminders of their customers only, read-only.
        visible = self.env["recouvrement.action"].with_user(self.salesrep).search([])
        self.assertEqual(visible, own)
        with self.assertRaises(AccessError):
            own.with_user(self.salesrep).write({"user_id": self.salesrep.id})
        with self.assertRaises(AccessError):
            self.policy_pro.with_user(self.salesrep).name = "Changed"
        # A plain invoicing user sees nothing of the add-on.
        with self.assertRaises(AccessError):
            self.env["recouvrement.action"].with_user(self.invoicing_user).search([])
        # A collector handles reminders but does not change policies.
        self.assertEqual(
            self.env["recouvrement.action"].with_user(self.collector).search([]),
            actions,
        )
        with self.assertRaises(AccessError):
            self.policy_pro.with_user(self.collector).write({"max_contacts_7_days": 5})
        self.policy_pro.write({"max_contacts_7_days": 3})  # the manager can

    def test_collector_runs_the_dunning(self):
        self.invoice(self.debtor, 500.0, days_late=8)
        actions = self.run_dunning(user=self.collector)
        self.assertEqual(actions.state, "done")
        self.assertEqual(actions.run_id.user_id, self.collector)

    def test_multi_company_isolation(self):
        other = self.env["res.company"].create(
            {"name": "Filiale Sud", "currency_id": self.company.currency_id.id}
        )
        self.env.user.company_ids |= other
        self.collector.company_ids |= other
        # The new company got its own copy of the shipped policies.
        self.assertTrue(other.recouvrement_policy_company_id)
        self.assertNotEqual(other.recouvrement_policy_company_id, self.policy_pro)
        self.assertEqual(other.recouvrement_policy_company_id.company_id, other)
        self.assertEqual(
            other.recouvrement_policy_company_id.level_ids.mapped("days"),
            [-3, 7, 15, 30, 45, 60],
        )
        self.env["account.chart.template"].try_loading(
            "generic_coa", other, install_demo=False
        )
        other_invoice = self.invoice(self.debtor, 700.0, days_late=8, company=other)
        own_invoice = self.invoice(self.debtor, 300.0, days_late=8)
        # A user working in the first company only reminds its invoices.
        only_first = self.env["recouvrement.policy"].with_context(
            allowed_company_ids=self.company.ids
        )
        actions = only_first.run_dunning(None)
        self.assertEqual(actions.line_ids.move_id, own_invoice)
        self.assertEqual(actions.policy_id, self.policy_pro)
        # The other company's run uses its own policy and only its invoices.
        second = (
            self.env["recouvrement.policy"]
            .with_context(allowed_company_ids=other.ids)
            .run_dunning(None)
        )
        self.assertEqual(second.line_ids.move_id, other_invoice)
        self.assertEqual(second.policy_id, other.recouvrement_policy_company_id)
        self.assertEqual(second.company_id, other)
        # Record rules: a collector of the first company does not see it.
        self.collector.company_ids = self.company
        visible = self.env["recouvrement.action"].with_user(self.collector).search([])
        self.assertEqual(visible, actions)
        # A reminder lists only invoices of its own company, whether its
        # lines are created one by one or inserted by a run.
        Line = self.env["recouvrement.action.line"]
        for create in (Line.create, Line._create_batch):
            with self.assertRaisesRegex(
                ValidationError, "not to the reminder's company"
            ):
                create(
                    [
                        {
                            "action_id": actions.id,
                            "move_id": other_invoice.id,
                            "date_due": other_invoice.invoice_date_due,
                        }
                    ]
                )
        # Nor a policy or level of another company.
        other_policy = other.recouvrement_policy_company_id
        with self.assertRaisesRegex(ValidationError, "not to the reminder's company"):
            self.env["recouvrement.action"].create(
                {
                    "company_id": self.company.id,
                    "partner_id": self.debtor.id,
                    "policy_id": other_policy.id,
                    "level_id": other_policy.level_ids[1].id,
                    "channel": "email",
                    "planned_date": TODAY,
                }
            )
        with self.assertRaisesRegex(ValidationError, "reminder's company"):
            self.env["recouvrement.action.line"].create(
                {
                    "action_id": actions.id,
                    "company_id": other.id,
                    "move_id": own_invoice.id,
                    "date_due": own_invoice.invoice_date_due,
                }
            )
