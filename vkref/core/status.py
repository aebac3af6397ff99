"""The publication status of a review and the banner a doubtful source carries wherever it appears.

A review may be *retracted*, carry an *expression of concern* or have been *corrected* (an erratum), each with a
date, a note and the text of the notice (its citation or link). A finding can also be flagged as resting on a
retracted primary study (``source_retracted``) while the review itself stands.

:func:`status_of` gives the one status a record shows (a finding inherits its review's; the review's retraction
or concern outranks the finding's own flag, which outranks a mere correction), as the JSON object of the
contract (``kind``, ``label``, ``date``, ``note``, ``notice``, ``banner``) or None. :func:`banner` is the one line
every place prints (results row, detail, citation, exports, the answer card). No I/O here.
"""
from __future__ import annotations

import re

STATUSES = ("retracted", "expression-of-concern", "corrected")
SOURCE_RETRACTED = "source-retracted"
LABELS = {"retracted": "Retracted", "expression-of-concern": "Expression of concern", "corrected": "Corrected",
          SOURCE_RETRACTED: "Rests on a retracted study"}
DOUBTFUL = ("retracted", "expression-of-concern", SOURCE_RETRACTED)  # shown as a warning, not a note
ALIASES = {"expression of concern": "expression-of-concern", "concern": "expression-of-concern",
           "eoc": "expression-of-concern", "retraction": "retracted", "correction": "corrected",
           "erratum": "corrected", "none": "", "ok": ""}
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def normalise(text: str) -> str:
    """A status as typed (any case, a few common names) -> the stored value ("" for none)."""
    t = (text or "").strip().lower()
    return ALIASES.get(t, t.replace(" ", "-"))


def status_problem(status: str, date: str) -> str | None:
    """Why this status and date cannot be stored, or None."""
    if status and status not in STATUSES:
        return f"field status must be one of {', '.join(STATUSES)} (or empty), not {status!r}"[:160]
    if date and not _DATE.match(date):
        return f"field status_date must be a date as YYYY-MM-DD (or YYYY-MM, YYYY), not {date!r}"[:160]
    if date and not status:
        return "field status_date is set but status is empty"
    return None


def review_status(review) -> dict | None:
    """The status object of a review, or None when it has none."""
    kind = getattr(review, "status", "") or ""
    if not kind:
        return None
    return _status(kind, review.status_date, review.status_note, review.status_notice)


def status_of(review, source_retracted: bool = False) -> dict | None:
    """What a record shows: a review's own status; for a finding (``source_retracted`` its flag) its review's
    retraction or concern first, then its own flag, then its review's correction."""
    own = review_status(review) if review is not None else None
    if own and own["kind"] != "corrected":
        return own
    if source_retracted:
        return _status(SOURCE_RETRACTED, "", "the finding rests on a primary study that was retracted", "")
    return own


def _status(kind: str, date: str, note: str, notice: str) -> dict:
    out = {"kind": kind, "label": LABELS.get(kind, kind), "date": date or None, "note": note or None,
           "notice": notice or None}
    out["banner"] = banner(out)
    return out


def banner(status: dict | None) -> str:
    """"RETRACTED 2024-03-01: note (notice)" -- the one line shown with a doubtful or corrected record."""
    if not status:
        return ""
    text = status["label"].upper()
    if status.get("date"):
        text += f" {status['date']}"
    rest = "; ".join(x for x in (status.get("note"), status.get("notice")) if x)
    return f"{text}: {rest}" if rest else text


def is_doubtful(status: dict | None) -> bool:
    return bool(status) and status["kind"] in DOUBTFUL
