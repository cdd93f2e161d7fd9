"""Plan the outputs, skip the unchanged, build the rest, write each file atomically.

This is the only module that writes reports to disk. A job is one report of one convention in one
language; it produces every requested format in one process, so charts are drawn once and shared
by the DOCX and the PDF. Jobs run in a process pool (`--jobs`, default: the number of cores), the
largest first so both cores stay busy to the end; `--jobs 1` builds them one after the other, in
plan order, in this process. Cores that no job takes (one report on two cores) help draw the
charts of the jobs (`chart_batch`).

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
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from seguimiento.atomic import BuildLock, LockedError, clean_stale_temporaries
from seguimiento.jobs import (  # noqa: F401 - BuildOptions and Job are this module's public face
    BuildOptions,
    Job,
    JobResult,
    plan,
    run_job,
)
from seguimiento.lifetime import pool_options
from seguimiento.manifest import MANIFEST, Hasher, Manifest, input_hash, plan_key

if TYPE_CHECKING:
    from seguimiento.model import Dataset

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2


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

    cores = options.jobs or os.cpu_count() or 1
    workers = max(1, min(cores, len(todo)))
    helpers = (cores - workers) // workers  # cores no job uses draw charts (chart_batch)
    failures = 0
    written = 0
    with _Display(len(todo), workers) as display:
        for result, digest in _results(root, datasets, todo, out, (workers, helpers), display):
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
    processes: tuple[int, int],
    display: _Display,
):
    """Run the jobs in `processes` = (workers, chart helpers of each job); yields (result,
    digest) as each job finishes."""
    workers, helpers = processes
    if workers == 1:  # in this process, in plan order: deterministic and simple
        for job, digest in todo:
            display.started([job])
            yield run_job(root, datasets[job.convention], job, out, helpers), digest
        return
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    # largest first (then plan order), so no core is left with one long job at the end
    order = sorted(range(len(todo)), key=lambda i: (-_cost(datasets[todo[i][0].convention]), i))
    # At most one job per worker is handed out at a time, so the display names exactly the jobs
    # being built, and a job never waits behind a long one in a worker's queue.
    queue = [(rank, *todo[index]) for rank, index in enumerate(order)]
    queue.reverse()
    context = _worker_context()
    pool = ProcessPoolExecutor(workers, mp_context=context, **pool_options())
    with _stopping_fork_server(context), pool:
        running: dict = {}
        while queue or running:
            while queue and len(running) < workers:
                rank, job, digest = queue.pop()
                future = pool.submit(run_job, root, datasets[job.convention], job, out, helpers)
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


def _worker_context():  # -> multiprocessing context
    """Job workers start from a fork server, a fresh process that only imported `jobs`: never
    forked from this one, which may have used Typst (a library caller, a test; forking a process
    that has started Typst's thread pool leaves the child's Typst waiting forever). Where there
    is no fork server (Windows), they are spawned."""
    import multiprocessing

    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["seguimiento.jobs"])
    return context


@contextlib.contextmanager
def _stopping_fork_server(context) -> Iterator[None]:
    """Stop the fork server once the workers are done, and wait for it: no process outlives
    the build, and the workers' time and memory count as this process's children's (`time`,
    `getrusage`, the benchmark). The standard library has no public call for this; without
    `_stop` (another Python) the server simply ends when this process does."""
    try:
        yield
    finally:
        if context.get_start_method() == "forkserver":
            from multiprocessing import forkserver

            stop = getattr(getattr(forkserver, "_forkserver", None), "_stop", None)
            if stop is not None:
                with contextlib.suppress(OSError, ChildProcessError):
                    stop()


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
