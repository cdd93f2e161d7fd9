"""The command line: `python generate.py <command>` (also installed as `seguimiento`).

Commands: `check` validates the data and prints a summary; `schema` writes JSON Schemas for editors;
`uncac` / `iacac` / `crpd` build that convention's reports; `all` builds every report.

Exit codes (also in docs/cli.md):
  0  success
  1  the data has errors, or a report could not be built from it (each problem printed on one line)
  2  wrong command line (unknown command or option, bad --period, --lang or --format)
  3  internal error: a bug; run again with --debug and report the traceback

Heavy libraries (pandas, matplotlib, weasyprint) are imported only by the build commands, so
`check` and `--help` answer at once. `run()` (generate.py, the `seguimiento` command) ends the
process as soon as `main()` has returned and the output is flushed: tearing down an interpreter
that has laid out a report walks millions of objects (about half a second after an M report) for
nothing, as every file is written and closed by then.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import traceback
from pathlib import Path
from typing import NoReturn

from seguimiento import __version__
from seguimiento.project import CONVENTIONS, DOCX_CHART_STYLES, PDF_ENGINES, find_root

EXIT_OK, EXIT_DATA, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3
REPORTS = ("progress", "policy-review")
FORMATS = ("docx", "pdf", "html", "csv", "json", "xlsx")
LANGS = ("es", "en")
ALL = "all"  # as a value of --lang, --format, --report: every one

DESCRIPTION = """\
seguimiento — reports for the follow-up of UNCAC, IACAC (MESICIC) and CRPD.

commands:
  check [CONV ...]   validate conventions/ and indicators/, print a summary per convention
  schema             write JSON Schema files (schemas/) for editor completion and checks
  uncac|iacac|crpd   build the reports of one convention (DOCX and PDF, Spanish by default)
  all                build every report of every convention in every language
  review import F    import the comments and tracked changes of a reviewed DOCX draft
  review list        list the open review items

