"""18.0.1.2.0: the shipped reminder templates ask for the amount due in the
currencies of the invoices (``amount_due_text``), no longer in the company
currency. The templates are noupdate (users adapt them): only the amount's
expression is replaced, in every language; the rest of each text is kept."""

from odoo.tools import SQL

OLD = "format_amount(object.amount_due, object.currency_id)"
NEW = "object.amount_due_text"
TEMPLATES = (
    (
        "mail_template",
        "body_html",
        [
            "mail_template_courtesy",
            "mail_template_reminder",
            "mail_template_second_reminder",
            "mail_template_formal_notice",
            "mail_template_consumer_reminder",
        ],
    ),
    ("sms_template", "body", ["sms_template_reminder"]),
)


def migrate(cr, version):
    for table, column, names in TEMPLATES:
        cr.execute(
            SQL(
                """
                SELECT res_id FROM ir_model_data
                 WHERE module = 'recouvrement_amiable' AND name = ANY(%s)
                """,
                names,
            )
        )
        ids = [row[0] for row in cr.fetchall()]
        if not ids:
            continue
        # The column holds {lang: text} (jsonb); the expression has no
        # character that JSON escapes, so it reads the same in its text.
        cr.execute(
            SQL(
                "UPDATE %s SET %s = replace(%s::text, %s, %s)::jsonb"
                " WHERE id = ANY(%s) AND %s::text LIKE %s",
                SQL.identifier(table),
                SQL.identifier(column),
                SQL.identifier(column),
                OLD,
                NEW,
                ids,
                SQL.identifier(column),
                f"%{OLD}%",
            )
        )
