"""What the add-on's two uses of Odoo internals rely on: these tests fail
when a new Odoo changes it, before a run does."""

import inspect

from lxml import etree

from odoo.tests import TransactionCase, tagged

from ..tools.chatter import INSERTED_COLUMNS, insert_notes
from ..tools.qweb import batch_renderer


@tagged("post_install", "-at_install")
class TestOdooInternals(TransactionCase):
    def test_mail_message_columns(self):
        """tools/chatter.insert_notes fills every column of mail_message
        that PostgreSQL requires, and only columns that exist."""
        self.env.cr.execute(
            """
            SELECT column_name, is_nullable = 'NO' AND column_default IS NULL
              FROM information_schema.columns
             WHERE table_name = 'mail_message'
            """
        )
        columns = dict(self.env.cr.fetchall())
        self.assertFalse(set(INSERTED_COLUMNS) - set(columns))
        required = {name for name, needed in columns.items() if needed}
        self.assertFalse(
            required - set(INSERTED_COLUMNS) - {"id"},
            "mail_message has new required columns: tools/chatter.py must fill them",
        )
        # The notes read back through the ORM as Odoo's own would.
        partner = self.env["res.partner"].create({"name": "Client interne"})
        insert_notes(self.env, "res.partner", {partner.id: "Relance envoyée"})
        message = partner.message_ids[:1]
        self.assertEqual(
            (
                message.body,
                message.message_type,
                message.subtype_id,
                message.author_id,
            ),
            (
                "Relance envoyée",
                "notification",
                self.env.ref("mail.mt_note"),
                self.env.user.partner_id,
            ),
        )

    def test_qweb_compile(self):
        """tools/qweb.batch_renderer calls ir.qweb._compile(template) and
        gets (functions, name); _prepare_environment(values) prepares it."""
        QWeb = self.env["ir.qweb"]
        self.assertEqual(
            list(inspect.signature(type(QWeb)._compile).parameters),
            ["self", "template"],
        )
        self.assertIn(
            "values", inspect.signature(type(QWeb)._prepare_environment).parameters
        )
        template = etree.fromstring('<t t-name="x"><b t-out="name"/></t>')
        render = batch_renderer(QWeb, template, {})
        self.assertEqual(str(render(name="Durand")), "<b>Durand</b>")
        self.assertEqual(str(render(name="<Martin>")), "<b>&lt;Martin&gt;</b>")