exit codes: 0 ok · 1 data errors or failed build · 2 wrong command line · 3 internal error
"""


class Every(list):
    """Every allowed value of a list option, asked for as "all": a report that does not apply
    to a convention (the policy review, CRPD's) is then left out, not refused."""


def _csv(allowed: tuple[str, ...], what: str):
    """A parser of a comma-separated list of `allowed` values; "all" stands for every one."""

    def parse(text: str) -> list[str]:
        items = [t.strip() for t in text.split(",") if t.strip()]
        if items == [ALL]:
            return Every(allowed)
        wrong = [t for t in items if t not in allowed]
        if wrong or not items:
            raise argparse.ArgumentTypeError(
                f"{what} must be a comma-separated list of {', '.join(allowed)}, or {ALL}; "
                f"got {text!r}"
            )
        return items

    return parse


def _convention(text: str) -> str:
    if text not in CONVENTIONS:
        raise argparse.ArgumentTypeError(
            f"unknown convention {text!r}; use one of {', '.join(CONVENTIONS)}"
        )
    return text


def _period(text: str) -> str:
    from seguimiento.values import check_period

    try:
        return check_period(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for the docs and tests)."""
    parser = argparse.ArgumentParser(
        prog="generate.py",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"seguimiento {__version__}")
    parser.add_argument("--root", type=Path, help="project folder (default: this one)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of errors")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="validate the data and print a summary")
    check.add_argument(
        "conventions", nargs="*", type=_convention, metavar="CONV", help="uncac, iacac or crpd"
    )

    schema = commands.add_parser("schema", help="write JSON Schemas for editors")
    schema.add_argument("--out", type=Path, default=None, help="folder (default: schemas/)")

    review = commands.add_parser("review", help="import reviewed drafts, list open items")
    actions = review.add_subparsers(dest="action", metavar="ACTION", required=True)
    importer = actions.add_parser("import", help="import a reviewed DOCX draft")
    importer.add_argument("docx", type=Path, help="the reviewed .docx file")
    importer.add_argument("--convention", type=_convention, help="when the file does not say")
    importer.add_argument("--period", type=_period, help="when the file does not say")
    lister = actions.add_parser("list", help="list the open review items")
    lister.add_argument(
        "conventions", nargs="*", type=_convention, metavar="CONV", help="uncac, iacac or crpd"
    )

    build = argparse.ArgumentParser(add_help=False)
    build.add_argument("--period", type=_period, help="report period (default: latest year)")
    build.add_argument(
        "--lang",
        type=_csv(LANGS, "--lang"),
        default=None,
        help="languages: es,en or all (default: es; every language with the all command)",
    )
    build.add_argument(
        "--format",
        type=_csv(FORMATS, "--format"),
        default=None,
        help="formats: docx,pdf,html and open data csv,json,xlsx, or all (default: docx,pdf)",
    )
    build.add_argument(
        "--report",
        type=_csv(REPORTS, "--report"),
        default=None,
        help="reports: progress,policy-review or all (default: progress; every report with the "
        "all command)",
    )
    build.add_argument("--out", type=Path, default=None, help="output folder (default: reports/)")
    build.add_argument("--final", action="store_true", help="final version: no draft marking")
    build.add_argument("--force", action="store_true", help="rebuild even when nothing changed")
    build.add_argument("--jobs", type=int, default=None, help="parallel builds (default: cores)")
    build.add_argument(
        "--pdf-engine",
        choices=PDF_ENGINES,
        default="weasyprint",
        help="PDF engine: weasyprint (publication, default) or typst (much faster drafts)",
    )
    build.add_argument(
        "--docx-charts",
        choices=DOCX_CHART_STYLES,
        default="native",
        help="charts in the DOCX: native (Word charts with their data, default) or picture "
        "(the PDF's drawing)",
    )
    for name in CONVENTIONS:
        commands.add_parser(name, parents=[build], help=f"build the {name.upper()} reports")
    commands.add_parser("all", parents=[build], help="build every report, every language")
    return parser


def _print_problems(problems: list) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def run_check(root: Path, conventions: list[str]) -> int:
    """`check`: validate and summarise (conventions shared with a helper process on a machine
    with several cores, `check_summary`)."""
    from seguimiento.check_summary import check_conventions

    result = check_conventions(root, conventions or list(CONVENTIONS))
    problems = result.problems
    _print_problems(problems.errors)
    if problems.warnings:
        _print_problems(problems.warnings)
    if problems.errors:
        files = len({p.file for p in problems.errors})
        noun = "problem" if len(problems.errors) == 1 else "problems"
        print(
            f"{len(problems.errors)} {noun} in {files} file{'s' if files > 1 else ''}; "
            "fix them and run check again",
            file=sys.stderr,
        )
        return EXIT_DATA
    for summary in result.summaries:
        print("\n".join(summary))
    print(f"ok: {len(result.summaries)} conventions valid, {len(problems.warnings)} warnings")
    return EXIT_OK


def run_schema(root: Path, out: Path | None) -> int:
    """`schema`: write one JSON Schema per data file kind."""
    from seguimiento.schema import write_schemas

    for path in write_schemas(out or root / "schemas"):
        print(f"wrote {path}")
    return EXIT_OK


def run_review(root: Path, args: argparse.Namespace) -> int:
    """`review import` and `review list`."""
    from seguimiento.review_docx import ReviewFileError
    from seguimiento.reviews import import_review, open_items

    if args.action == "list":
        items = open_items(root, args.conventions or list(CONVENTIONS))
        for item in items:
            where = item.section or item.anchor or "-"
            print(f"{item.file}: {item.id} [{item.kind}, {item.report}] {where}")
            print(f"    {item.author} ({item.date}): {item.text}")
        print(f"{len(items)} open review items")
        return EXIT_OK
    if not args.docx.is_file():
        print(f"error: {args.docx}: file not found", file=sys.stderr)
        return EXIT_DATA
    try:
        result = import_review(root, args.docx, args.convention, args.period)
    except ReviewFileError as error:
        print(f"error: {args.docx}: {error}", file=sys.stderr)
        return EXIT_DATA
    for item in result.added:
        print(f"added {item.id} [{item.kind}] {item.section or item.anchor}: {item.text[:70]}")
    print(
        f"{len(result.added)} new review items in {result.path}; {result.already} already "
        f"imported, {result.from_data} comments that come from the data"
        + (f"; previous version kept as {result.backup}" if result.backup else "")
    )
    return EXIT_OK


def _refuse_final(root: Path, conventions: list[str]) -> bool:
    """True (and the reasons printed) when open review items forbid a final version."""
    from seguimiento.reviews import open_items

    items = open_items(root, conventions)
    for item in items:
        print(
            f"error: {item.file}: open review item {item.id} ({item.author}: {item.text[:60]})",
            file=sys.stderr,
        )
    if items:
        print(
            f"{len(items)} open review items: resolve them (status: resolved) before --final",
            file=sys.stderr,
        )
    return bool(items)


def run_build(root: Path, args: argparse.Namespace) -> int:
    """Build reports for one convention or all."""
    from seguimiento.build import BuildOptions, build

    every = args.command == "all"
    conventions = list(CONVENTIONS) if every else [args.command]
    if args.final and _refuse_final(root, conventions):
        return EXIT_DATA
    options = BuildOptions(
        conventions=conventions,
        reports=args.report or (list(REPORTS) if every else ["progress"]),
        langs=args.lang or (list(LANGS) if every else ["es"]),
        formats=args.format or ["docx", "pdf"],
        period=args.period,
        out=args.out or root / "reports",
        final=args.final,
        force=args.force,
        jobs=args.jobs,
        explicit_reports=args.report is not None and not isinstance(args.report, Every),
        pdf_engine=args.pdf_engine,
        docx_charts=args.docx_charts,
    )
    return build(root, options)


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code (never raises for user errors)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_:
        return EXIT_OK if exit_.code in (0, None) else EXIT_USAGE
    root = find_root(args.root)
    try:
        if args.command == "check":
            return run_check(root, args.conventions)
        if args.command == "schema":
            return run_schema(root, args.out)
        if args.command == "review":
            return run_review(root, args)
        return run_build(root, args)
    except KeyboardInterrupt:
        print("interrupted; earlier reports are left as they were", file=sys.stderr)
        return EXIT_DATA
    except OSError as error:  # a folder that cannot be written, a full disk, ...
        if args.debug:
            traceback.print_exc()
        where = f"{error.filename}: " if error.filename else ""
        print(
            f"error: {where}{error.strerror or error}; check that the folder exists and can be "
            "written, and that the disk is not full",
            file=sys.stderr,
        )
        return EXIT_DATA
    except Exception as error:  # noqa: BLE001 - last resort: one line, not a traceback
        if args.debug:
            traceback.print_exc()
        print(
            f"internal error: {type(error).__name__}: {error}. Run again with --debug and "
            "report the output.",
            file=sys.stderr,
        )
        return EXIT_BUG


def run() -> NoReturn:
    """Entry point of `generate.py` and of the `seguimiento` command: `main()`, then the output
    streams and log handlers are flushed and the process exits with its code at once, skipping
    the interpreter's teardown (module docstring). Code that calls `main()` itself is unaffected,
    and so is a run under a tracer or profiler (coverage, cProfile), which saves its data then."""
    code = main()
    if sys.gettrace() is not None or sys.getprofile() is not None:
        sys.exit(code)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
