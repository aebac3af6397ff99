"""``vkref check``, ``vkref backups`` and ``vkref restore``: the library's health and its way back.

``check`` exits 0 when every check passes (after ``--repair``, when what failed was repaired), 1 when a problem
remains; a library whose database cannot even be opened is reported as one failed ``database`` check.
"""
from __future__ import annotations

import json

from vkref.core.errors import DamagedLibraryError, UsageError


def add_parsers(sub) -> None:
    c = sub.add_parser("check", help="database integrity, index agreement, files; repair what can be repaired")
    c.add_argument("--repair", action="store_true", help="rebuild the index and remove left-over files")
    c.add_argument("--json", action="store_true")
    b = sub.add_parser("backups", help="the library's database backups, newest first")
    b.add_argument("--json", action="store_true")
    r = sub.add_parser("restore", help="put a backup in place of the database (the replaced file is kept)")
    r.add_argument("name", help="a backup's file name, as `vkref backups` lists it")


def cmd_check(args, open_library) -> int:
    try:
        lib = open_library(args)
    except DamagedLibraryError as exc:
        result = {"library": args.library, "ok": False,
                  "checks": [{"check": "database", "ok": False, "detail": str(exc),
                              "repair": "cannot be repaired here: restore a backup (vkref backups, vkref restore)"}]}
    else:
        try:
            result = lib.check(repair=args.repair)
        finally:
            lib.close()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for line in result["checks"]:
            mark = "ok  " if line["ok"] else "FAIL"
            print(f"{mark} {line['check']:<10} {line['detail']}")
            if line["repair"]:
                print(f"     {'':<10} repair: {line['repair']}")
        print("library is sound" if result["ok"] else "problems remain")
    return 0 if result["ok"] else 1


def cmd_backups(args) -> int:
    from vkref.library import Library

    rows = Library.backups_of(args.library)
    if args.json:
        print(json.dumps({"backups": rows}, indent=2))
        return 0
    if not rows:
        print("no backups yet")
    for row in rows:
        print(f"{row['name']}  {row['bytes'] // 1024} KiB  {'sound' if row['sound'] else 'DAMAGED'}")
    return 0


def cmd_restore(args) -> int:
    from vkref.library import Library

    if not args.name.strip():
        raise UsageError("vkref restore: give a backup name (see vkref backups)")
    db = Library.restore_backup(args.library, args.name)
    print(f"restored {args.name} as {db}; the search index is rebuilt at the next open")
    return 0
