"""The child process of `make bench`: one report built stage by stage, each stage timed.

`run.py --child report` (started by `commands.measure_report`, one fresh process per size and
run) calls `child_report`: imports, load+validate, measure, compose; the PDF route as `--format pdf`
runs it, with WeasyPrint's own steps and the chart helpers' work timed apart (`_Clock`); the DOCX
route (charts cold, then from the disk cache); the Typst engine; and the DOCX table baseline
(`add_row_docx`, python-docx `add_row()` against our writer). Wall-clock and CPU seconds per stage,
peak memory after each, and the sizes of what was written go back to the parent as JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import sys
import time
from pathlib import Path


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
        # after the load, each stage runs as in a build's job (`render.render_job`): the
        # collector runs less often (`fewer_collections`)
        if name in ("imports", "load"):
            as_in_a_job = contextlib.nullcontext()
        else:
            from seguimiento.writers.weasyprint_run import fewer_collections

            as_in_a_job = fewer_collections(layout=False)
        start, cpu = time.perf_counter(), _cpu_with_children()
        if profiler:
            profiler.enable()
        with as_in_a_job:
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
        import pptx.chart.data  # noqa: F401 - the DOCX's Word charts
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
    from seguimiento.writers import weasyprint_run

    # the page's parse: expat's, or WeasyPrint's HTML() where the page is not XML
    clock.wrap(weasyprint_run, "parsed_page", "weasy_parse")
    clock.wrap(weasyprint.HTML, "render", "weasy_render")
    clock.wrap(weasyprint.document.Document, "write_pdf", "weasy_write")
    from seguimiento.writers import pdf_structure

    # ours, though inside write_pdf(): the tag tree repaired as WeasyPrint's finisher
    clock.wrap(pdf_structure, "repair_tree", "tag_tree")
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

    # The PDF route as `--format pdf` runs it, charts cold (no cache), first: like a build, this
    # process has not loaded Typst, so the one helper a one-report build forks on the idle core
    # draws the charts and makes their vector PDF pages (chart_batch) while WeasyPrint lays out
    # stand-ins; then the charts are waited for and put in (pdf_charts).
    helpers = args.helpers
    out["extra"]["chart_helpers"] = helpers
    charts.use_disk_cache(None)
    drawing = stage("charts_svg_behind", draw_behind, document, ("pdf",), helpers)
    clock.wrap(drawing, "wait", "charts_wait")
    clock.wrap(chart_raster, "to_pdf", "charts_to_pdf")
    chart_images: dict = {}
    html = stage("html", render_html, document, templates, chart_images)
    attachments = stage("attachments", data_attachments, dataset, figures)
    pdf_bytes = stage("pdf", write_pdf, html, templates, attachments, chart_images, drawing.ready)
    for key in (
        "weasy_parse",
        "weasy_render",
        "weasy_write",
        "tag_tree",
        "charts_wait",
        "charts_to_pdf",
    ):
        _spent(out, clock, key, key)
    for times in (out["extra"], out["extra_cpu"]):  # write_pdf() counted without our finisher
        times["weasy_write"] -= times["tag_tree"]
    _spent(out, clock, "pdf_charts_svg", "charts_svg")  # drawn here: none unless no helper
    out["extra"]["pages"] = pages[-1] if pages else 0

    # The DOCX route: with Word charts (the default), nothing is drawn. Then with the charts as
    # pictures (`--docx-charts picture`), from cold charts (a fresh output folder), then again
    # with the charts in the disk cache (a rebuild after a change that leaves them alone). The
    # PDF route's helper made the chart pages, so this process has still not loaded Typst and
    # its chart helpers may rasterise, as in a `--format docx` build (chart_batch); what the
    # layout left is collected first (not timed), as a `--format docx` build has none. (Had no
    # helper made the chart pages, the PDF writer would have: `charts_to_pdf` would not be 0.)
    reference = templates / "reference.docx"
    with fewer_collections(layout=False):
        charts.clear_memory_cache()
    charts.use_disk_cache(work / "chart-cache")
    docx_bytes = stage("docx", write_docx, document, reference)
    _spent(out, clock, "docx_charts", "charts_png")  # 0: Word charts draw nothing
    stage("charts_png_ahead", draw_ahead, document, ("docx",), helpers)
    _spent(out, clock, "png_ahead_charts", "charts_png")
    _spent(out, clock, "png_ahead_svgs", "charts_svg")  # the SVGs this process rasterised
    picture_bytes = stage("docx_picture", write_docx, document, reference, "picture")
    _spent(out, clock, "docx_picture_charts", "charts_png")
    charts.clear_memory_cache()
    stage("charts_png_ahead_warm", draw_ahead, document, ("docx",), helpers)
    stage("docx_warm", write_docx, document, reference, "picture")
    _spent(out, clock, "docx_warm_charts", "charts_png")
    _spent(out, clock, "docx_warm_svgs", "charts_svg")

    # The second engine on the same document, charts cold again (--pdf-engine typst): drawn
    # ahead as SVG with the helpers, then Typst.
    charts.clear_memory_cache()
    charts.use_disk_cache(None)  # the DOCX route's cache holds their SVGs
    stage("charts_svg_ahead", draw_ahead, document, ("pdf",), helpers)
    _spent(out, clock, "svg_ahead_charts", "charts_svg")
    typst_bytes = stage("typst", write_pdf_typst, document, templates, attachments)
    out["extra"]["typst_pages"] = _pdf_pages_of(typst_bytes)

    out["extra"]["docx_bytes"] = len(docx_bytes)
    out["extra"]["docx_picture_bytes"] = len(picture_bytes)
    out["extra"]["pdf_bytes"] = len(pdf_bytes)
    out["extra"]["html_bytes"] = len(html.encode("utf-8"))
    out["extra"]["report_peak_mb"] = _rss_mb()
    (work / "report.typst.pdf").write_bytes(typst_bytes)
    # LibreOffice converts the DOCX whose charts are the PDF's drawing (as in every run before
    # Word charts), and once the default one, with Word charts
    (work / "report.docx").write_bytes(picture_bytes)
    (work / "report.word-charts.docx").write_bytes(docx_bytes)
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
