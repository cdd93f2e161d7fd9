"""`make bench`: time each stage of the report pipeline on synthetic data, against the alternatives.

    .venv/bin/python benchmarks/run.py                     # S, M, L: about half an hour on 2 cores
    .venv/bin/python benchmarks/run.py --sizes S,M         # fewer sizes
    .venv/bin/python benchmarks/run.py --repeat 3          # one-report figures: the median run of 3
    .venv/bin/python benchmarks/run.py --quick --out /tmp/b  # tiny data (used by the tests)

What is measured (data sets from `benchmarks/generate_data.py`; see its docstring for S, M, L):

1. **One report** — the UNCAC progress report, Spanish, at each size — in a fresh child process
   per size, stage by stage: imports, load+validate, measure, compose; then the PDF route as
   `--format pdf` runs it, charts cold: the chart helpers (`--helpers` forked processes,
   default: the cores left, as a one-report build does; CPU seconds include theirs) start
   drawing them, HTML, PDF split into WeasyPrint's `render()`, its `write_pdf()` and our own
   work around them (attachments, waiting for the charts, their Typst drawing if no helper made
   it, pikepdf post-processing); then the DOCX with its charts drawn as PNG (cold), shared with
   the helpers, and again with the charts in the disk cache (the PDF route first: like a build,
   it leaves Typst to its helper, and a process that has loaded Typst no longer lets its chart
   helpers rasterise); then the same document through the Typst engine (`--pdf-engine typst`),
   its charts drawn ahead, cold again. Peak memory is the child's maximum resident
   set size after each stage.
2. **The DOCX table baseline**: the same tables filled with python-docx `add_row()` + `cell.text`,
   against our writer on a document holding only those tables.
3. **LibreOffice**: `soffice --headless --convert-to pdf` of our own DOCX of the same report, with
   a fresh profile (`-env:UserInstallation`), then once more with that profile warm. The DOCX is
   the one whose charts are the PDF's drawing (`--docx-charts picture`): the same report, page for
   page, as in every run before Word charts. The default DOCX, with Word charts for LibreOffice to
   lay out, is converted once more (one run, fresh profile), for comparison.
4. **`all`** on L with `--jobs 1` and `--jobs 2` (with `--repeat N`, N runs of each in turn,
   each figure the median; and on M with `--jobs 1`, for the L/M ratio:
   with `--repeat` 2 or more, once right before L's `--jobs 1` and once right after, their mean
   taken, so that a drift of the machine's speed does not fall on one side of the ratio), a
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

This file is the command line and the order of the measurements; the rest is beside it:
`report_stages.py` (the child process of 1 and 2), `commands.py` (processes run and timed: 3, 4,
the child, `generate.py uncac`), `summary.py` (runs combined, figures derived, targets) and
`result_tables.py` (what is printed and written to `results.md`).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import generate_data  # noqa: E402
from commands import (  # noqa: E402
    freeze_code,
    measure_all,
    measure_check,
    measure_libreoffice,
    measure_nochange,
    measure_one_build,
    measure_report,
)
from report_stages import child_report  # noqa: E402
from result_tables import markdown_tables, print_results  # noqa: E402
from summary import combined, median_run, summarise  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line; the options after `--child` are those of the child process (hidden)."""
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
    """Measure everything, print the tables and write `results.json`; or, with `--child report`,
    build one report stage by stage (report_stages) and write its figures to `--result`."""
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
                    # once: the default DOCX, with Word charts for LibreOffice to lay out
                    word_charts = work / f"report-{size}" / "report.word-charts.docx"
                    lo = measure_libreoffice(word_charts, work / f"report-{size}", log)
                    if lo:
                        report["libreoffice_word_charts"] = lo
            print(f"[{size}] one report as users build it{times} …", flush=True)
            report["one_build"] = combined(
                [measure_one_build(roots[size], work, log, args.quick) for _ in range(args.repeat)]
            )
            results["reports"][size] = report
        big = "T" if args.quick else ("L" if "L" in sizes else sizes[-1])
        if not args.no_all:
            everything = results["all"]
            everything["size"] = big
            ratio_runs: list[dict] = []  # all --jobs 1 on M, for the L/M ratio
            with_m = big == "L" and "M" in sizes
            if with_m and args.repeat > 1:  # before L's run and after it: the machine's drift
                print("[M] all --jobs 1 (for the L/M ratio, before L's) …", flush=True)
                ratio_runs.append(measure_all(roots["M"], work, log, False, 1))
            builds: dict[int, list[dict]] = {1: [], 2: []}
            for round_ in range(args.repeat):  # --jobs 1 and 2 in turn, each --repeat times
                for jobs in (1, 2):
                    times = f" ({round_ + 1} of {args.repeat})" if args.repeat > 1 else ""
                    print(f"[{big}] all --jobs {jobs}{times} …", flush=True)
                    builds[jobs].append(measure_all(roots[big], work, log, args.quick, jobs))
                    if jobs == 1 and round_ == 0 and ratio_runs:
                        print("[M] all --jobs 1 (for the L/M ratio, after L's) …", flush=True)
                        ratio_runs.append(measure_all(roots["M"], work, log, False, 1))
            for jobs, runs in builds.items():  # each figure the median of the runs
                everything[f"jobs{jobs}"] = combined(runs)
                everything[f"jobs{jobs}"]["runs"] = [run["seconds"] for run in runs]
            print(f"[{big}] all again, nothing changed …", flush=True)
            jobs2 = everything["jobs2"]
            everything["nochange"] = measure_nochange(roots[big], jobs2["out"], log, jobs2["args"])
            if with_m:
                if not ratio_runs:
                    print("[M] all --jobs 1 (for the L/M ratio) …", flush=True)
                    ratio_runs.append(measure_all(roots["M"], work, log, False, 1))
                everything["jobs1_M"] = combined(ratio_runs)  # of two runs: their mean
                everything["jobs1_M"]["runs"] = [run["seconds"] for run in ratio_runs]
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
