"""What a debtor may submit on their account page, checked as plain rules.

Each check returns ``None`` when the value is acceptable, or a
``PageError``: a code the model turns into a translated message, and the
values that message shows. Nothing here touches the database.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

# Proofs of payment: what a bank or an accounting tool exports.
PROOF_EXTENSIONS = frozenset({"pdf", "png", "jpg", "jpeg"})
PROOF_MIMETYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
PROOF_MAX_BYTES = 5 * 1024 * 1024
# How far back a debtor may date a payment they say they made.
PAID_MAX_DAYS_BACK = 365
# Posts per token and rolling window.
RATE_LIMIT = 10
RATE_WINDOW = timedelta(hours=1)
NOTE_MAX_LENGTH = 2000

# File signatures ("magic numbers") of the accepted proofs.
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
}


@dataclass(frozen=True)
class PageError:
    code: str
    params: dict = field(default_factory=dict)


def parse_amount(text):
    """``text`` typed by the debtor ("1 200,50", "1200.50") as a float, or
    None when it is not a number."""
    if text is None:
        return None
    cleaned = str(text).strip().replace("\u00a0", "").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    if not math.isfinite(value):
        return None
    return value


def parse_date(text):
    """An ISO date (what ``<input type="date">`` sends), or None."""
    try:
        return date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None


def parse_ids(text, allowed):
    """The ids of ``text`` ("12,15") that are in ``allowed``, in order and
    once each; None when ``text`` names an id outside ``allowed`` or is not
    a list of ids."""
    ids = []
    for part in str(text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not part.isdigit():
            return None
        value = int(part)
        if value not in allowed:
            return None
        if value not in ids:
            ids.append(value)
    return ids


def check_amount(amount, due):
    """An amount the debtor paid or promises: positive, not above ``due``."""
    if amount is None:
        return PageError("amount_invalid")
    if amount <= 0:
        return PageError("amount_not_positive")
    if round(amount - due, 6) > 0:
        return PageError("amount_above_due", {"due": due})
    return None


def check_paid(paid_date, amount, due, today):
    """ "I have already paid": a date in the past year, not in the future."""
    if paid_date is None:
        return PageError("date_invalid")
    if paid_date > today:
        return PageError("paid_date_future")
    if paid_date < today - timedelta(days=PAID_MAX_DAYS_BACK):
        return PageError("paid_date_too_old", {"days": PAID_MAX_DAYS_BACK})
    return check_amount(amount, due)


def check_promise(promise_date, amount, due, today, max_days):
    """A promise: from today to ``max_days`` ahead, for at most ``due``."""
    if promise_date is None:
        return PageError("date_invalid")
    if promise_date < today:
        return PageError("promise_date_past")
    if promise_date > today + timedelta(days=max_days):
        return PageError(
            "promise_date_too_far", {"last": today + timedelta(days=max_days)}
        )
    return check_amount(amount, due)


def check_installments(text, max_installments):
    """A number of installments: 2 up to ``max_installments`` (0: no
    limit). Returns (count, error)."""
    try:
        count = int(str(text or "").strip())
    except ValueError:
        return None, PageError("installments_invalid")
    if count < 2:
        return None, PageError("installments_too_few")
    if max_installments and count > max_installments:
        return None, PageError("installments_too_many", {"max": max_installments})
    return count, None


def check_proof(filename, content):
    """An uploaded proof of payment: a PDF or an image, checked by its
    extension and its first bytes, at most ``PROOF_MAX_BYTES``."""
    extension = (
        (filename or "").rsplit(".", 1)[-1].lower() if "." in (filename or "") else ""
    )
    if extension not in PROOF_EXTENSIONS:
        return PageError("proof_type")
    if not content:
        return PageError("proof_empty")
    if len(content) > PROOF_MAX_BYTES:
        return PageError("proof_size", {"max_mb": PROOF_MAX_BYTES // (1024 * 1024)})
    if not content.startswith(_SIGNATURES[extension]):
        return PageError("proof_type")
    return None


def check_note(note):
    if note and len(note) > NOTE_MAX_LENGTH:
        return PageError("note_too_long", {"max": NOTE_MAX_LENGTH})
    return None


def rate_limited(post_times, now, limit=RATE_LIMIT, window=RATE_WINDOW):
    """Whether one more post at ``now`` would exceed ``limit`` posts in the
    rolling ``window`` (``post_times``: datetimes of the previous posts)."""
    start = now - window
    recent = [
        moment
        for moment in post_times
        if isinstance(moment, datetime) and moment > start
    ]
    return len(recent) >= limit
