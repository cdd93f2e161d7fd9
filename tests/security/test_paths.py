"""Ids and periods that try to leave the output folder are refused before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from seguimiento.build import Job
from seguimiento.cli import main


@pytest.mark.parametrize(
    "bad_id",
    ["../../etc/x", "/etc/passwd", "a\x00b", "x" * 300, "..", "a/b", "C:\\x", "ñandú"],
)
def test_hostile_indicator_ids_are_refused(small_project, capsys, bad_id):
    path = small_project / "indicators" / "uncac" / "indicators.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["indicators"][0]["id"] = bad_id
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert main(["--root", str(small_project), "check", "uncac"]) == 1
    err = capsys.readouterr().err
    assert "indicators[0].id" in err and "not a valid id" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("period", ["../2025", "/2025", "2025/../..", "2025\x00", "9" * 200])
def test_hostile_periods_are_refused_on_the_command_line(small_project, capsys, period):
    out = small_project / "out"
    code = main(["--root", str(small_project), "uncac", "--period", period, "--out", str(out)])
    assert code == 2
    assert not out.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("convention", "../x"), ("report", "a/b"), ("lang", "/etc"), ("period", "../../2025")],
)
def test_job_paths_are_checked_again_before_writing(tmp_path, field, value):
    values = {
        "convention": "uncac",
        "report": "progress",
        "period": "2025",
        "lang": "es",
        "formats": ("pdf",),
        "final": False,
        "generated": "2026-01-01",
    }
    values[field] = value
    with pytest.raises(ValueError, match="unsafe"):
        Job(**values).path(tmp_path, "pdf")


def test_outputs_stay_inside_the_output_folder(small_project, tmp_path):
    out = tmp_path / "out"
    assert main(["--root", str(small_project), "all", "--format", "html", "--out", str(out)]) == 0
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
    assert not any(Path(p).name.startswith(".seguimiento-tmp-") for p in out.rglob("*"))
