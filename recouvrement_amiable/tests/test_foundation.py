from datetime import date

from odoo.tests import new_test_user, tagged

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..tools.data_generator import generate


@tagged("post_install", "-at_install")
class TestFoundation(AccountTestInvoicingCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesrep_group = cls.env.ref(
            "recouvrement_amiable.group_recouvrement_salesrep"
        )
        cls.collector_group = cls.env.ref(
            "recouvrement_amiable.group_recouvrement_collector"
        )
        cls.manager_group = cls.env.ref(
            "recouvrement_amiable.group_recouvrement_manager"
        )

    def test_groups_form_one_chain_under_one_category(self):
        category = self.env.ref("recouvrement_amiable.module_category_recouvrement")
        groups = self.salesrep_group | self.collector_group | self.manager_group
        self.assertEqual(groups.category_id, category)
        self.assertIn(self.collector_group, self.manager_group.implied_ids)
        self.assertIn(self.salesrep_group, self.collector_group.implied_ids)
        self.assertEqual(category.name, "Recouvrement")

    def test_accounting_roles(self):
        invoicing_user = new_test_user(
            self.env, "inv_only", groups="account.group_account_invoice"
        )
        accountant = new_test_user(
            self.env, "accountant", groups="account.group_account_user"
        )
        adviser = new_test_user(
            self.env, "adviser", groups="account.group_account_manager"
        )
        self.assertFalse(
            invoicing_user.has_group(
                "recouvrement_amiable.group_recouvrement_collector"
            )
        )
        self.assertTrue(
            accountant.has_group("recouvrement_amiable.group_recouvrement_collector")
        )
        self.assertTrue(
            adviser.has_group("recouvrement_amiable.group_recouvrement_collector")
        )
        self.assertFalse(
            accountant.has_group("recouvrement_amiable.group_recouvrement_manager")
        )
        self.assertTrue(
            self.env.ref("base.user_admin").has_group(
                "recouvrement_amiable.group_recouvrement_manager"
            )
        )

    def test_menu_visible_by_group(self):
        root = self.env.ref("recouvrement_amiable.menu_recouvrement_root")
        outsider = new_test_user(
            self.env, "outsider", groups="account.group_account_invoice"
        )
        salesrep = new_test_user(
            self.env,
            "salesrep",
            groups="account.group_account_invoice,recouvrement_amiable.group_recouvrement_salesrep",
        )
        Menu = self.env["ir.ui.menu"]
        self.assertNotIn(root.id, Menu.with_user(outsider)._visible_menu_ids())
        self.assertIn(root.id, Menu.with_user(salesrep)._visible_menu_ids())

    def test_data_generator(self):
        today = date(2026, 11, 22)
        dataset = generate(
            self.env, debtors=12, invoices_per_debtor=4, seed=5, today=today
        )
        self.assertEqual(len(dataset.partners), 12)
        self.assertEqual(len(dataset.invoices), 48)
        self.assertEqual(set(dataset.invoices.mapped("state")), {"posted"})
        self.assertEqual(set(dataset.invoices.mapped("move_type")), {"out_invoice"})
        self.assertEqual(dataset.invoices.partner_id, dataset.partners)
        self.assertTrue(
            all(p.payment_state == "paid" for p in dataset.paid) or not dataset.paid
        )
        for invoice in dataset.partly_paid:
            self.assertEqual(invoice.payment_state, "partial")
            self.assertGreater(invoice.amount_residual, 0)
            self.assertLess(invoice.amount_residual, invoice.amount_total)
        overdue = dataset.invoices.filtered(
            lambda m: m.invoice_date_due < today and m.amount_residual
        )
        self.assertEqual(len(overdue), dataset.counts["overdue"])
        self.assertTrue(
            all(1 <= (today - m.invoice_date_due).days <= 200 for m in overdue)
        )
        companies = dataset.partners.filtered("is_company")
        self.assertTrue(companies and all(p.vat.startswith("FR") for p in companies))
        # Same seed, same data: names and amounts are reproducible.
        again = generate(
            self.env, debtors=12, invoices_per_debtor=4, seed=5, today=today
        )
        self.assertEqual(
            [m.amount_total for m in again.invoices],
            [m.amount_total for m in dataset.invoices],
        )
