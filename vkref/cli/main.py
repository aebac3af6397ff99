"""The ``vkref`` command line: a thin front on :class:`vkref.library.Library` (docs/CONTRACT.md is the contract).

Exit status: 0 on success (zero hits included); 2 for a bad query or bad arguments, with one line on stderr;
1 for anything else. A user never sees a traceback: known problems print their one-line message, anything
unexpected prints one line naming the error and where a report can be found.
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from vkref.cli import curation, evidence, fulltext, maintenance, records, studies, vocabulary
from vkref.core.errors import UsageError, VkrefError


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse would exit 2 with usage; keep the one-line rule
        raise UsageError(f"{self.prog}: {message}")


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="vkref", description="Offline evidence reference on vitamin K2 and bone health.")
    p.add_argument("--library", metavar="DIR", help="library directory (default: VKREF_HOME or the user data dir)")
    p.add_argument("--catalog", metavar="URL",
                   help="a shared catalog (postgresql://...; default VKREF_CATALOG): the library's database; "
                        "the library directory then keeps this computer's index")
    p.add_argument("--version", action="store_true", help="print the version and exit")
    p.add_argument("--self-test", action="store_true", help="run the headless self-test and exit")
    # internal: the background index rebuild process started by the GUI (vkref.library.indexing)
    p.add_argument("--rebuild-index", action="store_true", help=argparse.SUPPRESS)
    sub = p.add_subparsers(dest="command", parser_class=_Parser)

    s = sub.add_parser("search", help="search findings and reviews")
    s.add_argument("query", nargs="?", default="", help="words, \"phrases\", OR, -exclusions, prefix*")
    s.add_argument("--kind", choices=["finding", "review", "passage"])
    s.add_argument("--filter", action="append", default=[], metavar="FACET=VALUE")
    s.add_argument("--exclude", action="append", default=[], metavar="FACET=VALUE")
    s.add_argument("--year-from", type=int)
    s.add_argument("--year-to", type=int)
    s.add_argument("--limit", type=int, default=20)
    s.add_argument("--offset", type=int, default=0)
    s.add_argument("--sort", choices=["relevance", "evidence", "year", "year-asc"], default="relevance",
                   help="relevance (ties: strongest evidence first), evidence (strongest evidence first), year, "
                        "year-asc")
    s.add_argument("--no-spell", action="store_true",
                   help="do not retry a query that finds nothing with a corrected spelling")
    s.add_argument("--json", action="store_true", help="print the result as one JSON object")

    i = sub.add_parser("info", help="library path, counts, index state, versions")
    i.add_argument("--json", action="store_true")

    sub.add_parser("reindex", help="rebuild the search index from the database")

    c = sub.add_parser("catalog", help="the shared catalog on a PostgreSQL server")
    csub = c.add_subparsers(dest="catalog_command", parser_class=_Parser, required=True)
    ci = csub.add_parser("init", help="create or upgrade the shared catalog (and its roles)")
    ci.add_argument("url", metavar="URL", help="postgresql://[user@]host[:port]/database[?sslmode=...]")
    ci.add_argument("--reader", metavar="ROLE", help="create/grant ROLE: may search, may not write")
    ci.add_argument("--curator", metavar="ROLE", help="create/grant ROLE: may read and write the records")
    ci.add_argument("--json", action="store_true")

    curation.add_parsers(sub)
    records.add_parsers(sub)
    fulltext.add_parsers(sub)
    evidence.add_parsers(sub)
    maintenance.add_parsers(sub)
    vocabulary.add_parsers(sub)
    studies.add_parsers(sub)

    g = sub.add_parser("gui", help="open the desktop application (the default)")
    g.add_argument("--query", default="", help="start with this search")
    g.add_argument("--screenshot", metavar="FILE.png", help="render the window, save it, and exit")
    g.add_argument("--filter", action="append", default=[], metavar="FACET=VALUE",
                   help="start with this filter (repeatable)")
    g.add_argument("--exclude", action="append", default=[], metavar="FACET=VALUE",
                   help="start excluding this value (repeatable)")
    g.add_argument("bundle", nargs="?", metavar="FILE.vkref",
                   help="then open this bundle as File > Open bundle… does (with --screenshot: render its dialog)")
    return p


BUNDLE_SUFFIX = ".vkref"


def bundle_argument(argv: list[str]) -> list[str]:
    """``vkref FILE.vkref`` (a double-click, the file manager's "Open with") means ``vkref gui FILE.vkref``:
    the first argument that is not an option (nor the value of ``--library``) names a bundle, not a command."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--library", "--catalog"):
            i += 2
            continue
        if arg.startswith("-"):
            i += 1
            continue
        if arg.lower().endswith(BUNDLE_SUFFIX):
            return argv[:i] + ["gui"] + argv[i:]
        return argv
    return argv


