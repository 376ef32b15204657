from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import NOW, TODAY, RecouvrementCommon

JUDGMENT = date(2026, 11, 13)


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestProceedings(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mandataire = cls.env["res.partner"].create(
            {"name": "Me Lefèvre, mandataire judiciaire", "is_company": True}
        )

    def open_proceeding(self, **values):
        vals = {
            "partner_id": self.debtor.id,
            "kind": "redressement",
            "judgment_date": JUDGMENT,
            "court": "Tribunal de commerce de Lyon",
            "bodacc_date": date(2026, 11, 16),
            "mandataire_id": self.mandataire.id,
        }
        vals.update(values)
        return self.env["recouvrement.proceeding"].create(vals)

    def test_redressement_stops_the_run_and_declares_exact_amounts(self):
        # Due 2026-09-24, 300.00 paid on 2026-10-01, before the judgment.
        late = self.invoice(self.debtor, 1000.0, days_late=60)
        self.pay(late, 300.0, date(2026, 10, 1))
        # Due 2026-12-03, after the judgment; 100.00 received after it.
        later = self.invoice(self.debtor, 500.0, days_late=-10)
        self.pay(later, 100.0, TODAY)
        pending = self.reminder(self.debtor, late, self.levels[45], state="waiting")

        proceeding = self.open_proceeding()

        self.assertEqual(pending.state, "cancelled")
        self.assertEqual(self.debtor.recouvrement_proceeding_type, "redressement")
        self.assertEqual(self.debtor.recouvrement_proceeding_date, JUDGMENT)
        self.assertEqual(self.debtor.recouvrement_bodacc_date, date(2026, 11, 16))
        self.assertIn("L622-21", self.debtor.message_ids[0].body)
        reasons = (late | later)._recouvrement_blocking_reasons(TODAY)
        self.assertEqual(set(reasons), {late.id, later.id})
        self.assertIn("Collective proceedings", reasons[late.id])
        actions = self.env["recouvrement.action"].search(
            [("partner_id", "=", self.debtor.id), ("state", "!=", "cancelled")]
        )
        self.run_dunning()
        self.assertEqual(
            self.env["recouvrement.action"].search_count(
                [("partner_id", "=", self.debtor.id), ("state", "!=", "cancelled")]
            ),
            len(actions),
        )

        lines = {line["move"]: line for line in proceeding._declaration_lines()}
        self.assertEqual(set(lines), {late, later})
        # 1,000.00 × 12 % × 7 / 365 + 700.00 × 12 % × 43 / 365 = 12.20
        self.assertAlmostEqual(lines[late]["principal"], 700.00, places=2)
        self.assertAlmostEqual(lines[late]["interest"], 12.20, places=2)
        self.assertAlmostEqual(lines[late]["indemnity"], 40.00, places=2)
        self.assertAlmostEqual(lines[late]["total"], 752.20, places=2)
        self.assertFalse(lines[late]["falls_due_later"])
        self.assertAlmostEqual(lines[later]["principal"], 500.00, places=2)
        self.assertAlmostEqual(lines[later]["interest"], 0.0, places=2)
        self.assertAlmostEqual(lines[later]["indemnity"], 0.0, places=2)
        self.assertTrue(lines[later]["falls_due_later"])
        self.assertAlmostEqual(proceeding.declared_amount, 1252.20, places=2)
        self.assertAlmostEqual(proceeding.paid_after_amount, 100.00, places=2)
        Proceeding = self.env["recouvrement.proceeding"]
        Proceeding._cron_flag_payments_after()
        Proceeding._cron_flag_payments_after()
        flagged = proceeding.activity_ids.filtered(
            lambda a: a.summary == "Payments received after the judgment"
        )
        self.assertEqual(len(flagged), 1)
        self.assertIn(later.name, flagged.note)

        # Interest stops at the judgment, whatever the date asked.
        claims = self.env["recouvrement.penalty"]._recouvrement_claims(late, TODAY)
        self.assertAlmostEqual(claims[late.id].interest, 12.20, places=2)

        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "recouvrement_amiable.action_report_claim_declaration", proceeding.ids
            )[0]
            .decode()
        )
        self.assertIn(late.name, html)
        self.assertIn("752.20", html)
        action = proceeding.action_download_zip()
        self.assertEqual(action["type"], "ir.actions.act_url")

    def test_penalty_wizard_refuses(self):
        late = self.invoice(self.debtor, 1000.0, days_late=60)
        self.open_proceeding()
        with self.assertRaisesRegex(UserError, "collective proceedings"):
            self.env["recouvrement.penalty.invoice"].with_context(
                active_model="account.move", active_ids=late.ids
            ).create({})

    def test_deadline_activities(self):
        proceeding = self.open_proceeding()
        self.assertEqual(proceeding.deadline, date(2027, 1, 16))
        activities = proceeding.activity_ids.sorted("date_deadline")
        self.assertEqual(
            activities.mapped("date_deadline"), [date(2026, 12, 17), date(2027, 1, 9)]
        )
        proceeding.outside_metropolitan = True
        self.assertEqual(proceeding.deadline, date(2027, 3, 16))
        self.assertEqual(
            proceeding.activity_ids.sorted("date_deadline").mapped("date_deadline"),
            [date(2027, 2, 14), date(2027, 3, 9)],
        )
        proceeding.write(
            {"declaration_date": TODAY, "declaration_reference": "1A 234 567 8901 2"}
        )
        self.assertFalse(proceeding.activity_ids)

    def test_partner_fields_record_the_proceeding(self):
        self.debtor.write(
            {
                "recouvrement_proceeding_type": "liquidation",
                "recouvrement_proceeding_date": JUDGMENT,
            }
        )
        proceeding = self.debtor.recouvrement_proceeding_ids
        self.assertEqual(len(proceeding), 1)
        self.assertEqual(proceeding.kind, "liquidation")
        proceeding.action_close()
        self.assertFalse(self.debtor.recouvrement_proceeding_type)

    def test_later_judgments(self):
        proceeding = self.open_proceeding()
        proceeding.action_convert_liquidation()
        self.assertEqual(self.debtor.recouvrement_proceeding_type, "liquidation")
        proceeding.action_close_insufficient()
        self.assertEqual(proceeding.state, "closed_insufficient")
        self.assertEqual(proceeding.closure_date, TODAY)

    def test_bad_input(self):
        with self.assertRaisesRegex(ValidationError, "future"):
            self.open_proceeding(judgment_date=date(2026, 11, 24))
        with self.assertRaisesRegex(ValidationError, "BODACC"):
            self.open_proceeding(bodacc_date=date(2026, 11, 12))

    def test_access(self):
        proceeding = self.open_proceeding()
        salesrep = new_test_user(
            self.env,
            "salesrep_proc",
            groups="base.group_user,recouvrement_amiable.group_recouvrement_salesrep",
        )
        proceeding.with_user(salesrep).read(["kind"])
        with self.assertRaises(AccessError):
            self.env["recouvrement.proceeding"].with_user(salesrep).create(
                {
                    "partner_id": self.consumer.id,
                    "kind": "sauvegarde",
                    "judgment_date": JUDGMENT,
                }
            )
        other = self.env["res.company"].create({"name": "Autre société"})
        outsider = new_test_user(
            self.env,
            "collector_other",
            groups="account.group_account_invoice,recouvrement_amiable.group_recouvrement_collector",
            company_id=other.id,
            company_ids=[Command.set(other.ids)],
        )
        self.assertFalse(
            self.env["recouvrement.proceeding"]
            .with_user(outsider)
            .search([("id", "=", proceeding.id)])
        )

    def test_declaration_in_french_and_foreign_currency(self):
        chf = self.setup_other_currency("CHF", rates=[("2026-01-01", 2.0)])
        invoice = self.invoice(self.debtor, 1000.0, days_late=-5, currency=chf)
        proceeding = self.open_proceeding()
        line = proceeding._declaration_lines()[0]
        self.assertEqual(line["move"], invoice)
        self.assertAlmostEqual(line["total"], 1000.00, places=2)
        # Converted at the rate of the judgment date: 1,000.00 CHF = 500.00.
        self.assertAlmostEqual(proceeding.declared_amount, 500.00, places=2)
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(
            ["recouvrement_amiable"], ["fr_FR"], overwrite=True
        )
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html(
                "recouvrement_amiable.action_report_claim_declaration", proceeding.ids
            )[0]
            .decode()
        )
        self.assertIn("Déclaration de créance", html)
        self.assertIn("Créance chirographaire", html)

    def test_plans_stopped_and_agency_cases_recalled(self):
        planned = self.invoice(self.debtor, 900.0, days_late=20)
        handed = self.invoice(self.debtor, 600.0, days_late=70)
        plan = self.env["recouvrement.plan"].create(
            {
                "partner_id": self.debtor.id,
                "move_ids": [Command.set(planned.ids)],
                "first_date": date(2026, 12, 15),
                "frequency": "monthly",
                "installment_count": 3,
            }
        )
        plan.action_confirm()
        plan.action_mark_signed()
        self.assertEqual(plan.state, "active")
        agency = self.env["res.partner"].create(
            {
                "name": "Cabinet Recouvre SAS",
                "is_company": True,
                "email": "dossiers@recouvre.example",
                "recouvrement_is_agency": True,
                "recouvrement_agency_mandate_ref": "MAND-2026-07",
                "recouvrement_agency_mandate_date": date(2026, 1, 15),
                "recouvrement_agency_send_email": True,
            }
        )
        self.env["recouvrement.case"]._transmit(handed, agency, send_email=False)
        case = self.env["recouvrement.case"].search([("move_ids", "in", handed.ids)])
        self.assertEqual(case.state, "sent")

        self.open_proceeding()

        self.assertEqual(plan.state, "cancelled")
        self.assertEqual(case.state, "recalled")
        told = case.message_ids.filtered(lambda m: agency in m.partner_ids)
        self.assertTrue(told)
        self.assertIn("collective proceedings", told[0].body)
