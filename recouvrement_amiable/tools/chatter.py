"""Log notes in batch on records' chatter."""

import logging

import psycopg2

from odoo import fields
from odoo.tools import SQL
from odoo.tools.mail import generate_tracking_message_id

_logger = logging.getLogger(__name__)

# The columns of mail_message the INSERT fills, in the order of its SELECT.
# tests/test_odoo_internals.py fails when Odoo adds a required column.
INSERTED_COLUMNS = (
    "model",
    "res_id",
    "body",
    "message_type",
    "subtype_id",
    "is_internal",
    "author_id",
    "email_from",
    "message_id",
    "date",
    "create_uid",
    "create_date",
    "write_uid",
    "write_date",
)


def insert_notes(env, model, bodies):
    """Log notes {res_id: escaped body} on records of ``model`` in one INSERT.

    It writes what ``mail.thread._message_log_batch`` writes (an internal
    note by the current user, no notification), without the ORM's
    per-message work (body sanitising, access checks, computed fields),
    which costs more than a whole reminder on runs over thousands of
    invoices. Callers pass escaped text (markupsafe.escape) and have checked
    the user's rights on the records, as for ``_message_log_batch``. The
    query is parameterised.
    """
    if not bodies:
        return
    env.flush_all()
    res_ids = list(bodies)
    try:
        # A savepoint: should another add-on require more of a message than
        # this INSERT gives, Odoo's own batch log takes over.
        with env.cr.savepoint(flush=False):
            _insert(env, model, bodies, res_ids)
    except psycopg2.Error:
        _logger.warning(
            "batch notes on %s: falling back to the ORM", model, exc_info=True
        )
        env[model].browse(res_ids)._message_log_batch(bodies=bodies)
        return
    # The records' message fields are stale now.
    records = env[model].browse(res_ids)
    records.invalidate_recordset(
        [
            name
            for name in ("message_ids", "website_message_ids")
            if name in records._fields
        ]
    )
    env["mail.message"].invalidate_model()


def _insert(env, model, bodies, res_ids):
    author = env.user.partner_id
    now = fields.Datetime.now()
    env.cr.execute(
        SQL(
            """
            INSERT INTO mail_message (%(columns)s)
            SELECT %(model)s, res_id, body, 'notification', %(subtype)s, TRUE,
                   %(author)s, %(email_from)s, message_id,
                   %(now)s, %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(res_ids)s::int[], %(bodies)s::text[],
                          %(message_ids)s::text[])
                   AS note(res_id, body, message_id)
            """,
            columns=SQL(", ").join(map(SQL.identifier, INSERTED_COLUMNS)),
            model=model,
            subtype=env.ref("mail.mt_note").id,
            author=author.id,
            email_from=author.email_formatted or None,
            now=now,
            uid=env.uid,
            res_ids=res_ids,
            bodies=[str(bodies[res_id]) for res_id in res_ids],
            message_ids=[
                generate_tracking_message_id("message-notify") for _id in res_ids
            ],
        )
    )
