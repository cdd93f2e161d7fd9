"""`make bench`: time each stage of the report pipeline on synthetic data, against the alternatives.

    .venv/bin/python benchmarks/run.py                     # S, M, L: about half an hour on 2 cores
    .venv/bin/python benchmarks/run.py --sizes S,M         # fewer sizes
    .venv/bin/python benchmarks/run.py --quick --out /tmp/b  # tiny data (used by the tests)

What is measured (data sets from `benchmarks/generate_data.py`; see its docstring for S, M, L):

1. **One report** — the UNCAC progress report, Spanish, at each size — in a fresh child process
   per size, stage by stage: imports, load+validate, measure, compose, DOCX (charts as PNG
   counted apart), HTML (charts as SVG apart), PDF split into WeasyPrint's `render()`, its
   `write_pdf()` and our own work around them (attachments, pikepdf post-processing). Peak memory
   is the child's maximum resident set size after each stage.
2. **The DOCX table baseline**: the same tables filled with python-docx `add_row()` + `cell.text`,
   against our writer on a document holding only those tables.
3. **LibreOffice**: `soffice --headless --convert-to pdf` of our own DOCX of the same report, with
   a fresh profile (`-env:UserInstallation`), then once more with that profile warm.
4. **`all`** on L with `--jobs 1` and `--jobs 2` (and on M with `--jobs 1`, for the L/M ratio), a
   second `all` with nothing changed, and `check` on L (median of 3) — all through the command
   line, as users run them.

Prints a table and writes `results.json` (in `--out`, default `benchmarks/`). Timings belong here,
never in the tests; the test only runs `--quick`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import generate_data  # noqa: E402

LIBREOFFICE_HINT = (
    "LibreOffice (soffice) is not installed: the alternative route is not timed. Install it with\n"
    "  apt-get install --no-install-recommends libreoffice-writer-nogui"
)

# ---------------------------------------------------------------- child: one report, stage by stage


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Clock:
    """Accumulates time spent inside wrapped functions (charts, WeasyPrint's own steps)."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, owner: object, name: str, key: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[key] = self.spent.get(key, 0.0) + time.perf_counter() - start

        setattr(owner, name, timed)


def _tables(blocks) -> list:
    from seguimiento import tree

    found = []
    for block in blocks:
        if isinstance(block, tree.Table):
            found.append(block)
        elif isinstance(block, (tree.Note, tree.ReviewComment)):
            found += _tables(block.children)
        elif isinstance(block, tree.BulletList):
            for item in block.items:
                found += _tables(item)
    return found


def add_row_docx(tables: list, reference: Path) -> bytes:
    """The usual python-docx way: `add_table`, then `add_row()` and `cell.text` for every cell."""
    import io

    import docx

    from seguimiento.tree import plain_text

    document = docx.Document(str(reference))
    for node in tables:
        if node.caption:
            document.add_paragraph(node.caption, style="Caption")
        table = document.add_table(rows=1, cols=len(node.header))
        table.style = document.styles["Seguimiento Table"]
        for cell, head in zip(table.rows[0].cells, node.header):
            cell.text = plain_text(head.children)
        for row in node.rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row):
                cell.text = plain_text(value.children)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def child_report(args: argparse.Namespace) -> dict:
    """Build one report stage by stage in this (fresh) process; returns times, peaks and sizes."""
    import cProfile

    out: dict = {"stages": {}, "peak_mb": {}, "extra": {}}
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    root = Path(args.root)
    templates = root / "templates"
    profile_dir = Path(args.profile) if args.profile else None

    def stage(name: str, function, *fargs):
        profiler = cProfile.Profile() if profile_dir else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        result = function(*fargs)
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(profile_dir / f"{args.label}-{name}.prof"))
        out["stages"][name] = time.perf_counter() - start
        out["peak_mb"][name] = _rss_mb()
        return result

    def imports():
        import docx  # noqa: F401
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot  # noqa: F401
        import pandas  # noqa: F401
        import pikepdf  # noqa: F401
        import weasyprint  # noqa: F401

        import seguimiento.render  # noqa: F401
        import seguimiento.writers.docx  # noqa: F401
        import seguimiento.writers.html  # noqa: F401
        import seguimiento.writers.pdf  # noqa: F401

    out["peak_mb"]["start"] = _rss_mb()
    stage("imports", imports)

    import datetime as dt

    import weasyprint
    import weasyprint.document

    from seguimiento import charts
    from seguimiento.compose import Context, compose
    from seguimiento.coverage import report_period
    from seguimiento.load import load_project
    from seguimiento.measure import measure
    from seguimiento.render import data_attachments
    from seguimiento.writers.docx import write_docx
    from seguimiento.writers.html import render_html
    from seguimiento.writers.pdf import write_pdf

    clock = _Clock()
    clock.wrap(charts, "render_png", "charts_png")
    clock.wrap(charts, "render_svg", "charts_svg")
    clock.wrap(weasyprint.HTML, "__init__", "weasy_parse")
    clock.wrap(weasyprint.HTML, "render", "weasy_render")
    clock.wrap(weasyprint.document.Document, "write_pdf", "weasy_write")
    pages: list[int] = []
    original_render = weasyprint.HTML.render

    def counting_render(self, *a, **k):
        document = original_render(self, *a, **k)
        pages.append(len(document.pages))
        return document

    weasyprint.HTML.render = counting_render

    datasets, problems = stage("load", load_project, root, [args.convention])
    if args.convention not in datasets:
        raise SystemExit(f"{args.convention}: data has errors: {problems.errors[:3]}")
    dataset = datasets[args.convention]
    period = report_period(dataset)
    figures = stage("measure", measure, dataset, period)
    ctx = Context(
        dataset=dataset,
        figures=figures,
        report=args.report,
        lang=args.lang,
        period=period,
        templates=templates,
        final=False,
        generated=dt.date(2025, 12, 1),
    )
    document = stage("compose", compose, ctx)
    docx_bytes = stage("docx", write_docx, document, templates / "reference.docx")
    out["extra"]["docx_charts"] = clock.spent.get("charts_png", 0.0)
    html = stage("html", render_html, document, templates)
    out["extra"]["html_charts"] = clock.spent.get("charts_svg", 0.0)
    attachments = stage("attachments", data_attachments, dataset, figures)
    pdf_bytes = stage("pdf", write_pdf, html, templates, attachments)
    out["extra"]["weasy_parse"] = clock.spent.get("weasy_parse", 0.0)
    out["extra"]["weasy_render"] = clock.spent.get("weasy_render", 0.0)
    out["extra"]["weasy_write"] = clock.spent.get("weasy_write", 0.0)
    out["extra"]["pages"] = pages[-1] if pages else 0
    out["extra"]["docx_bytes"] = len(docx_bytes)
    out["extra"]["pdf_bytes"] = len(pdf_bytes)
    out["extra"]["html_bytes"] = len(html.encode("utf-8"))
    out["extra"]["report_peak_mb"] = _rss_mb()
    (work / "report.docx").write_bytes(docx_bytes)
    (work / "report.pdf").write_bytes(pdf_bytes)

    # The DOCX table baseline: the same tables, add_row() against our writer.
    from seguimiento import tree

    tables = _tables(document.blocks)
    out["extra"]["tables"] = len(tables)
    out["extra"]["table_rows"] = sum(len(t.rows) for t in tables)
    only_tables = tree.Document(meta=document.meta, blocks=tuple(tables))
    start = time.perf_counter()
    write_docx(only_tables, templates / "reference.docx")
    out["extra"]["tables_ours"] = time.perf_counter() - start
    start = time.perf_counter()
    add_row_docx(tables, templates / "reference.docx")
    out["extra"]["tables_add_row"] = time.perf_counter() - start
    return out


