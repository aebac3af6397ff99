"""Reading records and the record forms on the facade: findings and reviews by id, labels and citations, new,
duplicate, update, trash, restore and revert.

Reads go to :mod:`vkref.store.repository`; the forms' rules live in :mod:`vkref.library.findings`.
"""
from __future__ import annotations

from vkref.core.entities import Finding, Review
from vkref.io.citation import vancouver
from vkref.library import findings
from vkref.store import repository as repo


class Records:
    """Reviews and findings: reading them and the record forms (:mod:`vkref.library.findings`)."""

    def get_finding(self, finding_id: str) -> Finding | None:
        """The finding (its ``locator`` is the place a curator marked, if any; :meth:`locate` resolves it)."""
        return repo.get_finding(self.db, finding_id)

    def get_review(self, review_id: str) -> Review | None:
        return repo.get_review(self.db, review_id)

    def findings_of(self, review_id: str) -> list[Finding]:
        return repo.get_findings(self.db, review_id=review_id)

    def reviews(self) -> list[Review]:
        """Every review, complete (summary, keywords, tags, full text included)."""
        return repo.get_reviews(self.db)

    def review_label(self, review_id: str) -> str:
        return self._review_labels.get(review_id, review_id)

    def citation(self, review_id: str) -> str:
        review = self._reviews.get(review_id) or self.get_review(review_id)
        return vancouver(review) if review else ""

    def status(self, record_id: str) -> dict | None:
        """The publication status a review or finding shows (:mod:`vkref.core.status`), or None."""
        return findings.status(self, record_id)

    def finding_problems(self, fields: dict) -> dict[str, str]:
        """What is wrong with a finding's form, field -> message (empty: it can be saved); nothing written."""
        return findings.problems(self, fields)

    def new_finding(self, review_id: str, fields: dict, who: str = "user") -> dict:
        """Create a finding of a review from form fields (concepts as names); returns id, batch, version."""
        return findings.new_finding(self, review_id, fields, who)

    def update_finding(self, finding_id: str, fields: dict, if_version: int | None = None, who="user") -> dict:
        return findings.update(self, finding_id, fields, if_version, who)

    def update_review(self, review_id: str, fields: dict, if_version: int | None = None, who="user") -> dict:
        return findings.update_review(self, review_id, fields, if_version, who)

    def new_review(self, fields: dict, who: str = "user") -> dict:
        return findings.new_review(self, fields, who)

    def duplicate_finding(self, finding_id: str, who: str = "user") -> dict:
        return findings.duplicate(self, finding_id, who)

    def trash_finding(self, finding_id: str, who: str = "user") -> dict:
        return findings.trash(self, finding_id, who)  # restore_finding brings it back, any time later

    def trash(self) -> list[dict]:
        return findings.trashed(self)

    def restore_finding(self, finding_id: str, who: str = "user") -> dict:
        return findings.restore(self, finding_id, who)

    def revert(self, change_id: int, who: str = "user") -> dict:
        """Take back one change listed by :meth:`history` (its ``change`` number) as a new batch."""
        return findings.revert(self, change_id, who)
