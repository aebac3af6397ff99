"""``vkref attach REVIEW_ID FILE``: attach a local full text (.txt or .pdf) to a review.

A thin front on :meth:`vkref.library.Library.attach_fulltext`; ``--json`` prints its report as one object; a
file that cannot be used exits 2 with one line naming it, and nothing is stored.
"""
from __future__ import annotations

import json


def add_parsers(sub) -> None:
    a = sub.add_parser("attach", help="attach a local full text (.txt, .pdf) to a review (one undoable batch)")
    a.add_argument("review", metavar="REVIEW_ID")
    a.add_argument("file", metavar="FILE")
    a.add_argument("--json", action="store_true")


def cmd_attach(args, lib) -> int:
    report = lib.attach_fulltext(args.review, args.file, who="vkref attach")
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
    else:
        print(f"{report['file']} attached to {report['review']}: {report['sections']} sections, "
              f"{report['passages']} passages; {report['findings_located']} of {report['findings']} findings "
              "found in their section")
    return 0
