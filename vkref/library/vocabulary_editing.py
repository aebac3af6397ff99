"""Editing the controlled vocabulary: add, rename, synonyms, parents, merge, delete, and who uses a concept.

The vocabulary is a poly-hierarchy: a concept may sit under several parents (:func:`add_parent`,
:func:`remove_parent`, :func:`update` with ``parents``); moving it (``parent``) replaces all its parents with one.

Every edit is one change batch of kind ``vocabulary`` (:mod:`vkref.store.changes`): Edit > Undo and
``vkref undo`` take it back whole, also after a restart, and ``vkref history CONCEPT`` lists it. The rules of
:mod:`vkref.library.vocabulary_rules` are checked first against the vocabulary as the database holds it (read
under the write lock), so a refused edit writes nothing.

A merge is one batch: every finding and review coded with the merged concept is recoded to the kept one, the
merged concept's label and synonyms become synonyms of the kept one (searches and filters by the old name still
find the same records), its narrower concepts move under the kept one (in the merged one's place among their parents), and it is removed. Undo restores both
concepts and every record's codes.

After each edit the vocabulary is read again (query expansion, facets, forms) and the index catches up from the
outbox rows the batch wrote: recoded records, and records under a renamed or moved concept
(:func:`vkref.store.concepts.queue_users`). Usage counts: ``findings`` and ``reviews`` coded with the concept
itself; ``findings_with_narrower`` is the finding count of its facet value in search (rolled up, as the facet
panel shows it).
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Iterable

from vkref.core.errors import DataError, VkrefError
from vkref.core.text import norm_label
from vkref.core.vocabulary import CONCEPT_FACETS, Concept, Vocabulary
from vkref.library import curation, vocabulary_rules as rules
from vkref.store import changes, concepts as usage_store

if TYPE_CHECKING:
    from vkref.library.library import Library

UNSET = object()  # "leave the parents as they are" (None means top level)
KIND = "vocabulary"


@dataclass
class ConceptInfo:
    """One concept as the editor and ``vkref concept`` show it."""

    id: str
    facet: str
    label: str
    synonyms: list[str]
    parent: str | None  # the primary parent (the first of ``parents``)
    depth: int = 0
    children: list[str] = field(default_factory=list)
    findings: int = 0
    findings_with_narrower: int = 0
    reviews: int = 0
    parents: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return dict(self.__dict__)


# ---------------------------------------------------------------------------- reading


class VocabularyWatch:
    """Notices a vocabulary changed by another process (or by any write of this one) and reads it again, so
    expansion, filters and labels never use an old copy. Checked before each search: one stat of the database
    files while nothing was committed, one indexed query after a commit."""

    def __init__(self):
        self._token = None
        self._mark: int | None = None

    def seen(self, lib: "Library") -> None:
        """``lib`` is about to read the vocabulary: what is committed now needs no second reading."""
        self._token, self._mark = lib.db.change_token(), usage_store.vocabulary_mark(lib.db)

    def check(self, lib: "Library") -> bool:
        """Reload ``lib``'s vocabulary when it changed since the last check; True when it did."""
        token = lib.db.change_token()
        if token is not None and token == self._token:
            return False
        try:
            mark = usage_store.vocabulary_mark(lib.db)
        except VkrefError:  # the database cannot be read (a catalog server away): search on with this copy
            return False
        changed = self._mark is not None and mark != self._mark
        if changed:
            lib.reload_vocabulary()
        self._token, self._mark = token, mark
        return changed



def listing(lib: "Library", facet: str | None = None) -> list[ConceptInfo]:
    """The concepts of one facet (or all), depth first: each parent before its children, siblings by label. A
    concept with several parents is listed once, under its primary parent (``parents`` names them all)."""
    facets = [rules.check_facet(facet)] if facet else list(CONCEPT_FACETS)
    rolled = _rolled_up(lib)  # first: a search reads the vocabulary again if another process changed it
    voc = lib.vocabulary
    used = usage_store.usage(lib.db)
    out: list[ConceptInfo] = []
    for f in facets:
        concepts = voc.in_facet(f)
        tops = [c for c in concepts if c.parent is None]
        for c in _by_label(tops):
            _walk(voc, c, 0, used, rolled, out)
    return out


def _walk(voc: Vocabulary, c: Concept, depth: int, used, rolled, out: list[ConceptInfo]) -> None:
    out.append(_info(voc, c, used, rolled, depth))
    for child in _by_label(voc[cid] for cid in voc.children(c.id)):
        if child.parent == c.id:  # listed once: under its primary parent
            _walk(voc, child, depth + 1, used, rolled, out)


