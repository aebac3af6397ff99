"""Local full texts on the facade: attach a file, a review's passages, where a finding comes from.

Attaching and locating live in :mod:`vkref.library.fulltext`; passages are read from :mod:`vkref.store.passages`.
"""
from __future__ import annotations

from vkref.library import fulltext
from vkref.store import passages as store_passages


class FullTexts:
    """A review's local full text and its passages (:mod:`vkref.library.fulltext`)."""

    def attach_fulltext(self, review_id: str, path, who: str = "user") -> dict:
        """Attach a local full text (.txt or .pdf) to a review as one undoable batch (``vkref attach``);
        returns the report of ``vkref attach --json``. A file that is not usable raises DataError."""
        return fulltext.attach(self, review_id, path, who)

    def passages(self, review_id: str) -> list:
        """The review's full text as :class:`vkref.core.passages.Passage` objects, in reading order."""
        return store_passages.of_review(self.db, review_id)

    def locate(self, finding_id: str) -> dict | None:
        """Where in its review's full text a finding comes from (None without a full text)."""
        finding = self.get_finding(finding_id)
        return fulltext.locate(finding, self.passages(finding.review_id)) if finding else None

    def finding_source(self, finding_id: str) -> dict | None:
        """The finding's locator with its passage and the paragraphs around it (for detail views)."""
        return fulltext.source(self, finding_id)

    def extra_index_documents(self) -> int:
        """Index documents besides reviews and findings: the full-text passages (``vkref check`` counts them)."""
        return store_passages.count_documents(self.db)

    def attached_file(self, review_id: str):
        """The path of the review's attached file inside the library, if any."""
        review = self.get_review(review_id)
        return fulltext.file_path(self.path, review.fulltext_file) if review else None
