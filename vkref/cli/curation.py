"""The librarian's commands: import, export, cite, edit, undo, redo, history, duplicates, merge, distinct, prisma.

Each is a thin front on one :class:`vkref.library.Library` method; ``--json`` prints one JSON object; bad input
exits 2 with one line on standard error (raised as vkref's own errors and printed by ``vkref.cli.main``).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from vkref.core.errors import EditConflict, UsageError

IMPORT_FORMATS = ("ris", "bibtex", "medline", "pubmed-xml", "csl-json", "endnote-xml", "csv")
EXPORT_FORMATS = ("ris", "bibtex", "csl-json", "csv", "json", "evidence-csv", "evidence-md", "evidence-html",
                  "citations")
STYLES = ("vancouver", "ama", "apa")
CANDIDATES_SHOWN = 20


def add_parsers(sub) -> None:
    i = sub.add_parser("import", help="import bibliographic files (one undoable batch)")
    i.add_argument("files", nargs="+", metavar="FILE")
    i.add_argument("--format", choices=IMPORT_FORMATS, help="detected from content when omitted")
    i.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD", help="CSV column mapping")
    i.add_argument("--tag", help="tag every imported review")
    i.add_argument("--strict", action="store_true", help="import nothing from a file with an unusable record")
    i.add_argument("--dry-run", action="store_true", help="report what would be imported; write nothing")
    i.add_argument("--json", action="store_true")

    e = sub.add_parser("export", help="export reviews, findings or evidence tables")
    e.add_argument("query", nargs="?", default="")
    e.add_argument("--kind", choices=["review", "finding"])
    e.add_argument("--filter", action="append", default=[], metavar="F=V")
    e.add_argument("--exclude", action="append", default=[], metavar="F=V")
    e.add_argument("--id", action="append", default=[], metavar="ID", dest="ids")
    e.add_argument("--format", choices=EXPORT_FORMATS, required=True)
    e.add_argument("--style", choices=STYLES, default="vancouver")
    e.add_argument("-o", "--output", metavar="FILE")

    c = sub.add_parser("cite", help="formatted citations, one per line")
    c.add_argument("ids", nargs="+", metavar="ID")
    c.add_argument("--style", choices=STYLES, default="vancouver")

    ed = sub.add_parser("edit", help="change fields of a review or finding (one batch)")
    ed.add_argument("id", metavar="ID")
    ed.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="assignments",
                    required=True)
    ed.add_argument("--if-version", type=int)
    ed.add_argument("--json", action="store_true")

    for name, text in (("undo", "undo the last change batch"), ("redo", "redo the last undone batch")):
        u = sub.add_parser(name, help=text)
        u.add_argument("--json", action="store_true")

    _add_duplicate_parsers(sub)

    b = sub.add_parser("bundle", help="share a library as one .vkref file")
    bsub = b.add_subparsers(dest="bundle_command", parser_class=type(b))
    be = bsub.add_parser("export", help="the whole library, or what the query selects, as one file")
    be.add_argument("file", metavar="FILE.vkref")
    be.add_argument("query", nargs="?", default="")
    be.add_argument("--filter", action="append", default=[], metavar="F=V")
    be.add_argument("--json", action="store_true")
    bi = bsub.add_parser("import", help="merge a bundle into this library (one undoable batch)")
    bi.add_argument("file", metavar="FILE.vkref")
    bi.add_argument("--prefer", choices=["local", "bundle"], default="local",
                    help="which side wins a conflict (default: keep local records)")
    bi.add_argument("--dry-run", action="store_true")
    bi.add_argument("--json", action="store_true")

    h = sub.add_parser("history", help="every change of a record")
    h.add_argument("id", metavar="ID")
    h.add_argument("--json", action="store_true")


def _add_duplicate_parsers(sub) -> None:
    d = sub.add_parser("duplicates", help="likely duplicate reviews: pairs with a score and the reason")
    d.add_argument("--json", action="store_true")

    pr = sub.add_parser("prisma", help="records identified per source, duplicates removed, records remaining")
    pr.add_argument("--json", action="store_true")

    m = sub.add_parser("merge", help="merge OTHER into KEEP (one undoable batch)")
    m.add_argument("keep", nargs="?", metavar="KEEP")
    m.add_argument("other", nargs="?", metavar="OTHER")
    m.add_argument("--choose", action="append", default=[], metavar="FIELD", help="take this field from OTHER")
    m.add_argument("--all-exact", action="store_true", help="merge every same-DOI/PMID pair at once")
    m.add_argument("--json", action="store_true")

    di = sub.add_parser("distinct", help="remember that A and B are not duplicates")
    di.add_argument("a", metavar="A")
    di.add_argument("b", metavar="B")
    di.add_argument("--json", action="store_true")


def _pairs(items: list[str], option: str) -> dict[str, str]:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {item!r}: expected NAME=VALUE")
        out[key.strip()] = value
    return out


def cmd_import(args, lib) -> int:
    for f in args.files:
        if not Path(f).is_file():
            raise UsageError(f"{f}: no such file")
    report = lib.import_files(args.files, fmt=args.format, mapping=_pairs(args.map, "--map") or None,
                              tag=args.tag, strict=args.strict, dry_run=args.dry_run, who="vkref import")
    data = report.to_dict()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
        return 0
    verb = "would import" if args.dry_run else "imported"
    for f in data["files"]:
        print(f"{f['path']} ({f['format']}): {f['records']} records, {verb} {f['imported']}, "
              f"{f['duplicates']} duplicates, {f['skipped']} skipped")
        for err in f["errors"]:
            line = f", line {err['line']}" if err.get("line") else ""
            print(f"  record {err['record']}{line}: {err['reason']}")
        for c in f["candidates"][:CANDIDATES_SHOWN]:
            print(f"  record {c['record']} ({c['id']}) may duplicate {c['duplicate_of']}: {c['score']} ({c['reason']})")
        if len(f["candidates"]) > CANDIDATES_SHOWN:
            print(f"  ... and {len(f['candidates']) - CANDIDATES_SHOWN} more possible duplicates")
    if data["candidates"]:
        n = data["candidates"]
        print(f"{n} possible duplicate{'s' if n != 1 else ''} imported: decide with vkref duplicates, merge, distinct")
    if data["batch"]:
        print(f"batch {data['batch']} (vkref undo takes it back)")
    return 0


def cmd_export(args, lib, facet_pairs) -> int:
    text = lib.export(args.format, args.query, filters=facet_pairs(args.filter, "--filter"),
                      exclude=facet_pairs(args.exclude, "--exclude"), kind=args.kind, ids=args.ids,
                      style=args.style)
    _emit(text, args.output)
    return 0


def _emit(text: str, output: str | None) -> None:
    if not output:
        sys.stdout.write(text if text.endswith("\n") or not text else text + "\n")
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{output}: cannot write ({exc.strerror})") from None


def cmd_cite(args, lib) -> int:
    for line in lib.cite(args.ids, args.style):
        print(line)
    return 0


def cmd_edit(args, lib) -> int:
    try:
        result = lib.edit(args.id, _pairs(args.assignments, "--set"), if_version=args.if_version, who="vkref edit")
    except EditConflict as lost:  # with --json the merge proposal goes to stdout; the one line to stderr
        if args.json:
            print(json.dumps({"conflict": str(lost), **lost.proposal}, ensure_ascii=False, default=str))
        raise
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(f"{result['id']}: version {result['version']}" + (f", batch {result['batch']}" if result["batch"]
                                                                   else " (nothing changed)"))
    return 0


def cmd_step(args, lib) -> int:
    result = lib.undo("vkref undo") if args.command == "undo" else lib.redo("vkref redo")
    if args.json:
        print(json.dumps(result or {"batch": None, "kind": args.command, "changes": 0}, ensure_ascii=False))
    elif result is None:
        print(f"nothing to {args.command}")
    else:
        print(f"{args.command}: {result.get('undid') or result.get('redid')} ({result['changes']} changes)")
    return 0


def cmd_history(args, lib) -> int:
    items = lib.history(args.id)
    if args.json:
        print(json.dumps({"id": args.id, "changes": items}, ensure_ascii=False, indent=2))
        return 0
    for c in items:
        if c["field"] == "*":
            what = "created" if c["old"] is None else "deleted"
        else:
            what = f"{c['field']}: {_short(c['old'])} -> {_short(c['new'])}"
        print(f"#{c['change']}  {c['when']}  batch {c['batch']} ({c['kind']}, {c['who'] or '-'})  v{c['version']}  {what}")
    return 0


def _short(value) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."


def cmd_duplicates(args, lib) -> int:
    pairs = [p.to_dict() for p in lib.find_duplicates()]
    if args.json:
        print(json.dumps({"pairs": pairs, "count": len(pairs)}, ensure_ascii=False, indent=2))
        return 0
    for p in pairs:
        print(f"{p['score']:>5}  {p['a']}  {p['b']}  ({p['reason']})")
    print(f"{len(pairs)} likely duplicate pair{'s' if len(pairs) != 1 else ''}")
    return 0


def cmd_prisma(args, lib) -> int:
    data = lib.prisma_summary()
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(lib.prisma_text(data))
    return 0


def cmd_merge(args, lib) -> int:
    if args.all_exact:
        result = lib.merge_exact_duplicates(who="vkref merge")
    elif args.keep and args.other:
        result = lib.merge(args.keep, args.other, args.choose, who="vkref merge")
    else:
        raise UsageError("vkref merge: give KEEP and OTHER, or --all-exact")
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    elif args.all_exact:
        print(f"merged {len(result['merged'])} pairs" + (f" (batch {result['batch']})" if result["batch"] else ""))
    else:
        print(f"merged {result['merged']} into {result['kept']} ({result['findings_moved']} findings moved, "
              f"batch {result['batch']})")
    return 0


def cmd_distinct(args, lib) -> int:
    result = lib.mark_distinct(args.a, args.b, who="vkref distinct")
    if args.json:
        print(json.dumps(result))
    else:
        print(f"{result['a']} and {result['b']} will not be proposed as duplicates again")
    return 0


def cmd_bundle(args, lib, facet_pairs) -> int:
    if args.bundle_command == "export":
        manifest = lib.export_bundle(args.file, args.query, filters=facet_pairs(args.filter, "--filter"))
        if args.json:
            print(json.dumps(manifest, ensure_ascii=False, indent=2))
        else:
            c = manifest["counts"]
            print(f"{args.file}: {c['reviews']} reviews, {c['findings']} findings, {c['concepts']} concepts")
        return 0
    if args.bundle_command == "import":
        if not Path(args.file).is_file():
            raise UsageError(f"{args.file}: no such file")
        report = lib.import_bundle(args.file, prefer=args.prefer, who="vkref bundle import", dry_run=args.dry_run)
        if args.json:
            print(json.dumps(report, ensure_ascii=False, indent=2))
            return 0
        for kind in ("reviews", "findings", "concepts"):
            c = report[kind]
            print(f"{kind}: {c['added']} added, {c['unchanged']} unchanged, {c['conflicts']} conflicts "
                  f"({c['taken']} taken from the bundle)")
        for conflict in report["conflicts"]:
            print(f"  conflict {conflict['kind']} {conflict['id']}: {', '.join(conflict['fields'])} "
                  f"-> {conflict['resolution']}")
        return 0
    raise UsageError("vkref bundle: use export or import")
