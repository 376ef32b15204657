import re
from datetime import timedelta

from freezegun import freeze_time

from odoo import fields
from odoo.tests import HttpCase, tagged

from .common import NOW, RecouvrementCommon


@tagged("post_install", "-at_install")
class TestDebtorAccountTour(RecouvrementCommon, HttpCase):
    def test_debtor_acts_from_the_email_link(self):
        invoice = self.invoice(self.debtor, 1200.0, days_late=8)
        with freeze_time(NOW):
            action = self.run_dunning()
        self.assertEqual((action.channel, action.state), ("email", "done"))
        mail = self.env["mail.mail"].search(
            [("mail_message_id", "=", action.mail_message_id.id)]
        )
        url = re.search(
            r'href="([^"]*/recouvrement/account/[^"]+)"', str(mail.body_html)
        ).group(1)
        path = url.removeprefix(action.portal_access_id.get_base_url())
        self.start_tour(path, "recouvrement_debtor_account")

        policy = self.policy_pro
        answers = self.env["recouvrement.debtor.answer"].search(
            [("partner_id", "=", self.debtor.id)], order="id"
        )
        self.assertEqual(answers.mapped("kind"), ["promise", "plan"])
        promise, plan_answer = answers
        self.assertEqual(
            (action.promise_state, action.promise_amount),
            ("pending", 500.0),
        )
        self.assertEqual(
            action.promise_date,
            fields.Date.today() + timedelta(days=policy.portal_promise_max_days),
        )
        self.assertEqual((promise.action_id, promise.move_ids), (action, invoice))
        self.assertTrue(action.portal_access_id.last_used_at)
        plan = self.env["recouvrement.plan"].search(
            [("partner_id", "=", self.debtor.id)]
        )
        self.assertEqual(
            (plan.state, plan.installment_count, plan.move_ids, plan.amount_total),
            ("draft", 3, invoice, 1200.0),
        )
        self.assertEqual(plan_answer.move_ids, invoice)
        self.assertEqual(plan_answer.activity_ids.user_id, self.collector)
        # The collector sees the plan to review.
        self.start_tour(
            "/odoo/action-recouvrement_amiable.action_recouvrement_plan",
            "recouvrement_collector_debtor_plan",
            login=self.collector.login,
        )