def _by_label(concepts: Iterable[Concept]) -> list[Concept]:
    return sorted(concepts, key=lambda c: (c.label.casefold(), c.id))


def _info(voc: Vocabulary, c: Concept, used: dict, rolled: dict, depth: int = 0) -> ConceptInfo:
    n = used.get(c.id, {})
    return ConceptInfo(c.id, c.facet, c.label, list(c.synonyms), c.parent, depth,
                       _by_id(voc, voc.children(c.id)), n.get("findings", 0),
                       rolled.get(c.facet, {}).get(c.label, 0), n.get("reviews", 0), list(c.parents))


def _by_id(voc: Vocabulary, ids: list[str]) -> list[str]:
    return [c.id for c in _by_label(voc[cid] for cid in ids)]


def _rolled_up(lib: "Library") -> dict[str, dict[str, int]]:
    """Facet -> label -> findings, rolled up the way the facet panel counts them (the search's own facets)."""
    page = lib.search("", kind="finding", limit=0, spell=False)
    return {f: page.facets.get(f, {}) for f in CONCEPT_FACETS}


def usage(lib: "Library", ref: str, facet: str | None = None) -> ConceptInfo:
    rolled = _rolled_up(lib)
    concept = rules.find(lib.vocabulary, ref, facet)
    return _info(lib.vocabulary, concept, usage_store.usage(lib.db), rolled)


# ---------------------------------------------------------------------------- writing


def _commit(lib: "Library", who: str, plan: Callable, reviews_changed: bool = False) -> int:
    """Check and write one edit as one batch. ``plan(vocabulary, writer)`` checks the edit against the
    vocabulary as the batch's own transaction holds it (so a concurrent edit in another process cannot slip a
    cycle in between) and returns the batch's label and the function that writes it; when it raises, the
    transaction is rolled back and nothing is written. Returns the batch id (0: nothing changed)."""
    with lib._write_lock, changes.unit_of_work(lib.db, KIND, "", who) as w:
        label, write = plan(w.vocabulary(), w)
        w.set_label(label)
        write(w)
        batch = w.batch_id
    lib.reload_vocabulary()
    curation.after_write(lib, reviews_changed=reviews_changed)
    return batch if changes.batch_exists(lib.db, batch) else 0


def _result(lib: "Library", batch: int, concept_id: str, **extra) -> dict:
    info = usage(lib, concept_id) if concept_id in lib.vocabulary else None
    return {"batch": batch or None, "concept": info.to_dict() if info else None, **extra}


def add(lib: "Library", facet: str, label: str, synonyms: Iterable[str] = (), parent=None,
        concept_id: str | None = None, who: str = "user") -> dict:
    """A new concept (its id made from the label unless given); ``parent``: one reference or a list of them."""
    rules.check_facet(facet)
    made: list[str] = []

    def plan(voc: Vocabulary, w):
        value = rules.check_label(voc, facet, label)
        cid = rules.new_id(voc, value, concept_id)
        draft = Concept(cid, facet, value)
        up = rules.check_parents(voc, draft, _parent_ids(voc, parent, facet))
        concept = replace(draft, synonyms=rules.check_synonyms(voc, draft, value, synonyms), parents=up)
        made.append(cid)
        return f"add {facet} concept {short(value)}", lambda w: w.save_concept(concept)

    batch = _commit(lib, who, plan)
    return _result(lib, batch, made[0])


def short(text: str) -> str:
    """A name as batch labels quote it."""
    text = rules.clean(text)
    return repr(text if len(text) <= 60 else text[:59] + "…")


def update(lib: "Library", ref: str, label: str | None = None, synonyms: Iterable[str] | None = None,
           parent=UNSET, facet: str | None = None, who: str = "user", parents=UNSET) -> dict:
    """Change a concept's label, synonyms and/or parents in one batch. ``parent`` (a concept reference, or None
    for the top level) replaces every parent with one; ``parents`` gives the whole list (primary first).
    ``synonyms`` and ``parents`` may be functions of the stored concept giving the new list."""
    found: list[str] = []

    def plan(voc: Vocabulary, w):
        c = rules.find(voc, ref, facet)
        found.append(c.id)
        new_label = c.label if label is None else rules.check_label(voc, c.facet, label, c.id)
        wanted = c.synonyms if synonyms is None else synonyms(c) if callable(synonyms) else synonyms
        names = rules.check_synonyms(voc, c, new_label, wanted)
        up = _new_parents(voc, c, parent, parents)
        concept = replace(c, label=new_label, synonyms=names, parents=up)
        return _describe(voc, c, concept), lambda w: w.save_concept(concept)

    batch = _commit(lib, who, plan)
    return _result(lib, batch, found[0])


