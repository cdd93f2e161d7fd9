"""Plan the outputs, skip the unchanged, build the rest, write each file atomically.

This is the only module that writes reports to disk. A job is one report of one convention in one
language; it produces every requested format in one process, so charts are drawn once and shared
by the DOCX and the PDF. Jobs run in a process pool (`--jobs`, default: the number of cores).

Nothing is lost: each file is written to a temporary file in its folder and renamed over the old
one only when complete; a failed or interrupted run leaves the previous reports untouched. A lock
file keeps two builds from writing to the same folder at once. A manifest (reports/.manifest.json)
records the hash of every input of each output (data files, templates, code, options) so that an
unchanged output is skipped; `--force` rebuilds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from seguimiento import __version__
from seguimiento.atomic import BuildLock, LockedError, clean_stale_temporaries, write_atomic
from seguimiento.coverage import report_period
from seguimiento.load import load_project
from seguimiento.model import PERIOD_RE, SLUG_RE, Dataset

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
CODE_DIR = Path(__file__).resolve().parent


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

    def path(self, out: Path, fmt: str) -> Path:
        """Where one format of this job is written (ids are checked slugs)."""
        for part in (self.convention, self.report, self.lang, fmt):
            if not SLUG_RE.match(part):
                raise ValueError(f"unsafe name in output path: {part!r}")
        if not PERIOD_RE.match(self.period):
            raise ValueError(f"unsafe period in output path: {self.period!r}")
        return out / self.convention / self.period / f"{self.report}.{self.lang}.{fmt}"


@dataclass
class JobResult:
    """What a job wrote, or the problem that stopped it."""

    job: Job
    written: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str = ""


def _hash_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def input_hash(root: Path, dataset: Dataset, job: Job) -> str:
    """Hash of everything an output depends on: data, templates, code, version and options."""
    templates = [p for p in (root / "templates").rglob("*") if p.is_file()]
    code = list(CODE_DIR.rglob("*.py"))
    data = [Path(f) for f in dataset.files]
    options = json.dumps([__version__, job.report, job.period, job.lang, job.final, job.formats])
    return hashlib.sha256(
        (_hash_files(data) + _hash_files(templates) + _hash_files(code) + options).encode()
    ).hexdigest()


def run_job(root: Path, dataset: Dataset, job: Job, out: Path) -> JobResult:
    """Build one job in this process: measure, compose, write every format."""
    from seguimiento.render import render_job

    result = JobResult(job)
    try:
        outputs, warnings = render_job(root, dataset, job)
        result.warnings = warnings
        for fmt, data in outputs.items():
            path = job.path(out, fmt)
            write_atomic(path, data)
            result.written.append(str(path))
    except Exception as error:  # noqa: BLE001 - reported as one line per job
        result.error = f"{type(error).__name__}: {error}"
    return result


def plan(datasets: dict[str, Dataset], options: BuildOptions) -> tuple[list[Job], list[str]]:
    """The jobs to run, and the reasons some requested reports cannot be built."""
    jobs: list[Job] = []
    refusals: list[str] = []
    today = dt.date.today().isoformat()
    for convention_id in options.conventions:
        dataset = datasets[convention_id]
        period = options.period or report_period(dataset)
        if period is None:
            refusals.append(f"{convention_id}: no values or assessments yet; nothing to report")
            continue
        if (
            options.period
            and period not in dataset.periods()
            and not any(p.startswith(period[:4]) for p in dataset.periods())
        ):
            known = ", ".join(dataset.periods()) or "none"
            refusals.append(
                f"{convention_id}: no data for period {period}; periods with data: {known}"
            )
            continue
        for report in options.reports:
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
                        tuple(options.formats),
                        options.final,
                        today,
                    )
                )
    return jobs, refusals


def _load_manifest(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def build(root: Path, options: BuildOptions) -> int:
    """Build the requested reports; prints one line per file written or skipped."""
    datasets, problems = load_project(root, options.conventions)
    for problem in problems.errors:
        print(problem, file=sys.stderr)
    if problems.errors:
        print(
            f"{len(problems.errors)} problems in the data; no report was written. "
            "Fix them (python generate.py check) and build again.",
            file=sys.stderr,
        )
        return EXIT_DATA
    if problems.warnings:
        print(f"note: {len(problems.warnings)} data warnings; see python generate.py check")
    jobs, refusals = plan(datasets, options)
    for refusal in refusals:
        print(f"error: {refusal}", file=sys.stderr)
    if refusals:
        return EXIT_DATA
    out = options.out
    try:
        lock = BuildLock(out)
        lock.acquire()
    except LockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DATA
    try:
        clean_stale_temporaries(out)
        return _run(root, datasets, jobs, options, out)
    finally:
        lock.release()


def _run(
    root: Path, datasets: dict[str, Dataset], jobs: list[Job], options: BuildOptions, out: Path
) -> int:
    manifest_path = out / ".manifest.json"
    manifest = _load_manifest(manifest_path)
    todo: list[tuple[Job, str]] = []
    skipped = 0
    for job in jobs:
        digest = input_hash(root, datasets[job.convention], job)
        paths = [job.path(out, fmt) for fmt in job.formats]
        unchanged = all(manifest.get(str(p)) == digest and p.exists() for p in paths)
        if unchanged and not options.force:
            skipped += len(paths)
            continue
        todo.append((job, digest))
    failures = 0
    jobs_wanted = max(1, options.jobs or os.cpu_count() or 1)
    results: list[tuple[JobResult, str]] = []
    if jobs_wanted == 1 or len(todo) <= 1:
        for job, digest in todo:
            results.append((run_job(root, datasets[job.convention], job, out), digest))
            _report(results[-1][0])
    else:
        with ProcessPoolExecutor(max_workers=min(jobs_wanted, len(todo))) as pool:
            futures = [
                (pool.submit(run_job, root, datasets[job.convention], job, out), digest)
                for job, digest in todo
            ]
            for future, digest in futures:
                results.append((future.result(), digest))
                _report(results[-1][0])
    for result, digest in results:
        if result.error:
            failures += 1
            continue
        for path in result.written:
            manifest[path] = digest
    write_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
    written = sum(len(r.written) for r, _ in results)
    summary = f"{written} files written, {skipped} unchanged skipped"
    if failures:
        print(f"{summary}, {failures} reports failed", file=sys.stderr)
        return EXIT_DATA
    print(summary + (" (use --force to rebuild them)" if skipped else ""))
    return EXIT_OK


def _report(result: JobResult) -> None:
    job = result.job
    for warning in result.warnings:
        print(f"warning: {job.convention} {job.report} ({job.lang}): {warning}", file=sys.stderr)
    if result.error:
        print(
            f"error: {job.convention} {job.report} ({job.lang}) not built: {result.error}",
            file=sys.stderr,
        )
    for path in result.written:
        print(f"wrote {path}")
