"""Plan the outputs, skip the unchanged, build the rest, write each file atomically.

This is the only module that writes reports to disk. A job is one report of one convention in one
language; it produces every requested format in one process, so charts are drawn once and shared
by the DOCX and the PDF. Jobs run in a process pool (`--jobs`, default: the number of cores), the
largest first so both cores stay busy to the end; `--jobs 1` builds them one after the other, in
plan order, in this process.

Nothing is lost: each file is written to a temporary file in its folder and renamed over the old
one only when complete; a failed or interrupted run leaves the previous reports untouched. A lock
file keeps two builds from writing to the same folder at once.

Nothing is built twice. The manifest (`<out>/.manifest.json`) records, for every output, the hash
of its inputs (data files, templates, code, version and options), updated after each finished job.
It also remembers each complete build ("plan"): the hash of every input file of the command and
its options, with the outputs it produced. A second run with the same inputs is answered from the
manifest alone — the data is not even parsed, and neither pandas, matplotlib nor WeasyPrint are
imported — so it returns at once. When the fast answer does not apply, the data is loaded and each
job's own hash decides; `--force` rebuilds everything.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from seguimiento import __version__
from seguimiento.atomic import BuildLock, LockedError, clean_stale_temporaries, write_atomic

if TYPE_CHECKING:
    from seguimiento.model import Dataset

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
CODE_DIR = Path(__file__).resolve().parent
MANIFEST = ".manifest.json"
MANIFEST_FORMAT = 2
MAX_PLANS = 16  # complete builds remembered for the fast no-change answer
DOCUMENT_FORMATS = ("docx", "pdf", "html")
DATA_FORMATS = ("csv", "json", "xlsx")
DATA_REPORT = "data"  # the open-data export: one job per convention, files in <period>/data/
DATA_NAME_RE = re.compile(r"[a-z0-9][a-z0-9.-]{0,80}")


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


# ---------------------------------------------------------------- hashing


class Hasher:
    """SHA-256 of input files, each file read once per run."""

    def __init__(self) -> None:
        self.cache: dict[Path, str] = {}

    def file(self, path: Path) -> str:
        if path not in self.cache:
            try:
                with open(path, "rb") as stream:
                    self.cache[path] = hashlib.file_digest(stream, "sha256").hexdigest()
            except OSError:
                self.cache[path] = "missing"
        return self.cache[path]

    def files(self, paths: Iterable[Path], base: Path) -> str:
        """One hash for a set of files: their paths relative to `base` and their contents."""
        digest = hashlib.sha256()
        for path in sorted(paths):
            digest.update(_relative(path, base).encode() + b"\0" + self.file(path).encode())
        return digest.hexdigest()


def _relative(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _tree_files(folder: Path, pattern: str = "*") -> list[Path]:
    """Regular files under `folder` (none when it does not exist), caches left out."""
    if not folder.is_dir():
        return []
    return [p for p in folder.rglob(pattern) if p.is_file() and "__pycache__" not in p.parts]


def _shared_inputs(root: Path, hasher: Hasher) -> str:
    """Hash of what every output depends on: templates and code."""
    templates = hasher.files(_tree_files(root / "templates"), root)
    code = hasher.files(_tree_files(CODE_DIR, "*.py"), CODE_DIR)
    return templates + code


def input_hash(root: Path, dataset: Dataset, job: Job, hasher: Hasher | None = None) -> str:
    """Hash of everything an output depends on: data, templates, code, version and options."""
    hasher = hasher or Hasher()
    data = hasher.files([Path(f) for f in dataset.files], root)
    options = json.dumps([__version__, job.report, job.period, job.lang, job.final, job.formats])
    return hashlib.sha256((data + _shared_inputs(root, hasher) + options).encode()).hexdigest()


def plan_key(root: Path, options: BuildOptions, hasher: Hasher | None = None) -> str:
    """Hash of a whole command: every file it may read (without parsing any) and its options.

    The data files are taken by folder (`indicators/<convention>/*.yaml`), so a file the build would
    not read also counts: that can only cause a slower answer, never a wrong one."""
    hasher = hasher or Hasher()
    files: list[Path] = []
    for convention in options.conventions:
        files.append(root / "conventions" / f"{convention}.yaml")
        files += sorted((root / "indicators" / convention).glob("*.yaml"))
        files += sorted((root / "indicators" / convention / "reviews").glob("*.yaml"))
    settings = json.dumps(
        [
            MANIFEST_FORMAT,
            __version__,
            options.conventions,
            options.reports,
            options.langs,
            options.formats,
            options.period,
            options.final,
            options.explicit_reports,
            str(options.out.resolve()),
        ]
    )
    text = hasher.files(files, root) + _shared_inputs(root, hasher) + settings
    return hashlib.sha256(text.encode()).hexdigest()


# ---------------------------------------------------------------- manifest


class Manifest:
    """`<out>/.manifest.json`: input hash per output, and the complete builds (plans)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.outputs: dict[str, str] = {}
        self.plans: dict[str, dict[str, str]] = {}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return
        if not isinstance(data, dict):
            return
        if data.get("format") == MANIFEST_FORMAT:
            outputs, plans = data.get("outputs", {}), data.get("plans", {})
        else:  # format 1: a flat {output: hash}
            outputs, plans = data, {}
        if isinstance(outputs, dict):
            self.outputs = {str(k): str(v) for k, v in outputs.items()}
        if isinstance(plans, dict):
            self.plans = {
                str(key): {str(k): str(v) for k, v in plan.items()}
                for key, plan in plans.items()
                if isinstance(plan, dict)
            }

    def unchanged(self, key: str) -> list[str] | None:
        """The outputs of the complete build `key` if every one is still as it left them."""
        plan = self.plans.get(key)
        if not plan:
            return None
        for path, digest in plan.items():
            if self.outputs.get(path) != digest or not os.path.exists(path):
                return None
        return sorted(plan)

    def remember(self, key: str, outputs: dict[str, str]) -> None:
        self.plans.pop(key, None)
        self.plans[key] = dict(sorted(outputs.items()))
        while len(self.plans) > MAX_PLANS:
            self.plans.pop(next(iter(self.plans)))

    def save(self) -> None:
        data = {"format": MANIFEST_FORMAT, "outputs": dict(sorted(self.outputs.items()))}
        data["plans"] = self.plans
        write_atomic(self.path, json.dumps(data, indent=1).encode())