def _new_parents(voc: Vocabulary, c: Concept, parent, parents) -> tuple[str, ...]:
    if parent is not UNSET:
        return rules.check_parents(voc, c, _parent_ids(voc, parent, c.facet))
    if parents is UNSET:
        return c.parents
    wanted = parents(c) if callable(parents) else parents
    return rules.check_parents(voc, c, _parent_ids(voc, wanted, c.facet))


def _parent_ids(voc: Vocabulary, refs, facet: str) -> list[str]:
    """Parents given by id (of any facet: the check then says why not), or by a name in ``facet``; ``refs`` is
    None (top level), one reference or a list."""
    if not refs:
        return []
    items = [refs] if isinstance(refs, str) else list(refs)
    return [ref if ref in voc else rules.find(voc, ref, facet).id for ref in items]


def add_parent(lib: "Library", ref: str, parent_ref: str, facet: str | None = None, who: str = "user") -> dict:
    """Put a concept under one more parent (it stays under the ones it has)."""
    def plus(c: Concept) -> list[str]:
        pid = _parent_ids(lib.vocabulary, parent_ref, c.facet)[0]
        if pid in c.parents:
            raise DataError(f"{c.label!r} is already under {lib.vocabulary[pid].label!r}")
        return [*c.parents, pid]

    return update(lib, ref, parents=plus, facet=facet, who=who)


def remove_parent(lib: "Library", ref: str, parent_ref: str, facet: str | None = None, who: str = "user") -> dict:
    """Take a concept out from under one of its parents (the last one removed makes it a top-level concept)."""
    def minus(c: Concept) -> list[str]:
        pid = _parent_ids(lib.vocabulary, parent_ref, c.facet)[0]
        if pid not in c.parents:
            raise DataError(f"{c.label!r} is not under {lib.vocabulary[pid].label!r}")
        return [p for p in c.parents if p != pid]

    return update(lib, ref, parents=minus, facet=facet, who=who)


def _describe(voc: Vocabulary, old: Concept, new: Concept) -> str:
    """The batch label of an edit: what changed, in words (Edit > Undo shows it)."""
    parts = []
    if new.label != old.label:
        parts.append(f"rename {short(old.label)} to {short(new.label)}")
    added = [s for s in new.synonyms if s not in old.synonyms]
    removed = [s for s in old.synonyms if s not in new.synonyms]
    if added:
        parts.append(f"add synonym{'s' if len(added) > 1 else ''} {', '.join(map(short, added))} "
                     f"to {short(new.label)}")
    if removed:
        parts.append(f"remove synonym{'s' if len(removed) > 1 else ''} {', '.join(map(short, removed))} "
                     f"from {short(new.label)}")
    if new.synonyms != old.synonyms and not (added or removed):
        parts.append(f"reorder the synonyms of {short(new.label)}")
    if new.parents != old.parents:
        parts.append(_describe_parents(voc, old, new))
    return "; ".join(parts) or f"edit {short(old.label)}"


def _describe_parents(voc: Vocabulary, old: Concept, new: Concept) -> str:
    added = [p for p in new.parents if p not in old.parents]
    removed = [p for p in old.parents if p not in new.parents]
    names = lambda ids: " and ".join(short(voc[p].label) for p in ids)  # noqa: E731
    if len(new.parents) <= 1 and len(old.parents) <= 1 and (added or not removed):
        where = short(voc[new.parent].label) if new.parent else "the top level"
        return f"move {short(new.label)} under {where}"
    if added and not removed:
        return f"put {short(new.label)} also under {names(added)}"
    if removed and not added:
        return f"take {short(new.label)} out from under {names(removed)}"
    if not added:
        return f"make {short(voc[new.parent].label)} the primary parent of {short(new.label)}"
    return f"move {short(new.label)} under {names(new.parents)}"


def add_synonym(lib: "Library", ref: str, text: str, facet: str | None = None, who: str = "user") -> dict:
    def add_to(c: Concept) -> list[str]:
        held = next((s for s in c.synonyms if norm_label(s) == norm_label(text)), None)
        if held is not None:
            raise DataError(f"{c.label!r} already has the synonym {held!r}")
        return [*c.synonyms, text]

    return update(lib, ref, synonyms=add_to, facet=facet, who=who)