def _facet_pairs(items: list[str], option: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        facet, sep, value = item.partition("=")
        if not sep or not facet.strip() or not value.strip():
            raise UsageError(f"{option} {item!r}: expected FACET=VALUE, e.g. species=Human")
        out.setdefault(facet.strip().lower(), []).append(value.strip())
    return out


def _open(args):
    from vkref.library import Library

    return Library.open(args.library, catalog=catalog_url(args))


def catalog_url(args) -> str | None:
    """``--catalog URL``, else ``VKREF_CATALOG``; None for a local library."""
    return getattr(args, "catalog", None) or os.environ.get("VKREF_CATALOG") or None


def cmd_search(args) -> int:
    filters = _facet_pairs(args.filter, "--filter")
    exclude = _facet_pairs(args.exclude, "--exclude")
    lib = _open(args)
    try:
        page = lib.search(args.query, filters=filters, exclude=exclude, kind=args.kind, year_from=args.year_from,
                          year_to=args.year_to, limit=args.limit, offset=args.offset, sort=args.sort,
                          spell=not args.no_spell)
    finally:
        lib.close()
    if args.json:
        print(json.dumps(page.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_table(page))
    return 0


def format_table(page) -> str:
    import shutil
    import textwrap

    width = max(60, min(shutil.get_terminal_size((100, 20)).columns, 140))
    lines = [f"{page.total} result{'s' if page.total != 1 else ''} for {page.query!r}  ({page.elapsed_ms} ms)"
             + (f": {page.studies_line}" if page.studies_line else ""),
             f"searched as: {page.searched_as}"]
    if page.suggestion:
        lines.append(f"showing results for: {page.suggestion}")
    for offer in page.also_broader:
        lines.append(f"also {offer.count} finding{'s' if offer.count != 1 else ''} coded only {offer.label} "
                     f"(not {offer.narrower}): see --json also_broader")
    for n, hit in enumerate(page.hits, 1):
        review = hit.review or {}
        facets = hit.facets
        tag = f"{n:>3}. [{hit.kind}] "
        lines.append("")
        lines.append(tag + hit.title)
        body = textwrap.fill(hit.text, width - 5, initial_indent="     ", subsequent_indent="     ")
        lines.append(body)
        meta = []
        for facet in ("species", "evidence", "direction"):
            if facets.get(facet):
                meta.append(", ".join(facets[facet]))
        source = f"{(review.get('authors') or ['?'])[0]} {review.get('year') or 'n.d.'}"
        studies = [s["label"] for s in getattr(hit, "studies", [])]
        if studies:
            meta.append("study: " + "; ".join(studies[:2]) + (f" (+{len(studies) - 2})" if len(studies) > 2 else ""))
        lines.append("     " + " | ".join(meta + [source]))
    return "\n".join(lines)


def cmd_info(args) -> int:
    lib = _open(args)
    try:
        info = lib.info()
    finally:
        lib.close()
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    idx = info["index"]
    print(f"library:   {info['library']}")
    print(f"database:  {info['database']} (schema {info['schema_revision'] or '?'})")
    n = {k: "?" if info.get(k) is None else info[k]  # catalog away: ?
         for k in ("reviews", "findings", "concepts", "studies")}
    print(f"records:   {n['reviews']} reviews, {n['findings']} findings, {n['concepts']} concepts, "
          f"{n['studies']} studies")
    print(f"index:     {idx['path']} — {idx['state']}, {idx['documents']} documents")
    cat = info.get("catalog")
    if cat:
        state = "online" if cat["online"] else "OFFLINE (read-only, searching this computer's index)"
        print(f"catalog:   {cat['url']} — {state}; server {cat['server_version'] or '?'}, role {cat['role'] or '?'}"
              f"{'' if cat['can_write'] in (None, True) else ' (read-only)'}")
        print(f"sequence:  catalog at {cat['sequence'] if cat['sequence'] is not None else '?'}, "
              f"this index at {cat['position']}, lag {cat['lag'] if cat['lag'] is not None else '?'}")
    print("versions:  " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    return 0


def cmd_reindex(args) -> int:
    from vkref.library import Library

    lib = Library.open(args.library, catalog=catalog_url(args))
    try:
        n = lib.reindex()
    finally:
        lib.close()
    print(f"index rebuilt: {n} documents")
    return 0


def cmd_gui(args) -> int:
    try:
        from vkref.ui.app import run
    except ImportError as exc:
        raise VkrefError(f"the desktop application is not available in this build ({exc})") from None
    return run(library=args.library, catalog=catalog_url(args), query=getattr(args, "query", ""),
               screenshot=getattr(args, "screenshot", None),
               filters=_facet_pairs(getattr(args, "filter", []), "--filter"),
               exclude=_facet_pairs(getattr(args, "exclude", []), "--exclude"),
               open_bundle=os.path.abspath(args.bundle) if getattr(args, "bundle", None) else None)


def cmd_catalog(args) -> int:
    from vkref.library import Library

    result = Library.init_catalog(args.url, reader=args.reader, curator=args.curator)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    print(f"catalog {result['catalog']}: schema {result['schema']}, {result['reviews']} reviews")
    for line in result["done"]:
        print(f"  {line}")
    return 0


def cmd_self_test(args) -> int:
    try:
        from vkref.selftest import run
    except ImportError:
        raise VkrefError("the self-test is not available in this build") from None
    return run()


def _with_library(fn):
    def run(args) -> int:
        lib = _open(args)
        try:
            return fn(args, lib)
        finally:
            lib.close()
    return run


COMMANDS = {"search": cmd_search, "info": cmd_info, "reindex": cmd_reindex, "gui": cmd_gui, "catalog": cmd_catalog,
            "import": _with_library(curation.cmd_import),
            "export": _with_library(lambda a, lib: curation.cmd_export(a, lib, _facet_pairs)),
            "cite": _with_library(curation.cmd_cite), "edit": _with_library(curation.cmd_edit),
            "undo": _with_library(curation.cmd_step), "redo": _with_library(curation.cmd_step),
            "history": _with_library(curation.cmd_history),
            "duplicates": _with_library(curation.cmd_duplicates), "merge": _with_library(curation.cmd_merge),
            "distinct": _with_library(curation.cmd_distinct), "prisma": _with_library(curation.cmd_prisma),
            "bundle": _with_library(lambda a, lib: curation.cmd_bundle(a, lib, _facet_pairs)),
            "matrix": _with_library(lambda a, lib: evidence.cmd_matrix(a, lib, _facet_pairs)),
            "answer": _with_library(lambda a, lib: evidence.cmd_answer(a, lib, _facet_pairs)),
            "check": lambda a: maintenance.cmd_check(a, _open), "backups": maintenance.cmd_backups,
            "restore": maintenance.cmd_restore, "attach": _with_library(fulltext.cmd_attach),
            "concept": _with_library(vocabulary.cmd_concept), "study": _with_library(studies.cmd_study),
            **{name: _with_library(fn) for name, fn in records.COMMANDS.items()}}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    from vkref.core import logs

    logs.install_thread_hook()
    try:
        args = build_parser().parse_args(bundle_argument(argv))
        if args.version:
            import vkref

            print(f"vkref {vkref.__version__}")
            return 0
        if args.self_test:
            return cmd_self_test(args)
        if args.rebuild_index:
            from vkref.library.indexing import child_main

            return child_main(args.library)
        return COMMANDS[args.command or "gui"](args)
    except VkrefError as exc:
        print(f"vkref: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("vkref: interrupted", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the one crash handler of the CLI
        from vkref.core import logs

        report = logs.write_crash_report(context=f"vkref {' '.join(argv or sys.argv[1:])}"[:300])
        where = f" (details in {report})" if report else ""
        print(f"vkref: internal error: {logs.one_line(exc)}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
