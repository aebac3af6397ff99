"""Local full texts: attaching a text or PDF file to a review, its passages, and where a finding comes from.

- :func:`attach` reads and cleans the file (:mod:`vkref.io.fulltext`), copies it into the library's ``files/``
  folder under its SHA-256 (content-addressed: the library stays self-contained, the same file is kept once)
  and writes the cleaned text to the review as one undoable change batch. The store splits the text into
  passages in the same transaction; the index holds them as documents of kind ``passage``. A file that cannot
  be used raises a one-line :class:`DataError` and nothing is stored.
- :func:`locate` tells where in its review's full text a finding comes from: the place a curator marked, or
  else the paragraph of the finding's section whose sentences share the most (rare) words and reference
  numbers with the finding, with those sentences as the supporting ones.
"""
from __future__ import annotations

import math
import os
import re
import tempfile
from pathlib import Path

from vkref.core import passages as P
from vkref.core.entities import Finding
from vkref.core.errors import DataError, LibraryError
from vkref.io import fulltext as io_fulltext
from vkref.store import passages as store_passages

FILES_DIRNAME = "files"
REF_BOOST = 2.5  # a paragraph whose sentence cites the finding's reference counts this much more
_STOP = set("""a an and are as at be been but by for from had has have in into is it its of on or that the their
these this those to was were which with we our not no than then also may can both between after before""".split())


def attach(lib, review_id: str, path, who: str = "user") -> dict:
    review = lib.get_review(review_id)
    if review is None:
        raise DataError(f"unknown review {review_id!r}: give the id of a review in this library")
    findings = lib.findings_of(review_id)
    hints = tuple(h for f in findings for h in P.parse_section(f.section) if h)
    text = io_fulltext.read(path, hints)
    if lib.read_only:
        raise LibraryError(f"cannot attach {text.name}: the library is read-only ({lib.read_only_reason})")
    had = file_path(lib.path, f"{text.sha256}.{text.kind}") is not None
    stored = _store_file(lib.path, text)
    review.fulltext, review.fulltext_file = text.text, stored
    from vkref.library import curation

    try:
        batch = curation.write(lib, "attach", f"attach {text.name} to {review_id}", who, reviews=[review])
    except BaseException:
        if not had:  # nothing stored: the copy goes again with the failed write
            (Path(lib.path) / FILES_DIRNAME / stored).unlink(missing_ok=True)
        raise
    passages = store_passages.of_review(lib.db, review_id)
    located = [locate(f, passages) for f in findings]
    return {"review": review_id, "file": text.name, "kind": text.kind, "stored_as": f"{FILES_DIRNAME}/{stored}",
            "batch": batch or None, "characters": len(text.text),
            "sections": sum(p.kind == "heading" for p in passages),
            "passages": sum(p.kind != "heading" for p in passages),
            "findings_located": sum(1 for loc in located if loc and loc["in_section"]), "findings": len(findings)}


def _store_file(library_dir: Path, text: io_fulltext.FullText) -> str:
    """Copy the file's bytes to ``files/<sha256>.<kind>`` (written aside, then renamed: never half a file)."""
    name = f"{text.sha256}.{text.kind}"
    folder = Path(library_dir) / FILES_DIRNAME
    target = folder / name
    if target.exists() and target.stat().st_size == len(text.data):
        return name
    try:
        folder.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".attach-")
        with os.fdopen(fd, "wb") as out:
            out.write(text.data)
        os.replace(tmp, target)
    except OSError as exc:
        raise LibraryError(f"cannot copy {text.name} into the library ({exc.strerror or exc})") from None
    return name


def file_path(library_dir: Path, stored: str) -> Path | None:
    """The attached file ``stored`` ("<sha256>.<kind>") in the library, if it is there."""
    if not re.fullmatch(r"[0-9a-f]{64}\.(txt|pdf)", stored or ""):
        return None
    path = Path(library_dir) / FILES_DIRNAME / stored
    return path if path.is_file() else None


