"""Views over the whole corpus on the facade: the evidence matrix and answer card, duplicate reviews and merging
them, PRISMA-style counts.

The work lives in :mod:`vkref.library.evidence_matrix`, :mod:`vkref.library.answer_card`,
:mod:`vkref.library.duplicates` and :mod:`vkref.library.prisma`.
"""
from __future__ import annotations

from vkref.library import duplicates


class CorpusViews:
    """Evidence views, duplicates and PRISMA counts (``evidence_matrix``, ``answer_card``, ``duplicates``,
    ``prisma``)."""

    def matrix(self, query: str = "", rows: str = "agent", cols: str = "outcome", filters=None, exclude=None,
               year_from: int | None = None, year_to: int | None = None):
        """The evidence matrix (rows × columns of facet values) over a search; ``to_dict()`` is its JSON."""
        from vkref.library import evidence_matrix

        return evidence_matrix.matrix(self, query, rows, cols, filters, exclude, year_from, year_to)

    def answer(self, query: str, filters=None, exclude=None, year_from: int | None = None,
               year_to: int | None = None):
        """The clinician's answer card for a question; ``to_dict()`` is the JSON of ``vkref answer``."""
        from vkref.library import answer_card

        return answer_card.answer(self, query, filters, exclude, year_from=year_from, year_to=year_to)

    def find_duplicates(self) -> list:
        """Likely duplicate reviews as :class:`Pair` objects (``to_dict()``: a, b, score, reason, exact)."""
        return duplicates.library_duplicates(self)

    def merge(self, keep_id: str, other_id: str, choose=(), who: str = "user") -> dict:
        """Merge OTHER into KEEP (fields, findings, aliases) as one undoable batch."""
        return duplicates.merge(self, keep_id, other_id, choose, who)

    def merge_exact_duplicates(self, who: str = "user") -> dict:
        return duplicates.merge_exact(self, who)

    def mark_distinct(self, a: str, b: str, who: str = "user") -> dict:
        """Remember that reviews ``a`` and ``b`` are not duplicates (never proposed again)."""
        return duplicates.distinct(self, a, b, who)

    def prisma_summary(self, pairs: list | None = None) -> dict:
        """Records identified per source file, duplicates removed, remaining (``vkref prisma --json``); give
        ``pairs`` when :meth:`find_duplicates` was just called (they are not looked for again)."""
        from vkref.library import prisma

        return prisma.summary(self, pairs)

    def prisma_text(self, summary: dict | None = None) -> str:
        """The summary as plain text to paste into a report."""
        from vkref.library import prisma

        return prisma.text(summary or prisma.summary(self))
