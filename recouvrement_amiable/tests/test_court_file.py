import base64
import io
import zipfile
from datetime import date

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import NOW, TODAY, RecouvrementCommon


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestCourtFile(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Invoices in EUR (the company's currency is USD in tests): the 40 EUR
        # indemnity and the 5,000 EUR limit apply as they are.
        cls.eur = cls.setup_other_currency("EUR", rates=[("2000-01-01", 0.5)])
        cls.CourtFile = cls.env["recouvrement.court.file"]
        cls.debtor.write(
            {
                "company_registry": "732829320",
                "street": "12 rue de la République",
                "zip": "69002",
                "city": "Lyon",
            }
        )

    def eur_invoice(self, amount, days_late, partner=None):
        return self.invoice(
            partner or self.debtor, amount, days_late, currency=self.eur
        )

    def formal_notice(self, invoices, presented=date(2026, 11, 6), scan=True):
        """A formal notice about ``invoices`` prepared on 3 November, sent
        the 4th and presented ``presented``."""
        level = self.levels[45]
        notice = self.reminder(
            self.debtor,
            invoices[0],
            level,
            contact="2026-11-03 09:00:00",
            line_ids=[
                Command.create(
                    {
                        "move_id": invoice.id,
                        "level_id": level.id,
                        "date_due": invoice.invoice_date_due,
                        "amount_residual": invoice.amount_residual_signed,
                        "amount_residual_currency": invoice.amount_residual,
                    }
                )
                for invoice in invoices
            ],
        )
        values = {
            "sending_method": "registered",
            "tracking_ref": "1A12345678901",
            "sent_date": date(2026, 11, 4),
            "presented_date": presented,
            "delivery_outcome": "signed",
        }
        if scan:
            values.update(
                proof_scan=base64.b64encode(b"%PDF-1.4 signed receipt"),
                proof_scan_name="AR signed.pdf",
            )
        notice._record_proof(values)
        return notice

    def open_file(self, invoices):
        action = invoices.action_recouvrement_prepare_court_file()
        return self.CourtFile.browse(action["res_id"])

    def read_zip(self, court_file):
        data = court_file.attachment_id.raw
        archive = zipfile.ZipFile(io.BytesIO(data))
        return {name: archive.read(name) for name in archive.namelist()}

    def test_court_file_zip_amounts_and_chronology(self):
        # 2,000.00 due 2026-05-07: H1 2026, 54 days at 12.15 % = 35.95;
        # H2 2026, 146 days at 12.00 % = 96.00. 1,500.00 due 2026-09-24:
        # 60 days at 12.00 % = 29.59. 40 EUR per invoice.
        old = self.eur_invoice(2000.0, days_late=200)
        recent = self.eur_invoice(1500.0, days_late=60)
        invoices = old | recent
        call = self.reminder(
            self.debtor,
            old,
            self.levels[15],
            contact="2026-10-20 09:00:00",
            outcome="promise",
            promise_date=date(2026, 10, 30),
            promise_amount=500.0,
            promise_state="broken",
        )
        notice = self.formal_notice(invoices)
        # A reminder planned but not sent yet: the court file cancels it.
        pending = self.reminder(self.debtor, recent, self.levels[60], state="waiting")

        action = self.debtor.action_recouvrement_prepare_court_file()
        court_file = self.CourtFile.browse(action["res_id"])
        self.assertEqual(court_file.move_ids, invoices)
        self.assertEqual(court_file.notice_id, notice)
        self.assertEqual(court_file.notice_deadline, date(2026, 11, 14))
        court_file.action_prepare()
        self.assertRecordValues(
            court_file,
            [
                {
                    "state": "prepared",
                    "currency_id": self.eur.id,
                    "amount_principal": 3500.0,
                    "amount_interest": 161.54,
                    "amount_indemnity": 80.0,
                    "amount_claim": 3661.54,
                    "amount_total": 3741.54,
                    "route_proposed": "small_claims",
                    "route": "small_claims",
                    "court_kind": "commercial",
                    "court_name": "Tribunal de commerce compétent pour 69002 Lyon",
                    "prepared_date": TODAY,
                }
            ],
        )
        files = self.read_zip(court_file)
        invoice_names = [
            f"factures/{move.name.replace('/', '_')}" for move in (old, recent)
        ]
        names = list(files)
        self.assertEqual(court_file.attachment_id.mimetype, "application/zip")
        self.assertEqual(names[0], "00_recapitulatif_creance.html")
        self.assertEqual(names[1], "01_creance_detaillee.csv")
        self.assertEqual(names[2], "02_demande_commissaire_de_justice.html")
        self.assertEqual([n.rpartition(".")[0] for n in names[3:5]], invoice_names)
        self.assertEqual(
            names[5:],
            [
                f"mise_en_demeure/{notice.name}.html",
                "mise_en_demeure/AR_AR signed.pdf",
                "releve_de_compte.html",
            ],
        )
        self.assertEqual(
            files["mise_en_demeure/AR_AR signed.pdf"], b"%PDF-1.4 signed receipt"
        )
        claim = files["01_creance_detaillee.csv"].decode().splitlines()
        self.assertIn(f"{old.name};;;;H1 2026;54;12.15;35.95;", claim)
        self.assertIn(f"{old.name};;;;H2 2026;146;12.00;96.00;", claim)
        self.assertIn(f"{recent.name};;;;H2 2026;60;12.00;29.59;", claim)
        self.assertEqual(claim[-1], "TOTAL total;;;;;;;3741.54;")
        summary = files["00_recapitulatif_creance.html"].decode()
        for text in (
            "Menuiserie Durand SARL",
            "732829320",
            "35,95\u00a0€",
            "96,00\u00a0€",
            "29,59\u00a0€",
            "161,54\u00a0€",
            "80,00\u00a0€",
            "3\u202f741,54\u00a0€",
            "1A12345678901",
            "06/11/2026",
            call.name,
            notice.name,
        ):
            self.assertIn(text, summary)
        # The chronology, in date order: invoices, the broken promise, the
        # formal notice prepared, sent, presented.
        positions = [
            summary.index(text)
            for text in (
                f"Invoice {old.name} issued",
                f"Invoice {recent.name} issued",
                call.name,
                "Promise to pay",
                f"Formal notice {notice.name} prepared",
                f"Formal notice {notice.name} sent",
                f"Formal notice {notice.name} first presented",
            )
        ]
        self.assertEqual(positions, sorted(positions))
        request = files["02_demande_commissaire_de_justice.html"].decode()
        self.assertIn("3\u202f661,54\u00a0€", request)

        # Judicial: reminders stop, no agency, no plan.
        self.assertEqual(pending.state, "cancelled")
        self.assertEqual(invoices.mapped("recouvrement_judicial"), [True, True])
        self.assertEqual(
            self.env["account.move"].search(
                [("recouvrement_judicial", "=", True), ("id", "in", invoices.ids)]
            ),
            invoices,
        )
        self.assertEqual(self.debtor.recouvrement_judicial_count, 2)
        reasons = invoices._recouvrement_blocking_reasons(TODAY)
        self.assertEqual(set(reasons), set(invoices.ids))
        created = self.run_dunning()
        self.assertFalse(
            created.line_ids.filtered(lambda line: line.move_id in invoices)
        )
        with self.assertRaisesRegex(UserError, "sent to court"):
            self.env["recouvrement.case"]._check_transmittable(
                invoices, self.env["res.partner"]
            )
        with self.assertRaises(UserError):
            self.open_file(old).action_prepare()

    def test_filing_interrupts_prescription_and_follow_up(self):
        invoice = self.eur_invoice(1200.0, days_late=200)
        self.formal_notice(invoice)
        court_file = self.open_file(invoice)
        court_file.action_prepare()
        # Invoice date 2026-04-07: time-barred from 2031-04-08.
        self.assertEqual(invoice.recouvrement_prescription_date, date(2031, 4, 8))
        with self.assertRaisesRegex(Exception, "future"):
            court_file.filing_date = date(2026, 11, 24)
        court_file.write(
            {
                "filing_date": TODAY,
                "court_ref": "RG 26/01234",
                "court_fees": 33.47,
                "bailiff_fees": 120.0,
                "costs_claimed": True,
            }
        )
        self.assertEqual(court_file.state, "filed")
        self.assertEqual(invoice.recouvrement_acknowledgment_date, TODAY)
        # A new 5-year period from the court claim.
        self.assertEqual(invoice.recouvrement_prescription_date, date(2031, 11, 24))
        # 1,200.00 + interest 79.17 (H1 2026 21.57, H2 2026 57.60)
        # + 40.00 + costs 153.47.
        self.assertEqual(court_file.amount_interest, 79.17)
        self.assertEqual(court_file.amount_total, 1472.64)
        with self.assertRaises(UserError):
            court_file.action_close()
        court_file.write({"outcome": "granted", "outcome_date": TODAY})
        court_file.action_close()
        self.assertEqual(court_file.state, "closed")
        self.assertFalse(invoice.recouvrement_judicial)

    def test_order_for_payment_interrupts_when_served(self):
        """Filing an injonction de payer request interrupts nothing; serving
        the order does (LEGAL_FR 3)."""
        invoice = self.eur_invoice(6000.0, days_late=200)
        self.formal_notice(invoice)
        court_file = self.open_file(invoice)
        court_file.action_prepare()
        self.assertEqual(court_file.route, "injonction")
        court_file.filing_date = TODAY
        self.assertEqual(court_file.state, "filed")
        self.assertFalse(invoice.recouvrement_acknowledgment_date)
        self.assertEqual(invoice.recouvrement_prescription_date, date(2031, 4, 8))
        with self.assertRaisesRegex(UserError, "served after"):
            court_file.service_date = date(2026, 11, 22)
        court_file.service_date = TODAY
        self.assertEqual(invoice.recouvrement_acknowledgment_date, TODAY)
        self.assertEqual(invoice.recouvrement_prescription_date, date(2031, 11, 24))

    def test_route_on_each_side_of_5000(self):
        below = self.eur_invoice(4900.0, days_late=10)  # + 16.11 interest
        above = self.eur_invoice(4990.0, days_late=40)  # + 65.62 interest
        files = self.CourtFile
        for invoice in (below, above):
            court_file = self.open_file(invoice)
            court_file.override_reason = "Debtor closing its business."
            court_file.action_prepare()
            files |= court_file
        self.assertRecordValues(
            files,
            [
                {
                    "amount_claim": 4916.11,
                    "route": "small_claims",
                    "court_kind": "commercial",
                },
                {
                    "amount_claim": 5055.62,
                    "route": "injonction",
                    "court_kind": "commercial",
                },
            ],
        )
        self.assertNotIn(
            "02_demande_commissaire_de_justice.html", self.read_zip(files[1])
        )
        # A consumer's order for payment goes to the tribunal judiciaire,
        # named after the debtor's city; unknown city: left to fill.
        self.consumer.write({"zip": "75011", "city": "Paris"})
        court_file = self.open_file(self.invoice(self.consumer, 6000.0, days_late=5))
        self.assertEqual(court_file.court_kind, "judiciaire")
        self.assertEqual(
            court_file.court_name, "Tribunal judiciaire compétent pour 75011 Paris"
        )

    def test_open_only_after_the_notice_and_its_deadline(self):
        invoice = self.eur_invoice(800.0, days_late=70)
        court_file = self.open_file(invoice)
        with self.assertRaisesRegex(UserError, "No formal notice"):
            court_file.action_prepare()
        notice = self.reminder(
            self.debtor, invoice, self.levels[45], contact="2026-11-03 09:00:00"
        )
        # The same draft follows the notice and its proof as they come.
        court_file.invalidate_recordset()
        self.assertEqual(court_file.notice_id, notice)
        with self.assertRaisesRegex(UserError, "no date of first presentation"):
            court_file.action_prepare()
        notice._record_proof(
            {
                "sending_method": "registered",
                "tracking_ref": "1A555",
                "sent_date": date(2026, 11, 14),
                "presented_date": date(2026, 11, 16),
            }
        )
        court_file.invalidate_recordset()
        # Presented on 16 November + 8 days: the debtor may pay until the 24th.
        with self.assertRaisesRegex(UserError, "2026-11-24"):
            court_file.action_prepare()
        self.assertEqual(court_file.state, "draft")
        self.assertFalse(invoice.recouvrement_judicial)
        court_file.override_reason = "The debtor announced it will not pay."
        court_file.action_prepare()
        self.assertEqual(court_file.state, "prepared")

    def test_collection_managers_only(self):
        invoice = self.eur_invoice(800.0, days_late=70)
        court_file = self.CourtFile.create(
            {"partner_id": self.debtor.id, "move_ids": [Command.set(invoice.ids)]}
        )
        with self.assertRaises(AccessError):
            court_file.with_user(self.collector).read(["name"])
        with self.assertRaises(AccessError):
            self.CourtFile.with_user(self.collector).create(
                {"partner_id": self.debtor.id}
            )
        # The collector still sees whether an invoice is judicial.
        court_file.write({"override_reason": "Test", "state": "prepared"})
        self.assertTrue(invoice.with_user(self.collector).recouvrement_judicial)
        # Another company's manager does not see the file.
        other = self.setup_other_company(name="Autre société")["company"]
        self.env.user.company_ids |= other
        files = self.CourtFile.with_context(allowed_company_ids=other.ids).search(
            [("id", "=", court_file.id)]
        )
        self.assertFalse(files)
