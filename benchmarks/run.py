"""`make bench`: time each stage of the report pipeline on synthetic data, against the alternatives.

    .venv/bin/python benchmarks/run.py                     # S, M, L: about half an hour on 2 cores
    .venv/bin/python benchmarks/run.py --sizes S,M         # fewer sizes
    .venv/bin/python benchmarks/run.py --repeat 3          # one-report figures: the median run of 3
    .venv/bin/python benchmarks/run.py --quick --out /tmp/b  # tiny data (used by the tests)

What is measured (data sets from `benchmarks/generate_data.py`; see its docstring for S, M, L):

1. **One report** — the UNCAC progress report, Spanish, at each size — in a fresh child process
   per size, stage by stage: imports, load+validate, measure, compose; then the DOCX with its
   charts drawn as PNG (cold), shared with `--helpers` forked processes (default: the cores
   left, as a one-report build does; CPU seconds include theirs), and again with the charts in
   the disk cache (first: a process that has loaded Typst, as the PDF routes do, no longer lets
   its chart helpers rasterise); then the PDF route as `--format pdf` runs it, charts cold: the
   helpers start drawing them, HTML, PDF split into WeasyPrint's `render()`, its `write_pdf()`
   and our own work around them (attachments, waiting for the charts, their Typst drawing,
   pikepdf post-processing); then the same document through the Typst engine
   (`--pdf-engine typst`), its charts drawn ahead. Peak memory is the child's maximum resident
   set size after each stage.
2. **The DOCX table baseline**: the same tables filled with python-docx `add_row()` + `cell.text`,
   against our writer on a document holding only those tables.
3. **LibreOffice**: `soffice --headless --convert-to pdf` of our own DOCX of the same report, with
   a fresh profile (`-env:UserInstallation`), then once more with that profile warm.
4. **`all`** on L with `--jobs 1` and `--jobs 2` (and on M with `--jobs 1`, for the L/M ratio), a
   second `all` with nothing changed, and `check` on L (median of 3) — all through the command
   line, as users run them.

With `--repeat N`, the one-report measurements (1, 3, and `generate.py uncac` as a user runs
it) are taken N times per size: this machine's speed changes from minute to minute, and one
slowed-down run would otherwise move a ratio by a tenth. The stage-by-stage report (1) is the run
whose PDF route is the median, whole, so that its stages add up and its shares are of one run
(`median_run`); for LibreOffice and `generate.py uncac` each figure is the median of the N. Peaks
are the largest. Each is its own run from cold (its chart cache and LibreOffice profile removed
first).

Prints a table and writes `results.json` (in `--out`, default `benchmarks/`). Timings belong here,
never in the tests; the test only runs `--quick`.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
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

CODE = REPO  # the code measured: a frozen copy, see freeze_code()
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
        self.cpu: dict[str, float] = {}

    def wrap(self, owner: object, name: str, key: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            start, cpu = time.perf_counter(), time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[key] = self.spent.get(key, 0.0) + time.perf_counter() - start
                self.cpu[key] = self.cpu.get(key, 0.0) + time.process_time() - cpu

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

    # wall-clock seconds in "stages"/"extra", CPU seconds of this process in "cpu"/"extra_cpu"
    out: dict = {"stages": {}, "cpu": {}, "peak_mb": {}, "extra": {}, "extra_cpu": {}}
    if args.code:  # the frozen copy of the code this benchmark run measures
        sys.path.insert(0, args.code)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    root = Path(args.root)
    templates = root / "templates"
    profile_dir = Path(args.profile) if args.profile else None

    def stage(name: str, function, *fargs):
        profiler = cProfile.Profile() if profile_dir else None
        start, cpu = time.perf_counter(), _cpu_with_children()
        if profiler:
            profiler.enable()
        result = function(*fargs)
        if profiler:
            profiler.disable()
            profiler.dump_stats(str(profile_dir / f"{args.label}-{name}.prof"))
        out["stages"][name] = time.perf_counter() - start
        out["cpu"][name] = _cpu_with_children() - cpu
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
        import seguimiento.writers.typst  # noqa: F401 - Typst itself is loaded when first used:
        # a process that has loaded it no longer lets its chart helpers rasterise (chart_batch)

    out["peak_mb"]["start"] = _rss_mb()
    stage("imports", imports)

    import datetime as dt

    import weasyprint
    import weasyprint.document

    from seguimiento import chart_raster, charts
    from seguimiento.chart_batch import draw_ahead, draw_behind
    from seguimiento.compose import Context, compose
    from seguimiento.coverage import report_period
    from seguimiento.load import load_project
    from seguimiento.measure import measure
    from seguimiento.render import data_attachments
    from seguimiento.writers.docx import write_docx
    from seguimiento.writers.html import render_html
    from seguimiento.writers.pdf import write_pdf
    from seguimiento.writers.typst import write_pdf_typst
    from seguimiento.writers.weasyprint_run import fewer_collections

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

    # The DOCX route from cold charts (`--format docx` in a fresh output folder), then again
    # with the charts in the disk cache (a rebuild after a change that leaves them alone). First:
    # a `--format docx` build is a process that has not loaded Typst, whose chart helpers may
    # rasterise too (chart_batch); the PDF routes below load it.
    helpers = args.helpers
    out["extra"]["chart_helpers"] = helpers
    charts.use_disk_cache(work / "chart-cache")
    stage("charts_png_ahead", draw_ahead, document, ("docx",), helpers)
    _spent(out, clock, "png_ahead_charts", "charts_png")
    docx_bytes = stage("docx", write_docx, document, templates / "reference.docx")
    _spent(out, clock, "docx_charts", "charts_png")
    charts.clear_memory_cache()
    stage("charts_png_ahead_warm", draw_ahead, document, ("docx",), helpers)
    stage("docx_warm", write_docx, document, templates / "reference.docx")
    _spent(out, clock, "docx_warm_charts", "charts_png")

    # The PDF route as `--format pdf` runs it, charts cold (no cache): the helpers a one-report
    # build forks on idle cores start drawing the charts, the HTML refers to them, WeasyPrint
    # lays out stand-ins meanwhile, then the charts are waited for and put in (pdf_charts).
    charts.clear_memory_cache()
    charts.use_disk_cache(None)
    drawing = stage("charts_svg_behind", draw_behind, document, ("pdf",), helpers)
    clock.wrap(drawing, "wait", "charts_wait")
    clock.wrap(chart_raster, "to_pdf", "charts_to_pdf")
    chart_images: dict = {}
    html = stage("html", render_html, document, templates, chart_images)
    attachments = stage("attachments", data_attachments, dataset, figures)
    pdf_bytes = stage("pdf", write_pdf, html, templates, attachments, chart_images, drawing.wait)
    for key in ("weasy_parse", "weasy_render", "weasy_write", "charts_wait", "charts_to_pdf"):
        _spent(out, clock, key, key)
    _spent(out, clock, "pdf_charts_svg", "charts_svg")  # drawn here: none unless no helper
    out["extra"]["pages"] = pages[-1] if pages else 0

    # The second engine on the same document, charts cold again (--pdf-engine typst): drawn
    # ahead as SVG with the helpers, then Typst. A job first collects what an earlier layout in
    # its process left (render.render_job); a `--pdf-engine typst` build has none: not timed.
    with fewer_collections(layout=False):
        charts.clear_memory_cache()
    stage("charts_svg_ahead", draw_ahead, document, ("pdf",), helpers)
    _spent(out, clock, "svg_ahead_charts", "charts_svg")
    typst_bytes = stage("typst", write_pdf_typst, document, templates, attachments)
    out["extra"]["typst_pages"] = _pdf_pages_of(typst_bytes)

    out["extra"]["docx_bytes"] = len(docx_bytes)
    out["extra"]["pdf_bytes"] = len(pdf_bytes)
    out["extra"]["html_bytes"] = len(html.encode("utf-8"))
    out["extra"]["report_peak_mb"] = _rss_mb()
    (work / "report.typst.pdf").write_bytes(typst_bytes)
    (work / "report.docx").write_bytes(docx_bytes)
    (work / "report.pdf").write_bytes(pdf_bytes)

    # The DOCX table baseline: the same tables, add_row() against our writer.
    from seguimiento import tree

    tables = _tables(document.blocks)
    out["extra"]["tables"] = len(tables)
    out["extra"]["table_rows"] = sum(len(t.rows) for t in tables)
    only_tables = tree.Document(meta=document.meta, blocks=tuple(tables))
    reference = templates / "reference.docx"
    runs = {
        "tables_ours": lambda: write_docx(only_tables, reference),
        "tables_add_row": lambda: add_row_docx(tables, reference),
        # the same documents without the tables: opening the reference and saving
        "empty_ours": lambda: write_docx(tree.Document(meta=document.meta), reference),
        "empty_add_row": lambda: add_row_docx([], reference),
    }
    for name, function in runs.items():
        times, cpus = [], []
        for _ in range(3):
            start, cpu = time.perf_counter(), time.process_time()
            function()
            times.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
        out["extra"][name], out["extra_cpu"][name] = min(times), min(cpus)
    return out


def _cpu_with_children() -> float:
    """CPU seconds of this process and of its children that ended (the chart helpers)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def _pdf_pages_of(data: bytes) -> int:
    import io

    import pikepdf

    with pikepdf.open(io.BytesIO(data)) as pdf:
        return len(pdf.pages)