# ---------------------------------------------------------------------------- where a finding comes from
def locate(finding: Finding, passages: list[P.Passage]) -> dict | None:
    """The finding's locator (see :class:`vkref.core.entities.Finding`), or None without a full text."""
    if not passages:
        return None
    marked = finding.locator if finding.locator and finding.locator.get("marked") else None
    if marked and _still_there(marked, passages):
        return dict(marked, in_section=True)
    body = [p for p in passages if p.kind != "heading"]
    if not body:
        return None
    candidates = P.section_passages(passages, finding.section)
    in_section = bool(candidates)
    weights = _weights(body)
    want = _words(" ".join((finding.statement, finding.cited_author)))
    refs = _refs(finding.cited_ref)
    best = None
    for p in candidates or body:
        scored = [(_score(p.text[s - p.start:e - p.start], want, weights),
                   _cites(p.text[s - p.start:e - p.start], refs), (s, e)) for s, e in P.sentences(p.text, p.start)]
        top = max((sc * (REF_BOOST if cites else 1.0) for sc, cites, _ in scored), default=0.0)
        if best is None or top > best[0]:
            best = (top, p, scored)
    _, p, scored = best
    return {"section": p.section, "paragraph": p.position, "start": p.start, "end": p.end,
            "sentences": [list(s) for s in _support(scored)], "marked": False, "in_section": in_section}


def _still_there(locator: dict, passages: list[P.Passage]) -> bool:
    """Whether a marked place still points into the same paragraph (a full text attached again may differ)."""
    n = locator.get("paragraph", -1)
    return 0 <= n < len(passages) and (passages[n].start, passages[n].end) == (locator.get("start"),
                                                                                 locator.get("end"))


def _support(scored: list[tuple[float, bool, tuple[int, int]]]) -> list[tuple[int, int]]:
    """The sentences sharing most of the finding's words (at least 0.6 of the best, at most three), and the
    best one citing its reference when none of those does."""
    top = max((sc for sc, _, _ in scored), default=0.0)
    chosen = [(sc, cites, span) for sc, cites, span in scored if top > 0 and sc >= 0.6 * top]
    chosen = sorted(chosen, key=lambda x: -x[0])[:3]
    citing = [x for x in scored if x[1]]
    if citing and not any(cites for _, cites, _ in chosen):
        chosen.append(max(citing, key=lambda x: x[0]))
    return sorted(span for _, _, span in chosen)


def _words(text: str) -> set[str]:
    return {w[:7] for w in re.findall(r"[a-z0-9α-ωμ]+", text.lower()) if w not in _STOP and len(w) > 1}


def _weights(passages: list[P.Passage]) -> dict[str, float]:
    df: dict[str, int] = {}
    for p in passages:
        for w in _words(p.text):
            df[w] = df.get(w, 0) + 1
    n = len(passages)
    return {w: math.log(1 + n / d) for w, d in df.items()}


def _refs(text: str) -> set[int]:
    out: set[int] = set()
    for a, b in re.findall(r"(\d+)\s*(?:[-–]\s*(\d+))?", text or ""):
        lo, hi = int(a), int(b or a)
        out.update(range(lo, min(hi, lo + 50) + 1))
    return out


def _score(sentence: str, want: set[str], weights: dict[str, float]) -> float:
    return sum(weights.get(w, 0.0) for w in want & _words(sentence))


def _cites(sentence: str, refs: set[int]) -> bool:
    """Whether the sentence carries a reference marker naming one of ``refs``."""
    if not refs or "[" not in sentence:
        return False
    return bool(set().union(*(_refs(m) for m in re.findall(r"\[([\d,\s–-]+)\]", sentence))) & refs)


def source(lib, finding_id: str) -> dict | None:
    """What a detail view shows of a finding's source: locator, the passage, its neighbours and heading."""
    finding = lib.get_finding(finding_id)
    if finding is None:
        return None
    passages = store_passages.of_review(lib.db, finding.review_id)
    where = locate(finding, passages)
    if where is None:
        return None
    n = where["paragraph"]
    return {"locator": where, "passage": passages[n],
            "before": passages[n - 1] if n > 0 and passages[n - 1].kind != "heading" else None,
            "after": passages[n + 1] if n + 1 < len(passages) and passages[n + 1].kind != "heading" else None}
