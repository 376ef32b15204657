from datetime import timedelta

from freezegun import freeze_time

from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestStartRecovery(RecouvrementCommon):
    """The "Start recovery" wizard on a database with overdue invoices."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Professional: 10, 20 and 200 days late (first reminder D+7, call
        # D+15, and old enough for a hand-over: placed below the formal
        # notice, at the letter D+30); one not yet due.
        cls.pro_10 = cls.invoice(cls.debtor, 400.0, days_late=10)
        cls.pro_20 = cls.invoice(cls.debtor, 600.0, days_late=20)
        cls.pro_200 = cls.invoice(cls.debtor, 1500.0, days_late=200)
        cls.pro_future = cls.invoice(cls.debtor, 100.0, days_late=-20)
        # Consumer: 25 days late (SMS D+20).
        cls.consumer_25 = cls.invoice(cls.consumer, 80.0, days_late=25)
        cls.ours = cls.debtor | cls.consumer

    def wizard(self, policy, mode):
        form = Form(
            self.env["recouvrement.start"].with_context(default_policy_id=policy.id)
        )
        form.mode = mode
        return form.save()

    def our_actions(self):
        return self.env["recouvrement.action"].search(
            [("partner_id", "in", self.ours.ids)]
        )

    def test_placement_preview(self):
        wizard = self.wizard(self.policy_pro, "place")
        placements = wizard._placements()
        key = (self.company.id, self.debtor.id)
        self.assertEqual(
            {move: level.id for move, level in placements[key].items()},
            {
                self.pro_10.id: self.levels[7].id,
                self.pro_20.id: self.levels[15].id,
                self.pro_200.id: self.levels[30].id,
            },
        )
        self.assertNotIn((self.company.id, self.consumer.id), placements)
        self.assertIn(self.levels[30].display_name, wizard.preview_html)
        self.assertIn("Debtors", wizard.preview_html)

    def test_place_at_the_level_of_their_age(self):
        self.wizard(self.policy_pro, "place").action_start()
        self.wizard(self.policy_consumer, "place").action_start()
        actions = self.our_actions()
        self.assertEqual(len(actions), 2)
        self.assertEqual(set(actions.mapped("recouvrement_import")), {"placement"})
        self.assertEqual(set(actions.mapped("state")), {"done"})
        # Nothing was sent: no contact, no e-mail, no SMS, no document.
        self.assertFalse(any(actions.mapped("contact_date")))
        self.assertFalse(actions.mail_message_id)
        self.assertFalse(actions.attachment_id)
        self.assertFalse(
            self.env["mail.mail"].search([("recipient_ids", "in", self.ours.ids)])
        )
        self.assertEqual(self.pro_10.recouvrement_level_id, self.levels[7])
        self.assertEqual(self.pro_20.recouvrement_level_id, self.levels[15])
        self.assertEqual(self.pro_200.recouvrement_level_id, self.levels[30])
        self.assertFalse(self.pro_future.recouvrement_level_id)
        self.assertEqual(
            self.consumer_25.recouvrement_level_id, self.consumer_levels[20]
        )
        self.assertFalse(self.pro_10.recouvrement_last_reminder_date)
        self.assertEqual(self.policy_pro.recouvrement_start_date, TODAY)
        self.assertEqual(self.policy_pro.recouvrement_start_mode, "place")
        self.assertIn("imported, nothing was sent", self.debtor.message_ids[0].body)

        # The run of the same day: the 200-day invoice's next rung is the
        # formal notice, which waits for validation; the consumer's next
        # rung (call D+35) is not due yet.
        run_actions = self.run_dunning().filtered(lambda a: a.partner_id in self.ours)
        self.assertEqual(len(run_actions), 1)
        self.assertEqual(run_actions.partner_id, self.debtor)
        self.assertEqual(run_actions.level_id, self.levels[45])
        self.assertEqual(run_actions.state, "to_validate")
        self.assertEqual(
            run_actions.line_ids.filtered(
                lambda line: line.level_id == self.levels[45]
            ).move_id,
            self.pro_200,
        )
        self.assertEqual(len(run_actions.line_ids), 3)
        # Starting again places nothing new.
        self.wizard(self.policy_pro, "place").action_start()
        self.assertEqual(len(self.our_actions()), 3)

    def test_placed_level_then_climbs_at_its_own_delay(self):
        self.wizard(self.policy_consumer, "place").action_start()
        # Call at D+35: ten days later.
        nine = self.run_dunning(TODAY + timedelta(days=9)).filtered(
            lambda a: a.partner_id == self.consumer
        )
        self.assertFalse(nine)
        with freeze_time("2026-12-03 09:00:00"):
            ten = self.run_dunning(TODAY + timedelta(days=10)).filtered(
                lambda a: a.partner_id == self.consumer
            )
        self.assertEqual(ten.level_id, self.consumer_levels[35])

    def test_climb_one_rung_at_a_time(self):
        wizard = self.wizard(self.policy_pro, "climb")
        self.assertEqual(wizard.debtor_count, len(wizard._first_rungs()))
        self.assertEqual(
            wizard._first_rungs()[(self.company.id, self.debtor.id)].id,
            self.levels[7].id,
        )
        wizard.action_start()
        self.assertFalse(self.our_actions())
        self.assertEqual(self.policy_pro.recouvrement_start_mode, "climb")
        actions = self.run_dunning().filtered(lambda a: a.partner_id in self.ours)
        self.assertEqual(len(actions), 2)
        self.assertEqual(
            actions.filtered(lambda a: a.partner_id == self.debtor).level_id,
            self.levels[7],
        )
        self.assertEqual(
            actions.filtered(lambda a: a.partner_id == self.consumer).level_id,
            self.consumer_levels[10],
        )
        self.assertEqual(self.pro_200.recouvrement_level_id, self.levels[7])
        self.assertFalse(actions.filtered("recouvrement_import"))

    def test_no_dunning_debtor_is_not_placed(self):
        self.consumer.write(
            {
                "recouvrement_no_dunning": True,
                "recouvrement_no_dunning_reason": "Hospitalisé",
            }
        )
        wizard = self.wizard(self.policy_consumer, "place")
        self.assertNotIn((self.company.id, self.consumer.id), wizard._placements())

    # ------------------------------------------------------------------
    # Reminders sent outside the add-on
    # ------------------------------------------------------------------

    def previous(self, partner, level, days_ago, **values):
        form = Form(
            self.env["recouvrement.previous.reminder"].with_context(
                active_model="res.partner", active_id=partner.id
            )
        )
        form.date = TODAY - timedelta(days=days_ago)
        form.level_id = level
        if "move_ids" in values:
            form.move_ids.clear()
            for move in values["move_ids"]:
                form.move_ids.add(move)
        return form.save()

    def test_previous_reminder_sets_the_level_and_counts_as_a_contact(self):
        wizard = self.previous(self.debtor, self.levels[7], 2)
        # By default the invoices overdue on that day.
        self.assertEqual(wizard.move_ids, self.pro_10 | self.pro_20 | self.pro_200)
        self.assertEqual(wizard.channel, "email")
        wizard.channel = "letter"
        wizard.action_record()
        action = self.our_actions()
        self.assertEqual(len(action), 1)
        self.assertEqual(action.recouvrement_import, "external")
        self.assertEqual(action.state, "done")
        self.assertEqual(action.channel, "letter")
        self.assertEqual(str(action.contact_date), "2026-11-21 09:00:00")
        self.assertEqual(self.pro_20.recouvrement_level_id, self.levels[7])
        self.assertFalse(self.pro_future.recouvrement_level_id)
        self.assertIn("sent outside the add-on", self.debtor.message_ids[0].body)
        # Today the call (D+15) is due for the 20- and 200-day invoices, but
        # the hand-sent letter was two days ago: it waits for the minimum gap
        # of three days between contacts.
        call = self.run_dunning().filtered(lambda a: a.partner_id == self.debtor)
        self.assertEqual(call.level_id, self.levels[15])
        self.assertEqual(call.state, "waiting")
        self.assertEqual(call.wait_reason, "min_gap")

    def test_placement_after_a_previous_reminder(self):
        # A letter (D+30) sent by hand ten days ago about the 200-day
        # invoice only: placement leaves it there (the next rung is the
        # formal notice) and places the others at their age's level.
        self.previous(
            self.debtor, self.levels[30], 10, move_ids=self.pro_200
        ).action_record()
        self.assertEqual(self.pro_200.recouvrement_level_id, self.levels[30])
        placements = self.wizard(self.policy_pro, "place")._placements()
        key = (self.company.id, self.debtor.id)
        self.assertEqual(
            {move: level.id for move, level in placements[key].items()},
            {self.pro_10.id: self.levels[7].id, self.pro_20.id: self.levels[15].id},
        )

    def test_previous_reminder_bad_input(self):
        with self.assertRaises(ValidationError):
            self.previous(self.consumer, self.consumer_levels[20], -1).action_record()
        # No invoice of the consumer was overdue 30 days ago.
        with self.assertRaises(UserError):
            self.previous(self.consumer, self.consumer_levels[20], 30).action_record()
        wizard = self.previous(self.consumer, self.consumer_levels[20], 1)
        wizard.move_ids |= self.invoice(self.consumer, 50.0, days_late=-5)
        with self.assertRaises(UserError):
            wizard.action_record()
        self.assertFalse(self.our_actions())