def _spent(out: dict, clock: _Clock, name: str, key: str) -> None:
    """Record the time spent in `key` since it was last recorded, as `name`."""
    out["extra"][name] = clock.spent.pop(key, 0.0)
    out["extra_cpu"][name] = clock.cpu.pop(key, 0.0)


# ---------------------------------------------------------------- parent: run things, measure


def _run(
    command: list[str], log: Path, cwd: Path = REPO, timeout: float = 7200, tree: bool = False
) -> dict:
    """Run `command`; wall time, exit code and the peak RSS of the largest of it and its
    descendants; with `tree`, also the peak of their summed PSS (`tree_peak_mb`, sampled every
    50 ms: the memory of processes running at once, shared pages counted once)."""
    start = time.perf_counter()
    tree_peak, next_sample = 0.0, start
    with open(log, "ab") as stream:
        stream.write(("$ " + " ".join(command) + "\n").encode())
        stream.flush()
        process = subprocess.Popen(command, cwd=cwd, stdout=stream, stderr=stream)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            now = time.perf_counter()
            if now > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            if tree and now >= next_sample:
                tree_peak, next_sample = max(tree_peak, _tree_pss_mb(process.pid)), now + 0.05
            time.sleep(0.005)
    process.returncode = os.waitstatus_to_exitcode(status)
    result = {
        "seconds": time.perf_counter() - start,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "code": process.returncode,
        "peak_mb": usage.ru_maxrss / 1024,
    }
    if tree:
        result["tree_peak_mb"] = tree_peak or None  # None: no /proc (not Linux)
    return result


