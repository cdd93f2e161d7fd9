"""`check` with a helper process: the conventions are shared between two processes, and the
answer (every problem, every summary line) is the one a single process gives."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import copy_small_project
from test_load import CASES

from seguimiento import check_summary
from seguimiento.project import CONVENTIONS


@pytest.fixture
def shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Any amount of data is shared with a helper; returns the file that lists, one line per
    convention checked, the process that checked it."""
    monkeypatch.setattr(check_summary, "MIN_BYTES_TO_SHARE", 0)
    monkeypatch.setattr(check_summary.sys, "platform", "linux")
    log = tmp_path / "checked-by.txt"
    real = check_summary._check_one

    def logged(root: Path, convention: str):
        with log.open("a", encoding="utf-8") as out:
            out.write(f"{os.getpid()} {convention}\n")
        return real(root, convention)

    monkeypatch.setattr(check_summary, "_check_one", logged)
    return log


def _answer(result: check_summary.CheckResult) -> tuple:
    return result.problems.errors, result.problems.warnings, result.summaries


def test_every_bad_input_gets_the_same_answer_with_a_helper(shared, tmp_path):
    """The whole bad-input corpus of `test_load`: each case checked in one process and with a
    helper gives the same problems and summaries, and the helper did check some conventions."""
    for number, case in enumerate(CASES):
        root = copy_small_project(tmp_path / f"case-{number}")
        shutil.copyfile(case.path, root / case.target)
        alone = check_summary.check_conventions(root, CONVENTIONS, cores=1)
        shared.unlink(missing_ok=True)
        together = check_summary.check_conventions(root, CONVENTIONS, cores=2)
        assert _answer(together) == _answer(alone), case.name
        assert alone.problems.errors, case.name  # each case is an error somewhere
        checkers = [line.split() for line in shared.read_text().splitlines()]
        assert sorted(c for _pid, c in checkers) == sorted(CONVENTIONS), case.name
        assert {pid for pid, _c in checkers} == {str(os.getpid()), checkers[-1][0]}
        assert len({pid for pid, _c in checkers}) == 2, case.name  # two processes took part


def test_valid_data_is_summarised_in_the_order_asked(shared, small_project):
    result = check_summary.check_conventions(small_project, ["crpd", "uncac", "iacac"], cores=2)
    assert not result.problems.items
    assert [lines[0] for lines in result.summaries] == [
        "CRPD (crpd)",
        "UNCAC (uncac)",
        "IACAC (iacac)",
    ]
    alone = check_summary.check_conventions(small_project, ["crpd", "uncac", "iacac"], cores=1)
    assert result.summaries == alone.summaries
    assert len({line.split()[0] for line in shared.read_text().splitlines()}) == 2


@pytest.mark.parametrize("how", ["raises", "dies"])
def test_a_failed_helper_leaves_its_part_to_this_process(how, monkeypatch, small_project):
    monkeypatch.setattr(check_summary, "MIN_BYTES_TO_SHARE", 0)
    monkeypatch.setattr(check_summary.sys, "platform", "linux")
    parent, real = os.getpid(), check_summary._check_one
    expected = _answer(check_summary.check_conventions(small_project, CONVENTIONS, cores=1))

    def failing(root: Path, convention: str):
        if os.getpid() != parent:
            if how == "dies":
                os._exit(9)
            raise RuntimeError("helper broke")
        return real(root, convention)

    monkeypatch.setattr(check_summary, "_check_one", failing)
    result = check_summary.check_conventions(small_project, CONVENTIONS, cores=2)
    assert _answer(result) == expected
    assert len(result.summaries) == 3


def test_the_work_is_shared_only_where_it_pays(monkeypatch, tmp_path):
    sizes = {"uncac": 373_000, "iacac": 279_000, "crpd": 396_000}  # as on the L benchmark data
    for convention, size in sizes.items():
        folder = tmp_path / "indicators" / convention
        folder.mkdir(parents=True)
        (folder / "indicators.yaml").write_bytes(b"#" * size)
    monkeypatch.setattr(check_summary.sys, "platform", "linux")
    mine, theirs = check_summary._share(tmp_path, list(CONVENTIONS), cores=2)
    assert (mine, sorted(theirs)) == (["crpd"], ["iacac", "uncac"])  # the largest alone
    assert check_summary._share(tmp_path, list(CONVENTIONS), cores=1) == (list(CONVENTIONS), [])
    assert check_summary._share(tmp_path, ["uncac"], cores=2) == (["uncac"], [])
    monkeypatch.setattr(check_summary, "MIN_BYTES_TO_SHARE", sum(sizes.values()) + 1)
    assert check_summary._share(tmp_path, list(CONVENTIONS), cores=2) == (list(CONVENTIONS), [])
    monkeypatch.setattr(check_summary, "MIN_BYTES_TO_SHARE", 0)
    monkeypatch.setattr(check_summary.sys, "platform", "darwin")  # fork is not safe there
    assert check_summary._share(tmp_path, list(CONVENTIONS), cores=2) == (list(CONVENTIONS), [])
