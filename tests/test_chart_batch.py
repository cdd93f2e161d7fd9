"""Charts drawn ahead on idle cores (chart_batch): a forked helper draws a share of the SVGs, the
images it returns are the ones this process would draw, the PNGs are rasterised here in one
batch, and nothing breaks when a helper cannot help. Drawn behind (the PDF route): the helpers
draw every chart while this process goes on."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest

from seguimiento import chart_batch, chart_raster, charts, tree
from seguimiento.charts import ChartSpec, Series

YEARS = ("2019", "2020", "2021", "2022", "2023")
REFERENCE = Path(__file__).resolve().parents[1] / "templates" / "reference.docx"


def _spec(n: int) -> ChartSpec:
    values = tuple(float(n + 3 * i % 7) for i in range(len(YEARS)))
    return ChartSpec("line", YEARS, (Series("Valor", values),), target=n + 9.0, target_label="M")


def _document(count: int) -> tree.Document:
    meta = tree.Meta(  # a date: the DOCX's bytes do not depend on the second it is written
        title="t", subtitle="", author="a", subject="s", lang="es", date="2026-01-15"
    )
    figures = [tree.Figure(_spec(n), alt=f"Tendencia {n}") for n in range(count)]
    return tree.Document(meta=meta, blocks=(tree.Heading(1, (tree.Text("G"),)), *figures))


def _images(count: int) -> list[tuple[bytes, str]]:
    alts = [f"Tendencia {n}" for n in range(count)]
    return [
        (charts.render_png(_spec(n), alt=a), charts.render_svg(_spec(n), a))
        for n, a in enumerate(alts)
    ]


def test_a_helper_draws_half_and_its_images_are_those_drawn_here(draws):
    document = _document(16)
    assert chart_batch.draw_ahead(document, ("docx", "pdf"), helpers=1) == 8
    assert len(draws) == 8  # the other half came from the helper
    ahead = _images(16)
    assert len(draws) == 8  # the writers find every image: nothing drawn again
    charts.clear_memory_cache()
    assert _images(16) == ahead  # the same bytes as drawn in this process alone
    assert len(draws) == 8 + 16


def test_only_the_formats_images_are_drawn(draws):
    chart_batch.draw_ahead(_document(16), ("pdf",), helpers=1)
    assert all(charts.stored(_spec(n), f"Tendencia {n}", png=False) for n in range(16))
    assert not any(charts.stored(_spec(n), "", png=True) for n in range(16))


def test_nothing_is_shared_when_little_is_left_to_draw(draws):
    _images(12)  # in the store: 4 charts left, too few to be worth a helper
    assert chart_batch.draw_ahead(_document(16), ("docx", "pdf"), helpers=1) == 0
    assert chart_batch.draw_ahead(_document(16), ("csv",), helpers=1) == 0
    assert chart_batch.draw_ahead(_document(40), ("docx",), helpers=0) == 0


@pytest.fixture
def broken_helpers(draws, monkeypatch) -> list:
    """Drawing fails in any process but this one (a helper is forked with the patch)."""
    parent, real = os.getpid(), charts._draw

    def broken_in_helpers(spec: ChartSpec):
        if os.getpid() != parent:
            raise RuntimeError("no fonts here")
        return real(spec)

    monkeypatch.setattr(charts, "_draw", broken_in_helpers)
    return draws


def test_a_failing_helper_leaves_its_charts_to_the_writers(broken_helpers, caplog):
    draws = broken_helpers
    with caplog.at_level(logging.WARNING, logger="seguimiento.chart_batch"):
        assert chart_batch.draw_ahead(_document(16), ("docx",), helpers=1) == 0
    assert "no fonts here" in caplog.text
    assert len(draws) == 16  # this process drew what the helper did not
    assert all(charts.stored(_spec(n), "", png=True) for n in range(16))


def test_once_typst_is_loaded_helpers_draw_svgs_only(draws, monkeypatch):
    """A process forked after Typst started its thread pool must never call Typst: helpers of a
    process that has imported it leave the PNGs to this process."""
    import typst  # noqa: F401 - as after a Typst PDF or an earlier rasterising

    parent, batches = os.getpid(), []
    real = chart_raster.rasterise

    def recording(svgs, dpi):
        batches.append((os.getpid() == parent, len(svgs)))
        return real(svgs, dpi)

    monkeypatch.setattr(chart_raster, "rasterise", recording)
    assert chart_batch.draw_ahead(_document(16), ("docx",), helpers=1) == 8
    assert batches == [(True, 16)]
    assert len(draws) == 8


def test_a_fresh_process_lets_its_helpers_rasterise_too(tmp_path):
    """Before Typst is loaded, each helper rasterises its own share (in a fresh process, since
    this one has loaded Typst)."""
    import subprocess
    import sys

    log = tmp_path / "rasterised.txt"
    code = f"""
