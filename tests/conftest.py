"""Pytest configuration for the plain-Python rules of the add-on.

The add-on's own ``__init__`` imports Odoo, so the rules package is imported
as a top-level package ``rules`` from the add-on folder instead.
"""

import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent / "recouvrement_amiable"
sys.path.insert(0, str(ADDON))
