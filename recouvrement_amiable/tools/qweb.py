"""Render one QWeb template for many records with one compilation."""

from markupsafe import Markup

from odoo.tools import safe_eval


def batch_renderer(qweb, template, values, **options):
    """A function ``render(**record_values) -> Markup`` rendering
    ``template`` (a view's xmlid or an lxml element) with ``values`` and
    each call's values: what ``ir.qweb._render`` does for each call
    (preparing the environment, checking the values, compiling or finding
    the compiled template), done once for a batch of thousands of records."""
    values = dict(values)
    qweb = qweb.with_context(**options)._prepare_environment(values)
    safe_eval.check_values(values)
    functions, name = qweb._compile(template)
    function = functions[name]

    def render(**record_values):
        return Markup("".join(function(qweb, dict(values, **record_values))))

    return render
