"""The vocabulary editor on the facade: concepts with usage, add, rename, synonyms, parents, merge, delete, and
reading the vocabulary again after a change.

The rules live in :mod:`vkref.library.vocabulary_editing` and :mod:`vkref.library.vocabulary_rules`.
"""
from __future__ import annotations

from vkref.library import vocabulary_editing as vocab_edit, vocabulary_rules as vocab_rules
from vkref.store import repository as repo


class VocabularyEditing:
    """Editing the controlled vocabulary (:mod:`vkref.library.vocabulary_editing`)."""

    def reload_vocabulary(self) -> None:
        """Read the vocabulary again after a write changed it (facets, expansion, forms)."""
        self._vocabulary_watch.seen(self)
        self.vocabulary = repo.load_vocabulary(self.db)
        self.search_service.set_vocabulary(self.vocabulary)
        self.indexing.vocabulary = self.vocabulary

    def concepts(self, facet: str | None = None) -> list:
        """Concepts of a facet (or all) in tree order, with usage counts (:class:`ConceptInfo`, ``to_dict()``)."""
        return vocab_edit.listing(self, facet)

    def find_concept(self, concept: str, facet: str | None = None):
        """The concept named by an id, label or synonym (``facet`` settles a shared name); DataError if none."""
        return vocab_rules.find(self.vocabulary, concept, facet)

    def concept_usage(self, concept: str, facet: str | None = None):
        """One concept (id, label or synonym) with how many findings and reviews are coded with it."""
        return vocab_edit.usage(self, concept, facet)

    def add_concept(self, facet: str, label: str, synonyms=(), parent: str | None = None,
                    concept_id: str | None = None, who: str = "user") -> dict:
        """Add a concept as one undoable batch; returns ``{"batch", "concept"}``."""
        return vocab_edit.add(self, facet, label, synonyms, parent, concept_id, who)

    def update_concept(self, concept: str, label: str | None = None, synonyms=None, parent=vocab_edit.UNSET,
                       who: str = "user") -> dict:
        """Change label, synonyms and/or parent (None: top level) of a concept in one batch."""
        return vocab_edit.update(self, concept, label, synonyms, parent, who=who)

    def rename_concept(self, concept: str, label: str, who: str = "user") -> dict:
        return vocab_edit.update(self, concept, label=label, who=who)

    def add_synonym(self, concept: str, synonym: str, who: str = "user") -> dict:
        return vocab_edit.add_synonym(self, concept, synonym, who=who)

    def remove_synonym(self, concept: str, synonym: str, who: str = "user") -> dict:
        return vocab_edit.remove_synonym(self, concept, synonym, who=who)

    def set_parent(self, concept: str, parent: str | None, who: str = "user") -> dict:
        """Move a concept under ``parent`` (None: top level); a cycle or another facet is refused."""
        return vocab_edit.update(self, concept, parent=parent, who=who)

    def merge_preview(self, keep: str, other: str) -> dict:
        """What :meth:`merge_concepts` would recode, without writing."""
        return vocab_edit.merge_preview(self, keep, other)

    def merge_concepts(self, keep: str, other: str, who: str = "user") -> dict:
        """Merge concept OTHER into KEEP: every record recoded, OTHER's names become KEEP's synonyms (one batch)."""
        return vocab_edit.merge(self, keep, other, who=who)

    def delete_concept(self, concept: str, who: str = "user") -> dict:
        """Remove a concept no record is coded with and no concept sits under."""
        return vocab_edit.delete(self, concept, who=who)
