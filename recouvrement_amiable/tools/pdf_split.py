"""Whether wkhtmltopdf lets Odoo split a multi-record PDF, found once per
process.

Odoo renders several records in one wkhtmltopdf call and splits the PDF per
record by its outlines (``ir.actions.report._render_qweb_pdf_prepare_streams``).
wkhtmltopdf built on an unpatched Qt (Debian's 0.12.6 package) does not
allow it: given several documents it exits with an error (measured on
2026-12-06), and it writes no outlines, so Odoo could not split the PDF
anyway. A multi-record rendering is then wasted. The reminders' documents
are rendered in chunks where splitting works, one record per call where
it does not.
"""

import io
import logging

from odoo.tools.pdf import PdfFileReader

_logger = logging.getLogger(__name__)

# {"splits": bool} once known in this process (the wkhtmltopdf binary does
# not change while the server runs).
WKHTMLTOPDF = {}

_PROBE_PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'/></head>"
    "<body><h1>Document %s</h1><p>Probe</p></body></html>"
)


def probe(env):
    """Render two one-page documents in one wkhtmltopdf call: does the PDF
    carry the outlines Odoo splits by?"""
    try:
        pdf = env["ir.actions.report"]._run_wkhtmltopdf(
            [_PROBE_PAGE % 1, _PROBE_PAGE % 2]
        )
        root = PdfFileReader(io.BytesIO(pdf)).trailer["/Root"]
        return "/Outlines" in root and "/First" in root["/Outlines"]
    except Exception as error:  # noqa: BLE001 - a failed probe means: do not rely on splitting
        # Debian's wkhtmltopdf: "Exit with code 1", an empty PDF.
        _logger.info("wkhtmltopdf cannot render several documents at once: %s", error)
        return False


def wkhtmltopdf_splits(env):
    """True when a multi-record PDF can be split per record: probed on the
    first call of the process, then remembered."""
    if "splits" not in WKHTMLTOPDF:
        WKHTMLTOPDF["splits"] = bool(probe(env))
        _logger.info(
            "wkhtmltopdf %s PDF outlines: documents rendered %s",
            "writes" if WKHTMLTOPDF["splits"] else "does not write",
            "in chunks" if WKHTMLTOPDF["splits"] else "one per call",
        )
    return WKHTMLTOPDF["splits"]


def splitting_failed():
    """A multi-record PDF came back unsplit: render one record per call
    from now on."""
    WKHTMLTOPDF["splits"] = False
