"""``vkref concept ...``: the vocabulary editor on the command line, a thin front on the Library's methods.

A CONCEPT argument is a concept id, or its label or a synonym (``--facet`` settles a name two facets share).
Every change is one undoable batch (``vkref undo``); ``--json`` prints one JSON object; a refused edit exits 2
with one line on standard error and writes nothing.
"""
from __future__ import annotations

import json

from vkref.core.vocabulary import CONCEPT_FACETS

def add_parsers(sub) -> None:
    c = sub.add_parser("concept", help="list and edit the vocabulary (each change one undoable batch)")
    csub = c.add_subparsers(dest="concept_command", parser_class=type(c), required=True)
    ls = csub.add_parser("list", help="concepts as a tree, with how many findings use each")
    ls.add_argument("--facet", choices=CONCEPT_FACETS)
    a = csub.add_parser("add", help="add a concept")
    a.add_argument("facet", choices=CONCEPT_FACETS)
    a.add_argument("label")
    a.add_argument("--synonym", action="append", default=[], metavar="TEXT", dest="synonyms")
    a.add_argument("--parent", action="append", metavar="CONCEPT", help="a parent (repeat for several)")
    a.add_argument("--id", dest="concept_id", metavar="ID", help="the new id (default: made from the label)")
    r = csub.add_parser("rename", help="change a concept's label")
    r.add_argument("concept", metavar="CONCEPT")
    r.add_argument("label")
    s = csub.add_parser("synonym", help="add or remove a synonym")
    s.add_argument("action", choices=("add", "remove"))
    s.add_argument("concept", metavar="CONCEPT")
    s.add_argument("text", metavar="SYNONYM")
    p = csub.add_parser("parent", help="move a concept under another, or add or remove one of its parents "
                                       "(cycles are refused)")
    p.add_argument("concept", metavar="CONCEPT")
    p.add_argument("parent", nargs="?", metavar="PARENT")
    p.add_argument("--none", action="store_true", help="make it a top-level concept")
    p.add_argument("--add", metavar="PARENT", help="put it also under PARENT (its other parents stay)")
    p.add_argument("--remove", metavar="PARENT", help="take it out from under PARENT (its other parents stay)")
    m = csub.add_parser("merge", help="merge OTHER into KEEP: findings recoded, OTHER's names become synonyms")
    m.add_argument("keep", metavar="KEEP")
    m.add_argument("other", metavar="OTHER")
    u = csub.add_parser("usage", help="how many findings and reviews use a concept")
    u.add_argument("concept", metavar="CONCEPT")
    d = csub.add_parser("delete", help="remove a concept nothing uses")
    d.add_argument("concept", metavar="CONCEPT")
    for parser in (ls, a, r, s, p, m, u, d):
        parser.add_argument("--json", action="store_true")
        if parser not in (ls, a):
            parser.add_argument("--facet", choices=CONCEPT_FACETS, help="the facet of CONCEPT (when a name is shared)")


def cmd_concept(args, lib) -> int:
    result = _run(args, lib)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(_text(args.concept_command, result))
    return 0


def _ref(lib, args, name: str = "concept") -> str:
    """A concept argument turned into its id (``--facet`` narrows a shared name)."""
    return lib.find_concept(getattr(args, name), getattr(args, "facet", None)).id


def _run(args, lib) -> dict:
    who = f"vkref concept {args.concept_command}"
    cmd = args.concept_command
    if cmd == "list":
        return {"concepts": [c.to_dict() for c in lib.concepts(args.facet)]}
    if cmd == "add":
        return lib.add_concept(args.facet, args.label, args.synonyms, args.parent, args.concept_id, who=who)
    if cmd == "usage":
        return lib.concept_usage(args.concept, args.facet).to_dict()
    if cmd == "merge":
        return lib.merge_concepts(_ref(lib, args, "keep"), _ref(lib, args, "other"), who=who)
    concept = _ref(lib, args)
    if cmd == "rename":
        return lib.rename_concept(concept, args.label, who=who)
    if cmd == "synonym":
        edit = lib.add_synonym if args.action == "add" else lib.remove_synonym
        return edit(concept, args.text, who=who)
    if cmd == "parent":
        return _set_parent(args, lib, concept, who)
    return lib.delete_concept(concept, who=who)


def _set_parent(args, lib, concept: str, who: str) -> dict:
    from vkref.core.errors import UsageError

    given = [bool(args.parent), args.none, bool(args.add), bool(args.remove)]
    if sum(given) != 1:
        raise UsageError("vkref concept parent: give one of PARENT (move), --none (top level), --add PARENT "
                         "or --remove PARENT")
    if args.add:
        return lib.add_parent(concept, args.add, who=who)
    if args.remove:
        return lib.remove_parent(concept, args.remove, who=who)
    return lib.set_parent(concept, None if args.none else args.parent, who=who)


def _text(cmd: str, result: dict) -> str:
    if cmd == "list":
        return "\n".join(_line(c) for c in result["concepts"])
    if cmd == "usage":
        return _line(result) + "\n" + _usage(result)
    if cmd == "delete":
        gone = result["deleted"]
        return f"deleted {gone['label']!r} ({gone['id']}), batch {result['batch']}"
    batch = f"batch {result['batch']}" if result["batch"] else "nothing changed"
    if cmd == "merge":
        merged = result["merged"]
        return (f"merged {merged['label']!r} into {result['concept']['label']!r}: {result['findings_recoded']} "
                f"findings and {result['reviews_recoded']} reviews recoded ({batch})")
    return f"{_line(result['concept'])}\n{batch}"


def _line(c: dict) -> str:
    names = f"  [{'; '.join(c['synonyms'])}]" if c["synonyms"] else ""
    count = f"{c['findings']} findings" + (f", {c['findings_with_narrower']} with narrower concepts"
                                          if c["findings_with_narrower"] != c["findings"] else "")
    also = f"; also under {', '.join(c['parents'][1:])}" if len(c.get("parents") or []) > 1 else ""
    return f"{'  ' * c['depth']}{c['label']} ({c['facet']}: {c['id']}; {count}{also}){names}"


def _usage(c: dict) -> str:
    parents = c.get("parents") or []
    under = f"under {', '.join(parents)}; " if len(parents) > 1 else ""
    return (f"{under}coded on {c['findings']} findings and {c['reviews']} reviews; {c['findings_with_narrower']} "
            f"findings with its narrower concepts; {len(c['children'])} narrower concepts")
