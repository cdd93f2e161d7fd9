"""Open-data export: CSV + datapackage.json validated by frictionless, JSON and XLSX read back."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from seguimiento.export import export_files
from seguimiento.load import load_project
from seguimiento.measure import measure

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, bytes]]:
    datasets, problems = load_project(REPO, ["crpd"])
    assert not problems.errors
    dataset = datasets["crpd"]
    files = export_files(dataset, measure(dataset, "2025"), ["csv", "json", "xlsx"])
    folder = tmp_path_factory.mktemp("data")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder, files


def test_datapackage_validates_with_frictionless(exported):
    from frictionless import validate

    folder, _ = exported
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert {task.name for task in report.tasks} == {"indicators", "values"}


def test_csv_holds_every_indicator_and_value_up_to_the_period(exported):
    folder, files = exported
    datasets, _ = load_project(REPO, ["crpd"])
    dataset = datasets["crpd"]
    indicators = list(csv.DictReader(io.StringIO(files["indicators.csv"].decode())))
    assert [row["id"] for row in indicators] == [i.id for i in dataset.indicators]
    prevalence = next(r for r in indicators if r["id"] == "disability-prevalence")
    assert prevalence["latest"] == "10.2" and prevalence["illustrative"] == "False"
    values = list(csv.DictReader(io.StringIO(files["values.csv"].decode())))
    expected = sum(
        1 for i in dataset.indicators for o in i.values if not o.period.startswith("2026")
    )
    assert len(values) == expected


def test_json_and_xlsx_carry_the_figures(exported):
    from openpyxl import load_workbook

    folder, files = exported
    data = json.loads(files["figures.json"])
    assert data["period"] == "2025" and data["convention"] == "crpd"
    statuses = {row["status"] for row in data["figures"]["indicators"]}
    assert statuses <= {"achieved", "on_track", "at_risk", "off_track", "no_data"}
    workbook = load_workbook(folder / "crpd-2025.xlsx")
    assert workbook.sheetnames == ["indicators", "values"]
    assert workbook["indicators"]["A2"].value == data["figures"]["indicators"][0]["id"]


def test_format_option_writes_open_data_next_to_the_reports(small_project, tmp_path):
    from frictionless import validate

    from seguimiento.cli import main

    out = tmp_path / "out"
    args = ["--root", str(small_project), "iacac", "--format", "html,csv,json,xlsx"]
    assert main([*args, "--out", str(out)]) == 0
    folder = out / "iacac" / "2025"
    assert (folder / "progress.es.html").exists()
    names = sorted(p.name for p in (folder / "data").iterdir())
    assert names == [
        "datapackage.json", "figures.json", "iacac-2025.xlsx", "indicators.csv", "values.csv"
    ]  # fmt: skip
    assert validate(str(folder / "data" / "datapackage.json")).valid


def test_a_dated_workbook_is_the_same_file_whenever_it_is_written():
    """openpyxl dates the workbook and its zip entries with the clock; with the report's date
    they carry that date, and the same data give the same bytes."""
    import time
    import zipfile

    from openpyxl import load_workbook

    datasets, _problems = load_project(REPO, ["crpd"])
    dataset = datasets["crpd"]
    figures = measure(dataset, "2025")
    first = export_files(dataset, figures, ["xlsx"], "2026-03-02")["crpd-2025.xlsx"]
    time.sleep(2.1)  # zip dates go by two seconds
    assert export_files(dataset, figures, ["xlsx"], "2026-03-02")["crpd-2025.xlsx"] == first
    with zipfile.ZipFile(io.BytesIO(first)) as archive:
        assert archive.testzip() is None
        assert {info.date_time for info in archive.infolist()} == {(2026, 3, 2, 0, 0, 0)}
    properties = load_workbook(io.BytesIO(first)).properties
    assert str(properties.created) == str(properties.modified) == "2026-03-02 00:00:00"
