import logging

from lxml import html

from odoo import api, models

from ..tools.formatting import Formatter
from ..tools.qweb import batch_renderer

_logger = logging.getLogger(__name__)


class MailTemplate(models.Model):
    _inherit = "mail.template"

    @api.model
    def _render_template_qweb(
        self, template_src, model, res_ids, add_context=None, options=None
    ):
        """Render a reminder's e-mail body for a whole batch with ONE
        compilation of the template.

        Odoo parses and compiles an inline QWeb body again for every record
        (an lxml element is never found in QWeb's cache); a dunning run
        renders the same body for thousands of debtors, and the compilation
        cost more than the rendering. Same values, options and result as
        Odoo's method; whatever is not the plain case (another model, one
        record, restricted rendering for users who may not edit templates,
        any error) goes through Odoo's own method.
        """
        restricted = (
            not self._unrestricted_rendering
            and not self.env.is_admin()
            and not self.env.user.has_group("mail.group_mail_template_editor")
        )
        if (
            model != "recouvrement.action"
            or len(res_ids) < 2
            or not template_src
            or restricted
            or not self._has_unsafe_expression_template_qweb(template_src, model)
        ):
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )
        try:
            return self._render_template_qweb_once(
                template_src, model, res_ids, add_context, options or {}
            )
        except Exception:  # Odoo's method reports the error its own way
            # Said in the log: the fallback renders record by record, many
            # times slower on a run of thousands of reminders.
            _logger.warning(
                "reminder bodies: batch rendering failed, rendered one by one",
                exc_info=True,
            )
            return super()._render_template_qweb(
                template_src, model, res_ids, add_context=add_context, options=options
            )

    def _render_template_qweb_once(
        self, template_src, model, res_ids, add_context, options
    ):
        variables = self._render_eval_context()
        # format_amount and format_date in the rendering language, looked up
        # once for the batch; any other use goes to Odoo's functions.
        formatter = Formatter(self.env)
        odoo_amount = variables["format_amount"]
        odoo_date = variables["format_date"]
        variables["format_amount"] = lambda amount, currency, lang_code=False: (
            formatter.amount(amount, currency)
            if not lang_code
            else odoo_amount(amount, currency, lang_code)
        )
        variables["format_date"] = lambda date, date_format=False, lang_code=False: (
            formatter.date(date)
            if not date_format and not lang_code
            else odoo_date(date, date_format, lang_code)
        )
        if add_context:
            variables.update(**add_context)
        render = batch_renderer(
            self.env["ir.qweb"],
            html.fragment_fromstring(template_src, create_parent="div"),
            variables,
            **options,
        )
        # Without the <div> wrapping the fragment, like Odoo's method.
        return {
            record.id: render(object=record)[5:-6]
            for record in self.env[model].browse(res_ids)
        }
