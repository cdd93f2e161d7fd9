"""The command line through `main(argv)`: options, exit codes, skipping unchanged reports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from seguimiento.cli import main


def _run(root: Path, *args: str) -> int:
    return main(["--root", str(root), *args])


def test_help_lists_every_command(capsys):
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    for command in ("check", "schema", "uncac", "iacac", "crpd", "all", "review"):
        assert command in text
    assert "exit codes" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["nosuch"],
        ["uncac", "--lang", "fr"],
        ["uncac", "--format", "odt"],
        ["uncac", "--period", "2025-S3"],
        ["uncac", "--report", "summary"],
        ["review", "import"],
        ["--no-such-option"],
    ],
)
def test_wrong_command_lines_exit_2(small_project, argv, capsys):
    assert _run(small_project, *argv) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_period_option_builds_an_earlier_period(small_project, tmp_path):
    out = tmp_path / "out"
    assert (
        _run(small_project, "uncac", "--period", "2024", "--format", "html", "--out", str(out)) == 0
    )
    html = (out / "uncac" / "2024" / "progress.es.html").read_text(encoding="utf-8")
    assert "Cifras clave de 2024" in html


def test_period_without_data_is_refused(small_project, tmp_path, capsys):
    out = tmp_path / "out"
    assert _run(small_project, "uncac", "--period", "2019", "--out", str(out)) == 1
    err = capsys.readouterr().err
    assert "no data for period 2019" in err and "periods with data" in err
    assert not (out / "uncac").exists()


def test_policy_review_only_for_crpd(small_project, tmp_path, capsys):
    out = tmp_path / "out"
    code = _run(small_project, "uncac", "--report", "policy-review", "--out", str(out))
    assert code == 1
    assert "policy review is a CRPD report" in capsys.readouterr().err


def test_all_as_a_list_value_means_every_one_that_applies(small_project, tmp_path, capsys):
    """`--report all` builds every report a convention has (UNCAC has no policy review: left
    out, not refused); `--lang all`, every language."""
    out = tmp_path / "out"
    argv = ["uncac", "--report", "all", "--lang", "all", "--format", "html", "--out", str(out)]
    assert _run(small_project, *argv) == 0
    assert sorted(p.name for p in (out / "uncac" / "2025").iterdir()) == [
        "progress.en.html",
        "progress.es.html",
    ]
    argv = ["crpd", "--report", "all", "--format", "html", "--out", str(out)]
    assert _run(small_project, *argv) == 0
    assert sorted(p.name for p in (out / "crpd" / "2025").iterdir()) == [
        "policy-review.es.html",
        "progress.es.html",
    ]
    assert "error" not in capsys.readouterr().err


def test_unchanged_reports_are_skipped_and_force_rebuilds(small_project, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["iacac", "--lang", "es,en", "--format", "html", "--out", str(out)]

    def lines(prefix: str) -> int:
        return sum(line.startswith(prefix) for line in printed.splitlines())

    assert _run(small_project, *args) == 0
    printed = capsys.readouterr().out
    assert lines("wrote ") == 2 and lines("unchanged ") == 0
    assert _run(small_project, *args) == 0
    printed = capsys.readouterr().out
    assert lines("wrote ") == 0 and lines("unchanged ") == 2
    assert "2 files up to date" in printed
    # A change in the data rebuilds.
    data = small_project / "indicators" / "iacac" / "assessments.yaml"
    data.write_text(data.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert _run(small_project, *args) == 0
    printed = capsys.readouterr().out
    assert lines("wrote ") == 2
    assert _run(small_project, *args, "--force") == 0
    printed = capsys.readouterr().out
    assert lines("wrote ") == 2


def test_pdf_engine_option_selects_typst_and_counts_as_an_input(small_project, tmp_path, capsys):
    """`--pdf-engine typst` lays the PDF out with Typst; switching engines is a change the
    no-change check sees, so the PDF is rebuilt by the other engine."""
    from pypdf import PdfReader

    out = tmp_path / "out"
    args = ["iacac", "--format", "pdf", "--out", str(out)]
    pdf = out / "iacac" / "2025" / "progress.es.pdf"

    def producer() -> str:
        info = PdfReader(pdf).metadata
        return f"{info.get('/Creator', '')} {info.get('/Producer', '')}"

    assert _run(small_project, *args, "--pdf-engine", "typst") == 0
    assert "Typst" in producer()
    capsys.readouterr()
    assert _run(small_project, *args, "--pdf-engine", "typst") == 0
    assert "unchanged " in capsys.readouterr().out
    assert _run(small_project, *args) == 0
    assert "wrote " in capsys.readouterr().out
    assert "WeasyPrint" in producer()
    assert _run(small_project, *args, "--pdf-engine", "prince") == 2


def test_docx_charts_option_chooses_word_charts_or_pictures_and_counts_as_an_input(
    small_project, tmp_path, capsys
):
    """The DOCX's charts are Word charts by default and pictures with `--docx-charts picture`;
    switching is a change the no-change check sees."""
    import zipfile

    out = tmp_path / "out"
    args = ["iacac", "--format", "docx", "--out", str(out)]
    written = out / "iacac" / "2025" / "progress.es.docx"

    def kinds() -> tuple[int, int]:
        with zipfile.ZipFile(written) as package:
            names = package.namelist()
        charts = [n for n in names if n.startswith("word/charts/chart")]
        return len(charts), len([n for n in names if n.endswith(".png")])

    assert _run(small_project, *args) == 0
    native = kinds()
    assert native[0] > 0 and native[1] == 0
    capsys.readouterr()
    assert _run(small_project, *args, "--docx-charts", "picture") == 0
    assert "wrote " in capsys.readouterr().out
    assert kinds() == (0, native[0])  # one picture for each chart
    assert _run(small_project, *args, "--docx-charts", "picture") == 0
    assert "unchanged " in capsys.readouterr().out
    assert _run(small_project, *args, "--docx-charts", "svg") == 2


def test_one_report_lends_idle_cores_to_its_charts_and_jobs_1_keeps_one_process(
    small_project, tmp_path, monkeypatch
):
    """One job with `--jobs 2` draws its charts with one helper process (chart_batch);
    `--jobs 1` never forks. Both write the same document."""
    import zipfile

    from seguimiento import chart_batch

    helpers: list[int] = []
    real = chart_batch.draw_ahead

    def recording(document, formats, count):
        helpers.append(count)
        return real(document, formats, count)

    monkeypatch.setattr(chart_batch, "draw_ahead", recording)
    built = {}
    for jobs in ("2", "1"):
        out = tmp_path / f"jobs{jobs}"
        assert (
            _run(small_project, "uncac", "--format", "docx", "--out", str(out), "--jobs", jobs) == 0
        )
        with zipfile.ZipFile(out / "uncac" / "2025" / "progress.es.docx") as docx:
            built[jobs] = {name: docx.read(name) for name in docx.namelist()}
    assert helpers == [1, 0]  # --jobs 2: one helper; --jobs 1: none, all drawn here
    assert built["2"] == built["1"]


def test_a_process_that_used_typst_still_builds_with_two_workers(small_project, tmp_path):
    """Job workers are not forked from the calling process: a child forked after Typst started
    its thread pool would wait forever in its first Typst call. In a subprocess, with a time
    limit, so a regression fails instead of hanging the suite. The fork server does not outlive
    the build, and the workers count as its children (Linux: read from /proc)."""
    import subprocess
    import sys

    out = tmp_path / "out"
    code = f"""
