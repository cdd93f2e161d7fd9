"""The benchmark tools run (on tiny data), and the quick commands stay light.

No timing is asserted here: timings belong to `benchmarks/run.py` (`make bench`). What is checked
is that the generator writes data `check` accepts, the whole benchmark script runs end to end on
tiny data, the no-change build is answered from the manifest, and that `check` and `--help` never
import the heavy libraries (pandas, matplotlib, WeasyPrint) — which is what keeps them fast.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

import generate_data  # noqa: E402

HEAVY = ("pandas", "matplotlib", "weasyprint")

# Runs the command line in-process and prints which heavy modules it imported.
PROBE = """
import contextlib, io, json, sys
if sys.argv[2]:
    sys.path.insert(0, sys.argv[2])
from seguimiento.cli import main
stdout = io.StringIO()
with contextlib.redirect_stdout(stdout):
    code = main(sys.argv[3:])
heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1].split(",")))
print(json.dumps({"code": code, "heavy": heavy, "out": stdout.getvalue()}))
"""


def _probe(*argv: str, code: Path | None = None) -> dict:
    """Run the command line (from `code`, a copy of the package, if given) in a fresh process."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, ",".join(HEAVY), str(code or ""), *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate_data.generate("T", tmp_path_factory.mktemp("bench") / "data")


def test_generated_data_passes_check(tiny):
    result = _probe("--root", str(tiny), "check")
    assert result["code"] == 0
    assert "ok: 3 conventions valid" in result["out"]


def test_generator_is_deterministic(tiny, tmp_path):
    again = generate_data.generate("T", tmp_path / "again")
    for path in sorted((tiny / "indicators").rglob("*.yaml")):
        assert path.read_bytes() == (again / path.relative_to(tiny)).read_bytes(), path


def test_generator_scales():
    scale = generate_data.SIZES["L"]["crpd"]
    files = generate_data.generate_convention("crpd", scale)
    assert len(files["indicators.yaml"]["indicators"]) == 150
    assert len(files["recommendations.yaml"]["recommendations"]) == 60
    assert len(files["policy-review.yaml"]["proposals"]) == 30
    assessed = {a["article"] for a in files["assessments.yaml"]["assessments"]}
    assert len(assessed) == 50  # every CRPD article
    periods = {v["period"][:4] for i in files["indicators.yaml"]["indicators"] for v in i["values"]}
    assert len(periods) == 10


@pytest.mark.parametrize("argv", [["check"], ["--help"], ["all", "--help"]])
def test_quick_commands_do_not_import_heavy_libraries(argv):
    result = _probe(*argv)
    assert result["code"] == 0
    assert result["heavy"] == []


def test_importtime_of_check_has_no_heavy_library():
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "generate.py", "check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines()}
    assert not {name.split(".")[0] for name in imported} & set(HEAVY)


def test_benchmark_runs_on_tiny_data_and_nochange_build_is_light(tmp_path):
    out, work = tmp_path / "out", tmp_path / "work"
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "run.py"), "--quick", "--repeat", "2"]
        + ["--out", str(out), "--work", str(work)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    results = json.loads((out / "results.json").read_text())
    report = results["reports"]["T"]
    for stage in ("load", "measure", "compose", "docx", "html", "pdf"):
        assert report["stages"][stage] >= 0
    assert report["extra"]["pages"] > 0
    assert report["extra"]["tables"] > 0
    assert {t["target"] for t in results["summary"]["targets"]}
    everything = results["all"]
    assert everything["jobs1"]["files"] == everything["jobs2"]["files"] > 0
    assert len(everything["jobs1"]["runs"]) == len(everything["jobs2"]["runs"]) == 2
    # our finisher inside WeasyPrint's write_pdf() is timed apart, as ours
    assert report["extra"]["tag_tree"] > 0 and report["extra"]["weasy_write"] > 0
    assert everything["nochange"]["code"] == 0
    assert "nothing changed" in everything["nochange"]["said"]

    # The no-change build is answered from the manifest: no heavy library, no data parsing.
    # (Run from the benchmark's frozen copy of the code, like the builds it measured.)
    again = _probe(
        "--root", str(work / "data-T"), "all", "--lang", "es", "--format", "html",
        "--out", everything["jobs2"]["out"], code=work / "code",
    )  # fmt: skip
    assert again["code"] == 0
    assert "nothing changed" in again["out"]
    assert again["heavy"] == []


def test_repeated_measurements_keep_medians_and_the_largest_peaks():
    import summary  # benchmarks/summary.py

    runs = [
        {"stages": {"pdf": 12.0, "docx": 0.3}, "peak_mb": {"pdf": 500.0}, "pages": 130, "code": 0},
        {"stages": {"pdf": 19.5, "docx": 0.2}, "peak_mb": {"pdf": 540.0}, "pages": 130, "code": 0},
        {"stages": {"pdf": 11.5, "docx": 0.4}, "peak_mb": {"pdf": 520.0}, "pages": 130, "code": 1},
    ]
    runs[0]["label"] = "M"
    merged = summary.combined(runs)
    assert merged["stages"] == {"pdf": 12.0, "docx": 0.3}  # the slow 19.5 s run does not count
    assert merged["peak_mb"] == {"pdf": 540.0}  # a peak is the largest of the runs
    assert merged["pages"] == 130 and isinstance(merged["pages"], int)
    assert merged["code"] == 1  # a run that failed is not hidden
    assert merged["label"] == "M"
    assert summary.combined(runs[:1]) == runs[0]
    two = summary.combined(
        [{"tree_peak_mb": 300.0, "seconds": 1.0}, {"tree_peak_mb": 310.0, "seconds": 2.0}]
    )
    assert two == {"tree_peak_mb": 310.0, "seconds": 1.5}


def test_a_stage_by_stage_report_is_the_median_run_whole():
    """Figures taken from one run (the median PDF route): our share of the route is then of one
    run, where per-figure medians would mix runs. Peaks are still the largest of all runs."""
    import summary  # benchmarks/summary.py

    def report(pdf: float, render: float, peak: float) -> dict:
        stages = dict.fromkeys(("load", "measure", "compose", "html", "attachments"), 0.1)
        stages |= {"pdf": pdf, "typst": 1.0, "docx": 0.3, "docx_warm": 0.2}
        extra = {"weasy_parse": 0.3, "weasy_render": render, "weasy_write": 4.0, "pages": 130}
        extra |= {"tables_add_row": 0.7, "tables_ours": 0.07, "report_peak_mb": peak}
        return {"stages": stages, "cpu": stages, "extra": extra, "extra_cpu": {}, "peak_mb": {}}

    # Our own work around WeasyPrint (pdf - render - write): 2.0 s, 5.0 s and 1.0 s.
    runs = [report(13.0, 7.0, 590.0), report(17.0, 8.0, 560.0), report(15.0, 10.0, 570.0)]
    chosen = summary.median_run(runs)  # the 15 s run, whole
    assert chosen["stages"]["pdf"] == 15.0 and chosen["extra"]["weasy_render"] == 10.0
    assert chosen["extra"]["report_peak_mb"] == 590.0  # the largest of the runs
    assert summary.derive(chosen, "wall")["pdf_ours"] == pytest.approx(1.1)  # attachments + 1.0
    mixed = summary.combined(runs)  # per-figure medians: 15 s and 8 s, from two runs
    assert summary.derive(mixed, "wall")["pdf_ours"] == pytest.approx(3.1)  # which no run had
    assert summary.median_run(runs[:1]) == runs[0]