# ---------------------------------------------------------------- parent: run things, measure


def _run(command: list[str], log: Path, cwd: Path = REPO, timeout: float = 7200) -> dict:
    """Run `command`; wall time, exit code and the peak RSS of it and its descendants."""
    start = time.perf_counter()
    with open(log, "ab") as stream:
        stream.write(("$ " + " ".join(command) + "\n").encode())
        stream.flush()
        process = subprocess.Popen(command, cwd=cwd, stdout=stream, stderr=stream)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.005)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {
        "seconds": time.perf_counter() - start,
        "code": process.returncode,
        "peak_mb": usage.ru_maxrss / 1024,
    }


def _python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def measure_report(size: str, root: Path, work: Path, log: Path, profile: str | None) -> dict:
    result_file = work / f"report-{size}.json"
    command = [_python(), str(Path(__file__).resolve()), "--child", "report"]
    command += ["--root", str(root), "--work", str(work / f"report-{size}"), "--label", size]
    command += ["--result", str(result_file)]
    if profile:
        command += ["--profile", profile]
    run = _run(command, log)
    if run["code"] != 0:
        raise RuntimeError(f"report at {size} failed (exit {run['code']}); see {log}")
    result = json.loads(result_file.read_text())
    result["child_seconds"] = run["seconds"]
    result["child_peak_mb"] = run["peak_mb"]
    return result