def remove_synonym(lib: "Library", ref: str, text: str, facet: str | None = None, who: str = "user") -> dict:
    def remove_from(c: Concept) -> list[str]:
        name = rules.clean(text)
        exact = name in c.synonyms  # "MK7" removes MK7 only, not MK-7 as well
        kept = [s for s in c.synonyms if (s != name if exact else norm_label(s) != norm_label(name))]
        if len(kept) == len(c.synonyms):
            raise DataError(f"{c.label!r} has no synonym {name!r}")
        return kept

    return update(lib, ref, synonyms=remove_from, facet=facet, who=who)


def merge_preview(lib: "Library", keep_ref: str, other_ref: str, facet: str | None = None) -> dict:
    """What :func:`merge` would do, written nowhere: the records it recodes, the synonyms it adds."""
    voc = lib.vocabulary
    keep, other = rules.find(voc, keep_ref, facet), rules.find(voc, other_ref, facet)
    rules.check_merge(voc, keep, other)
    n = usage_store.usage(lib.db).get(other.id, {})
    added = rules.merged_synonyms(keep, other)[len(keep.synonyms):]
    return {"kept": keep.id, "merged": other.id, "findings_recoded": n.get("findings", 0),
            "reviews_recoded": n.get("reviews", 0), "synonyms_added": list(added),
            "children_moved": _by_id(voc, voc.children(other.id))}


def merge(lib: "Library", keep_ref: str, other_ref: str, facet: str | None = None, who: str = "user") -> dict:
    """Merge concept OTHER into KEEP as one undoable batch (see the module docstring)."""
    report: dict = {}

    def plan(voc: Vocabulary, w):
        keep, other = rules.find(voc, keep_ref, facet), rules.find(voc, other_ref, facet)
        rules.check_merge(voc, keep, other)
        kept = replace(keep, synonyms=rules.merged_synonyms(keep, other))
        children = [_reparented(voc[cid], other.id, keep.id) for cid in _by_id(voc, voc.children(other.id))]
        report.update(kept=keep.id, merged={"id": other.id, "label": other.label},
                      synonyms_added=list(kept.synonyms[len(keep.synonyms):]),
                      children_moved=[c.id for c in children])
        return (f"merge {short(other.label)} into {short(keep.label)}",
                lambda w: _merge_writes(w, kept, other.id, children, report))

    batch = _commit(lib, who, plan, reviews_changed=True)
    kept = report.pop("kept")
    return _result(lib, batch, kept, **report)


def _reparented(c: Concept, old: str, new: str) -> Concept:
    """``c`` with parent ``old`` replaced by ``new`` in its place (once, when ``new`` is a parent already)."""
    return replace(c, parents=tuple(dict.fromkeys(new if p == old else p for p in c.parents)))


def _merge_writes(w, kept: Concept, other_id: str, children: list[Concept], report: dict) -> None:
    findings, reviews = w.coded_with(other_id)
    for f in findings:
        f.concepts = _recode(f.concepts, other_id, kept.id)
        w.save_finding(f)
    for r in reviews:
        r.concepts = _recode(r.concepts, other_id, kept.id)
        w.save_review(r)
    w.save_concept(kept)
    for child in children:
        w.save_concept(child)
    w.flush()
    w.delete_concept(other_id)
    report.update(findings_recoded=len(findings), reviews_recoded=len(reviews))


def _recode(concepts: dict[str, list[str]], old: str, new: str) -> dict[str, list[str]]:
    return {facet: list(dict.fromkeys(new if c == old else c for c in ids)) for facet, ids in concepts.items()}


def delete(lib: "Library", ref: str, facet: str | None = None, who: str = "user") -> dict:
    """Remove a concept nothing uses: no finding or review coded with it, no narrower concept."""
    gone: dict = {}

    def plan(voc: Vocabulary, w):
        c = rules.find(voc, ref, facet)
        findings, reviews = w.concept_users(c.id)
        if findings or reviews:
            raise DataError(f"{c.label!r} is used by {len(findings)} findings and {len(reviews)} reviews: "
                            "merge it into another concept instead")
        if voc.children(c.id):
            raise DataError(f"{c.label!r} has narrower concepts ({', '.join(voc.children(c.id))}): "
                            "move or merge them first")
        gone.update(id=c.id, label=c.label, facet=c.facet)
        return f"delete {short(c.label)}", lambda w: w.delete_concept(c.id)

    batch = _commit(lib, who, plan)
    return {"batch": batch or None, "deleted": gone}
