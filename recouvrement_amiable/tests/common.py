from datetime import date, timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

# A Monday, 10:00 in Paris (09:00 UTC): every channel is allowed.
TODAY = date(2026, 11, 23)
NOW = "2026-11-23 09:00:00"


class RecouvrementCommon(AccountTestInvoicingCommon):
    """A company with the shipped policies, a collector, and debtors."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # The accounting test user is a collector (accountant); make it the
        # collection manager who configures the policies.
        cls.env.user.groups_id |= cls.env.ref(
            "recouvrement_amiable.group_recouvrement_manager"
        )
        cls.company = cls.env.company
        cls.company.write(
            {
                "email": "compta@creancier.example",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.company.resource_calendar_id.tz = "Europe/Paris"
        cls.company._recouvrement_install_default_policies()
        cls.policy_pro = cls.company.recouvrement_policy_company_id
        cls.policy_consumer = cls.company.recouvrement_policy_individual_id
        cls.levels = {
            level.days: level for level in cls.policy_pro.level_ids
        }  # -3, 7, 15, 30, 45, 60
        cls.consumer_levels = {
            level.days: level for level in cls.policy_consumer.level_ids
        }
        # --- penalties --- TODAY's half-year is not shipped (users enter each
        # new one): test figures, late-payment rate 12.00 %, legal rate 2.50 %.
        cls.rate_h2_2026 = cls.env["recouvrement.legal.rate"].create(
            {
                "date_from": "2026-07-01",
                "ecb_rate": 2.0,
                "legal_rate": 2.5,
                "legal_rate_individual": 6.5,
            }
        )
        cls.collector = new_test_user(
            cls.env,
            "collector",
            groups="account.group_account_invoice,recouvrement_amiable.group_recouvrement_collector",
            email="collector@creancier.example",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )
        cls.policy_pro.collector_id = cls.collector
        cls.policy_consumer.collector_id = cls.collector
        cls.debtor = cls.env["res.partner"].create(
            {
                "name": "Menuiserie Durand SARL",
                "is_company": True,
                "email": "compta@durand.example",
                "phone": "01 42 68 53 00",
                "mobile": "06 12 34 56 78",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.consumer = cls.env["res.partner"].create(
            {
                "name": "Camille Martin",
                "email": "camille.martin@particulier.example",
                "mobile": "07 81 22 33 44",
                "country_id": cls.env.ref("base.fr").id,
            }
        )

    @classmethod
    def invoice(
        cls, partner, amount, days_late, post=True, currency=None, company=None
    ):
        """A posted customer invoice of ``amount`` (no tax) due ``days_late``
        days before TODAY (negative: due in the future)."""
        due = TODAY - timedelta(days=days_late)
        invoice_date = min(due, TODAY) - timedelta(days=30)
        vals = {
            "move_type": "out_invoice",
            "partner_id": partner.id,
            "invoice_date": invoice_date,
            "invoice_date_due": due,
            "invoice_payment_term_id": False,
            "invoice_line_ids": [
                Command.create(
                    {"name": "Prestation", "price_unit": amount, "tax_ids": []}
                )
            ],
        }
        if currency:
            vals["currency_id"] = currency.id
        move = cls.env["account.move"].with_company(company or cls.company).create(vals)
        if post:
            move.action_post()
        return move

    def run_dunning(self, on_date=TODAY, user=None):
        Policy = self.env["recouvrement.policy"]
        if user:
            Policy = Policy.with_user(user)
        return Policy.run_dunning(on_date)

    def pay(self, invoice, amount, on_date=TODAY):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create(
            {
                "amount": amount,
                "payment_date": on_date,
                "payment_difference_handling": "open",
            }
        )._create_payments()

    def reminder(self, partner, invoice, level, state="done", contact=None, **values):
        """A reminder about ``invoice`` at ``level``, as an earlier run would
        have left it: performed on ``contact`` (UTC) when given, planned on
        that day (or TODAY). ``values`` override the action's fields."""
        vals = {
            "company_id": self.company.id,
            "partner_id": partner.id,
            "policy_id": level.policy_id.id,
            "level_id": level.id,
            "channel": level.channel,
            "state": state,
            "user_id": self.collector.id,
            "planned_date": fields.Datetime.to_datetime(contact).date()
            if contact
            else TODAY,
            "contact_date": contact or False,
            "line_ids": [
                Command.create(
                    {
                        "move_id": invoice.id,
                        "level_id": level.id,
                        "date_due": invoice.invoice_date_due,
                        "amount_residual": invoice.amount_residual,
                        "amount_residual_currency": invoice.amount_residual,
                    }
                )
            ],
        }
        vals.update(values)
        return self.env["recouvrement.action"].create(vals)