import os, sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from seguimiento import chart_batch, chart_raster
from test_chart_batch import _document
real = chart_raster.rasterise
def logging_rasterise(svgs, dpi):
    with open({str(log)!r}, "a") as out:
        out.write(f"{{os.getpid()}} {{len(svgs)}}\\n")
    return real(svgs, dpi)
chart_raster.rasterise = logging_rasterise
assert "typst" not in sys.modules
print(chart_batch.draw_ahead(_document(16), ("docx",), helpers=1))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "8", done.stderr[-2000:]
    calls = [line.split() for line in log.read_text().splitlines()]
    assert sorted(int(count) for _pid, count in calls) == [8, 8]  # a share each
    assert len({pid for pid, _count in calls}) == 2  # in two processes


def test_behind_one_helper_also_writes_the_docx(tmp_path):
    """With a DOCX to write, one helper draws every chart and then writes the DOCX: the same
    entries as written here, none of it written here; with every chart stored, the helper still
    writes it; when writing fails there, it is left to this process (in a fresh process: a
    helper may rasterise only before Typst is loaded)."""
    import subprocess
    import sys

    code = f"""
import functools, io, logging, os, sys, zipfile
sys.path.insert(0, {str(Path(__file__).parent)!r})
from pathlib import Path
from seguimiento import chart_batch, charts
from seguimiento.writers import docx as writer
from test_chart_batch import _document
reference = Path({str(REFERENCE)!r})
here = []
real_write = writer._Writer.write
def write(self, blocks):
    here.append(os.getpid())
    return real_write(self, blocks)
writer._Writer.write = write
def same(first, second):  # the same entries: a zip stamps each with the time it is written
    first, second = (zipfile.ZipFile(io.BytesIO(data)) for data in (first, second))
    names = first.namelist()
    return names == second.namelist() and all(first.read(n) == second.read(n) for n in names)
document = _document(16)
docx = functools.partial(writer.write_docx, document, reference)
assert "typst" not in sys.modules
with chart_batch.draw_behind(document, ("docx", "pdf"), 1, docx) as drawing:
    print(len(drawing.futures), drawing.wait())
behind = drawing.docx
print(len(here), same(behind, writer.write_docx(document, reference)), len(here))
with chart_batch.draw_behind(document, ("docx", "pdf"), 1, docx) as drawing:  # all stored
    print(len(drawing.futures), drawing.wait(), same(drawing.docx, behind))
broken = functools.partial(writer.write_docx, document, Path("/nonexistent.docx"))
with chart_batch.draw_behind(document, ("docx", "pdf"), 1, broken) as drawing:
    print(drawing.wait(), drawing.docx)
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:4] == ["1 16", "0 True 1", "1 0 True", "0 None"]
    assert "a helper failed" in done.stderr and "its work is done here" in done.stderr


def test_behind_one_helper_makes_the_typst_pdfs_of_exactly_those_charts():
    """The helper drawing every chart also converts them to vector PDF (`chart_raster.to_pdf`),
    the same bytes as made here; `ready` gives them only for the very charts in the same order,
    and this process never loads Typst for them (in a fresh process, as `generate.py` runs)."""
    import subprocess
    import sys

    code = f"""
import sys
sys.path.insert(0, {str(Path(__file__).parent)!r})
from seguimiento import chart_batch, chart_raster, charts
from test_chart_batch import _document
document = _document(16)
items, _png, _svg = chart_batch.wanted(document, ("pdf",))
with chart_batch.draw_behind(document, ("pdf",), 1) as drawing:
    made = drawing.ready(items)
    print(len(made), drawing.ready(items[::-1]), drawing.ready(items[:3]), "typst" in sys.modules)
print(made == chart_raster.to_pdf([charts.render_svg(spec, alt) for spec, alt in items]))
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["1 None None False", "True"]


def test_once_typst_is_loaded_the_docx_is_left_to_this_process(draws):
    """A helper forked after Typst started must not rasterise, so it cannot write the DOCX's
    pictures nor make the charts' PDFs: neither `draw_behind` nor `DrawingBehind` gives it the
    DOCX or the PDFs then."""
    import functools

    import typst  # noqa: F401 - as after a Typst PDF or an earlier rasterising

    from seguimiento.writers.docx import write_docx

    document = _document(16)
    write = functools.partial(write_docx, document, REFERENCE, "picture")
    with chart_batch.draw_behind(document, ("docx", "pdf"), 1, write) as drawing:
        assert drawing.wait() == 16 and drawing.docx is None
        assert drawing.ready(chart_batch.wanted(document, ("pdf",))[0]) is None  # nor the PDFs
    with chart_batch.DrawingBehind([], True, True, 1, write) as drawing:
        assert drawing.wait() == 0 and drawing.docx is None


