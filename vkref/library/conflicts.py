"""Lost races on one record: what changed since an editor opened it, and a field-by-field merge.

An edit made on version N of a record that is now at version M > N is refused whole (nothing saved). The
editor's values are not lost: :func:`proposal` compares them with the current record over their common
ancestor (version N, rebuilt from the field-level history), field by field:

- ``same``: both ended up with the same value; ``mine``: only the editor changed it (merges cleanly);
  ``conflict``: both changed it differently (the editor chooses).

``merged`` holds the editor's values that merge cleanly plus, for conflicts, the editor's own (to be chosen
over); saving it with ``if_version=M`` completes the merge, unless someone else won again.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from vkref.core.errors import EditConflict
from vkref.store import changes

if TYPE_CHECKING:
    from vkref.library.library import Library


def proposal(lib: "Library", record_id: str, base_version: int, mine: dict, current: dict | None,
             version: int | None) -> dict:
    """The merge of ``mine`` (field -> the editor's value) made on ``base_version`` with the record now."""
    since = [c for c in changes.history(lib.db, record_id) if c.version > base_version]
    base = dict(current or {})
    for c in reversed(since):  # walk back: the oldest change's old value is the ancestor's
        if c.field != "*":
            base[c.field] = c.old
    fields = {name: _field(base.get(name), value, (current or {}).get(name)) for name, value in mine.items()
              if value != base.get(name)}  # a field the editor left as it was is theirs (a form sends all)
    return {"id": record_id, "your_version": base_version, "version": version, "deleted": current is None,
            "changed_by": _who_changed(since), "fields": fields,
            "merged": {n: f["mine"] for n, f in fields.items() if f["state"] != "same"},
            "conflicts": sorted(n for n, f in fields.items() if f["state"] == "conflict")}


def _field(base, mine, theirs) -> dict:
    if mine == theirs:
        state = "same"
    elif theirs == base:
        state = "mine"
    else:
        state = "conflict"
    return {"base": base, "mine": mine, "theirs": theirs, "state": state}


def _who_changed(since) -> list[dict]:
    out: dict[int, dict] = {}
    for c in since:
        entry = out.setdefault(c.batch, {"batch": c.batch, "who": c.who, "when": c.when, "kind": c.kind,
                                         "version": c.version, "fields": []})
        if c.field not in entry["fields"]:
            entry["fields"].append(c.field)
    return list(out.values())


def conflict(lib: "Library", record_id: str, base_version: int, mine: dict, current: dict | None,
             version: int | None) -> EditConflict:
    """The error an edit that lost the race raises: one line, and the merge proposal attached."""
    p = proposal(lib, record_id, base_version, mine, current, version)
    who = ", ".join(sorted({f"{c['who'] or 'someone'} ({', '.join(c['fields'])})" for c in p["changed_by"]}))
    if p["deleted"]:
        return EditConflict(f"conflict: {record_id} was deleted after version {base_version} by {who or 'someone'}; "
                            "your edit was not saved", p)
    if p["conflicts"]:
        tail = f"both changed {', '.join(p['conflicts'])}: choose, then save with --if-version {version}"
    else:
        tail = f"your fields merge cleanly: save again with --if-version {version}"
    return EditConflict(f"conflict: {record_id} is at version {version}, not {base_version}: changed since by "
                        f"{who or 'someone'}; your edit was not saved ({tail})", p)
