import io
from unittest.mock import patch

from freezegun import freeze_time

from odoo.tests import tagged

from ..models.recouvrement_action_documents import RecouvrementActionDocuments
from ..tools import pdf_split
from .common import NOW, RecouvrementCommon

PDF = b"%PDF-1.4 stored invoice "


@tagged("post_install", "-at_install")
@freeze_time(NOW)
class TestReminderAttachments(RecouvrementCommon):
    """What a reminder e-mail carries (the level's "Attach"), its reply-to,
    and how many PDF renderings its documents cost."""

    def mail_of(self, action):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("mail_message_id", "=", action.mail_message_id.id)])
        )

    def store_pdf(self, invoice):
        """The PDF Odoo stores when it sends an invoice (account.move.send)."""
        attachment = self.env["ir.attachment"].create(
            {
                "name": f"{invoice.name.replace('/', '_')}.pdf",
                "raw": PDF + invoice.name.encode(),
                "mimetype": "application/pdf",
                "res_model": "account.move",
                "res_id": invoice.id,
                "res_field": "invoice_pdf_report_file",
            }
        )
        invoice.invalidate_recordset(["invoice_pdf_report_id"])
        self.assertEqual(invoice.invoice_pdf_report_id, attachment)
        return attachment

    def count_renderings(self):
        """Patches counting every rendering of a document by the run and by
        Odoo's reports."""
        Report = type(self.env["ir.actions.report"])
        calls = []

        def counter(name, original):
            def wrapped(*args, **kwargs):
                calls.append(name)
                return original(*args, **kwargs)

            return wrapped

        patches = [
            patch.object(
                RecouvrementActionDocuments,
                name,
                counter(name, getattr(RecouvrementActionDocuments, name)),
            )
            for name in ("_render_documents", "_render_html_pages")
        ] + [
            patch.object(Report, name, counter(name, getattr(Report, name)))
            for name in (
                "_render_qweb_pdf",
                "_render_qweb_pdf_prepare_streams",
                "_render_qweb_html",
                "_run_wkhtmltopdf",
            )
        ]
        return calls, patches

    def run_with_counter(self):
        calls, patches = self.count_renderings()
        for one in patches:
            one.start()
        try:
            action = self.run_dunning()
        finally:
            for one in patches:
                one.stop()
        return action, calls

    # ------------------------------------------------------------------
    # Attach
    # ------------------------------------------------------------------

    def test_shipped_email_levels_attach_stored_invoices(self):
        self.assertEqual(self.levels[-3].attach, "invoices")
        self.assertEqual(self.levels[7].attach, "invoices")
        self.assertEqual(self.consumer_levels[10].attach, "invoices")

    def test_attach_stored_invoice_pdfs_without_rendering(self):
        self.assertEqual(self.levels[7].attach, "invoices")
        first = self.invoice(self.debtor, 600.0, days_late=9)
        second = self.invoice(self.debtor, 400.0, days_late=8)
        never_sent = self.invoice(self.debtor, 50.0, days_late=8)
        pdfs = self.store_pdf(first) | self.store_pdf(second)
        action, calls = self.run_with_counter()
        self.assertEqual(action.state, "done")
        self.assertEqual(action.line_ids.move_id, first | second | never_sent)
        mail = self.mail_of(action)
        # Exactly the PDFs Odoo stored, the attachments themselves (no copy).
        self.assertEqual(mail.attachment_ids, pdfs)
        self.assertEqual(
            sorted(mail.attachment_ids.mapped("raw")),
            sorted([PDF + first.name.encode(), PDF + second.name.encode()]),
        )
        self.assertEqual(self.mail_of(action).mail_message_id.attachment_ids, pdfs)
        self.assertFalse(action.attachment_id)
        self.assertEqual(calls, [])
        # Still stored on their invoices.
        self.assertEqual(
            (set(pdfs.mapped("res_model")), set(pdfs.mapped("res_id"))),
            ({"account.move"}, {first.id, second.id}),
        )

    def test_attach_invoices_none_stored_sends_without(self):
        self.invoice(self.debtor, 600.0, days_late=9)
        action, calls = self.run_with_counter()
        self.assertEqual(action.state, "done")
        self.assertFalse(self.mail_of(action).attachment_ids)
        self.assertEqual(calls, [])

    def test_attach_nothing(self):
        self.levels[7].attach = "none"
        invoice = self.invoice(self.debtor, 600.0, days_late=9)
        self.store_pdf(invoice)
        action, calls = self.run_with_counter()
        self.assertEqual(action.state, "done")
        mail = self.mail_of(action)
        self.assertIn(invoice.name, mail.body_html)
        self.assertFalse(mail.attachment_ids)
        self.assertFalse(action.attachment_id)
        self.assertEqual(calls, [])

    def test_attach_statement(self):
        self.levels[7].attach = "statement"
        invoice = self.invoice(self.debtor, 600.0, days_late=9)
        self.store_pdf(invoice)
        action, calls = self.run_with_counter()
        self.assertEqual(action.state, "done")
        mail = self.mail_of(action)
        self.assertEqual(mail.attachment_ids, action.attachment_id)
        self.assertEqual(action.attachment_id.res_model, "recouvrement.action")
        # HTML in tests (Odoo's rule): the statement of the overdue invoices.
        self.assertEqual(action.attachment_id.mimetype, "text/html")
        self.assertIn(invoice.name, action.attachment_id.raw.decode())
        self.assertEqual(calls.count("_render_documents"), 1)

    def test_letter_copy_keeps_its_document(self):
        """A letter's e-mail copy carries the letter, whatever "Attach" says."""
        self.levels[7].write(
            {
                "channel": "letter",
                "email_copy": True,
                "attach": "none",
                "report_id": self.env.ref(
                    "recouvrement_amiable.action_report_letter"
                ).id,
            }
        )
        invoice = self.invoice(self.debtor, 600.0, days_late=9)
        self.store_pdf(invoice)
        action = self.run_dunning()
        self.assertEqual(action.state, "to_do")
        self.assertTrue(action.attachment_id)
        self.assertEqual(self.mail_of(action).attachment_ids, action.attachment_id)

    # ------------------------------------------------------------------
    # Reply-to
    # ------------------------------------------------------------------

    def test_reply_to_is_the_catchall_alias(self):
        domain = self.env["mail.alias.domain"].create(
            {
                "name": "relances.creancier.example",
                "catchall_alias": "reponses",
                "bounce_alias": "rebonds",
            }
        )
        self.company.alias_domain_id = domain
        self.invoice(self.debtor, 600.0, days_late=9)
        action = self.run_dunning()
        reply_to = self.mail_of(action).reply_to
        self.assertIn("<reponses@relances.creancier.example>", reply_to)
        self.assertNotIn(self.company.email, reply_to)
        self.assertEqual(
            reply_to,
            self.debtor.with_company(self.company)._notify_get_reply_to()[
                self.debtor.id
            ],
        )

    def test_reply_to_without_alias_is_the_company(self):
        self.company.alias_domain_id = False
        self.invoice(self.debtor, 600.0, days_late=9)
        action = self.run_dunning()
        self.assertEqual(self.mail_of(action).reply_to, self.company.email_formatted)

    # ------------------------------------------------------------------
    # PDF rendering: chunks where splitting works, one per call elsewhere
    # ------------------------------------------------------------------

    def render_pdfs(self, count, splits, split_works=None):
        """Render the statements of ``count`` reminders as PDF with the
        probe answering ``splits``; Odoo's PDF rendering is replaced by a
        fake that splits per record when ``split_works`` (default:
        ``splits``). Returns (documents, errors, rendered id lists, probes)."""
        split_works = splits if split_works is None else split_works
        partners = self.env["res.partner"].create(
            [{"name": f"Garage {i}", "is_company": True} for i in range(count)]
        )
        actions = self.env["recouvrement.action"]
        for partner in partners:
            invoice = self.invoice(partner, 100.0, days_late=9)
            actions |= self.reminder(partner, invoice, self.levels[7], state="waiting")
        rendered, probes = [], []

        def prepare_streams(report_self, report_ref, data, res_ids=None):
            rendered.append(list(res_ids))
            if len(res_ids) > 1 and split_works == "error":
                # Debian's wkhtmltopdf given several documents: exit code 1.
                raise OSError("Wkhtmltopdf failed (error code: 1).")
            if len(res_ids) > 1 and not split_works:
                return {False: {"stream": io.BytesIO(b"%PDF all"), "attachment": None}}
            return {
                res_id: {"stream": io.BytesIO(b"%%PDF %d" % res_id), "attachment": None}
                for res_id in res_ids
            }

        def probe(env):
            probes.append(True)
            return splits

        Report = type(self.env["ir.actions.report"])
        report = self.env.ref("recouvrement_amiable.action_report_statement")
        with (
            patch.dict(pdf_split.WKHTMLTOPDF, clear=True),
            patch.object(pdf_split, "probe", probe),
            patch.object(Report, "_render_qweb_pdf_prepare_streams", prepare_streams),
            patch.object(
                RecouvrementActionDocuments, "_documents_as_html", lambda self: False
            ),
        ):
            documents, errors = actions._render_documents(report, actions)
            # The answer is remembered: no second probe.
            actions[:1]._render_documents(report, actions[:1])
            remembered = pdf_split.WKHTMLTOPDF.get("splits")
        return actions, documents, errors, rendered[:-1], probes, remembered

    def assert_one_pdf_each(self, actions, documents, errors):
        self.assertFalse(errors)
        self.assertEqual(set(documents), set(actions.ids))
        for action in actions:
            content, name, mimetype = documents[action.id]
            self.assertEqual(content, b"%%PDF %d" % action.id)
            self.assertEqual(mimetype, "application/pdf")
            self.assertTrue(name.endswith(".pdf"))

    def test_pdf_one_rendering_per_reminder_when_no_split(self):
        """Debian's wkhtmltopdf: N renderings for N reminders, not 2N-1."""
        actions, documents, errors, rendered, probes, remembered = self.render_pdfs(
            5, splits=False
        )
        self.assert_one_pdf_each(actions, documents, errors)
        self.assertEqual(rendered, [[action_id] for action_id in actions.ids])
        self.assertEqual(len(probes), 1)
        self.assertIs(remembered, False)

    def test_pdf_chunks_when_split_works(self):
        actions, documents, errors, rendered, probes, remembered = self.render_pdfs(
            5, splits=True
        )
        self.assert_one_pdf_each(actions, documents, errors)
        self.assertEqual(rendered, [actions.ids])
        self.assertEqual(len(probes), 1)
        self.assertIs(remembered, True)

    def test_pdf_unsplit_chunk_rendered_once_per_reminder(self):
        """The probe said yes but Odoo returns the chunk unsplit: each of its
        reminders once more, and one per call from then on."""
        actions, documents, errors, rendered, _probes, remembered = self.render_pdfs(
            4, splits=True, split_works=False
        )
        self.assert_one_pdf_each(actions, documents, errors)
        self.assertEqual(rendered, [actions.ids] + [[i] for i in actions.ids])
        self.assertIs(remembered, False)

    def test_pdf_failing_chunk_rendered_once_per_reminder(self):
        """The probe said yes but wkhtmltopdf fails on several documents
        while each renders alone: one per call from then on."""
        actions, documents, errors, rendered, _probes, remembered = self.render_pdfs(
            3, splits=True, split_works="error"
        )
        self.assert_one_pdf_each(actions, documents, errors)
        self.assertEqual(rendered, [actions.ids] + [[i] for i in actions.ids])
        self.assertIs(remembered, False)

    def test_probe_reads_the_outlines(self):
        """The probe asks wkhtmltopdf for two documents and looks for the
        outlines Odoo splits by."""
        Report = type(self.env["ir.actions.report"])
        with patch.object(
            Report, "_run_wkhtmltopdf", side_effect=OSError("no wkhtmltopdf")
        ):
            self.assertIs(pdf_split.probe(self.env), False)
