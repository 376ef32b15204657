import logging
import time

import lxml.html
from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import config, split_every

from ..tools import pdf_split
from ..tools.qweb import batch_renderer
from ..tools.report_articles import cut_articles

_logger = logging.getLogger(__name__)

# Statements are rendered by wkhtmltopdf in chunks of this many debtors.
PDF_CHUNK = 50
# Stands for a page's body while Odoo's report layout is rendered.
BODY_PLACEHOLDER = "<!-- recouvrement-document-body -->"
# The reports that loop over the reminders and call one template per
# reminder in the debtor's language: without wkhtmltopdf, that template is
# rendered per reminder with one compilation per language (see
# _render_html_pages). Customise the documents in these templates.
DOCUMENT_TEMPLATES = {
    "recouvrement_amiable.report_statement": (
        "recouvrement_amiable.report_statement_document"
    ),
    "recouvrement_amiable.report_letter": "recouvrement_amiable.report_letter_document",
    "recouvrement_amiable.report_formal_notice": (
        "recouvrement_amiable.report_formal_notice_document"
    ),
}


class RecouvrementActionDocuments(models.AbstractModel):
    """The documents of reminders (statements, letters, formal notices):
    rendered in batches, as PDF with wkhtmltopdf (in chunks only where it
    can split them) or as HTML pages, and stored as attachments; the
    invoices' stored PDFs attached to e-mails."""

    _name = "recouvrement.action.documents"
    _description = "Reminder documents"

    def _documents_as_html(self):
        """Odoo renders reports as HTML instead of PDF in test mode;
        documents follow the same rule (the benchmark also asks for it, to
        compare with peers measured so). Not when wkhtmltopdf is missing:
        a letter is then not prepared (see ``_wkhtmltopdf_missing``)."""
        if self.env.context.get("recouvrement_documents_as_html"):
            return True
        # --- faults --- without wkhtmltopdf, no HTML page instead of a PDF:
        # the documents fail with that reason (see _wkhtmltopdf_missing).
        return bool(
            (config["test_enable"] or config["test_file"])
            and not self.env.context.get("force_report_rendering")
        )

    # --- faults ---
    def _wkhtmltopdf_missing(self):
        """Why no PDF can be rendered at all on this server (wkhtmltopdf
        not installed, or broken), or False."""
        state = self.env["ir.actions.report"].get_wkhtmltopdf_state()
        if state == "install":
            return self.env._(
                "wkhtmltopdf is not installed on the server: no PDF can be rendered"
            )
        if state == "broken":
            return self.env._(
                "wkhtmltopdf does not work on the server: no PDF can be rendered"
            )
        return False

    @staticmethod
    def _is_wkhtmltopdf_error(reason):
        """Whether a document error comes from wkhtmltopdf (missing or
        crashing), not from the document's template."""
        return "wkhtmltopdf" in str(reason).lower()

    def _render_documents(self, report, actions):
        """Documents of ``actions`` rendered by ``report``: PDF or HTML (see
        ``_documents_as_html``). Returns {action_id: (bytes, file name,
        mimetype)} and {action_id: error text}.

        PDFs are rendered in chunks (one wkhtmltopdf call per chunk, split
        per action by Odoo) when this process's wkhtmltopdf writes the
        outlines Odoo splits by, else one action per call (see
        ``tools.pdf_split``): never a rendering wasted. A chunk that fails
        (or comes back unsplit) is rendered again one action per call, so
        that only the faulty actions fail."""
        documents, errors = {}, {}
        as_html = self._documents_as_html()
        # --- faults --- wkhtmltopdf missing: every document fails, no call
        missing = not as_html and self._wkhtmltopdf_missing()
        if missing:
            return documents, dict.fromkeys(actions.ids, missing)
        # --- reminders in production --- chunks only where splitting works
        size = PDF_CHUNK if as_html or pdf_split.wkhtmltopdf_splits(self.env) else 1
        for chunk_ids in split_every(size, actions.ids):
            chunk = self.browse(chunk_ids)
            try:
                if as_html:
                    documents.update(chunk._render_html_documents(report))
                else:
                    documents.update(chunk._render_pdf_documents(report))
            except Exception as error:  # noqa: BLE001 - one bad chunk must not stop the run
                if len(chunk) > 1:
                    chunk_errors = {}
                    for action in chunk:
                        sub_docs, sub_errors = self._render_documents(report, action)
                        documents.update(sub_docs)
                        chunk_errors.update(sub_errors)
                    errors.update(chunk_errors)
                    if not as_html and not chunk_errors:
                        # Each renders alone, not together: wkhtmltopdf
                        # cannot render several; one per call from now on.
                        pdf_split.splitting_failed()
                else:
                    _logger.info("reminder %s: document error %s", chunk.id, error)
                    errors[chunk.id] = str(error)
                    # --- faults --- the binary itself gone or unusable
                    if isinstance(error, OSError) and not as_html:
                        errors[chunk.id] = self.env._(
                            "wkhtmltopdf could not be run: %(error)s", error=error
                        )
        return documents, errors

    def _render_html_documents(self, report):
        pages = self._render_html_pages(report, self)
        documents = {}
        for action in self:
            if action.id not in pages:
                raise UserError(
                    self.env._("The document could not be split per debtor.")
                )
            documents[action.id] = (
                pages[action.id].encode(),
                action._document_filename(report, "html"),
                "text/html",
            )
        return documents

    def _render_pdf_documents(self, report):
        streams = self.env["ir.actions.report"]._render_qweb_pdf_prepare_streams(
            report.report_name, {}, res_ids=list(self.ids)
        )
        documents = {}
        for action in self:
            stream = streams.get(action.id, {}).get("stream")
            if stream is None:
                if len(self) > 1 and False in streams:
                    # Odoo could not split the PDF (no outlines): from now
                    # on, one action per call.
                    pdf_split.splitting_failed()
                raise UserError(
                    self.env._("The document could not be split per debtor.")
                )
            documents[action.id] = (
                stream.getvalue(),
                action._document_filename(report, "pdf"),
                "application/pdf",
            )
        return documents

    def _render_html_pages(self, report, actions):
        """{action_id: HTML page} of ``actions`` rendered by ``report``: the
        pages ``ir.actions.report._prepare_html`` makes for wkhtmltopdf, each
        reminder's document in Odoo's minimal layout."""
        Report = self.env["ir.actions.report"]
        document = DOCUMENT_TEMPLATES.get(report.report_name)
        if not document:
            # Another report: one QWeb rendering of all, split per action.
            html = Report._render_qweb_html(report.report_name, actions.ids)[0]
            return self._split_html_documents(report, html)
        # The values ir.actions.report gives its templates.
        values = Report._get_rendering_context(
            report, actions.ids, {"report_type": "html"}
        )
        user = self.env["res.users"].browse(self.env.uid)
        values.update(
            time=time,
            context_timestamp=lambda t: fields.Datetime.context_timestamp(
                Report.with_context(tz=user.tz), t
            ),
            user=user,
            res_company=self.env.company,
            web_base_url=self.env["ir.config_parameter"]
            .sudo()
            .get_param("web.base.url", default=""),
        )
        articles = []
        qweb = self.env["ir.qweb"].with_context(inherit_branding=False)
        for lang, group in actions.grouped(
            lambda a: a.partner_id.lang or self.env.lang
        ).items():
            # What the report's t-call with t-lang does, compiled once.
            render = batch_renderer(qweb.with_context(lang=lang), document, values)
            articles.extend(
                (self._name, action.id, lang, str(render(action=action)))
                for action in group
            )
        return self._frame_articles(report, articles)

    def _split_html_documents(self, report, html):
        """{action_id: HTML page} of a rendering of several actions by
        ``report``, cut into its articles."""
        text = html.decode() if isinstance(html, bytes) else str(html)
        articles = cut_articles(text)
        if articles is None:
            root = lxml.html.fromstring(
                html, parser=lxml.html.HTMLParser(encoding="utf-8")
            )
            articles = [
                (
                    node.get("data-oe-model"),
                    int(node.get("data-oe-id", 0)),
                    node.get("data-oe-lang"),
                    lxml.html.tostring(node, encoding="unicode"),
                )
                for node in root.xpath(
                    "//div[contains(concat(' ', normalize-space(@class), ' '),"
                    " ' article ')]"
                )
            ]
        return self._frame_articles(report, articles)

    def _frame_articles(self, report, articles):
        """{record id: HTML page} of ``articles`` ([(model, record id, lang,
        HTML)]) in the report's layout. The layout (the same for every page
        of a language) is rendered once per language, not once per page."""
        Report = self.env["ir.actions.report"]
        layout = Report._get_layout()
        base_url = report._get_report_url(layout=layout)
        frames = {}
        pages = {}
        for model, record_id, lang, article in articles:
            if model != self._name:
                continue
            lang = lang or self.env.lang
            if lang not in frames:
                frame = (
                    self.env["ir.qweb"]
                    .with_context(lang=lang)
                    ._render(
                        layout.id,
                        {
                            "subst": False,
                            "body": Markup(BODY_PLACEHOLDER),
                            "base_url": base_url,
                            "report_xml_id": report.xml_id,
                            "debug": self.env.context.get("debug"),
                        },
                    )
                )
                frames[lang] = str(frame).split(BODY_PLACEHOLDER, 1)
            before, after = frames[lang]
            pages[record_id] = Markup(before + article + after)
        return pages

    def _document_filename(self, report, extension):
        self.ensure_one()
        label = report.with_context(lang=self.partner_id.lang).name
        return f"{label} {self.name}.{extension}".replace("/", "-")

    def _attach_documents(self, documents):
        """Store rendered PDFs as attachments of their actions."""
        vals_list = [
            {
                "name": name,
                "raw": content,
                "res_model": self._name,
                "res_id": action_id,
                "mimetype": mimetype,
                "type": "binary",
            }
            for action_id, (content, name, mimetype) in documents.items()
        ]
        attachments = self.env["ir.attachment"].create(vals_list)
        return dict(zip(documents, attachments, strict=True))

    def _stored_invoice_pdfs(self):
        """{action_id: ir.attachment} the PDFs Odoo stored when it sent the
        reminders' invoices (``invoice_pdf_report_id``), read in one batch;
        nothing is rendered: an invoice never sent has none and goes without
        (the debtor's account page serves it)."""
        # sudo: the invoices' PDFs are read as their invoices are (the
        # collector reads the invoices); the binary field's attachment is
        # only reachable through its invoice.
        moves = self.line_ids.move_id.sudo()
        pdfs = {move.id: move.invoice_pdf_report_id for move in moves}
        result = {}
        for action in self:
            found = self.env["ir.attachment"]
            for move in action.line_ids.move_id.sorted(
                lambda m: (m.invoice_date_due or fields.Date.today(), m.id)
            ):
                found |= pdfs.get(move.id, found.browse())
            if found:
                result[action.id] = found.sudo(False)
        return result
