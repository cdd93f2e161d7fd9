"""Nothing lost: a build killed with SIGKILL leaves the previous reports intact; two builds at once
do not corrupt outputs or the manifest."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]


def _command(root: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable, str(REPO / "generate.py"), "--root", str(root), "uncac",
        "--format", "docx,pdf", "--out", str(out), *extra,
    ]  # fmt: skip


def _valid(out: Path) -> None:
    folder = out / "uncac" / "2025"
    Document(str(folder / "progress.es.docx"))
    reader = PdfReader(folder / "progress.es.pdf")
    assert len(reader.pages) > 3
    assert "Convención" in reader.pages[0].extract_text()


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A small project and a complete first build of its UNCAC report (copied by each test)."""
    import shutil

    root = tmp_path_factory.mktemp("project")
    shutil.copytree(REPO / "tests" / "data" / "small" / "indicators", root / "indicators")
    for name in ("conventions", "templates"):
        shutil.copytree(REPO / name, root / name)
    out = tmp_path_factory.mktemp("first") / "out"
    subprocess.run(_command(root, out), check=True, capture_output=True)
    return root, out


@pytest.mark.parametrize("delay", [0.5, 1.5, 3.0])
def test_sigkill_mid_build_leaves_previous_reports_intact(first_build, tmp_path, delay):
    import shutil

    small_project, first = first_build
    out = tmp_path / "out"
    shutil.copytree(first, out)
    before = {p: p.read_bytes() for p in (out / "uncac" / "2025").iterdir()}
    process = subprocess.Popen(_command(small_project, out, "--force"), start_new_session=True)
    time.sleep(delay)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    for path, data in before.items():
        current = path.read_bytes()
        assert current == data or len(current) > 1000  # the old file, or a complete new one
    _valid(out)
    # The next run removes what the killed one left and rebuilds.
    result = subprocess.run(_command(small_project, out, "--force"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not list(out.rglob(".seguimiento-tmp-*"))
    _valid(out)
    json.loads((out / ".manifest.json").read_text(encoding="utf-8"))


def test_two_builds_at_once_do_not_corrupt_anything(small_project, tmp_path):
    out = tmp_path / "out"
    first = subprocess.Popen(
        _command(small_project, out, "--force"), stderr=subprocess.PIPE, text=True
    )
    time.sleep(0.3)
    second = subprocess.run(_command(small_project, out, "--force"), capture_output=True, text=True)
    first_err = first.communicate()[1]
    codes = {first.returncode, second.returncode}
    assert 0 in codes
    if second.returncode != 0:
        assert "another build is writing" in second.stderr
        assert second.stderr.count("\n") <= 2 and "Traceback" not in second.stderr
    assert "Traceback" not in first_err
    _valid(out)
    json.loads((out / ".manifest.json").read_text(encoding="utf-8"))


SLOW_WRITE = """
import os, sys, time
import seguimiento.atomic as atomic
real_fsync = os.fsync
def slow_fsync(fd):
    print("WRITING", flush=True)  # the temporary file holds data, the target is not replaced
    time.sleep(30)
    real_fsync(fd)
atomic.os.fsync = slow_fsync
from seguimiento.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_sigkill_during_the_write_itself(first_build, tmp_path):
    """Deterministic: the build is killed while a report's temporary file is being written."""
    import shutil

    small_project, first = first_build
    out = tmp_path / "out"
    shutil.copytree(first, out)
    before = {p: p.read_bytes() for p in (out / "uncac" / "2025").iterdir()}
    args = ["--root", str(small_project), "uncac", "--format", "docx,pdf", "--out", str(out)]
    process = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITE, *args, "--force"],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert process.stdout.readline().strip() == "WRITING"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert list(out.rglob(".seguimiento-tmp-*"))  # the half-done temporary file is there
    for path, data in before.items():
        assert path.read_bytes() == data  # the previous reports are untouched
    _valid(out)
    result = subprocess.run(_command(small_project, out, "--force"), capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert not list(out.rglob(".seguimiento-tmp-*"))
    _valid(out)
