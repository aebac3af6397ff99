"""The primary studies on the facade: listing, showing, creating, editing, linking, merging and counting them.

Thin methods; the job lives in :mod:`vkref.library.studies`.
"""
from __future__ import annotations

from typing import Iterable

from vkref.core.entities import Study
from vkref.library import studies


class Studies:
    """The primary studies findings rest on (:mod:`vkref.library.studies`)."""

    @property
    def study_links(self) -> studies.StudyLinks:
        """Every finding's studies, for counting (re-read when the change log moved)."""
        held = self.__dict__.get("_study_links")
        if held is None:
            held = self.__dict__["_study_links"] = studies.StudyLinks(self.db)
        return held

    def studies(self, query: str = "") -> list[dict]:
        """Every study (or those whose label or first author holds ``query``), with its number of findings."""
        return studies.listing(self, query)

    def get_study(self, study_id: str) -> Study:
        return studies.get(self, study_id)

    def study(self, study_id: str) -> dict:
        """A study with the findings, from any review, that rest on it."""
        return studies.show(self, study_id)

    def studies_of(self, finding_id: str) -> list[dict]:
        """The studies a finding rests on, each with the other findings resting on it."""
        return studies.studies_of(self, finding_id)

    def save_study(self, fields: dict, study_id: str | None = None, who: str = "user") -> dict:
        """Create (``study_id`` None) or edit a study; one undoable batch."""
        return studies.save(self, fields, study_id, who)

    def delete_study(self, study_id: str, who: str = "user") -> dict:
        return studies.delete(self, study_id, who)

    def link_studies(self, finding_id: str, study_ids: Iterable[str], who: str = "user") -> dict:
        return studies.link(self, finding_id, study_ids, who)

    def unlink_studies(self, finding_id: str, study_ids: Iterable[str], who: str = "user") -> dict:
        return studies.link(self, finding_id, study_ids, who, drop=True)

    def study_duplicates(self) -> list[dict]:
        """Pairs of study records that may be one study (same label, or same first author and year)."""
        return studies.duplicates(self)

    def merge_studies(self, keep: str, other: str, who: str = "user") -> dict:
        """Make two records of one study one (findings re-pointed, ``other`` deleted); one undoable batch."""
        return studies.merge(self, keep, other, who)

    def adopt_bundled_studies(self, who: str = "user") -> dict:
        """Add the bundled studies and their links to a library made before studies were records (one batch)."""
        return studies.adopt_bundled(self, who=who)

    def count_studies(self, finding_ids: Iterable[str]) -> int:
        """How many distinct studies these findings rest on."""
        return self.study_links.count(finding_ids)