def measure_libreoffice(docx: Path, work: Path, log: Path) -> dict | None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        print(LIBREOFFICE_HINT, file=sys.stderr)
        return None
    profile = work / "lo-profile"
    shutil.rmtree(profile, ignore_errors=True)
    result: dict = {}
    for label in ("fresh", "warm"):
        outdir = work / f"lo-{label}"
        shutil.rmtree(outdir, ignore_errors=True)
        command = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless"]
        command += ["--convert-to", "pdf", "--outdir", str(outdir), str(docx)]
        run = _run(command, log)
        pdf = outdir / (docx.stem + ".pdf")
        if run["code"] != 0 or not pdf.exists():  # soffice can exit 0 without writing
            print(f"LibreOffice did not convert {docx} (see {log})", file=sys.stderr)
            return None
        result[label] = run
        result[f"{label}_pages"] = _pdf_pages(pdf)
    return result


def _pdf_pages(path: Path) -> int:
    try:
        from pypdf import PdfReader

        return len(PdfReader(path).pages)
    except Exception:  # noqa: BLE001 - page count is informative only
        return 0


def measure_cli(root: Path, args: list[str], log: Path) -> dict:
    return _run([_python(), str(REPO / "generate.py"), "--root", str(root), *args], log)


def measure_all(root: Path, work: Path, log: Path, quick: bool, jobs: int) -> dict:
    extra = ["--lang", "es", "--format", "html"] if quick else []
    out = work / f"all-{root.name}-j{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    run = measure_cli(root, ["all", "--jobs", str(jobs), "--out", str(out), *extra], log)
    if run["code"] != 0:
        raise RuntimeError(f"all --jobs {jobs} on {root.name} failed; see {log}")
    run["files"] = sum(1 for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
    run["out"] = str(out)
    run["args"] = extra
    return run


def measure_nochange(root: Path, out: str, log: Path, extra: list[str]) -> dict:
    runs = [measure_cli(root, ["all", "--out", out, *extra], log) for _ in range(3)]
    text = log.read_text(errors="replace").rsplit("$ ", 1)[-1]
    best = {"seconds": statistics.median(r["seconds"] for r in runs), "code": runs[-1]["code"]}
    best["peak_mb"] = max(r["peak_mb"] for r in runs)
    best["said"] = text.strip().splitlines()[-1] if text.strip() else ""
    return best


def measure_check(root: Path, log: Path) -> dict:
    runs = [measure_cli(root, ["check"], log) for _ in range(3)]
    if any(r["code"] != 0 for r in runs):
        raise RuntimeError(f"check on {root.name} failed; see {log}")
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
    }


