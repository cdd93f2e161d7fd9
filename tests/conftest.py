"""Shared fixtures: the repository's folder, a small, valid project to break or build from, and
`draws`, an empty chart store that lists the charts drawn.

`small_project` gives every test its own throw-away copy, so a test may overwrite or delete any file
of it. The small data lives in tests/data/small/indicators/ and has no conventions/ of its own: the
repository's real conventions/ (and templates/, for the build tests) are copied next to it, so the
fixture always follows the real article ids, status words and review rounds.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SMALL_DATA = Path(__file__).resolve().parent / "data" / "small"


@pytest.fixture
def repo_root() -> Path:
    """The repository folder (holds conventions/, indicators/, templates/)."""
    return REPO_ROOT


def copy_small_project(target: Path) -> Path:
    """Copy the small fixture data with the repository's conventions/ and templates/ into
    `target`; returns `target`. Usable outside pytest fixtures (e.g. by module-scoped helpers)."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SMALL_DATA / "indicators", target / "indicators")
    shutil.copytree(REPO_ROOT / "conventions", target / "conventions")
    if (REPO_ROOT / "templates").is_dir():
        shutil.copytree(REPO_ROOT / "templates", target / "templates")
    return target


@pytest.fixture
def small_project(tmp_path: Path) -> Path:
    """A valid project root in `tmp_path`: indicators/{uncac,iacac,crpd}/ from the small fixture,
    conventions/ and templates/ from the repository. Returns the root folder.

    Pass it as `--root` (or chdir into it) to run commands; tests may change any file in it."""
    return copy_small_project(tmp_path)


@pytest.fixture(scope="session")
def sample_reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, str]:
    """`generate.py all` on the shipped sample data, built once per test session.

    Returns the output folder, the exit code and what the build printed. Tests only read the files
    (copy them before changing anything)."""
    import contextlib
    import io

    from seguimiento.cli import main

    out = tmp_path_factory.mktemp("sample-reports")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = main(["--root", str(REPO_ROOT), "all", "--out", str(out)])
    return out, code, printed.getvalue()


@pytest.fixture
def draws(monkeypatch: pytest.MonkeyPatch) -> list:
    """Empty in-memory chart store, no disk cache, and the list of the ChartSpecs drawn in this
    process (a forked chart helper's drawing is not listed)."""
    from seguimiento import chart_cache, charts

    monkeypatch.setattr(charts, "_STORE", chart_cache.ChartStore())
    drawn: list = []
    real, parent = charts._draw, os.getpid()

    def counting(spec):
        if os.getpid() == parent:
            drawn.append(spec)
        return real(spec)

    monkeypatch.setattr(charts, "_draw", counting)
    return drawn
