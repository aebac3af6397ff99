"""Writing on the facade: saves, many records at once, field edits, undo and redo, history and batches.

Every write is one undoable change batch through :mod:`vkref.library.curation` (and :mod:`vkref.store.changes`).
"""
from __future__ import annotations

from vkref.core.entities import Finding, Review
from vkref.library import curation
from vkref.store import changes


class Writing:
    """Writes as change batches, undo/redo and history (:mod:`vkref.library.curation`)."""

    def save_finding(self, finding: Finding, who: str = "user") -> int:
        """Insert or update one finding as one change batch. Returns the batch id (0: nothing changed)."""
        return curation.write(self, "edit", f"save finding {getattr(finding, 'id', '?')}", who, findings=[finding])

    def save_review(self, review: Review, who: str = "user") -> int:
        return curation.write(self, "edit", f"save review {getattr(review, 'id', '?')}", who, reviews=[review])

    def add_records(self, reviews: list[Review], findings: list[Finding], who: str = "import",
                    sync: bool = True, kind: str = "import", label: str = "") -> int:
        """Write many reviews and findings in one transaction and one change batch (all or nothing), then
        update the index. Returns the batch id."""
        label = label or f"{len(reviews)} reviews, {len(findings)} findings"
        return curation.write(self, kind, label, who, reviews=reviews, findings=findings, sync=sync)

    def delete_finding(self, finding_id: str, who: str = "user") -> bool:
        return bool(curation.write(self, "edit", f"delete finding {finding_id}", who, delete_findings=[finding_id]))

    def edit(self, record_id: str, assignments: dict[str, str], if_version: int | None = None,
             who: str = "user") -> dict:
        """Change fields of a review or finding (``vkref edit``); see :func:`vkref.library.curation.edit`."""
        return curation.edit(self, record_id, assignments, if_version, who)

    def undo(self, who: str = "user") -> dict | None:
        """Take back the newest change batch (an import, edit, merge...). None when there is nothing to undo."""
        return curation.undo(self, who)

    def redo(self, who: str = "user") -> dict | None:
        return curation.redo(self, who)

    def can_undo(self) -> str | None:
        return changes.can_undo(self.db)

    def can_redo(self) -> str | None:
        return changes.can_redo(self.db)

    def history(self, record_id: str) -> list[dict]:
        return curation.history(self, record_id)

    def batches(self, limit: int = 50) -> list[dict]:
        return [dict(b.__dict__) for b in changes.batches(self.db, limit)]