def test_a_docx_of_word_charts_is_written_by_the_helper_even_after_typst(draws):
    """A DOCX of Word charts needs nothing rasterised: asked for with formats that leave the
    DOCX out, the helper drawing the PDF's charts writes it, Typst loaded or not, the same bytes
    as written here."""
    import functools

    import typst  # noqa: F401 - as after a Typst PDF or an earlier rasterising

    from seguimiento.writers.docx import write_docx

    document = _document(16)
    write = functools.partial(write_docx, document, REFERENCE)  # Word charts, the default
    with chart_batch.draw_behind(document, ("pdf",), 1, write) as drawing:
        assert drawing.wait() == 16
        assert drawing.docx is not None and drawing.docx == write()


def test_nothing_is_forked_where_fork_is_not_safe(draws, monkeypatch):
    monkeypatch.setattr(chart_batch.sys, "platform", "darwin")
    assert chart_batch.draw_ahead(_document(16), ("docx",), helpers=1) == 0
    assert len(draws) == 16  # all drawn in this process


# ------------------------------------------------------------------ drawn behind (PDF route)


def test_behind_the_helpers_draw_while_this_process_goes_on(draws):
    """`draw_behind` returns before any chart is drawn: the helpers draw them all while this
    process works; `wait` keeps their images, the same bytes as drawn here."""
    import time

    with chart_batch.draw_behind(_document(16), ("docx", "pdf"), helpers=1) as drawing:
        assert len(draws) == 0 and len(drawing.futures) == 1
        deadline = time.monotonic() + 120
        while not drawing.futures[0].done() and time.monotonic() < deadline:
            time.sleep(0.05)  # this process busy with something else
        assert drawing.futures[0].done()  # drawn without anyone waiting for it
        assert drawing.wait() == 16
        assert drawing.wait() == 16  # once only
    assert len(draws) == 0
    behind = _images(16)
    assert len(draws) == 0  # every image is there
    charts.clear_memory_cache()
    assert _images(16) == behind
    assert len(draws) == 16


def test_behind_with_no_helper_wait_draws_them_here(draws):
    with chart_batch.draw_behind(_document(16), ("pdf",), helpers=0) as drawing:
        assert len(draws) == 0  # not yet: this process lays the page out first
        assert drawing.wait() == 0
        assert len(draws) == 16
    assert all(charts.stored(_spec(n), f"Tendencia {n}", png=False) for n in range(16))


def test_behind_a_failing_helper_leaves_its_charts_to_wait(broken_helpers, caplog):
    draws = broken_helpers
    with (
        caplog.at_level(logging.WARNING, logger="seguimiento.chart_batch"),
        chart_batch.draw_behind(_document(16), ("pdf",), helpers=1) as drawing,
    ):
        assert drawing.wait() == 0
    assert "no fonts here" in caplog.text
    assert len(draws) == 16


def test_leaving_without_waiting_stops_the_helpers(draws):
    """An error before `wait` (WeasyPrint refused the page): the helpers are stopped, no child
    process is left."""
    import multiprocessing

    try:
        with chart_batch.draw_behind(_document(16), ("pdf",), helpers=1):
            raise ValueError("the page failed")
    except ValueError:
        pass
    assert multiprocessing.active_children() == []


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="helpers watch their starter by pidfd")
def test_a_helper_ends_when_the_process_that_forked_it_is_killed(tmp_path):
    """A job killed alone (SIGKILL here) while its helper draws: the helper ends within seconds
    (`lifetime.end_with`), where it used to wait for ever to hand back charts no one would
    read."""
    import signal
    import subprocess
    import sys
    import time

    from processes import still_running

    code = f"""
import sys, time
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from test_chart_batch import _document
from seguimiento import chart_batch
drawing = chart_batch.draw_behind(_document(200), ("pdf",), helpers=1)
print(drawing.pool._processes and list(drawing.pool._processes), flush=True)
time.sleep(600)
"""
    job = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        line = job.stdout.readline()  # the helper's pid, once it is drawing
        helpers = [int(pid) for pid in line.strip("[]\n").split(",") if pid.strip()]
        assert helpers, f"no helper started: {line!r}"
        time.sleep(0.5)
        job.send_signal(signal.SIGKILL)
        job.wait(timeout=30)
        assert not still_running(helpers), "a helper outlived its job"
    finally:
        if job.poll() is None:
            job.kill()
