"""Pytest configuration for the plain-Python rules of the add-on.

The add-on's own ``__init__`` imports Odoo, so the rules package is imported
as a top-level package ``rules`` from the add-on folder instead.
"""

import sys
from pathlib import Path

from hypothesis import settings

ADDON = Path(__file__).resolve().parent.parent / "recouvrement_amiable"
sys.path.insert(0, str(ADDON))

# Property tests check results, never speed: no per-example deadline, which
# a loaded machine (CI on two cores) would miss.
settings.register_profile("project", deadline=None)
settings.load_profile("project")