def _tree_pss_mb(pid: int) -> float:
    """The summed proportional set size of `pid` and its descendants, in MB (Linux /proc)."""
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError, ValueError):
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as children:
                    pending += [int(child) for child in children.read().split()]
            with open(f"/proc/{current}/smaps_rollup") as rollup:
                for line in rollup:
                    if line.startswith("Pss:"):
                        total += int(line.split()[1]) / 1024
                        break
    return total


def _python() -> str:
    venv = REPO / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def measure_report(
    size: str, root: Path, work: Path, log: Path, profile: str | None, helpers: int
) -> dict:
    result_file = work / f"report-{size}.json"
    shutil.rmtree(work / f"report-{size}", ignore_errors=True)  # its chart cache: cold each run
    command = [_python(), str(Path(__file__).resolve()), "--child", "report"]
    command += ["--helpers", str(helpers)]
    command += ["--root", str(root), "--work", str(work / f"report-{size}"), "--label", size]
    command += ["--result", str(result_file), "--code", str(CODE)]
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


def measure_cli(root: Path, args: list[str], log: Path, tree: bool = False) -> dict:
    return _run([_python(), str(CODE / "generate.py"), "--root", str(root), *args], log, tree=tree)


def measure_one_build(root: Path, work: Path, log: Path, quick: bool) -> dict:
    """`generate.py uncac` as a user runs it (DOCX and PDF, Spanish, all cores, fresh output
    folder: no chart cache), with the memory of all its processes at once."""
    extra = ["--format", "html"] if quick else []
    out = work / f"one-{root.name}"
    shutil.rmtree(out, ignore_errors=True)
    run = measure_cli(root, ["uncac", "--out", str(out), *extra], log, tree=True)
    if run["code"] != 0:
        raise RuntimeError(f"uncac on {root.name} failed; see {log}")
    return run


def combined(runs: list[dict], largest: bool = False) -> dict:
    """One measurement from several `runs` of it (`--repeat`): each number the median of the
    runs (a run this machine slowed down does not move it), peaks and exit codes the largest
    (`largest`, or a key naming a peak); anything else as the first run has it."""
    out: dict = {}
    for key, first in runs[0].items():
        values = [run[key] for run in runs if key in run]
        high = largest or "peak" in key or key == "code"
        if isinstance(first, dict):
            out[key] = combined([v for v in values if isinstance(v, dict)], high)
        elif isinstance(first, int | float) and not isinstance(first, bool):
            numbers = [v for v in values if isinstance(v, int | float)]
            if high:
                out[key] = max(numbers)
            elif all(isinstance(v, int) for v in numbers):
                out[key] = statistics.median_low(numbers)  # counts stay whole
            else:
                out[key] = statistics.median(numbers)
        else:
            out[key] = first
    return out