from seguimiento import charts
from seguimiento.charts import ChartSpec, Series
charts.render_png(ChartSpec("line", ("2020", "2021"), (Series("s", (1.0, 2.0)),)))
from seguimiento.cli import main
import os, resource
assert main(["--root", {str(small_project)!r}, "all", "--format", "docx",
             "--out", {str(out)!r}, "--jobs", "2"]) == 0
children = resource.getrusage(resource.RUSAGE_CHILDREN)
print(children.ru_utime + children.ru_stime, children.ru_maxrss)
me = os.getpid()
left = open(f"/proc/{{me}}/task/{{me}}/children").read().split()
print(sum("forkserver" in open(f"/proc/{{pid}}/cmdline").read() for pid in left))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(list(out.rglob("*.docx"))) >= 2
    usage, servers = done.stdout.splitlines()[-2:]
    cpu, peak_kb = usage.split()
    assert servers == "0"  # the fork server was stopped and waited for: it does not linger,
    assert float(cpu) > 1.0 and int(peak_kb) > 100_000  # and the workers count as children


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="the workers watch the build by pidfd")
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_workers_end_when_the_build_is_killed(small_project, tmp_path, signal_name):
    """A build killed alone (`timeout`, a service manager, `kill`) leaves no process behind: its
    workers end within seconds (`lifetime.end_with`), and with them the fork server, where
    they used to wait for their next job for ever."""
    import signal
    import subprocess
    import sys
    import time

    from processes import descendants, still_running

    script = Path(__file__).resolve().parents[1] / "generate.py"
    argv = ["--root", str(small_project), "all", "--format", "pdf", "--out", str(tmp_path)]
    build = subprocess.Popen(
        [sys.executable, str(script), *argv, "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(descendants(build.pid)) < 3 and time.monotonic() < deadline:  # server + 2
            time.sleep(0.05)
        left = descendants(build.pid)
        assert len(left) >= 3, "the build did not start its workers"
        build.send_signal(getattr(signal, signal_name))
        build.wait(timeout=30)
        alive = still_running(left)
        assert not alive, f"still running after the build was killed: {alive}"
    finally:
        if build.poll() is None:
            build.kill()


def test_data_errors_write_nothing_and_keep_earlier_reports(small_project, tmp_path, capsys):
    out = tmp_path / "out"
    args = ["uncac", "--format", "html", "--out", str(out)]
    assert _run(small_project, *args) == 0
    report = out / "uncac" / "2025" / "progress.es.html"
    before = report.read_bytes()
    broken = small_project / "indicators" / "uncac" / "indicators.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("unit:", "unidad:", 1))
    capsys.readouterr()
    assert _run(small_project, *args, "--force") == 1
    err = capsys.readouterr().err
    assert "unknown key 'unidad'" in err and "no report was written" in err
    assert report.read_bytes() == before


def test_schema_writes_json_schemas(small_project, tmp_path):
    import json

    out = tmp_path / "schemas"
    assert _run(small_project, "schema", "--out", str(out)) == 0
    schema = json.loads((out / "indicators.schema.json").read_text(encoding="utf-8"))
    indicator = schema["$defs"]["Indicator"]
    assert "baseline" in indicator["properties"] and indicator["additionalProperties"] is False


def test_unwritable_output_is_one_clear_line(small_project, tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert _run(small_project, "uncac", "--format", "html", "--out", str(blocker / "out")) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "Traceback" not in err[0]


def test_debug_shows_the_traceback_of_an_internal_error(small_project, monkeypatch, capsys):
    import seguimiento.build

    def broken(*_args, **_kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(seguimiento.build, "build", broken)
    assert _run(small_project, "uncac") == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err
    assert main(["--root", str(small_project), "--debug", "uncac"]) == 3
    assert "Traceback" in capsys.readouterr().err


def test_generate_py_ends_at_once_with_its_code_and_all_its_output(small_project, tmp_path):
    """`generate.py` (`cli.run`) skips the interpreter's teardown: its output, piped and so
    buffered, still arrives whole, the exit code is `main`'s, and the report is complete."""
    script = Path(__file__).resolve().parents[1] / "generate.py"
    out = tmp_path / "out"

    def generate(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, str(script), "--root", str(small_project), *args]
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered
        return subprocess.run(
            command, capture_output=True, text=True, timeout=300, check=False, env=env
        )

    done = generate("uncac", "--format", "html", "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.rstrip().endswith("1 file written, 0 unchanged skipped")
    page = (out / "uncac" / "2025" / "progress.es.html").read_text(encoding="utf-8")
    assert page.rstrip().endswith("</html>")
    broken = small_project / "indicators" / "uncac" / "indicators.yaml"
    broken.write_text(broken.read_text(encoding="utf-8").replace("unit:", "unidad:", 1))
    done = generate("check")
    assert done.returncode == 1
    assert "unknown key 'unidad'" in done.stdout + done.stderr
    profile = tmp_path / "run.prof"  # under a profiler, the interpreter ends as usual
    command = [sys.executable, "-m", "cProfile", "-o", str(profile), str(script), "--version"]
    assert subprocess.run(command, capture_output=True, timeout=120, check=False).returncode == 0
    assert profile.stat().st_size > 0
