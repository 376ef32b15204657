import csv
import io
from datetime import date, datetime, timedelta
from decimal import Decimal
from unittest.mock import patch

import openpyxl
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged
from odoo.tools import SQL

from .common import NOW, TODAY, RecouvrementCommon

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestAgency(RecouvrementCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.lang = "en_US"
        # The penalties feature computes interest at the half-year's rate:
        # H2 2026 at a known ECB rate (2.15 %: 12.15 % late-payment rate).
        Rate = cls.env.get("recouvrement.legal.rate")
        if Rate is not None:
            h2 = Rate.search([("date_from", "=", "2026-07-01")])
            values = {"ecb_rate": 2.15, "legal_rate": 2.62}
            if h2:
                h2.write(values)
            else:
                Rate.create(dict(values, date_from="2026-07-01"))
        cls.agency = cls.env["res.partner"].create(
            {
                "name": "Cabinet Recouvre SAS",
                "is_company": True,
                "email": "dossiers@recouvre.example",
                "recouvrement_is_agency": True,
                "recouvrement_agency_mandate_ref": "MAND-2026-07",
                "recouvrement_agency_mandate_date": date(2026, 1, 15),
                "recouvrement_agency_commission": 12.5,
            }
        )
        siret = "siret" in cls.debtor._fields
        cls.debtor.write(
            {
                "street": "12 rue des Lilas",
                "zip": "75011",
                "city": "Paris",
                "company_registry": "" if siret else "73282932000074",
                "child_ids": [
                    Command.create(
                        {
                            "name": "Paul Durand",
                            "type": "invoice",
                            "email": "paul@durand.example",
                        }
                    )
                ],
                **({"siret": "73282932000074"} if siret else {}),
            }
        )
        cls.bad_debtor = cls.env["res.partner"].create(
            {
                "name": "Garage Morel SAS",
                "is_company": True,
                "company_registry": "404833047",
                "phone": "12345",
                "country_id": cls.env.ref("base.fr").id,
            }
        )
        cls.manager = cls.env.user
        cls.salesrep = new_test_user(
            cls.env,
            "salesrep_agency",
            groups="base.group_user,recouvrement_amiable.group_recouvrement_salesrep",
            company_id=cls.company.id,
            company_ids=[Command.set(cls.company.ids)],
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def transmit(self, moves, agency=None, **values):
        """Through the wizard, as the manager does it."""
        action = moves.action_recouvrement_transmit_to_agency()
        form = Form(self.env[action["res_model"]].with_context(**action["context"]))
        if agency:
            form.agency_id = agency
        for name, value in values.items():
            setattr(form, name, value)
        result = form.save().action_transmit()
        return self.env[result["res_model"]].browse(result["res_id"])

    def workbook(self, export):
        self.assertEqual(len(export.attachment_ids), 1)
        return openpyxl.load_workbook(io.BytesIO(export.attachment_ids.raw))

    def rows(self, sheet):
        header = [cell.value for cell in sheet[1]]
        return [
            dict(zip(header, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)
        ]

    def interest(self, amount):
        """Expected interest with the penalties feature, else none."""
        return amount if "recouvrement.penalty" in self.env else 0.0

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------

    def test_one_click_from_invoice_list(self):
        inv1 = self.invoice(self.debtor, 1000.0, days_late=30)
        inv2 = self.invoice(self.debtor, 500.0, days_late=61)
        future = self.invoice(self.debtor, 200.0, days_late=-10)
        moves = inv1 | inv2
        # The server action of the invoice list opens the wizard with the
        # selection; the only agency is proposed.
        server_action = self.env.ref(
            "recouvrement_amiable.action_server_recouvrement_transmit"
        )
        action = server_action.with_context(
            active_model="account.move", active_ids=moves.ids
        ).run()
        self.assertEqual(action["res_model"], "recouvrement.case.transmit")
        wizard = Form(self.env[action["res_model"]].with_context(**action["context"]))
        self.assertEqual(wizard.agency_id, self.agency)
        self.assertEqual(wizard.file_format, "xlsx")
        self.assertEqual(wizard.debtor_count, 1)
        self.assertEqual(wizard.amount_due, 1500.0)
        wizard.note = "Client connu, relancer par téléphone."
        result = wizard.save().action_transmit()
        export = self.env["recouvrement.case.export"].browse(result["res_id"])

        case = export.case_ids
        self.assertEqual(len(case), 1)
        self.assertRecordValues(
            case,
            [
                {
                    "partner_id": self.debtor.id,
                    "agency_id": self.agency.id,
                    "state": "sent",
                    "transfer_date": TODAY,
                    "user_id": self.manager.id,
                    "mandate_ref": "MAND-2026-07",
                    "commission_rate": 12.5,
                    "amount_principal": 1500.0,
                    # 1,000.00 x 12.15 % x 30 / 365 + 500.00 x 12.15 % x 61 / 365
                    "amount_interest": self.interest(9.99 + 10.15),
                    "amount_indemnity": 80.0,
                    "amount_claimed": 1580.0 + self.interest(20.14),
                    "amount_residual": 1500.0,
                    "amount_recovered": 0.0,
                    "note": "Client connu, relancer par téléphone.",
                }
            ],
        )
        # In the database, to the cent: the amounts are inserted as given.
        self.env.flush_all()
        # (As text: Odoo's cursor reads numeric columns as floats.)
        amount_columns = self.env.execute_query(
            SQL(
                "SELECT amount_principal::text, amount_interest::text, "
                "amount_indemnity::text, amount_claimed::text, "
                "amount_residual::text, amount_recovered::text "
                "FROM recouvrement_case WHERE id = %s",
                case.id,
            )
        )[0]
        self.assertEqual(
            tuple(map(Decimal, amount_columns)),
            tuple(
                Decimal(f"{amount:.2f}")
                for amount in (
                    1500.0,
                    self.interest(20.14),
                    80.0,
                    1580.0 + self.interest(20.14),
                    1500.0,
                    0.0,
                )
            ),
        )
        self.assertEqual(case.move_ids, moves)
        self.assertTrue(case.name.startswith("AG2026-"))
        self.assertEqual(case.currency_id, self.company.currency_id)
        # The amounts stored at creation are what their computations give.
        case._compute_amount_claimed()
        case._compute_amount_residual()
        case._compute_amount_recovered()
        case._compute_is_active()
        self.assertTrue(case.is_active)
        self.assertEqual(case.amount_claimed, 1580.0 + self.interest(20.14))
        self.assertEqual(case.amount_residual, 1500.0)
        self.assertEqual((case.amount_recovered, case.amount_commission), (0.0, 0.0))
        # The export log: who, when, which invoices, which agency.
        self.assertRecordValues(
            export,
            [
                {
                    "user_id": self.manager.id,
                    "export_date": datetime(2026, 11, 23, 9, 0),
                    "agency_id": self.agency.id,
                    "file_format": "xlsx",
                    "emailed": False,
                }
            ],
        )
        self.assertEqual(export.move_ids, moves)
        # The agency files list finds the export by any of its invoices.
        Export = self.env["recouvrement.case.export"]
        self.assertEqual(Export.search([("move_ids", "in", inv1.ids)]), export)
        self.assertFalse(Export.search([("move_ids", "in", future.ids)]))
        self.assertEqual(export.attachment_ids.mimetype, XLSX)
        self.assertEqual(export.attachment_ids.name, f"{export.name}.xlsx")
        self.assertEqual(
            (export.attachment_ids.res_model, export.attachment_ids.res_id),
            ("recouvrement.case.export", export.id),
        )
        # Invoices marked, chatter of invoices and customer.
        self.assertEqual(moves.mapped("recouvrement_with_agency"), [True, True])
        self.assertFalse(future.recouvrement_with_agency)
        self.assertEqual(inv1.recouvrement_case_id, case)
        self.assertEqual(
            self.env["account.move"].search(
                [
                    ("id", "in", (moves | future).ids),
                    ("recouvrement_with_agency", "=", True),
                ]
            ),
            moves,
        )
        for record in (inv1, inv2, self.debtor):
            self.assertIn(
                "Handed over to the collection agency Cabinet Recouvre SAS on "
                f"11/23/2026 (case {case.name}",
                record.message_ids[0].body,
            )
        self.assertFalse(self.debtor.message_ids[0].attachment_ids)
        # Internal reminders stop for these invoices.
        blocked = moves._recouvrement_blocking_reasons(TODAY)
        self.assertEqual(
            blocked[inv1.id],
            f"With the agency Cabinet Recouvre SAS (case {case.name})",
        )
        self.assertFalse(
            self.run_dunning().filtered(lambda a: a.partner_id == self.debtor)
        )

    def test_bulk_transfer_file_read_back(self):
        reminded = self.invoice(self.debtor, 1000.0, days_late=10)
        self.run_dunning()  # first reminder (e-mail) for the debtor
        self.assertEqual(reminded.recouvrement_level_id, self.levels[7])
        older = self.invoice(self.debtor, 500.0, days_late=61)
        consumer_inv = self.invoice(self.consumer, 120.5, days_late=20)
        bad_inv = self.invoice(self.bad_debtor, 300.0, days_late=40)
        moves = reminded | older | consumer_inv | bad_inv
        export = self.transmit(moves)

        # One file for the batch, one case per debtor.
        cases = export.case_ids
        self.assertEqual(len(cases), 3)
        self.assertEqual(
            cases.partner_id, self.debtor | self.consumer | self.bad_debtor
        )
        case_of = {case.partner_id: case for case in cases}
        self.assertEqual(case_of[self.consumer].amount_indemnity, 0.0)
        self.assertEqual(case_of[self.consumer].amount_interest, 0.0)
        self.assertEqual(case_of[self.bad_debtor].amount_indemnity, 40.0)

        book = self.workbook(export)
        self.assertEqual(book.sheetnames, ["Dossiers", "Factures", "Historique"])

        dossiers = book["Dossiers"]
        self.assertEqual(dossiers.freeze_panes, "A2")
        self.assertEqual(dossiers.auto_filter.ref, "A1:AG4")
        rows = {row["Debtor"]: row for row in self.rows(dossiers)}
        self.assertEqual(len(rows), 3)
        durand = rows["Menuiserie Durand SARL"]
        interest = self.interest(3.33 + 10.15)  # 10 days and 61 days at 12.15 %
        self.assertEqual(
            {key: durand[key] for key in list(durand)[:10]},
            {
                "Case reference": case_of[self.debtor].name,
                "Debtor": "Menuiserie Durand SARL",
                "Debtor type": "Professional",
                "Legal form": "SARL",
                "SIREN": "732829320",
                "SIREN check": "OK",
                "SIRET": "73282932000074",
                "SIRET check": "OK",
                "VAT number": None,
                "VAT check": "Missing",
            },
        )
        self.assertEqual(durand["Address"], "12 rue des Lilas")
        self.assertEqual(durand["ZIP"], "75011")
        self.assertEqual(durand["Country"], "France")
        self.assertEqual(durand["Phone"], "+33142685300")
        self.assertEqual(durand["Phone check"], "OK")
        self.assertEqual(durand["Mobile"], "+33612345678")
        self.assertEqual(durand["E-mail"], "paul@durand.example")
        self.assertEqual(durand["Contact person"], "Paul Durand")
        self.assertEqual(durand["Invoices"], 2)
        self.assertEqual(durand["Principal due"], 1500)
        self.assertEqual(durand["Late-payment interest"], interest)
        self.assertEqual(durand["Recovery indemnities"], 80)
        self.assertEqual(durand["Total claimed"], round(1580 + interest, 2))
        self.assertEqual(durand["Currency"], self.company.currency_id.name)
        self.assertEqual(durand["Oldest due date"], datetime(2026, 9, 23))
        self.assertEqual(durand["Last reminder"], datetime(2026, 11, 23))
        self.assertEqual(durand["Last reminder channel"], "E-mail")
        self.assertEqual(durand["Open dispute"], "No")
        self.assertEqual(durand["Past installment plans"], 0)
        self.assertEqual(durand["Mandate reference"], "MAND-2026-07")
        self.assertEqual(durand["Mandate date"], datetime(2026, 1, 15))
        # Cell types and French formats.
        header = [cell.value for cell in dossiers[1]]
        durand_row = 2 + list(rows).index("Menuiserie Durand SARL")
        principal = dossiers.cell(durand_row, header.index("Principal due") + 1)
        self.assertEqual(
            (principal.data_type, principal.number_format), ("n", "#,##0.00")
        )
        oldest = dossiers.cell(durand_row, header.index("Oldest due date") + 1)
        self.assertTrue(oldest.is_date)
        self.assertEqual(oldest.number_format, "dd/mm/yyyy")
        siren = dossiers.cell(durand_row, header.index("SIREN") + 1)
        self.assertEqual(siren.data_type, "s")

        # Invalid and missing values are kept and flagged.
        morel = rows["Garage Morel SAS"]
        self.assertEqual(morel["SIREN"], "404833047")
        self.assertEqual(morel["SIREN check"], "Invalid (wrong check digit)")
        self.assertEqual(morel["SIRET check"], "Missing")
        self.assertEqual(morel["Phone"], "12345")
        self.assertTrue(morel["Phone check"].startswith("Invalid"))
        self.assertEqual(morel["Mobile check"], "Missing")
        martin = rows["Camille Martin"]
        self.assertEqual(martin["Debtor type"], "Consumer")
        self.assertIsNone(martin["SIREN check"])
        self.assertEqual(martin["Mobile"], "+33781223344")
        self.assertEqual(martin["Recovery indemnities"], 0)
        self.assertEqual(martin["Principal due"], 120.5)
        self.assertIsNone(martin["Last reminder"])

        factures = self.rows(book["Factures"])
        self.assertEqual(len(factures), 4)
        first = next(r for r in factures if r["Invoice"] == reminded.name)
        self.assertEqual(
            first,
            {
                "Case reference": case_of[self.debtor].name,
                "Debtor": "Menuiserie Durand SARL",
                "Invoice": reminded.name,
                "Invoice date": datetime(2026, 10, 14),
                "Due date": datetime(2026, 11, 13),
                "Invoice total": 1000,
                "Amount due": 1000,
                "Currency": reminded.currency_id.name,
                "Days overdue": 10,
                "Dunning level": "First reminder",
                "Last reminder": datetime(2026, 11, 23),
                "Late-payment interest": self.interest(3.33),
                "Recovery indemnity": 40,
                "Total claimed": round(1040 + self.interest(3.33), 2),
            },
        )
        self.assertEqual(book["Factures"]["D2"].number_format, "dd/mm/yyyy")
        self.assertEqual(book["Factures"]["F2"].number_format, "#,##0.00")

        historique = self.rows(book["Historique"])
        action = reminded.recouvrement_last_action_id
        self.assertEqual(
            historique,
            [
                {
                    "Case reference": case_of[self.debtor].name,
                    "Debtor": "Menuiserie Durand SARL",
                    "Date": datetime(2026, 11, 23),
                    "Reminder": action.name,
                    "Channel": "E-mail",
                    "Dunning level": "First reminder",
                    "Invoices": reminded.name,
                    "Outcome": "Done",
                }
            ],
        )

    def test_no_double_transfer(self):
        inv = self.invoice(self.debtor, 400.0, days_late=45)
        export = self.transmit(inv)
        case = export.case_ids
        with self.assertRaisesRegex(UserError, f"already with an agency.*{case.name}"):
            self.transmit(inv)
        # Also when it comes with other invoices.
        other = self.invoice(self.consumer, 80.0, days_late=20)
        with self.assertRaisesRegex(UserError, inv.name.replace("/", ".")):
            self.env["recouvrement.case"]._transmit(inv | other, self.agency)
        self.assertEqual(self.env["recouvrement.case"].search_count([]), 1)
        # The customer button offers only the invoices not with the agency.
        self.invoice(self.debtor, 90.0, days_late=5)
        action = self.debtor.action_recouvrement_transmit_to_agency()
        wizard = (
            self.env[action["res_model"]].with_context(**action["context"]).create({})
        )
        self.assertEqual(len(wizard.move_ids), 1)
        self.assertNotIn(inv, wizard.move_ids)
        # Unpaid, draft or paid invoices are refused clearly.
        draft = self.invoice(self.debtor, 50.0, days_late=5, post=False)
        with self.assertRaisesRegex(UserError, "Only posted customer invoices"):
            self.env["recouvrement.case"]._transmit(draft, self.agency)
        # An agency without mandate reference is refused.
        no_mandate = self.agency.copy({"recouvrement_agency_mandate_ref": False})
        with self.assertRaisesRegex(UserError, "written mandate"):
            self.env["recouvrement.case"]._transmit(other, no_mandate)

    def test_recall_brings_invoices_back_at_their_level(self):
        inv = self.invoice(self.debtor, 500.0, days_late=8)
        self.run_dunning()
        self.assertEqual(inv.recouvrement_level_id, self.levels[7])
        case = self.transmit(inv).case_ids
        case.action_start()
        self.assertEqual(case.state, "in_progress")
        later = TODAY + timedelta(days=8)
        # With the agency: no reminder, even when the next level is due.
        self.assertFalse(
            self.run_dunning(later).filtered(lambda a: a.partner_id == self.debtor)
        )
        case.action_recall()
        self.assertEqual(case.state, "recalled")
        self.assertEqual(case.date_closed, TODAY)
        self.assertFalse(inv.recouvrement_with_agency)
        self.assertEqual(inv.recouvrement_level_id, self.levels[7])
        self.assertIn("Level kept: First reminder", inv.message_ids[0].body)
        self.assertIn(
            "Recalled from the collection agency", self.debtor.message_ids[0].body
        )
        # Internal recovery resumes at the next level (phone call).
        actions = self.run_dunning(later).filtered(
            lambda a: a.partner_id == self.debtor
        )
        self.assertEqual(actions.level_id, self.levels[15])
        self.assertEqual(actions.line_ids.move_id, inv)
        with self.assertRaises(UserError):
            case.action_recall()
        # A recalled invoice may be handed over again.
        self.assertEqual(len(self.transmit(inv).case_ids), 1)

    def test_agency_payment_and_commission(self):
        inv1 = self.invoice(self.debtor, 1000.0, days_late=30)
        inv2 = self.invoice(self.debtor, 500.0, days_late=61)
        # Paid before the hand-over: not recovered by the agency.
        self.pay(inv2, 100.0, on_date=TODAY - timedelta(days=3))
        case = self.transmit(inv1 | inv2).case_ids
        self.assertEqual(case.amount_principal, 1400.0)
        action = case.action_register_agency_payment()
        self.assertEqual(action["res_model"], "account.payment.register")
        self.assertIn(case.name, action["context"]["default_communication"])
        register = (
            self.env["account.payment.register"]
            .with_context(**action["context"])
            .create(
                {
                    "amount": 600.0,
                    "payment_date": TODAY,
                    "payment_difference_handling": "open",
                }
            )
        )
        payments = register._create_payments()
        self.assertEqual(len(payments), 1)
        self.assertEqual(payments.amount, 600.0)
        self.assertRecordValues(
            case,
            [
                {
                    "amount_recovered": 600.0,
                    "amount_residual": 800.0,
                    "amount_commission": 75.0,  # 12.5 % of 600.00
                }
            ],
        )
        case.action_close()
        self.assertEqual(case.state, "closed_partial")
        self.assertFalse(inv1.recouvrement_with_agency)
        with self.assertRaises(UserError):
            case.action_register_agency_payment()

        # Fully recovered: the case closes as recovered.
        inv3 = self.invoice(self.consumer, 240.0, days_late=20)
        case = self.transmit(inv3).case_ids
        self.pay(inv3, 240.0)
        self.assertEqual(case.amount_recovered, 240.0)
        self.assertEqual(case.amount_commission, 30.0)
        case.action_close()
        self.assertEqual(case.state, "closed_recovered")
        # Nothing recovered: unrecoverable.
        inv4 = self.invoice(self.bad_debtor, 300.0, days_late=40)
        case = self.transmit(inv4).case_ids
        case.action_close()
        self.assertEqual(case.state, "closed_unrecoverable")
        # Totals per agency.
        totals = self.env["recouvrement.case"]._read_group(
            [("agency_id", "=", self.agency.id)],
            groupby=["agency_id"],
            aggregates=["amount_recovered:sum", "amount_commission:sum"],
        )
        self.assertEqual(totals, [(self.agency, 840.0, 105.0)])

    def test_access_rights(self):
        self.debtor.user_id = self.salesrep
        inv = self.invoice(self.debtor, 700.0, days_late=45)
        export = self.transmit(inv)
        case = export.case_ids
        attachment = export.attachment_ids
        collector = self.collector
        # A collector sees the case and why the invoice is not reminded ...
        self.assertEqual(
            self.env["recouvrement.case"].with_user(collector).search([]), case
        )
        self.assertEqual(case.with_user(collector).amount_claimed, case.amount_claimed)
        self.assertTrue(inv.with_user(collector).recouvrement_with_agency)
        # ... but not the file, nor the export log.
        with self.assertRaises(AccessError):
            attachment.with_user(collector).read(["raw"])
        with self.assertRaises(AccessError):
            export.with_user(collector).read(["name"])
        with self.assertRaises(AccessError):
            case.with_user(collector).read(["attachment_ids"])
        self.assertFalse(
            self.env["ir.attachment"]
            .with_user(collector)
            .search([("res_model", "=", "recouvrement.case.export")])
        )
        # Nor hand files over, recall or close them.
        with self.assertRaises(AccessError):
            self.env["recouvrement.case.transmit"].with_user(collector).create(
                {"agency_id": self.agency.id, "move_ids": [Command.set(inv.ids)]}
            )
        with self.assertRaises(AccessError):
            case.with_user(collector).action_recall()
        # A sales rep sees the status only.
        with self.assertRaises(AccessError):
            self.env["recouvrement.case"].with_user(self.salesrep).search([])
        self.assertTrue(inv.with_user(self.salesrep).recouvrement_with_agency)
        # The manager reads the file.
        self.assertTrue(attachment.raw.startswith(b"PK"))

    def test_csv_variant_sent_by_email(self):
        agency = self.agency.copy(
            {
                "name": "Recouvrements du Sud",
                "email": "sud@recouvrements.example",
                "recouvrement_agency_mandate_ref": "SUD-42",
                "recouvrement_agency_file_format": "csv",
                "recouvrement_agency_send_email": True,
                "recouvrement_agency_acting": "creditor",
            }
        )
        inv = self.invoice(self.bad_debtor, 300.0, days_late=40)
        IrMailServer = type(self.env["ir.mail_server"])
        build_email = IrMailServer.build_email
        built = []

        def spy(server, *args, **kwargs):
            built.append(kwargs)
            return build_email(server, *args, **kwargs)

        with patch.object(IrMailServer, "build_email", spy):
            export = self.transmit(inv, agency=agency)
        self.assertEqual(export.file_format, "csv")
        files = {a.name: a for a in export.attachment_ids}
        self.assertEqual(
            sorted(files),
            [
                f"{export.name} - Dossiers.csv",
                f"{export.name} - Factures.csv",
                f"{export.name} - Historique.csv",
            ],
        )
        content = files[f"{export.name} - Factures.csv"].raw
        self.assertTrue(content.startswith(b"\xef\xbb\xbf"))
        rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))
        interest = self.interest(3.99)  # 300.00 x 12.15 % x 40 / 365 (H2 2026)
        self.assertEqual(
            rows[1],
            [
                export.case_ids.name,
                "Garage Morel SAS",
                inv.name,
                "14/09/2026",
                "14/10/2026",
                "300,00",
                "300,00",
                inv.currency_id.name,
                "40",
                "",
                "",
                f"{interest:.2f}".replace(".", ","),
                "40,00",
                f"{340 + interest:.2f}".replace(".", ","),
            ],
        )
        dossiers = files[f"{export.name} - Dossiers.csv"].raw.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(dossiers), delimiter=";"))
        row = dict(zip(rows[0], rows[1], strict=True))
        self.assertEqual(row["SIREN"], "404833047")
        self.assertEqual(row["SIREN check"], "Invalid (wrong check digit)")
        self.assertEqual(row["Mandate reference"], "SUD-42")
        # E-mailed to the agency with the three files.
        self.assertTrue(export.emailed)
        message = export.message_ids.filtered(lambda m: m.message_type == "comment")
        self.assertEqual(message.partner_ids, agency)
        self.assertEqual(message.attachment_ids, export.attachment_ids)
        self.assertIn("in the creditor's name (white label)", message.body)
        notification = message.notification_ids
        self.assertEqual(notification.res_partner_id, agency)
        self.assertEqual(notification.notification_type, "email")
        self.assertEqual(len(built), 1)
        self.assertEqual(
            built[0]["email_to"], ['"Recouvrements du Sud" <sud@recouvrements.example>']
        )
        self.assertEqual(
            sorted(name for name, *_rest in built[0]["attachments"]), sorted(files)
        )

    def test_from_agency_proposal(self):
        inv = self.invoice(self.debtor, 900.0, days_late=65)
        level = self.levels[60]
        action = self.reminder(self.debtor, inv, level, state="waiting")
        action._perform()
        self.assertEqual(action.state, "to_do")
        self.assertTrue(action.activity_id)
        wizard = Form(
            self.env["recouvrement.case.transmit"].with_context(
                default_action_id=action.id
            )
        )
        self.assertEqual(wizard.move_ids[:], inv)
        export = self.env["recouvrement.case.export"].browse(
            wizard.save().action_transmit()["res_id"]
        )
        self.assertEqual(export.case_ids.move_ids, inv)
        self.assertEqual(action.state, "done")
        self.assertFalse(action.activity_id)

    def test_batch_references_and_creation_notes(self):
        """The references of a batch follow each other in the sequence, be it
        gapless or standard, and each case bears the creation note Odoo logs
        on a new record (unless the context says not to), before the
        hand-over note."""
        sequence = self.env.ref("recouvrement_amiable.seq_recouvrement_case")
        note = self.env.ref("mail.mt_note")
        Case = self.env["recouvrement.case"].with_context(
            tracking_disable=False, mail_create_nolog=False
        )
        for days_late, implementation in ((20, "no_gap"), (25, "standard")):
            sequence.implementation = implementation
            first = sequence.number_next_actual
            moves = (
                self.invoice(self.debtor, 100.0, days_late)
                | self.invoice(self.consumer, 50.0, days_late)
                | self.invoice(self.bad_debtor, 70.0, days_late)
            )
            export = Case._transmit(moves, self.agency)
            cases = export.case_ids.sorted("id")
            self.assertEqual(
                cases.mapped("name"),
                [f"AG2026-{number:05d}" for number in range(first, first + 3)],
            )
            sequence.invalidate_recordset()
            self.assertEqual(sequence.number_next_actual, first + 3)
            # The export is created through Odoo's mail.thread: its creation
            # note is the model of the cases'.
            export_note = export.message_ids
            self.assertEqual(export_note.body, "<p>Agency file created</p>")
            for case in cases:
                created, handed = case.message_ids.sorted("id")
                self.assertEqual(created.body, "<p>Agency case created</p>")
                self.assertRecordValues(
                    created,
                    [
                        {
                            "model": "recouvrement.case",
                            "res_id": case.id,
                            "message_type": export_note.message_type,
                            "subtype_id": note.id,
                            "is_internal": True,
                            "author_id": export_note.author_id.id,
                            "email_from": export_note.email_from,
                            "date": export_note.date,
                        }
                    ],
                )
                self.assertIn(f"(case {case.name}, ", handed.body)

        # The tests' context: Odoo logs no creation note, nor does the batch.
        self.assertTrue(self.env.context.get("mail_create_nolog"))
        case = self.transmit(self.invoice(self.debtor, 80.0, 15)).case_ids
        self.assertEqual(case.name, f"AG2026-{first + 3:05d}")
        self.assertEqual(len(case.message_ids), 1)
        self.assertIn("Handed over to the collection agency", case.message_ids.body)

    def test_batch_of_cases_checked_for_its_company(self):
        """Cases created together have their companies checked together; a
        debtor of another company is refused with Odoo's message, which
        names the case."""
        other = self.env["res.company"].create({"name": "Autre Société"})
        stranger = self.env["res.partner"].create(
            {"name": "Client Ailleurs", "company_id": other.id}
        )
        invoice = self.invoice(self.debtor, 100.0, days_late=30)
        Case = self.env["recouvrement.case"]
        values = {
            "company_id": self.company.id,
            "agency_id": self.agency.id,
            "transfer_date": TODAY,
        }
        cases = Case.create(
            [
                dict(
                    values,
                    name="TEST-1",
                    partner_id=self.debtor.id,
                    move_ids=[Command.set(invoice.ids)],
                ),
                dict(values, name="TEST-2", partner_id=self.consumer.id),
            ]
        )
        self.assertEqual(cases.mapped("name"), ["TEST-1", "TEST-2"])
        # Created without one, a case is in its company's currency.
        self.assertEqual(cases.currency_id, self.company.currency_id)
        with self.assertRaisesRegex(UserError, r"(?s)Incompatible companies.*TEST-4"):
            Case.create(
                [
                    dict(values, name="TEST-3", partner_id=self.debtor.id),
                    dict(values, name="TEST-4", partner_id=stranger.id),
                ]
            )
