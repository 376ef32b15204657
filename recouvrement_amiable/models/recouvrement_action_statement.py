from collections import defaultdict
from datetime import date, timedelta
from typing import NamedTuple

from markupsafe import Markup

from odoo import api, models
from odoo.tools import SQL

from ..rules.dunning import CurrencyTotal, totals_by_currency
from ..tools.formatting import Formatter
from ..tools.qweb import batch_renderer
from .selections import (
    OPEN_CREDIT_DOMAIN,
    TABLE_MEMO,
)


class InvoiceTableLine(NamedTuple):
    id: int
    move_id: int
    name: str
    invoice_date: date
    date_due: date
    days_late: int
    total: float
    due: float
    interest: float
    indemnity: float
    currency_id: int


class RecouvrementActionStatement(models.AbstractModel):
    """What a reminder tells the debtor: its invoices as a table, the
    amounts to pay per currency less the open credits, the deadline, the
    debtor's address and language (read in batches for a run's reminders)."""

    _name = "recouvrement.action.statement"
    _description = "Reminder statement"

    def _claim_totals(self):
        """What the reminder claims per currency of its invoices, the
        company's first: [{currency, due, interest, indemnity, credit,
        to_pay, claimed}] (``rules.dunning.CurrencyTotal``)."""
        self.ensure_one()
        # In a form's onchange the record is new: its lines are its origin's
        # (read-only there).
        action = self._origin
        lines = action._invoice_table_lines() if action else []
        Currency = self.env["res.currency"]
        return [
            {
                "currency": Currency.browse(total.currency_id),
                "due": total.due,
                "interest": total.interest,
                "indemnity": total.indemnity,
                "credit": total.credit,
                "to_pay": total.to_pay,
                "claimed": total.claimed,
            }
            for total in self._currency_totals(lines)
        ]

    def _currency_totals(self, lines):
        """``rules.dunning.totals_by_currency`` of the invoice table's
        ``lines`` and the debtor's open credits: amounts in different
        currencies are never added."""
        return totals_by_currency(
            (
                (line.currency_id, line.due, line.interest, line.indemnity)
                for line in lines
            ),
            self.currency_id.id,
            credits=self._open_credits(),
        )

    def _open_credits(self):
        """{currency id: open credits (negative)} of the reminder's debtor:
        credit notes and payments not yet allocated to an invoice, which
        offset what it claims (set-off)."""
        self.ensure_one()
        action = self._origin
        if not action:
            return {}
        return action._batch_read("credits", lambda a: a._read_open_credits())

    def _read_open_credits(self):
        """{action id: its debtor's open credits} for ``self``, in one query."""
        groups = self.env["account.move.line"]._read_group(
            [
                ("company_id", "in", self.company_id.ids),
                ("partner_id", "in", self.partner_id.ids),
                *OPEN_CREDIT_DOMAIN,
            ],
            groupby=["company_id", "partner_id", "currency_id"],
            aggregates=["amount_residual_currency:sum"],
        )
        by_debtor = defaultdict(dict)
        for company, partner, currency, amount in groups:
            by_debtor[company.id, partner.id][currency.id] = amount
        return {
            action.id: by_debtor.get((action.company_id.id, action.partner_id.id), {})
            for action in self
        }

    def _batch_read(self, kind, read):
        """``read(actions)`` -> {action id: value}, for this reminder. While a
        batch is performed (see ``_perform``), it reads every reminder of the
        record's prefetch batch not read yet at once, kept in the batch's
        memo: the reminders rendered together cost one query, not one each."""
        self.ensure_one()
        memo = self.env.cr.cache.get(TABLE_MEMO)
        if memo is None:
            return read(self)[self.id]
        if (kind, self.id) not in memo:
            actions = (self | self.browse(self._prefetch_ids)).filtered(
                lambda a: (kind, a.id) not in memo
            )
            for action_id, value in read(actions).items():
                memo[kind, action_id] = value
        return memo[kind, self.id]

    @api.depends("contact_date", "planned_date", "level_id.payment_delay_days")
    def _compute_payment_deadline(self):
        for action in self:
            start = (
                action.contact_date.date()
                if action.contact_date
                else action.planned_date
            )
            action.payment_deadline = start and start + timedelta(
                days=action.level_id.payment_delay_days
            )

    @api.depends_context("lang")
    @api.depends("line_ids")
    def _compute_invoice_table_html(self):
        online = self._pay_online_companies()
        render = batch_renderer(
            self.env["ir.qweb"], "recouvrement_amiable.invoice_table", {}
        )
        for action in self:
            with_links = action.company_id in online
            action.invoice_table_html = render(
                action=action.with_context(with_links=with_links),
                with_links=with_links,
            )

    def _invoice_table_values(self):
        """The rows of the invoice table of a reminder, formatted in the
        debtor's language. Formatting here once, rather than with QWeb
        field widgets per cell, keeps a run over thousands of debtors fast."""
        self.ensure_one()
        # The e-mail and its statement show the same table: while a batch is
        # performed (see _perform) it is built once per action. The values
        # depend on the formatter's language (the debtor's), not on the
        # context's: the statement's body is rendered in the caller's.
        memo = self.env.cr.cache.get(TABLE_MEMO)
        key = (
            self.id,
            self._formatter_lang(),
            bool(self.env.context.get("with_links")),
        )
        if memo is not None and key in memo:
            return memo[key]
        formatter = self._formatter()
        amount, day = formatter.amount, formatter.date
        lines = self._invoice_table_lines()
        penalties = self.level_id.state_penalties and any(
            line.interest or line.indemnity for line in lines
        )
        with_links = self.env.context.get("with_links")
        portal_urls = (
            {line.id: line.portal_url for line in self.line_ids} if with_links else {}
        )
        currencies = {}
        for line in lines:
            if line.currency_id not in currencies:
                currencies[line.currency_id] = self.env["res.currency"].browse(
                    line.currency_id
                )
        rows = [
            {
                "name": line.name,
                "url": portal_urls.get(line.id, ""),
                "invoice_date": day(line.invoice_date),
                "date_due": day(line.date_due),
                "days_late": max(line.days_late, 0),
                "total": amount(line.total, currencies[line.currency_id]),
                "due": amount(line.due, currencies[line.currency_id]),
                # Shown only when the level states penalties.
                "interest": penalties
                and amount(line.interest, currencies[line.currency_id]),
                "indemnity": penalties
                and amount(line.indemnity, currencies[line.currency_id]),
            }
            for line in lines
        ]
        # One total per currency (one line each in the table's total row).
        totals = self._currency_totals(lines) or [CurrencyTotal(self.currency_id.id)]
        Currency = self.env["res.currency"]

        def joined(attribute):
            return Markup("<br/>").join(
                amount(getattr(total, attribute), Currency.browse(total.currency_id))
                for total in totals
            )

        values = {
            "rows": rows,
            "penalties": penalties,
            # The debtor's open credits offset what it owes (row shown only
            # when it has some).
            "credits": any(total.credit for total in totals) and joined("credit"),
            "total_due": joined("to_pay"),
            "total_interest": joined("interest"),
            "total_indemnity": joined("indemnity"),
        }
        if memo is not None:
            memo[key] = values
        return values

    def _invoice_table_lines(self):
        """The invoices of the reminder's table, in the table's order, as
        plain rows (``InvoiceTableLine``). The reminders rendered together
        are read in one query while a batch is performed (``_batch_read``):
        reading each invoice's fields through the ORM cost more than
        rendering the tables."""
        self.ensure_one()
        return self._batch_read("lines", lambda a: a._read_invoice_table_lines())

    def _read_invoice_table_lines(self):
        """{action id: its ``InvoiceTableLine`` rows} for ``self``, in one
        query."""
        Line = self.env["recouvrement.action.line"]
        Line.flush_model()
        self.env["account.move"].flush_model(["name", "invoice_date", "amount_total"])
        rows = self.env.execute_query(
            SQL(
                """
                SELECT line.action_id, line.id, line.move_id, move.name,
                       move.invoice_date, line.date_due,
                       COALESCE(line.days_late, 0),
                       COALESCE(move.amount_total, 0),
                       COALESCE(line.amount_residual_currency, 0),
                       COALESCE(line.interest_amount, 0),
                       COALESCE(line.indemnity_amount, 0),
                       COALESCE(line.move_currency_id, move.currency_id)
                  FROM recouvrement_action_line line
                  JOIN account_move move ON move.id = line.move_id
                 WHERE line.action_id = ANY(%s)
              ORDER BY line.action_id, line.date_due, line.id
                """,
                list(self.ids),
            )
        )
        # What the ORM would check reading the lines and their invoices.
        Line.browse(row[1] for row in rows).check_access("read")
        self.env["account.move"].browse({row[2] for row in rows}).check_access("read")
        by_action = {action_id: [] for action_id in self.ids}
        for action_id, *values in rows:
            by_action[action_id].append(InvoiceTableLine(*values))
        return by_action

    def _formatter(self):
        """A formatter in the debtor's language, shared by a batch."""
        lang = self._formatter_lang()
        cache = self.env.cr.cache.setdefault("recouvrement_formatters", {})
        if lang not in cache:
            cache[lang] = Formatter(self.env, lang)
        return cache[lang]

    def _address_lines(self, partner):
        """Lines of ``partner``'s postal address in the context's language,
        its name first: what Odoo's contact widget shows (display name with
        show_address), without the widget's rendering per document, and once
        per batch for the company's own address."""
        memo = self.env.cr.cache.get(TABLE_MEMO)
        key = ("address", partner.id, self.env.lang)
        if memo is not None and key in memo:
            return memo[key]
        # What partner.with_context(show_address=True).display_name gives,
        # without computing every debtor's display name again in that context.
        address = partner._display_address(without_company=True)
        lines = [partner.display_name or ""] + [
            line for line in address.split("\n") if line.strip()
        ]
        if memo is not None:
            memo[key] = lines
        return lines

    def _formatter_lang(self):
        return self.partner_id.lang or self.env.lang
