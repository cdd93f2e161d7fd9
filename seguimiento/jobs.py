"""What a build is made of: the options, the jobs (one report of one convention in one language,
or the open-data export of a convention), their results, and the plan that turns options into jobs.

`run_job` builds one job in the current process (a worker of the pool, or the main process with
`--jobs 1`): measure, compose, write every format atomically.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from seguimiento.atomic import write_atomic

if TYPE_CHECKING:
    from seguimiento.model import Dataset

DOCUMENT_FORMATS = ("docx", "pdf", "html")
DATA_FORMATS = ("csv", "json", "xlsx")
DATA_REPORT = "data"  # the open-data export: one job per convention, files in <period>/data/
DATA_NAME_RE = re.compile(r"[a-z0-9][a-z0-9.-]{0,80}")
CHART_CACHE = Path(".cache") / "charts"  # under the output folder (see charts.use_disk_cache)


@dataclass
class BuildOptions:
    """What to build (from the command line)."""

    conventions: list[str]
    reports: list[str]
    langs: list[str]
    formats: list[str]
    period: str | None
    out: Path
    final: bool = False
    force: bool = False
    jobs: int | None = None
    explicit_reports: bool = False
    pdf_engine: str = "weasyprint"
    docx_charts: str = "native"


@dataclass(frozen=True)
class Job:
    """One report of one convention in one language, in some formats."""

    convention: str
    report: str
    period: str
    lang: str
    formats: tuple[str, ...]
    final: bool
    generated: str
    pdf_engine: str = "weasyprint"  # or "typst" (see writers/typst.py)
    docx_charts: str = "native"  # Word charts, or "picture": the PDF's drawing (writers/docx.py)

    def path(self, out: Path, fmt: str) -> Path:
        """Where one format of this job is written (ids are checked slugs)."""
        from seguimiento.model import PERIOD_RE, SLUG_RE

        for part in (self.convention, self.report, self.lang):
            if not SLUG_RE.match(part):
                raise ValueError(f"unsafe name in output path: {part!r}")
        if not PERIOD_RE.match(self.period):
            raise ValueError(f"unsafe period in output path: {self.period!r}")
        folder = out / self.convention / self.period
        if self.report == DATA_REPORT:  # open data: `fmt` is a file name made by export.py
            if not DATA_NAME_RE.fullmatch(fmt):
                raise ValueError(f"unsafe name in output path: {fmt!r}")
            return folder / "data" / fmt
        if not SLUG_RE.match(fmt):
            raise ValueError(f"unsafe name in output path: {fmt!r}")
        return folder / f"{self.report}.{self.lang}.{fmt}"

    def label(self) -> str:
        """How the job is named in messages: `uncac progress (es)`."""
        return f"{self.convention} {self.report} ({self.lang})"


@dataclass
class JobResult:
    """What a job wrote, or the problem that stopped it."""

    job: Job
    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


def run_job(root: Path, dataset: Dataset, job: Job, out: Path, chart_helpers: int = 0) -> JobResult:
    """Build one job in this process: measure, compose, write every format (with
    `chart_helpers` more processes drawing its charts, on cores the build leaves idle)."""
    from seguimiento import charts
    from seguimiento.render import render_job

    result = JobResult(job)
    start = time.perf_counter()
    try:
        charts.use_disk_cache(out / CHART_CACHE)  # a rebuild redraws only charts that changed
        outputs, warnings = render_job(root, dataset, job, chart_helpers)
        result.warnings = warnings
        for fmt, data in outputs.items():
            path = job.path(out, fmt)
            write_atomic(path, data)
            result.written.append(str(path))
    except Exception as error:  # noqa: BLE001 - reported as one line per job
        result.error = f"{type(error).__name__}: {error}"
    result.seconds = time.perf_counter() - start
    return result


def plan(datasets: dict[str, Dataset], options: BuildOptions) -> tuple[list[Job], list[str]]:
    """The jobs to run, and the reasons some requested reports cannot be built."""
    from seguimiento.coverage import overlaps, report_period
    from seguimiento.export import export_names

    jobs: list[Job] = []
    refusals: list[str] = []
    today = dt.date.today().isoformat()
    for convention_id in options.conventions:
        dataset = datasets[convention_id]
        period = options.period or report_period(dataset)
        if period is None:
            refusals.append(f"{convention_id}: no values or assessments yet; nothing to report")
            continue
        if options.period and not any(overlaps(p, period) for p in dataset.periods()):
            known = ", ".join(dataset.periods()) or "none"
            refusals.append(
                f"{convention_id}: no data for period {period}; periods with data: {known}"
            )
            continue
        data_formats = [f for f in options.formats if f in DATA_FORMATS]
        if data_formats:
            names = export_names(convention_id, period, data_formats)
            jobs.append(
                Job(convention_id, DATA_REPORT, period, DATA_REPORT, names, options.final, today)
            )
        formats = tuple(f for f in options.formats if f in DOCUMENT_FORMATS)
        for report in options.reports if formats else []:
            if report == "policy-review" and dataset.policy_review is None:
                if options.explicit_reports:
                    refusals.append(
                        f"{convention_id}: no policy-review.yaml; the policy review is a "
                        "CRPD report"
                    )
                continue
            for lang in options.langs:
                jobs.append(
                    Job(
                        convention_id,
                        report,
                        period,
                        lang,
                        formats,
                        options.final,
                        today,
                        options.pdf_engine,
                        options.docx_charts,
                    )
                )
    return jobs, refusals