def median_run(runs: list[dict]) -> dict:
    """One stage-by-stage measurement from several `runs` of it (`--repeat`): the run whose PDF
    route (data → PDF, wall clock) is the median, whole, with the peaks the largest of all runs.

    Its figures are subtracted from and divided by one another (our work around WeasyPrint's,
    our share of the route): per-figure medians each come from another run, and on a machine
    whose speed changes from minute to minute their difference means little (in one run of
    three, 1.96 s of our own work around WeasyPrint; as the median PDF stage minus the medians
    of WeasyPrint's three steps, 3.64 s)."""
    ordered = sorted(runs, key=lambda run: derive(run, "wall")["pdf_route"])
    chosen = _peaks_from(ordered[(len(ordered) - 1) // 2], combined(runs))
    if len(runs) > 1:  # the spread, shown beside the median run's figures
        chosen["pdf_routes"] = [derive(run, "wall")["pdf_route"] for run in ordered]
    return chosen


def _peaks_from(chosen: dict, merged: dict) -> dict:
    """`chosen` with every peak (a key naming one) as `merged` has it: the largest of the runs."""
    out: dict = {}
    for key, value in chosen.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            out[key] = _peaks_from(value, merged[key])
        elif "peak" in key and key in merged:
            out[key] = merged[key]
        else:
            out[key] = value
    return out


def freeze_code(work: Path) -> dict:
    """Copy the code into the work folder and measure that copy: other people may be editing the
    repository meanwhile, and a changed file would change the code hash (and the no-change run)."""
    global CODE
    CODE = work / "code"
    shutil.rmtree(CODE, ignore_errors=True)
    shutil.copytree(
        REPO / "seguimiento", CODE / "seguimiento", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy2(REPO / "generate.py", CODE / "generate.py")
    digest = hashlib.sha256()
    for path in sorted(CODE.rglob("*.py")):
        digest.update(path.relative_to(CODE).as_posix().encode() + path.read_bytes())
    info = {"hash": digest.hexdigest()[:12]}
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        git = ["git", "-C", str(REPO)]
        info["commit"] = subprocess.run(
            [*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            [*git, "status", "--porcelain", "--", "seguimiento", "templates", "generate.py"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        info["uncommitted_files"] = len(status.splitlines())
    return info


def measure_all(root: Path, work: Path, log: Path, quick: bool, jobs: int) -> dict:
    extra = ["--lang", "es", "--format", "html"] if quick else []
    out = work / f"all-{root.name}-j{jobs}"
    shutil.rmtree(out, ignore_errors=True)
    run = measure_cli(root, ["all", "--jobs", str(jobs), "--out", str(out), *extra], log)
    if run["code"] != 0:
        raise RuntimeError(f"all --jobs {jobs} on {root.name} failed; see {log}")
    run["files"] = sum(  # the reports written; not the manifest, not the chart cache
        1
        for p in out.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    )
    run["out"] = str(out)
    run["args"] = extra
    return run


def _median_run(runs: list[dict]) -> dict:
    return {
        "seconds": statistics.median(r["seconds"] for r in runs),
        "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
        "peak_mb": max(r["peak_mb"] for r in runs),
        "code": max(r["code"] for r in runs),
    }


def measure_nochange(root: Path, out: str, log: Path, extra: list[str]) -> dict:
    runs = [measure_cli(root, ["all", "--out", out, *extra], log) for _ in range(3)]
    text = log.read_text(errors="replace").rsplit("$ ", 1)[-1].strip()
    return _median_run(runs) | {"said": text.splitlines()[-1] if text else ""}


def measure_check(root: Path, log: Path) -> dict:
    runs = [measure_cli(root, ["check"], log) for _ in range(3)]
    if any(r["code"] != 0 for r in runs):
        raise RuntimeError(f"check on {root.name} failed; see {log}")
    return _median_run(runs)


# ---------------------------------------------------------------- summary

CLOCKS = ("wall", "cpu")


def _ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def derive(report: dict, clock: str) -> dict:
    """Figures of one report measurement, in wall-clock or CPU seconds."""
    stages = report["stages"] if clock == "wall" else report["cpu"]
    extra = report["extra"] | ({} if clock == "wall" else report["extra_cpu"])
    weasy = extra["weasy_render"] + extra["weasy_write"]
    front = sum(stages[k] for k in ("load", "measure", "compose"))
    svg_ahead = stages.get("charts_svg_ahead", 0.0)  # 0: results of a run before chart_batch
    svg_behind = stages.get("charts_svg_behind", 0.0)  # starting the helpers (they run on)
    png_ahead = stages.get("charts_png_ahead", 0.0), stages.get("charts_png_ahead_warm", 0.0)
    pdf_route = front + svg_behind + stages["html"] + stages["attachments"] + stages["pdf"]
    # Typst needs the chart SVGs drawn first: counted in its route.
    typst_route = front + svg_ahead + stages["attachments"] + stages["typst"]
    out = {
        "pdf_route": pdf_route,
        "pdf_ours": stages["attachments"] + stages["pdf"] - weasy,
        "pdf_weasy": weasy,
        "pdf_ours_share": _ratio(pdf_route - weasy, pdf_route),
        "pdf_ours_share_no_parse": _ratio(pdf_route - weasy - extra["weasy_parse"], pdf_route),
        "per_page": _ratio(weasy, extra["pages"]),
        "typst_route": typst_route,
        "typst_per_page": _ratio(stages["typst"], extra.get("typst_pages")),
        "docx_route": front + png_ahead[0] + stages["docx"],
        "docx_route_warm": front + png_ahead[1] + stages["docx_warm"],
        "docx_write": stages["docx"],
        "docx_write_warm": stages["docx_warm"],
        "add_row_ratio": _ratio(extra["tables_add_row"], extra["tables_ours"]),
        "add_row_fill_ratio": _ratio(
            extra["tables_add_row"] - extra.get("empty_add_row", 0.0),
            extra["tables_ours"] - extra.get("empty_ours", 0.0),
        ),
    }
    lo = report.get("libreoffice")
    if lo:
        key = "seconds" if clock == "wall" else "cpu_seconds"
        out["lo_fresh"], out["lo_warm"] = lo["fresh"][key], lo["warm"][key]
        out["ours_vs_lo_fresh"] = _ratio(pdf_route, lo["fresh"][key])
        out["ours_vs_lo_warm"] = _ratio(pdf_route, lo["warm"][key])
        out["typst_vs_lo_fresh"] = _ratio(typst_route, lo["fresh"][key])
        out["typst_vs_lo_warm"] = _ratio(typst_route, lo["warm"][key])
    return out


def summarise(results: dict) -> dict:
    """The derived figures and the issue's targets (wall clock decides; CPU shown beside)."""
    per_size = {
        size: {clock: derive(report, clock) for clock in CLOCKS}
        for size, report in results["reports"].items()
    }
    targets: list[dict] = []

    def target(name: str, values: dict, limit: str, test, unit: str) -> None:
        wall, cpu = values.get("wall"), values.get("cpu")
        targets.append(
            {
                "target": name,
                "wall": wall,
                "cpu": cpu,
                "limit": limit,
                "unit": unit,
                "met": None if wall is None else bool(test(wall)),
                "met_cpu": None if cpu is None else bool(test(cpu)),
            }
        )

    def both(size: str, key: str) -> dict:
        return {clock: per_size[size][clock].get(key) for clock in CLOCKS}

    tag = "M" if "M" in per_size else ("T" if "T" in per_size else None)
    if tag:
        below_1 = lambda v: v < 1.0  # noqa: E731
        target(
            f"PDF {tag}: ours ÷ LibreOffice, fresh profile",
            both(tag, "ours_vs_lo_fresh"),
            "< 1.0",
            below_1,
            "x",
        )
        target(
            f"PDF {tag}: ours ÷ LibreOffice, warm profile",
            both(tag, "ours_vs_lo_warm"),
            "< 1.0",
            below_1,
            "x",
        )
        target(
            f"PDF {tag}, --pdf-engine typst: ours ÷ LibreOffice, fresh profile",
            both(tag, "typst_vs_lo_fresh"),
            "< 1.0",
            below_1,
            "x",
        )
        target(
            f"PDF {tag}, --pdf-engine typst: ours ÷ LibreOffice, warm profile",
            both(tag, "typst_vs_lo_warm"),
            "< 1.0",
            below_1,
            "x",
        )
        target(
            f"PDF {tag}: our work outside render()+write_pdf()",
            both(tag, "pdf_ours_share"),
            "< 15 %",
            lambda v: v < 0.15,
            "%",
        )
        target(
            "  same, HTML() parse counted as WeasyPrint's",
            both(tag, "pdf_ours_share_no_parse"),
            "< 15 %",
            lambda v: v < 0.15,
            "%",
        )
        target(f"DOCX {tag}: data → DOCX", both(tag, "docx_route"), "< 2 s", lambda v: v < 2, "s")
        target(
            f"  DOCX {tag}: writer alone", both(tag, "docx_write"), "< 2 s", lambda v: v < 2, "s"
        )
        target(
            f"  DOCX {tag}: data → DOCX, charts in the disk cache",
            both(tag, "docx_route_warm"),
            "< 2 s",
            lambda v: v < 2,
            "s",
        )
        target(
            f"DOCX {tag}: add_row() ÷ ours, same tables",
            both(tag, "add_row_ratio"),
            "≥ 5×",
            lambda v: v >= 5,
            "x",
        )
        target(
            "  same, filling only (open + save left out)",
            both(tag, "add_row_fill_ratio"),
            "≥ 5×",
            lambda v: v >= 5,
            "x",
        )
        peak = results["reports"][tag]["extra"]["report_peak_mb"]
        target(
            f"peak memory, one {tag} report (PDF, Typst PDF, DOCX)",
            {"wall": peak},
            "< 600 MB",
            lambda v: v < 600,
            "MB",
        )
        one_build = results["reports"][tag].get("one_build") or {}
        if one_build.get("tree_peak_mb"):
            target(
                f"  same, `uncac` on {tag}: all its processes (PSS)",
                {"wall": one_build["tree_peak_mb"]},
                "< 600 MB",
                lambda v: v < 600,
                "MB",
            )
    everything = results.get("all", {})
    one, two = everything.get("jobs1"), everything.get("jobs2")
    if one and two:
        target(
            f"all on {everything['size']}: --jobs 2 speed-up over --jobs 1",
            {"wall": one["seconds"] / two["seconds"]},
            "≥ 1.7×",
            lambda v: v >= 1.7,
            "x",
        )
    if everything.get("nochange"):
        run = everything["nochange"]
        target(
            "no-change all",
            {"wall": run["seconds"], "cpu": run["cpu_seconds"]},
            "< 1 s",
            lambda v: v < 1,
            "s",
        )
    if results.get("check"):
        run = results["check"]
        target(
            f"check on {run['size']}",
            {"wall": run["seconds"], "cpu": run["cpu_seconds"]},
            "< 1 s",
            lambda v: v < 1,
            "s",
        )
    linear = everything.get("linearity")
    if linear:
        values = {clock: linear[clock]["time_over_size"] for clock in CLOCKS}
        target("L/M time ratio ÷ L/M size ratio", values, "0.9–1.1", lambda v: 0.9 <= v <= 1.1, "x")
        sizes = {k: results["reports"].get(k, {}).get("size", {}) for k in ("M", "L")}
        if sizes["M"].get("indicators") and sizes["L"].get("indicators"):
            ratio = sizes["L"]["indicators"] / sizes["M"]["indicators"]
            target(
                "  same, size as the number of indicators",
                {clock: linear[clock]["time_ratio"] / ratio for clock in CLOCKS},
                "0.9–1.1",
                lambda v: 0.9 <= v <= 1.1,
                "x",
            )
    return {"per_size": per_size, "targets": targets}


def _fmt(value, unit: str = "s") -> str:
    if value is None:
        return "—"
    if unit == "s":
        return f"{value:.2f}" if value < 10 else f"{value:.1f}" if value < 100 else f"{value:.0f}"
    if unit == "MB":
        return f"{value:.0f} MB"
    if unit == "%":
        return f"{100 * value:.1f} %"
    if unit == "x":
        return f"{value:.2f}×"
    return str(value)


def table_rows(results: dict, summary: dict) -> tuple[list[str], list[list[str]]]:
    """The one-report table: a row per figure, a column per size, "wall (CPU)" seconds."""
    sizes = list(results["reports"])
    head = ["UNCAC progress report, es — seconds: wall (CPU)", *sizes]
    rows: list[list[str]] = []

    def row(label: str, getter, unit: str = "s", cpu: bool = True) -> None:
        cells = []
        for size in sizes:
            report, derived = results["reports"][size], summary["per_size"][size]
            try:
                wall = _fmt(getter(report, derived["wall"], "wall"), unit)
                if cpu:
                    wall += f" ({_fmt(getter(report, derived['cpu'], 'cpu'), unit)})"
                cells.append(wall)
            except (KeyError, TypeError):
                cells.append("—")
        rows.append([label, *cells])

    def stage(name: str):
        return lambda r, d, c: r["stages" if c == "wall" else "cpu"][name]

    def extra(name: str):
        return lambda r, d, c: (r["extra"] if c == "wall" else r["extra_cpu"])[name]

    row(
        "data: indicators / values (all conventions)",
        lambda r, d, c: f"{r['size']['indicators']} / {r['size']['values']}",
        "",
        False,
    )
    row("data: YAML bytes (all conventions)", lambda r, d, c: f"{r['size']['bytes']:,}", "", False)
    row("imports (pandas, matplotlib, weasyprint…)", stage("imports"))
    row("load + validate (UNCAC only)", stage("load"))
    row("measure", stage("measure"))
    row("compose", stage("compose"))
    row("  chart helper processes (one report on all cores)", extra("chart_helpers"), "", False)
    row("charts: helpers start drawing them (returns at once)", stage("charts_svg_behind"))
    row("HTML writer (charts as images: nothing drawn)", stage("html"))
    row("PDF: WeasyPrint HTML() parse", extra("weasy_parse"))
    row("PDF: WeasyPrint render() (stand-ins for the charts)", extra("weasy_render"))
    row("PDF: WeasyPrint write_pdf()", extra("weasy_write"))
    row("PDF: then waiting for the helpers' charts", extra("charts_wait"))
    row("PDF: charts SVG → vector PDF (Typst)", extra("charts_to_pdf"))
    row("PDF: ours around them (parse, charts, pikepdf, tags)", lambda r, d, c: d["pdf_ours"])
    row("PDF pages", lambda r, d, c: r["extra"]["pages"], "", False)
    row("WeasyPrint render+write per page", lambda r, d, c: d["per_page"])
    row("PDF route, data → PDF", lambda r, d, c: d["pdf_route"])
    row("  our share outside render()+write_pdf()", lambda r, d, c: d["pdf_ours_share"], "%")
    row(
        "  PDF route of each run (figures above: the median run)",
        lambda r, d, c: " / ".join(f"{t:.3g}" for t in r["pdf_routes"]),
        "",
        False,
    )
    row("charts as SVG drawn ahead, with helpers (Typst route)", stage("charts_svg_ahead"))
    row("Typst engine: document → PDF", stage("typst"))
    row("Typst PDF pages", lambda r, d, c: r["extra"]["typst_pages"], "", False)
    row("Typst per page", lambda r, d, c: d["typst_per_page"])
    row("Typst route, data → PDF (charts as SVG included)", lambda r, d, c: d["typst_route"])
    row("charts as PNG drawn ahead, with helpers", stage("charts_png_ahead"))
    row("DOCX writer, charts drawn", stage("docx"))
    row("  of which charts drawn there", extra("docx_charts"))
    row("DOCX writer, charts from the disk cache", stage("docx_warm"))
    row("DOCX route, data → DOCX", lambda r, d, c: d["docx_route"])
    row("DOCX route, charts from the disk cache", lambda r, d, c: d["docx_route_warm"])
    row("LibreOffice DOCX → PDF, fresh profile", lambda r, d, c: d["lo_fresh"])
    row("LibreOffice DOCX → PDF, warm profile", lambda r, d, c: d["lo_warm"])
    row("LibreOffice PDF pages", lambda r, d, c: r["libreoffice"]["fresh_pages"], "", False)
    row("PDF route ÷ LibreOffice (fresh)", lambda r, d, c: d["ours_vs_lo_fresh"], "x")
    row("PDF route ÷ LibreOffice (warm)", lambda r, d, c: d["ours_vs_lo_warm"], "x")
    row("Typst route ÷ LibreOffice (fresh)", lambda r, d, c: d["typst_vs_lo_fresh"], "x")
    row("Typst route ÷ LibreOffice (warm)", lambda r, d, c: d["typst_vs_lo_warm"], "x")
    row("tables: python-docx add_row() (best of 3)", extra("tables_add_row"))
    row("tables: our writer (best of 3)", extra("tables_ours"))
    row("  add_row ÷ ours", lambda r, d, c: d["add_row_ratio"], "x")
    row("  add_row ÷ ours, filling only", lambda r, d, c: d["add_row_fill_ratio"], "x")
    row("peak memory after load", lambda r, d, c: r["peak_mb"]["load"], "MB", False)
    row("peak memory after the WeasyPrint PDF", lambda r, d, c: r["peak_mb"]["pdf"], "MB", False)
    row("peak memory, whole report", lambda r, d, c: r["extra"]["report_peak_mb"], "MB", False)
    return head, rows


def build_rows(results: dict) -> list[list[str]]:
    everything = results.get("all", {})
    rows = []
    for key, label, size in (
        ("jobs1", "all --jobs 1", everything.get("size")),
        ("jobs2", "all --jobs 2", everything.get("size")),
        ("jobs1_M", "all --jobs 1", "M"),
    ):
        run = everything.get(key)
        if run:
            name = f"{label} on {size} ({run['files']} files)"
            rows.append(
                [name, _fmt(run["seconds"]), _fmt(run["cpu_seconds"]), _fmt(run["peak_mb"], "MB")]
            )
    for size, report in results.get("reports", {}).items():
        run = report.get("one_build")
        if run:
            memory = run.get("tree_peak_mb") or run["peak_mb"]
            rows.append(
                [
                    f"uncac on {size}: DOCX + PDF, one report, charts cold (all processes)",
                    _fmt(run["seconds"]),
                    _fmt(run["cpu_seconds"]),
                    _fmt(memory, "MB"),
                ]
            )
    if everything.get("nochange"):
        run = everything["nochange"]
        rows.append(
            [
                f"all on {everything['size']} again, nothing changed (median of 3)",
                _fmt(run["seconds"]),
                _fmt(run["cpu_seconds"]),
                _fmt(run["peak_mb"], "MB"),
            ]
        )
    if results.get("check"):
        run = results["check"]
        rows.append(
            [
                f"check on {run['size']} (median of 3)",
                _fmt(run["seconds"]),
                _fmt(run["cpu_seconds"]),
                _fmt(run["peak_mb"], "MB"),
            ]
        )
    linear = everything.get("linearity")
    if linear:
        rows.append(["L/M size ratio (YAML bytes)", _fmt(linear["size_ratio"], "x"), "", ""])
        rows.append(
            [
                "L/M time ratio (all --jobs 1)",
                _fmt(linear["wall"]["time_ratio"], "x"),
                _fmt(linear["cpu"]["time_ratio"], "x"),
                "",
            ]
        )
    return rows


def target_rows(summary: dict) -> list[list[str]]:
    verdict = {True: "met", False: "NOT met", None: "—"}
    return [
        [
            t["target"],
            _fmt(t["wall"], t["unit"]),
            _fmt(t["cpu"], t["unit"]),
            t["limit"],
            verdict[t["met"]],
            verdict[t["met_cpu"]],
        ]
        for t in summary["targets"]
    ]


TARGET_HEAD = ["target", "wall", "CPU", "limit", "wall: met?", "CPU: met?"]
BUILD_HEAD = ["command line", "wall s", "CPU s", "peak memory"]


def print_results(results: dict, summary: dict) -> None:
    head, rows = table_rows(results, summary)
    blocks = [
        ("One report, stage by stage (child process per size)", [head, *rows]),
        ("Whole builds", [BUILD_HEAD, *build_rows(results)]),
        ("Targets (issue 6)", [TARGET_HEAD, *target_rows(summary)]),
    ]
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain text
        for title, block in blocks:
            print(title)
            widths = [max(len(r[i]) for r in block) for i in range(len(block[0]))]
            for r in block:
                print("  ".join(c.ljust(w) for c, w in zip(r, widths)))
            print()
        return
    console = Console(width=max(120, Console().width))
    for title, block in blocks:
        table = Table(title=title, title_justify="left")
        for index, name in enumerate(block[0]):
            table.add_column(name, justify="left" if index == 0 else "right")
        for r in block[1:]:
            table.add_row(*r)
        console.print(table)


def markdown_tables(results: dict, summary: dict) -> str:
    """The same figures as Markdown tables (for the README)."""
    head, rows = table_rows(results, summary)
    out = []
    for block in (
        [head, *rows],
        [BUILD_HEAD, *build_rows(results)],
        [TARGET_HEAD, *target_rows(summary)],
    ):
        out.append("| " + " | ".join(block[0]) + " |")
        out.append("|---|" + "---:|" * (len(block[0]) - 1))
        out += ["| " + " | ".join(r) + " |" for r in block[1:]]
        out.append("")
    return "\n".join(out)


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
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="time each one-report measurement (stages, LibreOffice, the user's build) this"
        " many times and keep each figure's median (default 1)",
    )
    parser.add_argument(
        "--helpers",
        type=int,
        default=max(0, (os.cpu_count() or 1) - 1),
        help="chart helper processes for one report (default: cores - 1, as the CLI)",
    )
    # internal: the child process that builds one report
    parser.add_argument("--child", choices=["report"], help=argparse.SUPPRESS)
    parser.add_argument("--root", help=argparse.SUPPRESS)
    parser.add_argument("--label", default="", help=argparse.SUPPRESS)
    parser.add_argument("--code", default=None, help=argparse.SUPPRESS)
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
    if args.repeat < 1:
        print("--repeat must be 1 or more", file=sys.stderr)
        return 2
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
        "repeat": args.repeat,
        "reports": {},
        "all": {},
    }
    try:
        results["code"] = freeze_code(work)
        roots = {}
        for size in sizes:
            roots[size] = generate_data.generate(size, work / f"data-{size}")
        for size in sizes:
            times = f" ({args.repeat} times)" if args.repeat > 1 else ""
            print(f"[{size}] one report, stage by stage{times} …", flush=True)
            report = median_run(
                [
                    measure_report(size, roots[size], work, log, args.profile, args.helpers)
                    for _ in range(args.repeat)
                ]
            )
            report["size"] = generate_data.data_size(roots[size])
            report["size_uncac"] = generate_data.data_size(roots[size], ("uncac",))
            if not args.no_libreoffice and not args.quick:
                print(f"[{size}] LibreOffice conversion of our DOCX{times} …", flush=True)
                docx = work / f"report-{size}" / "report.docx"
                conversions = [
                    measure_libreoffice(docx, work / f"report-{size}", log)
                    for _ in range(args.repeat)
                ]
                done = [lo for lo in conversions if lo]
                if done:
                    report["libreoffice"] = combined(done)
            print(f"[{size}] one report as users build it{times} …", flush=True)
            report["one_build"] = combined(
                [measure_one_build(roots[size], work, log, args.quick) for _ in range(args.repeat)]
            )
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
                sizes_ = results["reports"]
                size_ratio = sizes_["L"]["size"]["bytes"] / sizes_["M"]["size"]["bytes"]
                linear: dict = {"size_ratio": size_ratio}
                for clock, key in (("wall", "seconds"), ("cpu", "cpu_seconds")):
                    ratio = everything["jobs1"][key] / everything["jobs1_M"][key]
                    linear[clock] = {"time_ratio": ratio, "time_over_size": ratio / size_ratio}
                everything["linearity"] = linear
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
        (args.out / "results.md").write_text(markdown_tables(results, summary))
    finally:
        if temporary:
            with contextlib.suppress(OSError):
                shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    sys.exit(main())