# ---------------------------------------------------------------- planning


def run_job(root: Path, dataset: Dataset, job: Job, out: Path) -> JobResult:
    """Build one job in this process: measure, compose, write every format."""
    from seguimiento.render import render_job

    result = JobResult(job)
    start = time.perf_counter()
    try:
        outputs, warnings = render_job(root, dataset, job)
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
                    )
                )
    return jobs, refusals


def _describe(paths: Iterable[str]) -> list[str]:
    """`reports/uncac/2025/progress.es.{docx,pdf}`: outputs grouped by report."""
    groups: dict[str, list[str]] = {}
    for path in paths:
        stem, _, fmt = path.rpartition(".")
        groups.setdefault(stem, []).append(fmt)
    return [
        f"{stem}.{fmts[0]}" if len(fmts) == 1 else f"{stem}.{{{','.join(fmts)}}}"
        for stem, fmts in groups.items()
    ]


def _print_unchanged(paths: list[str]) -> None:
    for line in _describe(paths):
        print(f"unchanged {line}")


# ---------------------------------------------------------------- building


def build(root: Path, options: BuildOptions) -> int:
    """Build the requested reports; prints one line per file written and per report skipped."""
    out = options.out
    hasher = Hasher()
    key = plan_key(root, options, hasher)
    if not options.force:
        unchanged = Manifest(out / MANIFEST).unchanged(key)
        if unchanged is not None:
            _print_unchanged(unchanged)
            print(
                f"nothing changed: {len(unchanged)} files up to date, skipped "
                "(use --force to rebuild them)"
            )
            return EXIT_OK

    from seguimiento.load import load_project

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
    try:
        lock = BuildLock(out)
        lock.acquire()
    except LockedError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_DATA
    try:
        clean_stale_temporaries(out)
        return _run(root, datasets, jobs, options, out, hasher, key)
    finally:
        lock.release()


def _cost(dataset: Dataset) -> int:
    """A rough size of a job, to start the largest first: the bytes of its data files."""
    size = 0
    for name in dataset.files:
        with contextlib.suppress(OSError):
            size += os.path.getsize(name)
    return size