# ---------------------------------------------------------------- summary


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def summarise(results: dict) -> dict:
    """The derived figures and the issue's targets, from the raw measurements."""
    derived: dict = {}
    for size, report in results["reports"].items():
        stages, extra = report["stages"], report["extra"]
        weasy = extra["weasy_render"] + extra["weasy_write"]
        pdf_route = sum(stages[k] for k in ("load", "measure", "compose", "html", "attachments"))
        pdf_route += stages["pdf"]
        derived[size] = {
            "pdf_route_s": pdf_route,
            "pdf_ours_s": pdf_route - weasy,
            "pdf_ours_share": (pdf_route - weasy) / pdf_route if pdf_route else None,
            "pdf_weasy_s": weasy,
            "pdf_ours_share_no_parse": (pdf_route - weasy - extra["weasy_parse"]) / pdf_route
            if pdf_route
            else None,
            "s_per_page": weasy / extra["pages"] if extra["pages"] else None,
            "docx_route_s": sum(stages[k] for k in ("load", "measure", "compose", "docx")),
            "docx_write_s": stages["docx"],
            "add_row_ratio": _ratio(extra["tables_add_row"], extra["tables_ours"]),
            "report_peak_mb": extra["report_peak_mb"],
        }
        lo = report.get("libreoffice")
        if lo:
            derived[size]["lo_fresh_s"] = lo["fresh"]["seconds"]
            derived[size]["lo_warm_s"] = lo["warm"]["seconds"]
            derived[size]["ours_vs_lo_fresh"] = _ratio(pdf_route, lo["fresh"]["seconds"])
            derived[size]["ours_vs_lo_warm"] = _ratio(pdf_route, lo["warm"]["seconds"])
    everything = results.get("all", {})
    targets: list[dict] = []

    def target(name: str, value, limit: str, met: bool | None) -> None:
        targets.append({"target": name, "value": value, "limit": limit, "met": met})

    m = derived.get("M") or derived.get("T")
    tag = "M" if "M" in derived else "T"
    if m:
        ratio = m.get("ours_vs_lo_fresh")
        target(
            f"PDF {tag} ours/LibreOffice (fresh profile)",
            ratio,
            "< 1.0",
            None if ratio is None else ratio < 1.0,
        )
        ratio = m.get("ours_vs_lo_warm")
        target(
            f"PDF {tag} ours/LibreOffice (warm profile)",
            ratio,
            "< 1.0",
            None if ratio is None else ratio < 1.0,
        )
        share = m["pdf_ours_share"]
        target(f"PDF {tag} our work outside WeasyPrint", share, "< 15 %", share < 0.15)
        share = m["pdf_ours_share_no_parse"]
        target("  same, HTML() parse counted as WeasyPrint's", share, "< 15 %", share < 0.15)
        target(f"DOCX {tag} build (load→bytes)", m["docx_route_s"], "< 2 s", m["docx_route_s"] < 2)
        seconds = m["docx_write_s"]
        target(f"  DOCX {tag} writer alone", seconds, "< 2 s", seconds < 2)
        ratio = m["add_row_ratio"]
        target(f"DOCX {tag} tables add_row()/ours", ratio, "≥ 5×", ratio >= 5 if ratio else None)
        peak = max(r["extra"]["report_peak_mb"] for s, r in results["reports"].items() if s == tag)
        target(f"peak memory, one {tag} report", peak, "< 600 MB", peak < 600)
    one, two = everything.get("jobs1"), everything.get("jobs2")
    if one and two:
        speedup = one["seconds"] / two["seconds"]
        target("all --jobs 2 speed-up over --jobs 1", speedup, "≥ 1.7×", speedup >= 1.7)
    if everything.get("nochange"):
        seconds = everything["nochange"]["seconds"]
        target("no-change all", seconds, "< 1 s", seconds < 1.0)
    if results.get("check"):
        seconds = results["check"]["seconds"]
        target(f"check on {results['check']['size']}", seconds, "< 1 s", seconds < 1.0)
    lm = everything.get("linearity")
    if lm:
        target(
            "L/M time ratio ÷ size ratio",
            lm["time_over_size"],
            "0.9–1.1",
            0.9 <= lm["time_over_size"] <= 1.1,
        )
    return {"per_size": derived, "targets": targets}


def _fmt(value, unit: str = "s") -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "%":
        return f"{100 * value:.1f} %"
    if unit == "x":
        return f"{value:.2f}×"
    return str(value)


