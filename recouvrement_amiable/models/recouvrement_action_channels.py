import logging
import time
from collections import defaultdict
from datetime import timedelta

import lxml.html
import pytz
from markupsafe import Markup, escape

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.tools import config, email_normalize, format_amount, split_every

from ..rules.contact_pressure import Slot, next_contact_slot
from ..rules.identifiers import normalize_mobile, normalize_phone
from ..tools import pdf_split
from ..tools.qweb import batch_renderer
from ..tools.report_articles import cut_articles
from .recouvrement_level import CHANNELS, fallback_channels
from .selections import PERFORMED_STATES, TABLE_MEMO

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
# Days of contact history the pressure limits look at (30-day window).
HISTORY_DAYS = 31
# How far ahead public holidays are read.
HOLIDAY_HORIZON_DAYS = 90


class RecouvrementActionChannels(models.AbstractModel):
    """How reminders go out: when the contact limits allow it, then per
    channel in batches (e-mail, SMS, letter, formal notice, phone call,
    agency proposal), with the fallback from one channel to the next.
    Mixed into ``recouvrement.action``."""

    _name = "recouvrement.action.channels"
    _description = "Reminder channels"

    def _company_tz(self):
        return pytz.timezone(self.company_id.resource_calendar_id.tz or "UTC")

    def _contact_slots(self, now):
        """{action_id: Slot} the first allowed moment (UTC) of each action,
        from its debtor's contact history, its policy's limits and the
        company's public holidays (batch queries, then the plain rules)."""
        history = defaultdict(list)
        for company, partner, dates in self._read_group(
            [
                ("partner_id", "in", self.partner_id.ids),
                ("state", "in", PERFORMED_STATES),
                ("contact_date", ">=", now - timedelta(days=HISTORY_DAYS)),
            ],
            groupby=["company_id", "partner_id"],
            aggregates=["contact_date:array_agg"],
        ):
            history[(company.id, partner.id)] = [d for d in dates if d]
        holidays = self._public_holidays(now)
        slots = {}
        for action in self:
            if action.level_id.channel == "agency":
                slots[action.id] = Slot(moment=now)
                continue
            tz = action._company_tz()
            local = pytz.utc.localize(now).astimezone(tz).replace(tzinfo=None)
            contacts = [
                pytz.utc.localize(d).astimezone(tz).replace(tzinfo=None)
                for d in history[(action.company_id.id, action.partner_id.id)]
            ]
            slot = next_contact_slot(
                local,
                action.level_id.channel,
                contacts,
                action.policy_id._pressure_limits(),
                holidays.get(action.company_id.id, frozenset()),
            )
            moment = tz.localize(slot.moment).astimezone(pytz.utc).replace(tzinfo=None)
            slots[action.id] = Slot(
                moment=max(moment, now) if slot.reason else now, reason=slot.reason
            )
        return slots

    def _public_holidays(self, now):
        """{company_id: set of dates} of the public holidays of each company's
        working calendar (leaves without a resource)."""
        result = defaultdict(set)
        companies = self.company_id
        leaves = self.env["resource.calendar.leaves"].search(
            [
                ("resource_id", "=", False),
                ("company_id", "in", companies.ids),
                ("date_to", ">=", now - timedelta(days=1)),
                ("date_from", "<=", now + timedelta(days=HOLIDAY_HORIZON_DAYS)),
            ]
        )
        for company in companies:
            calendar = company.resource_calendar_id
            tz = pytz.timezone(calendar.tz or "UTC")
            for leave in leaves:
                if leave.company_id != company or (
                    leave.calendar_id and leave.calendar_id != calendar
                ):
                    continue
                day = pytz.utc.localize(leave.date_from).astimezone(tz).date()
                last = pytz.utc.localize(leave.date_to).astimezone(tz).date()
                while day <= last:
                    result[company.id].add(day)
                    day += timedelta(days=1)
        return result

    def _perform_due_now(self, now):
        """Perform the waiting (or failed) actions of ``self`` whose allowed
        moment has come; the others wait, with the moment and the reason.
        Returns the actions performed (or failed again)."""
        candidates = self.filtered(lambda a: a.state in ("waiting", "failed"))
        # --- penalties --- never without the interest its level states
        candidates = self.env["recouvrement.penalty"]._recouvrement_ready(candidates)
        if not candidates:
            return self.browse()
        slots = candidates._contact_slots(now)
        due = self.browse()
        for action in candidates:
            slot = slots[action.id]
            if slot.moment <= now:
                due |= action
                if action.wait_reason:
                    action.wait_reason = False
            else:
                action.write(
                    {
                        "state": "waiting",
                        "scheduled_at": slot.moment,
                        "wait_reason": slot.reason,
                    }
                )
        due.write({"scheduled_at": now})
        due._perform()
        return due

    def _perform(self):
        """Send or prepare every action of ``self``, in batches per channel.

        A channel that cannot reach the debtor hands the action to the next
        one (SMS -> e-mail -> letter); an action no channel can perform is
        failed with the reasons, without stopping the others.
        """
        todo = self.filtered(lambda a: a.state in ("waiting", "failed"))
        if not todo:
            return
        # Nothing changes the invoices of these actions while they are
        # performed: their tables are built once (see _invoice_table_values).
        self.env.cr.cache[TABLE_MEMO] = {}
        try:
            todo._perform_batches()
        finally:
            self.env.cr.cache.pop(TABLE_MEMO, None)

    def _perform_batches(self):
        todo = self
        # --- debtor page --- every reminder carries the account page link.
        todo._ensure_portal_access()
        now = fields.Datetime.now()
        chains = {
            action.id: list(fallback_channels(action.level_id.channel))
            for action in todo
        }
        reasons = defaultdict(list)
        # Start again from the level's channel (a retry after a failure too).
        for action in todo:
            if action.channel != chains[action.id][0]:
                action.channel = chains[action.id][0]
        pending = todo
        while pending:
            failures = {}
            for channel, actions in pending.grouped("channel").items():
                handler = getattr(self, f"_perform_{channel}")
                failures.update(handler(actions, now))
            retry = self.browse()
            for action_id, reason in failures.items():
                action = self.browse(action_id)
                reasons[action_id].append(f"{dict(CHANNELS)[action.channel]}: {reason}")
                chain = chains[action_id]
                position = chain.index(action.channel)
                if position + 1 < len(chain):
                    action.channel = chain[position + 1]
                    retry |= action
                else:
                    action.write(
                        {
                            "state": "failed",
                            "failure_reason": "\n".join(reasons[action_id]),
                        }
                    )
            pending = retry
        for action in todo.filtered(
            lambda a: a.state != "failed" and reasons.get(a.id)
        ):
            action.failure_reason = "\n".join(reasons[action.id])

    def _render_mail_safely(self, template, actions):
        """Render subject and body of ``template`` for ``actions`` in one
        batch; on a template error, render one by one so that only the
        faulty ones fail. Returns {action_id: values or an exception}."""
        fields_ = ["subject", "body_html", "email_from", "reply_to"]
        try:
            return template._generate_template(actions.ids, fields_)
        except Exception:  # noqa: BLE001 - isolate the debtor whose data breaks the template
            results = {}
            for action in actions:
                try:
                    results.update(template._generate_template(action.ids, fields_))
                except Exception as error:  # noqa: BLE001
                    _logger.info("reminder %s: template error %s", action.id, error)
                    results[action.id] = error
            return results

    def _documents_as_html(self):
        """Odoo renders reports as HTML instead of PDF in test mode and when
        wkhtmltopdf is not installed; documents follow the same rule (the
        benchmark also asks for it, to compare with peers measured so)."""
        if self.env.context.get("recouvrement_documents_as_html"):
            return True
        if (config["test_enable"] or config["test_file"]) and not self.env.context.get(
            "force_report_rendering"
        ):
            return True
        return self.env["ir.actions.report"].get_wkhtmltopdf_state() in (
            "install",
            "broken",
        )

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

    def _perform_email(self, actions, now, documents=None):
        """Queue one e-mail per action, with the statement (or the letter, for
        an e-mail copy) attached; post it in the debtor's chatter."""
        failures = {}
        sendable = self.browse()
        recipients = {}
        for action in actions:
            contact = action._contact_partner()
            if not email_normalize(contact.email or ""):
                failures[action.id] = self.env._(
                    "no valid e-mail address for %(partner)s",
                    partner=contact.display_name,
                )
            elif not action._mail_template() and not action.mail_body:
                failures[action.id] = self.env._(
                    "no e-mail template on the level or the policy"
                )
            else:
                recipients[action.id] = contact
                sendable |= action
        rendered = {}
        for template, group in (
            sendable.filtered(lambda a: not a.mail_body)
            .grouped(lambda a: a._mail_template())
            .items()
        ):
            rendered.update(self._render_mail_safely(template, group))
        ready = self.browse()
        for action in sendable:
            values = rendered.get(action.id)
            if isinstance(values, Exception):
                failures[action.id] = self.env._(
                    "template error: %(error)s", error=values
                )
            else:
                ready |= action
        # Attachments: the document itself (e-mail copy of a letter), or what
        # the level says: the statement of the overdue invoices, the invoices'
        # stored PDFs (see _stored_invoice_pdfs), or nothing.
        attachments = dict(documents or {})
        # --- reminders in production --- the invoices' stored PDFs
        invoice_pdfs = ready.filtered(
            lambda a: a.id not in attachments and a.level_id.attach == "invoices"
        )._stored_invoice_pdfs()
        statements = ready.filtered(
            lambda a: (
                a.id not in attachments
                and a.level_id.attach == "statement"
                and a.policy_id.statement_report_id
            )
        )
        for report, group in statements.grouped(
            lambda a: a.policy_id.statement_report_id
        ).items():
            docs, errors = self._render_documents(report, group)
            attachments.update(self._attach_documents(docs))
            for action_id, error in errors.items():
                failures[action_id] = self.env._(
                    "statement error: %(error)s", error=error
                )
                ready -= self.browse(action_id)
        mail_values = []
        note = self.env.ref("mail.mt_note").id
        # The messages' record name, computed for the batch (mail.message
        # would compute each debtor's display name one by one).
        ready.partner_id.mapped("display_name")
        reply_to = ready._notify_reply_to()
        for action in ready:
            values = rendered.get(action.id) or {}
            attachment = attachments.get(action.id) or self.env["ir.attachment"]
            attachment |= invoice_pdfs.get(action.id, self.env["ir.attachment"])
            company = action.company_id
            mail_values.append(
                {
                    "subject": action.mail_subject
                    or values.get("subject")
                    or action.display_name,
                    "body_html": action.mail_body or values.get("body_html"),
                    "email_from": values.get("email_from") or company.email_formatted,
                    "reply_to": values.get("reply_to")
                    or reply_to.get(action.id)
                    or company.email_formatted,
                    "recipient_ids": [fields.Command.link(recipients[action.id].id)],
                    "model": "res.partner",
                    "res_id": action.partner_id.id,
                    "record_name": action.partner_id.display_name,
                    "message_type": "email_outgoing",
                    "subtype_id": note,
                    "author_id": company.partner_id.id,
                    "attachment_ids": [fields.Command.link(a.id) for a in attachment],
                    "auto_delete": False,
                }
            )
        # sudo: mail.mail is restricted to system users; the collector is
        # allowed to send reminders of the debtors they can read.
        mails = self.env["mail.mail"].sudo().create(mail_values)
        ready._mark_performed(
            "done",
            now,
            {
                action.id: {
                    "email_to": recipients[action.id].email,
                    "mail_message_id": mail.mail_message_id.id,
                    "attachment_id": action.attachment_id.id
                    or attachments.get(action.id, False).id
                    if attachments.get(action.id)
                    else action.attachment_id.id,
                }
                for action, mail in zip(ready, mails, strict=True)
            },
        )
        ready._log_on_invoices(
            lambda a: self.env._(
                "Reminder %(ref)s (%(level)s) e-mailed to %(email)s.",
                ref=a.name,
                level=a.level_id.name,
                email=a.email_to,
            )
        )
        return failures

    # --- reminders in production ---

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

    def _notify_reply_to(self):
        """{action_id: reply-to} of the reminder e-mails, as Odoo's own
        notifications compute it on the debtor (``_notify_get_reply_to``):
        the catchall alias of the action's company when one is configured,
        so that the debtor's answer comes back into Odoo; else the company's
        address."""
        result = {}
        for company, actions in self.grouped("company_id").items():
            replies = actions.partner_id.with_company(company)._notify_get_reply_to(
                default=company.email_formatted
            )
            for action in actions:
                result[action.id] = replies.get(action.partner_id.id)
        return result

    def _perform_sms(self, actions, now):
        failures = {}
        numbers = {}
        for action in actions:
            contact = action._contact_partner()
            raw = (
                contact.mobile
                or action.partner_id.mobile
                or contact.phone
                or action.partner_id.phone
            )
            checked = normalize_mobile(raw or "", action._country_code())
            if checked.status != "valid":
                failures[action.id] = action._phone_failure(checked, raw)
            elif not action.level_id.sms_template_id and not action.sms_body:
                failures[action.id] = self.env._("no SMS template on the level")
            else:
                numbers[action.id] = checked.normalized
        sendable = actions.filtered(lambda a: a.id in numbers)
        bodies = {}
        for template, group in (
            sendable.filtered(lambda a: not a.sms_body)
            .grouped(lambda a: a.level_id.sms_template_id)
            .items()
        ):
            try:
                bodies.update(
                    template._render_field("body", group.ids, compute_lang=True)
                )
            except Exception as error:  # noqa: BLE001 - a template error fails these SMS only
                for action in group:
                    failures[action.id] = self.env._(
                        "template error: %(error)s", error=error
                    )
        ready = sendable.filtered(lambda a: a.id not in failures)
        messages = ready._log_on_partners(
            {
                a.id: Markup("<p>%s</p><p>%s</p>")
                % (
                    self.env._(
                        "SMS reminder %(ref)s to %(number)s:",
                        ref=a.name,
                        number=numbers[a.id],
                    ),
                    a.sms_body or bodies.get(a.id) or "",
                )
                for a in ready
            },
            message_type="sms",
        )
        # sudo: sms.sms is restricted to system users; Odoo's SMS queue sends them.
        self.env["sms.sms"].sudo().create(
            [
                {
                    "number": numbers[a.id],
                    "body": a.sms_body or bodies.get(a.id),
                    "partner_id": a._contact_partner().id,
                    "mail_message_id": messages[a.id].id,
                    "state": "outgoing",
                }
                for a in ready
            ]
        )
        ready._mark_performed(
            "done",
            now,
            {
                action.id: {
                    "sms_number": numbers[action.id],
                    "mail_message_id": messages[action.id].id,
                }
                for action in ready
            },
        )
        ready._log_on_invoices(
            lambda a: self.env._(
                "Reminder %(ref)s (%(level)s) sent by SMS to %(number)s.",
                ref=a.name,
                level=a.level_id.name,
                number=a.sms_number,
            )
        )
        return failures

    def _phone_failure(self, checked, raw):
        if checked.status == "missing":
            return self.env._(
                "no mobile number for %(partner)s", partner=self.partner_id.display_name
            )
        if checked.reason == "not_mobile":
            return self.env._("%(number)s is not a mobile number", number=raw)
        return self.env._("%(number)s is not a valid phone number", number=raw)

    def _perform_letter(self, actions, now):
        return self._perform_document(actions, now)

    def _perform_formal_notice(self, actions, now):
        failures = self._perform_document(actions, now)
        actions.filtered(lambda a: a.id not in failures)._tell_salesperson()
        return failures

    def _tell_salesperson(self):
        """The sales rep who owns the customer learns that a formal notice
        goes out (DESIGN: they must never be surprised by it)."""
        for action in self:
            salesperson = action.partner_id.user_id
            if not salesperson or salesperson.share or not salesperson.active:
                continue
            # sudo: a note on the customer needs no more than reading it;
            # the collector may not follow the customer.
            action.partner_id.sudo().message_post(
                body=escape(
                    self.env._(
                        "A formal notice (%(ref)s, %(amount)s) is being sent to "
                        "your customer %(customer)s.",
                        ref=action.name,
                        amount=format_amount(
                            self.env, action.amount_due, action.currency_id
                        ),
                        customer=action.partner_id.display_name,
                    )
                ),
                partner_ids=salesperson.partner_id.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )

    def _perform_document(self, actions, now):
        """Letters and formal notices: a PDF on the company letterhead to
        print and post (registered with acknowledgment for a formal notice),
        attached to the action and to the debtor's chatter; with an e-mail
        copy when the level asks for one."""
        failures = {}
        attachments = {}
        with_report = actions.filtered(lambda a: a._document_report())
        for action in actions - with_report:
            failures[action.id] = self.env._(
                "no letter document on the level or the policy"
            )
        for report, group in with_report.grouped(
            lambda a: a._document_report()
        ).items():
            docs, errors = self._render_documents(report, group)
            attachments.update(self._attach_documents(docs))
            for action_id, error in errors.items():
                failures[action_id] = self.env._(
                    "document error: %(error)s", error=error
                )
        ready = actions.filtered(lambda a: a.id in attachments)
        ready._mark_performed(
            "to_do",
            now,
            {
                action.id: {"attachment_id": attachments[action.id].id}
                for action in ready
            },
        )
        ready._log_on_partners(
            {
                a.id: escape(
                    self.env._(
                        "%(document)s %(ref)s prepared (%(level)s): to print and post.",
                        document=dict(CHANNELS)[a.channel],
                        ref=a.name,
                        level=a.level_id.name,
                    )
                )
                for a in ready
            },
            attachments={a.id: attachments[a.id] for a in ready},
        )
        ready._log_on_invoices(
            lambda a: self.env._(
                "Reminder %(ref)s (%(level)s): %(document)s prepared.",
                ref=a.name,
                level=a.level_id.name,
                document=dict(CHANNELS)[a.channel].lower(),
            )
        )
        copies = ready.filtered(lambda a: a.level_id.email_copy)
        if copies:
            # The e-mail copy failing does not undo the letter: note it.
            copy_failures = self._perform_email_copy(copies, now, attachments)
            for action_id, reason in copy_failures.items():
                self.browse(action_id).failure_reason = self.env._(
                    "E-mail copy not sent: %(reason)s", reason=reason
                )
        return failures

    def _perform_email_copy(self, actions, now, attachments):
        """E-mail copy of letters: sent like an e-mail, with the letter
        attached, and the action stays 'to do' (to print and post)."""
        states = {a.id: a.state for a in actions}
        failures = self._perform_email(actions, now, documents=attachments)
        for action in actions:
            action.state = states[action.id]
        return failures

    def _perform_phone(self, actions, now):
        """Phone calls become activities of the customer's collector, with
        the numbers to call, the invoices and the call script."""
        failures = {}
        ready = self.browse()
        for action in actions:
            contact = action._contact_partner()
            numbers = [
                normalize_phone(n, action._country_code())
                for n in (
                    contact.mobile,
                    contact.phone,
                    action.partner_id.mobile,
                    action.partner_id.phone,
                )
                if n
            ]
            valid = list(
                dict.fromkeys(n.normalized for n in numbers if n.status == "valid")
            )
            if not valid:
                failures[action.id] = self.env._(
                    "no valid phone number for %(partner)s",
                    partner=action.partner_id.display_name,
                )
            else:
                action.sms_number = ", ".join(valid)
                ready |= action
        activities = ready._schedule_activities(
            lambda a: self.env._(
                "Call %(partner)s about %(amount)s overdue",
                partner=a.partner_id.name,
                amount=format_amount(self.env, a.amount_due, a.currency_id),
            ),
            lambda a: a._call_note(),
            lambda a: (
                a.level_id.activity_type_id
                or self.env.ref("mail.mail_activity_data_call")
            ),
        )
        ready._mark_performed(
            "to_do",
            now,
            {action.id: {"activity_id": activities[action.id].id} for action in ready},
        )
        return failures

    def _perform_agency(self, actions, now):
        """Proposal to hand the file to an agency: an activity for the
        collector, the debtor is not contacted."""
        activities = actions._schedule_activities(
            lambda a: self.env._(
                "Propose handing %(partner)s over to a collection agency",
                partner=a.partner_id.name,
            ),
            lambda a: a._invoice_table(),
            lambda a: (
                a.level_id.activity_type_id
                or self.env.ref("mail.mail_activity_data_todo")
            ),
        )
        for action in actions:
            action.write({"state": "to_do", "activity_id": activities[action.id].id})
        return {}

    def _mark_performed(self, state, now, values):
        """Write the new state and the contact moment of the actions in one
        write (the invoices' last reminder is recomputed once for all), then
        each action's own ``values`` ({action_id: vals})."""
        self.write({"state": state, "contact_date": now})
        for action in self:
            action.write(values[action.id])

    def _schedule_activities(self, summary, note, activity_type):
        """One activity per action on the debtor, for its collector."""
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for action in self:
            scheduled = action.scheduled_at or fields.Datetime.now()
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": action.partner_id.id,
                    "activity_type_id": activity_type(action).id,
                    "summary": summary(action),
                    "note": note(action),
                    "user_id": action.user_id.id or self.env.uid,
                    "date_deadline": scheduled.date(),
                    "recouvrement_action_id": action.id,
                }
            )
        activities = (
            self.env["mail.activity"]
            .with_context(mail_activity_quick_update=True)
            .create(vals_list)
        )
        return dict(zip(self.ids, activities, strict=True))

    def _invoice_table(self):
        """The invoices of the reminder (same QWeb table as the e-mails)."""
        self.ensure_one()
        return self.invoice_table_html

    def _call_note(self):
        self.ensure_one()
        numbers = Markup("<p>%s %s</p>") % (
            self.env._("Numbers to call:"),
            self.sms_number or "",
        )
        hours = self.policy_id
        window = Markup("<p>%s</p>") % self.env._(
            "Call between %(m1)s and %(m2)s or %(a1)s and %(a2)s.",
            m1=_hours(hours.call_morning_start),
            m2=_hours(hours.call_morning_end),
            a1=_hours(hours.call_afternoon_start),
            a2=_hours(hours.call_afternoon_end),
        )
        script = self.level_id.call_script or Markup("")
        return numbers + window + script + self._invoice_table()


def _hours(value):
    hours, minutes = divmod(round(value * 60), 60)
    return f"{hours:02d}:{minutes:02d}"
