"""18.0.1.3.0: reminders carry the link to the debtor's account page.

The shipped templates are noupdate (users adapt them): the link is added
after the invoice table of the e-mails and at the end of the SMS, in every
language, where it is not already. Existing levels keep attaching the
statement PDF (their e-mails may say so); a user switches a level's
"Attach" to the invoices' PDFs once its text no longer announces a
statement."""

import json
import re

from odoo.tools import SQL

MAIL_TEMPLATES = [
    "mail_template_courtesy",
    "mail_template_reminder",
    "mail_template_second_reminder",
    "mail_template_formal_notice",
    "mail_template_consumer_reminder",
]
TABLE = re.compile(r'(<t t-out="object\.invoice_table_html"\s*(?:/>|>\s*</t>))')
LINK = '\n    <t t-out="object.portal_link_html"/>'
SMS_LINK = " {{ object.portal_link ||| }}"


def _records(cr, table, names):
    cr.execute(
        SQL(
            """
            SELECT t.id, t.%s FROM %s t
              JOIN ir_model_data d ON d.res_id = t.id AND d.model = %s
             WHERE d.module = 'recouvrement_amiable' AND d.name = ANY(%s)
            """,
            SQL.identifier("body_html" if table == "mail_template" else "body"),
            SQL.identifier(table),
            table.replace("_", "."),
            names,
        )
    )
    return cr.fetchall()


def _write(cr, table, column, record_id, values):
    cr.execute(
        SQL(
            "UPDATE %s SET %s = %s::jsonb WHERE id = %s",
            SQL.identifier(table),
            SQL.identifier(column),
            json.dumps(values),
            record_id,
        )
    )


def migrate(cr, version):
    for record_id, bodies in _records(cr, "mail_template", MAIL_TEMPLATES):
        if not bodies:
            continue
        changed = {
            lang: TABLE.sub(lambda m: m.group(1) + LINK, text, count=1)
            if text and "portal_link" not in text
            else text
            for lang, text in bodies.items()
        }
        if changed != bodies:
            _write(cr, "mail_template", "body_html", record_id, changed)
    for record_id, bodies in _records(cr, "sms_template", ["sms_template_reminder"]):
        if not bodies:
            continue
        changed = {
            lang: text + SMS_LINK if text and "portal_link" not in text else text
            for lang, text in bodies.items()
        }
        if changed != bodies:
            _write(cr, "sms_template", "body", record_id, changed)
    # Levels made before this version keep the statement their e-mails
    # announce (the column was just added with the new default).
    cr.execute("UPDATE recouvrement_level SET attach = 'statement'")