def _run(
    root: Path,
    datasets: dict[str, Dataset],
    jobs: list[Job],
    options: BuildOptions,
    out: Path,
    hasher: Hasher,
    key: str,
) -> int:
    manifest = Manifest(out / MANIFEST)
    todo: list[tuple[Job, str]] = []
    expected: dict[str, str] = {}
    skipped: list[str] = []
    for job in jobs:
        digest = input_hash(root, datasets[job.convention], job, hasher)
        paths = [str(job.path(out, fmt)) for fmt in job.formats]
        expected.update(dict.fromkeys(paths, digest))
        unchanged = all(manifest.outputs.get(p) == digest and os.path.exists(p) for p in paths)
        if unchanged and not options.force:
            skipped += paths
            continue
        todo.append((job, digest))
    _print_unchanged(skipped)

    workers = max(1, min(options.jobs or os.cpu_count() or 1, len(todo)))
    failures = 0
    written = 0
    with _Display(len(todo), workers) as display:
        for result, digest in _results(root, datasets, todo, out, workers, display):
            display.finished(result)
            _report(result)
            if result.error:
                failures += 1
                continue
            written += len(result.written)
            for path in result.written:
                manifest.outputs[path] = digest
            manifest.save()  # after every job: an interrupted build keeps what it finished
    if not failures:
        manifest.remember(key, expected)
    manifest.save()
    summary = f"{written} file{'s' * (written != 1)} written, {len(skipped)} unchanged skipped"
    if failures:
        print(f"{summary}, {failures} reports failed", file=sys.stderr)
        return EXIT_DATA
    print(summary + (" (use --force to rebuild them)" if skipped else ""))
    return EXIT_OK


def _results(
    root: Path,
    datasets: dict[str, Dataset],
    todo: list[tuple[Job, str]],
    out: Path,
    workers: int,
    display: _Display,
):
    """Run the jobs; yields (result, digest) as each job finishes."""
    if workers == 1:  # in this process, in plan order: deterministic and simple
        for job, digest in todo:
            display.started([job])
            yield run_job(root, datasets[job.convention], job, out), digest
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # largest first (then plan order), so no core is left with one long job at the end
    order = sorted(range(len(todo)), key=lambda i: (-_cost(datasets[todo[i][0].convention]), i))
    # At most one job per worker is handed out at a time, so the display names exactly the jobs
    # being built, and a job never waits behind a long one in a worker's queue.
    queue = [(rank, *todo[index]) for rank, index in enumerate(order)]
    queue.reverse()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        running: dict = {}
        while queue or running:
            while queue and len(running) < workers:
                rank, job, digest = queue.pop()
                future = pool.submit(run_job, root, datasets[job.convention], job, out)
                running[future] = (rank, job, digest)
            display.started([job for _, job, _ in sorted(running.values(), key=lambda r: r[0])])
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in sorted(done, key=lambda f: running[f][0]):
                _, job, digest = running.pop(future)
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001 - a worker died: report, go on
                    result = JobResult(job, error=f"{type(error).__name__}: {error}")
                yield result, digest


def _report(result: JobResult) -> None:
    job = result.job
    for warning in result.warnings:
        print(f"warning: {job.label()}: {warning}", file=sys.stderr)
    if result.error:
        print(f"error: {job.label()} not built: {result.error}", file=sys.stderr)
    for path in result.written:
        print(f"wrote {path}")


class _Display:
    """A live progress display (rich) while jobs run, only when stdout is a terminal; plain
    lines otherwise (logs, pipes, tests)."""

    def __init__(self, total: int, workers: int) -> None:
        self.total = total
        self.workers = workers
        self.progress = None
        self.task = None

    def __enter__(self) -> _Display:
        if self.total and sys.stdout.isatty() and os.environ.get("TERM") != "dumb":
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task(self._label([]), total=self.total)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def _label(self, running: list[Job]) -> str:
        names = ", ".join(job.label() for job in running) or "starting"
        workers = "" if self.workers == 1 else f" [{self.workers} processes]"
        return f"building{workers}: {names}"

    def started(self, running: list[Job]) -> None:
        if self.progress is not None:
            self.progress.update(self.task, description=self._label(running))

    def finished(self, result: JobResult) -> None:
        if self.progress is not None:
            self.progress.advance(self.task)
