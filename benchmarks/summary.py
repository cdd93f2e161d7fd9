"""From measurements to figures for `make bench`: runs combined, figures derived, targets checked.

`combined` and `median_run` make one measurement of several runs of it (`--repeat`); `derive`
turns one report's stages into the figures the tables show (routes, shares, ratios), in
wall-clock or CPU seconds; `summarise` adds the issue's targets, each met or not.
"""

from __future__ import annotations

import statistics

CLOCKS = ("wall", "cpu")  # wall-clock and CPU seconds: every figure is derived in both


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
        "docx_route": front + stages["docx"],  # Word charts: nothing drawn
        "docx_picture_route": front + png_ahead[0] + stages.get("docx_picture", 0.0),
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
    word_charts = report.get("libreoffice_word_charts")
    if word_charts:
        key = "seconds" if clock == "wall" else "cpu_seconds"
        out["lo_word_charts_fresh"] = word_charts["fresh"][key]
        out["ours_vs_lo_word_charts_fresh"] = _ratio(pdf_route, word_charts["fresh"][key])
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
            "  same, the page's parse counted as WeasyPrint's",
            both(tag, "pdf_ours_share_no_parse"),
            "< 15 %",
            lambda v: v < 0.15,
            "%",
        )
        target(
            f"DOCX {tag}: data → DOCX (Word charts, the default)",
            both(tag, "docx_route"),
            "< 2 s",
            lambda v: v < 2,
            "s",
        )
        target(
            f"  DOCX {tag}: writer alone", both(tag, "docx_write"), "< 2 s", lambda v: v < 2, "s"
        )
        target(
            f"  DOCX {tag}, --docx-charts picture: data → DOCX, charts cold",
            both(tag, "docx_picture_route"),
            "< 2 s",
            lambda v: v < 2,
            "s",
        )
        target(
            f"  DOCX {tag}, --docx-charts picture: charts in the disk cache",
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
