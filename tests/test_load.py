"""`check` on good and bad data: every bad input gives exact `file:line:col: key.path: message`
lines, exit code 1 and never a traceback.

The bad-input corpus is tests/data/bad/: one file per case, which replaces one file of the small
valid project (tests/data/small). Its first lines are comments:

    # target: indicators/uncac/indicators.yaml      which file of the small project it replaces
    # expect: indicators/uncac/indicators.yaml:12:7: indicators[0].baseline: ...   (one or more)

When a file cannot carry a comment header (empty file, wrong encoding, tab on line 1), the header
is in a sidecar `<case>.expect` file instead. The expected lines are complete: the test also
checks that `check` reports exactly that many problems.
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from seguimiento import cli

BAD = Path(__file__).resolve().parent / "data" / "bad"
SUMMARY_RE = re.compile(r"^(\d+) problems? in (\d+) files?; fix them and run check again$")
SMALL_FILES = {
    f"indicators/{conv}/{name}"
    for conv in ("uncac", "iacac", "crpd")
    for name in ("committee.yaml", "indicators.yaml", "assessments.yaml", "recommendations.yaml")
} | {"indicators/crpd/policy-review.yaml"}


@dataclass(frozen=True)
class Case:
    """One bad input: the file, where it goes and the exact lines `check` must print."""

    path: Path
    target: str
    expect: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.path.name


def _header(path: Path) -> list[str]:
    sidecar = path.with_suffix(".expect")
    if sidecar.exists():
        return sidecar.read_text(encoding="utf-8").splitlines()
    lines = path.read_text(encoding="utf-8").splitlines()
    header = []
    for line in lines:
        if not line.startswith("#"):
            break
        header.append(line)
    return header


def _load_case(path: Path) -> Case:
    header = _header(path)
    targets = [line.split(":", 1)[1].strip() for line in header if line.startswith("# target:")]
    expect = tuple(line[len("# expect: ") :] for line in header if line.startswith("# expect: "))
    assert len(targets) == 1, f"{path.name}: needs exactly one '# target:' line"
    assert expect, f"{path.name}: needs at least one '# expect:' line"
    return Case(path, targets[0], expect)


CASES = [
    _load_case(path)
    for path in sorted(BAD.iterdir())
    if path.is_file() and path.suffix != ".expect"
]


@pytest.fixture
def run_check(capsys):
    """Run the command line in-process; returns (exit code, stdout, stderr)."""

    def run(argv: list[str]) -> tuple[int, str, str]:
        code = cli.main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run


def _place(case: Case, root: Path) -> None:
    shutil.copyfile(case.path, root / case.target)


# ------------------------------------------------------------------ the corpus itself


def test_corpus_is_large_enough():
    assert len(CASES) >= 30


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case_header_is_consistent(case: Case):
    assert case.target in SMALL_FILES, f"unknown target {case.target}"
    for line in case.expect:
        assert line.startswith(case.target + ":"), f"expect line not about the target: {line}"


# ------------------------------------------------------------------ every bad input


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_bad_input_is_reported(case: Case, small_project: Path, monkeypatch, run_check):
    _place(case, small_project)
    monkeypatch.chdir(small_project)
    code, _, err = run_check(["--root", str(small_project), "check"])
    assert "Traceback" not in err
    assert "internal error" not in err
    assert code == 1, err
    lines = err.splitlines()
    for expected in case.expect:
        assert expected in lines, f"missing line:\n{expected}\n--- stderr:\n{err}"
    match = SUMMARY_RE.match(lines[-1])
    assert match, f"last line does not count the problems: {lines[-1]!r}"
    errors = [line for line in lines[:-1] if ": warning: " not in line]
    assert int(match[1]) == len(errors) == len(case.expect), err


def test_yaml_bomb_fails_fast(small_project: Path, monkeypatch, run_check):
    case = next(c for c in CASES if c.path.stem == "yaml-bomb")
    _place(case, small_project)
    monkeypatch.chdir(small_project)
    start = time.perf_counter()
    code, _, err = run_check(["--root", str(small_project), "check"])
    elapsed = time.perf_counter() - start
    assert code == 1
    assert "anchors and aliases are not allowed" in err
    assert elapsed < 2.0, f"the alias bomb took {elapsed:.2f} s"


def test_every_problem_is_reported_in_one_run(small_project: Path, monkeypatch, run_check):
    """One file with several mistakes, and mistakes in two conventions: all come out at once."""
    several = next(c for c in CASES if c.path.stem == "several-errors")
    assert len(several.expect) >= 3
    _place(several, small_project)
    other = next(c for c in CASES if c.path.stem == "proposal-status-unknown")
    _place(other, small_project)
    monkeypatch.chdir(small_project)
    code, _, err = run_check(["--root", str(small_project), "check"])
    assert code == 1
    lines = err.splitlines()
    for expected in several.expect + other.expect:
        assert expected in lines
    assert lines[-1].startswith(f"{len(several.expect) + len(other.expect)} problems in 2 files")


# ------------------------------------------------------------------ good data


def _assert_summary(out: str) -> None:
    for heading in ("UNCAC (uncac)", "IACAC (iacac)", "CRPD (crpd)"):
        assert heading in out.splitlines(), out
    assert out.count("  indicators ") == 3
    assert out.count("  data gaps ") == 3
    assert "ok: 3 conventions valid" in out


def test_small_project_is_valid(small_project: Path, monkeypatch, run_check):
    monkeypatch.chdir(small_project)
    code, out, err = run_check(["--root", str(small_project), "check"])
    assert code == 0, err
    assert "Traceback" not in err
    _assert_summary(out)
    assert "recommendations 2; policy proposals 2" in out


def test_small_project_one_convention(small_project: Path, monkeypatch, run_check):
    monkeypatch.chdir(small_project)
    code, out, err = run_check(["--root", str(small_project), "check", "iacac"])
    assert code == 0, err
    assert "IACAC (iacac)" in out and "UNCAC (uncac)" not in out
    assert "ok: 1 conventions valid" in out


def test_repository_data_is_valid(repo_root: Path, monkeypatch, run_check):
    monkeypatch.chdir(repo_root)
    code, out, err = run_check(["check"])
    assert code == 0, err
    _assert_summary(out)


def test_unknown_convention_is_a_usage_error(small_project: Path, monkeypatch, run_check):
    monkeypatch.chdir(small_project)
    code, _, err = run_check(["check", "nosuch"])
    assert code == 2
    assert "unknown convention 'nosuch'" in err
    assert "Traceback" not in err


def test_missing_required_file(small_project: Path, monkeypatch, run_check):
    (small_project / "indicators" / "iacac" / "assessments.yaml").unlink()
    monkeypatch.chdir(small_project)
    code, _, err = run_check(["--root", str(small_project), "check"])
    assert code == 1
    assert (
        "indicators/iacac/assessments.yaml:1:1: (file): file not found; create it "
        "(see docs/data-format.md)" in err.splitlines()
    )