def table_rows(results: dict, summary: dict) -> tuple[list[str], list[list[str]]]:
    sizes = list(results["reports"])
    head = ["measure", *sizes]
    rows: list[list[str]] = []

    def row(label: str, getter, unit: str = "s") -> None:
        cells = []
        for size in sizes:
            try:
                cells.append(
                    _fmt(getter(results["reports"][size], summary["per_size"][size]), unit)
                )
            except (KeyError, TypeError):
                cells.append("—")
        rows.append([label, *cells])

    row(
        "data: indicators / values",
        lambda r, d: f"{r['size']['indicators']} / {r['size']['values']}",
        "",
    )
    row("data: YAML bytes (all conventions)", lambda r, d: f"{r['size']['bytes']:,}", "")
    row("imports (pandas, weasyprint, …)", lambda r, d: r["stages"]["imports"])
    row("load + validate (UNCAC)", lambda r, d: r["stages"]["load"])
    row("measure", lambda r, d: r["stages"]["measure"])
    row("compose", lambda r, d: r["stages"]["compose"])
    row("DOCX write", lambda r, d: r["stages"]["docx"])
    row("  of which charts (PNG)", lambda r, d: r["extra"]["docx_charts"])
    row("HTML", lambda r, d: r["stages"]["html"])
    row("  of which charts (SVG)", lambda r, d: r["extra"]["html_charts"])
    row("PDF: WeasyPrint HTML() parse", lambda r, d: r["extra"]["weasy_parse"])
    row("PDF: WeasyPrint render()", lambda r, d: r["extra"]["weasy_render"])
    row("PDF: WeasyPrint write_pdf()", lambda r, d: r["extra"]["weasy_write"])
    row(
        "PDF: ours (attachments, HTML() parse, pikepdf)",
        lambda r, d: r["stages"]["attachments"] + r["stages"]["pdf"] - d["pdf_weasy_s"],
    )
    row("PDF pages", lambda r, d: r["extra"]["pages"], "")
    row("WeasyPrint per page", lambda r, d: d["s_per_page"])
    row("PDF route: data → PDF", lambda r, d: d["pdf_route_s"])
    row("  our share outside WeasyPrint", lambda r, d: d["pdf_ours_share"], "%")
    row("DOCX route: data → DOCX", lambda r, d: d["docx_route_s"])
    row("LibreOffice DOCX→PDF, fresh profile", lambda r, d: d["lo_fresh_s"])
    row("LibreOffice DOCX→PDF, warm profile", lambda r, d: d["lo_warm_s"])
    row("ours ÷ LibreOffice (fresh)", lambda r, d: d["ours_vs_lo_fresh"], "x")
    row("ours ÷ LibreOffice (warm)", lambda r, d: d["ours_vs_lo_warm"], "x")
    row("tables: add_row() path", lambda r, d: r["extra"]["tables_add_row"])
    row("tables: our writer", lambda r, d: r["extra"]["tables_ours"])
    row("  add_row ÷ ours", lambda r, d: d["add_row_ratio"], "x")
    row("peak memory after load", lambda r, d: r["peak_mb"]["load"], "MB")
    row("peak memory after DOCX", lambda r, d: r["peak_mb"]["docx"], "MB")
    row("peak memory, one report (DOCX+PDF)", lambda r, d: r["extra"]["report_peak_mb"], "MB")
    return head, rows


