import logging
from collections import defaultdict

from markupsafe import Markup, escape

from odoo import fields, models
from odoo.tools import email_normalize, format_amount, split_every

from ..rules.identifiers import normalize_mobile
from .recouvrement_level import CHANNELS, fallback_channels
from .recouvrement_run_batches import _clock
from .selections import TABLE_MEMO

_logger = logging.getLogger(__name__)

# Documents rendered between two looks at the caller's deadline (1 to 3 s
# each: the deadline is overrun by at most a few seconds).
DOCUMENTS_PER_DEADLINE_CHECK = 2


class RecouvrementActionChannels(models.AbstractModel):
    """How reminders go out: when the contact limits allow it, then per
    channel in batches (e-mail, SMS, letter, formal notice, phone call,
    agency proposal), with the fallback from one channel to the next.
    Mixed into ``recouvrement.action``."""

    _name = "recouvrement.action.channels"
    _description = "Reminder channels"

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
        # --- debtor page --- every reminder carries the account page link;
        # an agency proposal does not reach the debtor and gets none.
        todo.filtered(lambda a: a.level_id.channel != "agency")._ensure_portal_access()
        now = fields.Datetime.now()
        chains = {
            action.id: list(fallback_channels(action.level_id.channel))
            for action in todo
        }
        reasons = defaultdict(list)
        # --- faults --- channels that failed after the action was performed
        # (see _failed_after_sending): the chain goes on after the last of
        # them, the reasons so far first.
        failed_channels = self.env.context.get("recouvrement_failed_channels") or {}
        for action_id, failed in failed_channels.items():
            chain = chains.get(action_id)
            if chain is None:
                continue
            for channel in failed:
                if channel in chain[:-1]:
                    chain = chain[chain.index(channel) + 1 :]
            chains[action_id] = chain
            failure = self.browse(action_id).failure_reason or ""
            reasons[action_id] = [line for line in failure.split("\n") if line]
        # A retry starts without the reasons of its last try.
        todo.filtered(lambda a: a.state == "failed" and a.failure_reason).write(
            {"failure_reason": False}
        )
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

    # --- faults ---
    def _sms_provider_failed(self, reasons):
        """The SMS of some reminders came back in error from the provider
        (``reasons``: {mail_message_id: reason})."""
        self._failed_after_sending("sms", reasons)

    def _failed_after_sending(self, channel, reasons):
        """Reminders marked done when their SMS or e-mail was queued, whose
        message then failed (``reasons``: {mail_message_id: reason}): they
        fail with the reason, and the next channel of their level's chain is
        tried at once. When that try itself breaks, or while a dunning run
        holds the run's lock (it may be planning these debtors), they stay
        failed for the next run."""
        label = dict(CHANNELS)[channel]
        actions = self.search(
            [
                ("mail_message_id", "in", list(reasons)),
                ("channel", "=", channel),
                ("state", "=", "done"),
            ]
        )
        failed_channels = {}
        retry = self.browse()
        for action in actions:
            # The reasons of earlier channels of this try stay.
            lines = (action.failure_reason or "").split("\n")
            lines.append(f"{label}: {reasons[action.mail_message_id.id]}")
            action.write(
                {"state": "failed", "failure_reason": "\n".join(filter(None, lines))}
            )
            # The channels this try already went through, this one last; the
            # last channel of its chain has no next one: the next run retries.
            chain = fallback_channels(action.level_id.channel)
            if channel in chain[:-1]:
                failed_channels[action.id] = list(chain[: chain.index(channel) + 1])
                retry |= action
        actions = retry
        # The next channel under the run's lock, as a run performs them.
        if actions and not self.env["recouvrement.run"]._try_lock():
            _logger.info(
                "reminders %s: a dunning run is in progress; the next run tries "
                "the channel after the %s",
                actions.ids,
                label,
            )
            return
        for company, group in actions.grouped("company_id").items():
            try:
                with self.env.cr.savepoint():
                    group.with_company(company).with_context(
                        allowed_company_ids=company.ids,
                        recouvrement_failed_channels=failed_channels,
                    )._perform()
            # The SMS or mail queue must go on; the next run retries them.
            except Exception:
                _logger.exception(
                    "reminders %s: the channel after the %s failed", group.ids, label
                )

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
        statement_missing = {}  # --- faults ---
        for report, group in statements.grouped(
            lambda a: a.policy_id.statement_report_id
        ).items():
            docs, errors = self._render_documents_in_time(report, group)
            # Those without their statement in time wait for the hourly job.
            ready -= self.browse(set(group.ids) - docs.keys() - errors.keys())
            attachments.update(self._attach_documents(docs))
            for action_id, error in errors.items():
                # --- faults --- wkhtmltopdf missing or crashing: the e-mail
                # goes without its statement (the reason noted), not to a
                # letter that would fail too.
                if self._is_wkhtmltopdf_error(error):
                    statement_missing[action_id] = self.env._(
                        "Statement not attached: %(error)s", error=error
                    )
                    continue
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
        # --- faults ---
        for action_id, note in statement_missing.items():
            self.browse(action_id).failure_reason = note
        return failures

    # --- reminders in production ---

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

    def _render_documents_in_time(self, report, actions):
        """``_render_documents`` two actions at a time until the caller's
        deadline (context ``recouvrement_deadline``, a ``_clock()`` moment:
        the cron's time budget, "Run now"): wkhtmltopdf takes 1 to 3 s a
        document, and a worker past Odoo's time limits is killed with all
        its work. The actions left over go back to waiting, for the hourly
        job; they are in neither of the dicts returned."""
        deadline = self.env.context.get("recouvrement_deadline")
        if deadline is None:
            return self._render_documents(report, actions)
        documents, errors = {}, {}
        postponed = self.browse()
        for chunk_ids in split_every(DOCUMENTS_PER_DEADLINE_CHECK, actions.ids):
            if _clock() >= deadline:
                postponed |= self.browse(chunk_ids)
                continue
            docs, errs = self._render_documents(report, self.browse(chunk_ids))
            documents.update(docs)
            errors.update(errs)
        if postponed:
            postponed.write({"state": "waiting"})
            _logger.info(
                "reminders %s: documents left for the hourly job (time budget spent)",
                postponed.ids,
            )
        return documents, errors

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
            docs, errors = self._render_documents_in_time(report, group)
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

    def _mark_performed(self, state, now, values):
        """Write the new state and the contact moment of the actions in one
        write (the invoices' last reminder is recomputed once for all), then
        each action's own ``values`` ({action_id: vals})."""
        self.write({"state": state, "contact_date": now})
        for action in self:
            action.write(values[action.id])
