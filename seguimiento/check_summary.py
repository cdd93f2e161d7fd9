"""`check`: every convention loaded, validated and summarised, the work shared with a helper.

Each convention is checked on its own (its files, its cross-checks, its coverage summary), so
`check` on a machine with two cores or more forks one helper that checks part of the conventions
while this process checks the rest: on a large project that takes a third off the time. The helper
sends back only what is printed (the problems and the summary lines), never the parsed data. The
answer is the same as checking them one by one: problems are merged, de-duplicated and sorted as
`Problems` does, summaries come in the order asked. When fork is unsafe (not Linux), with one core,
one convention or little data, or when the helper fails in any way, this process checks them all.
"""

from __future__ import annotations

import os
import pickle
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from seguimiento.problems import Problem, Problems

if TYPE_CHECKING:
    from seguimiento.coverage import Coverage

MIN_BYTES_TO_SHARE = 100_000  # less YAML than this is read faster than a helper starts


@dataclass
class CheckResult:
    """What `check` prints: every problem found, and a summary of each valid convention."""

    problems: Problems = field(default_factory=Problems)
    summaries: list[list[str]] = field(default_factory=list)


def check_conventions(
    root: Path, conventions: Sequence[str], cores: int | None = None
) -> CheckResult:
    """Load and check `conventions` under `root`, on up to two processes when `cores` (default:
    this machine's) allows; the problems and summaries are those of a check in one process."""
    from seguimiento import coverage, load  # noqa: F401 - imported once, before a fork: shared

    cores = cores if cores is not None else _cores()
    mine, theirs = _share(root, list(conventions), cores)
    helper = _start_helper(root, theirs) if theirs else None
    outcomes = {convention: _check_one(root, convention) for convention in mine}
    if helper is not None:
        shared = helper()
        if shared is None:  # the helper failed: its part is checked here
            shared = {convention: _check_one(root, convention) for convention in theirs}
        outcomes.update(shared)
    result = CheckResult()
    for convention in conventions:
        problems, summary = outcomes[convention]
        result.problems.extend(problems)
        if summary is not None:
            result.summaries.append(summary)
    return result


def _check_one(root: Path, convention: str) -> tuple[list[Problem], list[str] | None]:
    """One convention's problems, and its summary lines when it is valid."""
    from seguimiento.coverage import coverage
    from seguimiento.load import Project, load_convention

    problems = Problems()
    dataset = load_convention(Project(root), convention, problems)
    if dataset is None:
        return problems.items, None
    return problems.items, summary_lines(
        convention, dataset.convention.short_name.en, coverage(dataset)
    )


def summary_lines(convention: str, name: str, cov: Coverage) -> list[str]:
    """The lines `check` prints for one valid convention, from its `coverage.Coverage`."""
    span = f"{cov.periods[0]}–{cov.periods[-1]}" if cov.periods else "none"
    types = ", ".join(f"{n} {t}" for t, n in cov.by_type.items())
    proposals = f"; policy proposals {cov.proposals}" if cov.proposals else ""
    gaps = ", ".join(cov.missing) if cov.missing else "none"
    lines = [
        f"{name} ({convention})",
        f"  indicators     {cov.indicators} ({types})",
        f"  periods        {len(cov.periods)} with data ({span}); report period {cov.period}",
        f"  articles       {cov.articles_with_indicators} of {cov.articles_total} with "
        f"indicators, {cov.articles_assessed} assessed in {cov.period}",
        f"  recommendations {cov.recommendations}{proposals}",
        f"  data gaps      {len(cov.missing)} indicators without a {cov.period} value: {gaps}",
    ]
    if cov.unassessed:
        lines.append(
            f"                 articles followed but not assessed: {', '.join(cov.unassessed)}"
        )
    return lines


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        return os.cpu_count() or 1


def _data_bytes(root: Path, convention: str) -> int:
    """The size of a convention's YAML files (what its check costs grows with)."""
    folder = root / "indicators" / convention
    paths = [root / "conventions" / f"{convention}.yaml"]
    if folder.is_dir():
        paths += [*folder.glob("*.yaml"), *folder.glob("reviews/*.yaml")]
    return sum(path.stat().st_size for path in paths if path.is_file())


def _share(root: Path, conventions: list[str], cores: int) -> tuple[list[str], list[str]]:
    """Which conventions this process checks and which the helper does (none: no helper)."""
    if cores < 2 or len(conventions) < 2 or not sys.platform.startswith("linux"):
        return conventions, []
    sizes = {convention: _data_bytes(root, convention) for convention in conventions}
    if sum(sizes.values()) < MIN_BYTES_TO_SHARE:
        return conventions, []
    mine: list[str] = []
    theirs: list[str] = []
    loads = [0, 0]  # bytes for this process, for the helper; the largest first, to the lighter
    for convention in sorted(conventions, key=lambda c: -sizes[c]):
        lighter = 0 if loads[0] <= loads[1] else 1
        (mine, theirs)[lighter].append(convention)
        loads[lighter] += sizes[convention]
    return mine, theirs


def _start_helper(root: Path, conventions: list[str]) -> Callable[[], dict | None]:
    """Fork a process that checks `conventions`; returns the function that waits for its
    outcomes (None when it failed: killed, an exception, or an answer that cannot be read)."""
    sys.stdout.flush()
    sys.stderr.flush()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the helper: never returns
        code = 0
        try:
            os.close(read_end)
            data = pickle.dumps({c: _check_one(root, c) for c in conventions})
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
        except BaseException:  # noqa: BLE001 - the parent checks them again and reports
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)

    def outcomes() -> dict | None:
        with os.fdopen(read_end, "rb") as pipe:
            data = pipe.read()
        _pid, status = os.waitpid(pid, 0)
        if status != 0 or not data:
            return None
        try:
            return pickle.loads(data)  # noqa: S301 - written by our own forked process
        except Exception:  # noqa: BLE001 - a truncated answer: checked here instead
            return None

    return outcomes
