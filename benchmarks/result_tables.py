"""The tables `make bench` prints and writes to `results.md`: one report, whole builds, targets.

`table_rows`, `build_rows` and `target_rows` lay out the figures of `results.json` (and of its
summary, see summary.summarise) as rows of text; `print_results` prints them (with rich, if it is
installed) and `markdown_tables` gives the same as Markdown.
"""

from __future__ import annotations


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
    row("PDF: the page parsed (expat; WeasyPrint's HTML() if not XML)", extra("weasy_parse"))
    row("PDF: WeasyPrint render() (stand-ins for the charts)", extra("weasy_render"))
    row("PDF: WeasyPrint write_pdf() (without the finisher below)", extra("weasy_write"))
    row(
        "PDF: ours in write_pdf(): the tag tree, as its finisher",
        lambda r, d, c: (r["extra"] if c == "wall" else r["extra_cpu"]).get("tag_tree", 0.0),
    )
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
    row("DOCX writer, Word charts (the default: nothing drawn)", stage("docx"))
    row("DOCX route, data → DOCX, Word charts", lambda r, d, c: d["docx_route"])
    row(
        "charts as PNG drawn ahead, with helpers (--docx-charts picture)", stage("charts_png_ahead")
    )
    row("DOCX writer, charts as pictures drawn", stage("docx_picture"))
    row("  of which charts drawn there", extra("docx_picture_charts"))
    row("DOCX writer, pictures from the disk cache", stage("docx_warm"))
    row("DOCX route, pictures, charts cold", lambda r, d, c: d["docx_picture_route"])
    row("DOCX route, pictures from the disk cache", lambda r, d, c: d["docx_route_warm"])
    row("LibreOffice DOCX → PDF, fresh profile", lambda r, d, c: d["lo_fresh"])
    row("LibreOffice DOCX → PDF, warm profile", lambda r, d, c: d["lo_warm"])
    row("LibreOffice PDF pages", lambda r, d, c: r["libreoffice"]["fresh_pages"], "", False)
    row(
        "LibreOffice, the DOCX with Word charts → PDF, fresh profile (one run)",
        lambda r, d, c: d["lo_word_charts_fresh"],
    )
    row(
        "PDF route ÷ LibreOffice, the DOCX with Word charts (fresh)",
        lambda r, d, c: d["ours_vs_lo_word_charts_fresh"],
        "x",
    )
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


def _command_row(label: str, run: dict, memory: float | None = None) -> list[str]:
    """A row of the whole-builds table: `run`'s wall and CPU seconds and its peak memory (or
    `memory`)."""
    peak = memory if memory is not None else run["peak_mb"]
    return [label, _fmt(run["seconds"]), _fmt(run["cpu_seconds"]), _fmt(peak, "MB")]


def build_rows(results: dict) -> list[list[str]]:
    """The whole-builds table: a row per command line run, wall and CPU seconds, peak memory."""
    everything = results.get("all", {})
    rows = []
    for key, label, size in (
        ("jobs1", "all --jobs 1", everything.get("size")),
        ("jobs2", "all --jobs 2", everything.get("size")),
        ("jobs1_M", "all --jobs 1", "M"),
    ):
        run = everything.get(key)
        if run:
            runs = run.get("runs", [])
            how = f", median of {len(runs)}" if key != "jobs1_M" and len(runs) > 1 else ""
            rows.append(_command_row(f"{label} on {size} ({run['files']} files{how})", run))
            if how:
                each = " / ".join(f"{t:.3g}" for t in runs)
                rows.append([f"  {label} on {size}, each run (wall s)", each, "", ""])
    for size, report in results.get("reports", {}).items():
        run = report.get("one_build")
        if run:
            label = f"uncac on {size}: DOCX + PDF, one report, charts cold (all processes)"
            rows.append(_command_row(label, run, run.get("tree_peak_mb") or run["peak_mb"]))
    if everything.get("nochange"):
        label = f"all on {everything['size']} again, nothing changed (median of 3)"
        rows.append(_command_row(label, everything["nochange"]))
    if results.get("check"):
        run = results["check"]
        rows.append(_command_row(f"check on {run['size']} (median of 3)", run))
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
    """The targets table: a row per target, its figures, its limit and whether each met it."""
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
    """Print the three tables (as rich tables, or as plain text without rich)."""
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