def print_results(results: dict, summary: dict) -> None:
    head, rows = table_rows(results, summary)
    everything = results.get("all", {})
    lines2 = []
    for key, label in (("jobs1", "all --jobs 1"), ("jobs2", "all --jobs 2")):
        for size_key in ("", "_M"):
            run = everything.get(key + size_key)
            if run:
                size = "M" if size_key else everything.get("size", "L")
                lines2.append(
                    [
                        f"{label} on {size} ({run['files']} files)",
                        _fmt(run["seconds"]),
                        _fmt(run["peak_mb"], "MB"),
                    ]
                )
    if everything.get("nochange"):
        run = everything["nochange"]
        lines2.append(
            ["no-change all (median of 3)", _fmt(run["seconds"]), _fmt(run["peak_mb"], "MB")]
        )
    if results.get("check"):
        run = results["check"]
        lines2.append(
            [
                f"check on {run['size']} (median of 3)",
                _fmt(run["seconds"]),
                _fmt(run["peak_mb"], "MB"),
            ]
        )
    targets = [
        [
            t["target"],
            _fmt(t["value"], _unit_of(t["limit"])),
            t["limit"],
            {True: "met", False: "NOT met", None: "not measured"}[t["met"]],
        ]
        for t in summary["targets"]
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain text
        for block in (
            [head, *rows],
            [["command", "time", "peak"], *lines2],
            [["target", "value", "limit", "result"], *targets],
        ):
            widths = [max(len(r[i]) for r in block) for i in range(len(block[0]))]
            for r in block:
                print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
            print()
        return
    console = Console()
    for title, block in (
        ("One report: UNCAC progress, Spanish", [head, *rows]),
        ("Whole builds (command line)", [["command", "time", "peak"], *lines2]),
        ("Targets (issue 6)", [["target", "value", "limit", "result"], *targets]),
    ):
        table = Table(title=title, title_justify="left")
        for index, name in enumerate(block[0]):
            table.add_column(name, justify="left" if index == 0 else "right")
        for r in block[1:]:
            table.add_row(*r)
        console.print(table)


def _unit_of(limit: str) -> str:
    if "MB" in limit:
        return "MB"
    if "%" in limit:
        return "%"
    if "×" in limit or "1.0" in limit:
        return "x"
    return "s"


def markdown_table(results: dict, summary: dict) -> str:
    """The same figures as a Markdown table (for the README)."""
    head, rows = table_rows(results, summary)
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time the report pipeline (make bench).")
    parser.add_argument("--sizes", default="S,M,L", help="data set sizes to time (default S,M,L)")
    parser.add_argument("--quick", action="store_true", help="tiny data only (seconds; for tests)")
    parser.add_argument("--out", type=Path, default=HERE, help="where results.json goes")
    parser.add_argument("--work", type=Path, default=None, help="data and outputs (default: temp)")
    parser.add_argument("--profile", default=None, help="write cProfile stats per stage here")
    parser.add_argument("--no-all", action="store_true", help="skip the whole-build timings")
    parser.add_argument("--no-libreoffice", action="store_true", help="skip LibreOffice")
    # internal: the child process that builds one report
    parser.add_argument("--child", choices=["report"], help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    parser.add_argument("--result", help=argparse.SUPPRESS)
    parser.add_argument("--convention", default="uncac", help=argparse.SUPPRESS)
    parser.add_argument("--report", default="progress", help=argparse.SUPPRESS)
    parser.add_argument("--lang", default="es", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        result = child_report(args)
        Path(args.result).write_text(json.dumps(result, indent=1))
        return 0
    sizes = ["T"] if args.quick else [s.strip().upper() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in generate_data.SIZES]
    if unknown:
        print(f"unknown size(s) {', '.join(unknown)}; use S, M, L", file=sys.stderr)
        return 2
    if args.profile:
        Path(args.profile).mkdir(parents=True, exist_ok=True)
    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="seguimiento-bench-")) if temporary else args.work
    work.mkdir(parents=True, exist_ok=True)
    log = work / "bench.log"
    print(f"benchmark work folder: {work} (log: {log})", flush=True)
    results: dict = {
        "command": " ".join(
            [Path(sys.executable).name, "benchmarks/run.py", *(argv or sys.argv[1:])]
        ),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_at_start": os.getloadavg(),
        },
        "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "reports": {},
        "all": {},
    }
    try:
        roots = {}
        for size in sizes:
            roots[size] = generate_data.generate(size, work / f"data-{size}")
        for size in sizes:
            print(f"[{size}] one report, stage by stage …", flush=True)
            report = measure_report(size, roots[size], work, log, args.profile)
            report["size"] = generate_data.data_size(roots[size])
            report["size_uncac"] = generate_data.data_size(roots[size], ("uncac",))
            if not args.no_libreoffice and not args.quick:
                print(f"[{size}] LibreOffice conversion of our DOCX …", flush=True)
                docx = work / f"report-{size}" / "report.docx"
                lo = measure_libreoffice(docx, work / f"report-{size}", log)
                if lo:
                    report["libreoffice"] = lo
            results["reports"][size] = report
        big = "T" if args.quick else ("L" if "L" in sizes else sizes[-1])
        if not args.no_all:
            everything = results["all"]
            everything["size"] = big
            for jobs in (1, 2):
                print(f"[{big}] all --jobs {jobs} …", flush=True)
                everything[f"jobs{jobs}"] = measure_all(roots[big], work, log, args.quick, jobs)
            print(f"[{big}] all again, nothing changed …", flush=True)
            jobs2 = everything["jobs2"]
            everything["nochange"] = measure_nochange(roots[big], jobs2["out"], log, jobs2["args"])
            if big == "L" and "M" in sizes:
                print("[M] all --jobs 1 (for the L/M ratio) …", flush=True)
                everything["jobs1_M"] = measure_all(roots["M"], work, log, False, 1)
                size_ratio = (
                    results["reports"]["L"]["size"]["bytes"]
                    / results["reports"]["M"]["size"]["bytes"]
                )
                time_ratio = everything["jobs1"]["seconds"] / everything["jobs1_M"]["seconds"]
                everything["linearity"] = {
                    "size_ratio_bytes": size_ratio,
                    "time_ratio": time_ratio,
                    "time_over_size": time_ratio / size_ratio,
                }
        print(f"[{big}] check …", flush=True)
        results["check"] = measure_check(roots[big], log) | {"size": big}
        results["machine"]["load_at_end"] = os.getloadavg()
        summary = summarise(results)
        results["summary"] = summary
        args.out.mkdir(parents=True, exist_ok=True)
        path = args.out / "results.json"
        path.write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
        print_results(results, summary)
        print(f"\n{results['command']}  →  {path}")
        (args.out / "results.md").write_text(markdown_table(results, summary) + "\n")
    finally:
        if temporary:
            with contextlib.suppress(OSError):
                shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
