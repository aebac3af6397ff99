"""The record commands beside ``vkref edit``: add-review, add-finding, duplicate, trash, untrash, revert.

Each is a thin front on one :class:`vkref.library.Library` method and one undoable batch; ``--json`` prints one
JSON object; bad input (an empty statement, an unknown concept, an animal study coded Human, a finding not in
the trash, a change made again since) exits 2 with one line and writes nothing.
"""
from __future__ import annotations

import json

from vkref.core.entities import Author
from vkref.core.errors import UsageError
from vkref.core.vocabulary import CONCEPT_FACETS

TEXT_FIELDS = ("statement", "section", "cited_ref", "cited_author", "dose", "duration", "sample_size",
               "effect_size", "caution", "verification", "verification_note")


REVIEW_TEXT = ("title", "journal", "journal_abbrev", "volume", "issue", "pages", "doi", "pmid", "summary", "notes",
               "caution", "status", "status_date", "status_note", "status_notice", "verification",
               "verification_note")


def add_parsers(sub) -> None:
    r = sub.add_parser("add-review", help="a new review from its details (one undoable batch)")
    r.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="assignments", required=True,
                   help="title=..., authors='Doe, Jane; Roe, R', year=2024, journal=..., doi=..., keywords=a;b")
    r.add_argument("--json", action="store_true")
    a = sub.add_parser("add-finding", help="code a new finding of a review (one undoable batch)")
    a.add_argument("review", metavar="REVIEW")
    a.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="assignments", required=True,
                   help="statement=..., species=Human, agent='menatetrenone;calcium', tags=a;b, ...")
    a.add_argument("--json", action="store_true")
    d = sub.add_parser("duplicate", help="copy a finding to code a sibling claim")
    d.add_argument("id", metavar="FINDING")
    d.add_argument("--json", action="store_true")
    t = sub.add_parser("trash", help="move findings to the trash; without ids, list the trash")
    t.add_argument("ids", nargs="*", metavar="FINDING")
    t.add_argument("--json", action="store_true")
    u = sub.add_parser("untrash", help="bring a finding back from the trash")
    u.add_argument("id", metavar="FINDING")
    u.add_argument("--json", action="store_true")
    r = sub.add_parser("revert", help="take back one change (its number from vkref history)")
    r.add_argument("change", type=int, metavar="CHANGE")
    r.add_argument("--json", action="store_true")


def form_fields(assignments: list[str]) -> dict:
    """``--set`` pairs -> the fields of a finding's form (facets as names, tags as a list)."""
    fields: dict = {"concepts": {}}
    for item in assignments:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {item!r}: expected FIELD=VALUE")
        if name in CONCEPT_FACETS:
            fields["concepts"][name] = _list(value)
        elif name == "tags":
            fields["tags"] = _list(value)
        elif name == "source_retracted":
            fields[name] = value.strip().lower() in ("1", "true", "yes")
        elif name in TEXT_FIELDS:
            fields[name] = value
        else:
            known = ", ".join(TEXT_FIELDS + CONCEPT_FACETS + ("tags", "source_retracted"))
            raise UsageError(f"--set {name}: unknown field: use one of {known}")
    return fields


def review_fields(assignments: list[str]) -> dict:
    """``--set`` pairs -> the fields of a review's form (authors "Family, Given" separated by ";")."""
    fields: dict = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"--set {item!r}: expected FIELD=VALUE")
        if name == "authors":
            fields[name] = [{"family": a.family, "given": a.given} for a in map(Author.parse, _list(value))]
        elif name in ("keywords", "tags"):
            fields[name] = _list(value)
        elif name == "year":
            if not value.strip().isdigit():
                raise UsageError(f"--set year={value!r}: a year is a number")
            fields[name] = int(value)
        elif name in REVIEW_TEXT:
            fields[name] = value
        else:
            known = ", ".join(REVIEW_TEXT + ("authors", "year", "keywords", "tags"))
            raise UsageError(f"--set {name}: unknown field: use one of {known}")
    return fields


def _list(text: str) -> list[str]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError:
        value = [x.strip() for x in text.split(";") if x.strip()]
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _say(args, result: dict, text: str) -> int:
    print(json.dumps(result, ensure_ascii=False) if args.json else text)
    return 0


def cmd_add_review(args, lib) -> int:
    result = lib.new_review(review_fields(args.assignments), who="vkref add-review")
    return _say(args, result, f"{result['id']}: created (batch {result['batch']})")


def cmd_add_finding(args, lib) -> int:
    result = lib.new_finding(args.review, form_fields(args.assignments), who="vkref add-finding")
    return _say(args, result, f"{result['id']}: created (batch {result['batch']})")


def cmd_duplicate(args, lib) -> int:
    result = lib.duplicate_finding(args.id, who="vkref duplicate")
    return _say(args, result, f"{result['id']}: a copy of {args.id} (batch {result['batch']})")


def cmd_trash(args, lib) -> int:
    if not args.ids:
        items = lib.trash()
        if args.json:
            print(json.dumps({"trash": items, "count": len(items)}, ensure_ascii=False, indent=2))
            return 0
        for t in items:
            print(f"{t['id']}  ({t['review_id']}, deleted {t['deleted']} by {t['who'] or '-'})  {t['statement'][:70]}")
        print(f"{len(items)} finding{'s' if len(items) != 1 else ''} in the trash (vkref untrash ID brings one back)")
        return 0
    results = [lib.trash_finding(fid, who="vkref trash") for fid in args.ids]
    return _say(args, {"trashed": results}, "\n".join(f"{r['id']}: moved to the trash (batch {r['batch']})"
                                                      for r in results))


def cmd_untrash(args, lib) -> int:
    result = lib.restore_finding(args.id, who="vkref untrash")
    return _say(args, result, f"{result['id']}: restored (batch {result['batch']})")


def cmd_revert(args, lib) -> int:
    result = lib.revert(args.change, who="vkref revert")
    what = "the record" if result["field"] == "*" else result["field"]
    return _say(args, result, f"{result['id']}: {what} reverted (batch {result['batch']})")


COMMANDS = {"add-review": cmd_add_review, "add-finding": cmd_add_finding, "duplicate": cmd_duplicate, "trash": cmd_trash,
            "untrash": cmd_untrash, "revert": cmd_revert}
