"""``vkref study ...``: the primary studies findings rest on, a thin front on the Library's methods.

``list`` and ``show`` read; ``add``, ``edit``, ``link``, ``unlink``, ``merge`` and ``delete`` are each one
undoable batch (``vkref undo``). ``--json`` prints one JSON object; bad input (an unknown study or finding, a
study still in use, an unknown field) exits 2 with one line on standard error and writes nothing.
"""
from __future__ import annotations

import json

from vkref.core.errors import UsageError

FIELDS = ("label", "first_author", "year", "design", "population", "size", "note")


def add_parsers(sub) -> None:
    st = sub.add_parser("study", help="the primary studies findings rest on (each change one undoable batch)")
    ssub = st.add_subparsers(dest="study_command", parser_class=type(st), required=True)
    ls = ssub.add_parser("list", help="studies with how many findings rest on each")
    ls.add_argument("query", nargs="?", default="", help="words of the label or first author")
    sh = ssub.add_parser("show", help="a study and the findings, from any review, that rest on it")
    sh.add_argument("study", metavar="STUDY")
    a = ssub.add_parser("add", help="a new study")
    e = ssub.add_parser("edit", help="change fields of a study")
    e.add_argument("study", metavar="STUDY")
    for parser in (a, e):
        parser.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE", dest="assignments",
                            required=True, help="label='Shiraki 2000', first_author=..., year=2000, design=, "
                                                "population=, size=, note=")
    lk = ssub.add_parser("link", help="a finding rests on these studies")
    uk = ssub.add_parser("unlink", help="a finding no longer rests on these studies")
    for parser in (lk, uk):
        parser.add_argument("finding", metavar="FINDING")
        parser.add_argument("studies", nargs="+", metavar="STUDY")
    m = ssub.add_parser("merge", help="OTHER is the same study as KEEP: its findings move to KEEP, OTHER goes")
    m.add_argument("keep", metavar="KEEP")
    m.add_argument("other", metavar="OTHER")
    d = ssub.add_parser("delete", help="remove a study no finding rests on")
    d.add_argument("study", metavar="STUDY")
    b = ssub.add_parser("bundled", help="add the bundled studies and links to a library made before them")
    du = ssub.add_parser("duplicates", help="study records that may be one study (then: vkref study merge)")
    for parser in (ls, sh, a, e, lk, uk, m, d, b, du):
        parser.add_argument("--json", action="store_true")


def study_fields(assignments: list[str]) -> dict:
    fields: dict = {}
    for item in assignments:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in FIELDS:
            raise UsageError(f"--set {item!r}: expected FIELD=VALUE with FIELD one of {', '.join(FIELDS)}")
        if name == "year":
            if value.strip() and not value.strip().isdigit():
                raise UsageError(f"--set year={value!r}: a year is a number")
            fields[name] = int(value) if value.strip() else None
        else:
            fields[name] = value
    return fields


def _run(args, lib) -> dict:
    who = f"vkref study {args.study_command}"
    cmd = args.study_command
    if cmd == "list":
        items = lib.studies(args.query)
        return {"studies": items, "count": len(items)}
    if cmd == "show":
        return lib.study(args.study)
    if cmd == "add":
        return lib.save_study(study_fields(args.assignments), who=who)
    if cmd == "edit":
        return lib.save_study(study_fields(args.assignments), args.study, who=who)
    if cmd == "link":
        return lib.link_studies(args.finding, args.studies, who=who)
    if cmd == "unlink":
        return lib.unlink_studies(args.finding, args.studies, who=who)
    if cmd == "merge":
        return lib.merge_studies(args.keep, args.other, who=who)
    if cmd == "bundled":
        return lib.adopt_bundled_studies(who=who)
    if cmd == "duplicates":
        pairs = lib.study_duplicates()
        return {"pairs": pairs, "count": len(pairs)}
    return lib.delete_study(args.study, who=who)


def cmd_study(args, lib) -> int:
    result = _run(args, lib)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(_text(args.study_command, result))
    return 0


def _text(cmd: str, r: dict) -> str:
    if cmd == "list":
        lines = [f"{s['id']:<24} {s['label']:<44} {s['findings']:>3} finding{'s' if s['findings'] != 1 else ''}"
                 for s in r["studies"]]
        return "\n".join(lines + [f"{r['count']} stud{'ies' if r['count'] != 1 else 'y'}"])
    if cmd == "show":
        return _show(r)
    if cmd in ("link", "unlink"):
        return f"{r['id']}: rests on {', '.join(r['studies']) or 'no study'} (batch {r['batch']})"
    if cmd == "merge":
        return f"{r['merged']} merged into {r['id']}: {len(r['findings'])} finding(s) moved (batch {r['batch']})"
    if cmd == "duplicates":
        lines = [f"{p['a']}  {p['b']}  ({p['reason']})" for p in r["pairs"]]
        return "\n".join(lines + [f"{r['count']} pair{'s' if r['count'] != 1 else ''} (vkref study merge KEEP OTHER)"])
    if cmd == "bundled":
        return f"{r['studies']} studies added, {r['findings']} findings linked (batch {r['batch']})"
    if cmd == "delete":
        return f"{r['id']}: deleted (batch {r['batch']})"
    return f"{r['id']}: saved (batch {r['batch']}, version {r['version']})"


def _show(r: dict) -> str:
    lines = [f"{r['label']}  [{r['id']}]"]
    for name in ("first_author", "year", "design", "population", "size", "note"):
        if r.get(name) not in ("", None):
            lines.append(f"  {name.replace('_', ' ')}: {r[name]}")
    n = len(r["findings"])
    lines.append(f"{n} finding{'s' if n != 1 else ''} from {len(r['reviews'])} "
                 f"review{'s' if len(r['reviews']) != 1 else ''} rest on it:")
    for f in r["findings"]:
        lines.append(f"  {f['id']}  ({f['review_label']}, ref {f['cited_ref'] or '-'})  {f['statement'][:90]}")
    return "\n".join(lines)
