"""Business rules of amicable debt recovery, as plain Python.

Nothing in this package imports Odoo: the models gather data in batches and
call these functions, and ``tests/`` at the repository root runs them with
pytest in milliseconds.  Modules import each other relatively so that the
package works both as ``odoo.addons.recouvrement_amiable.rules`` and as a
top-level ``rules`` package under pytest.
"""
