"""One job rendered (render.render_job): with a WeasyPrint PDF and a core to spare, a helper draws
the charts while WeasyPrint lays out their stand-ins; the PDF is written first, the DOCX after it
from the charts by then drawn, and both are what a job without a helper writes."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Name

from seguimiento import chart_batch, charts
from seguimiento.coverage import report_period
from seguimiento.jobs import Job
from seguimiento.load import load_project
from seguimiento.render import render_job
from seguimiento.writers import pdf_charts

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def sample():
    datasets, _ = load_project(REPO, ["uncac"])
    dataset = datasets["uncac"]
    period = report_period(dataset)
    job = Job("uncac", "progress", period, "es", ("docx", "pdf"), False, "2026-11-28")
    return dataset, job


def test_the_helper_draws_the_charts_while_weasyprint_lays_out(sample, draws, monkeypatch):
    import weasyprint

    dataset, job = sample
    events: list[str] = []
    real_render, real_wait = weasyprint.HTML.render, chart_batch.DrawingBehind.wait

    def render(self, *args, **kwargs):
        events.append("layout")
        return real_render(self, *args, **kwargs)

    def wait(self):
        events.append(f"wait, {len(self.futures)} helper(s) at work")
        return real_wait(self)

    monkeypatch.setattr(weasyprint.HTML, "render", render)
    monkeypatch.setattr(chart_batch.DrawingBehind, "wait", wait)
    job = dataclasses.replace(job, docx_charts="picture")  # the DOCX shows the drawn charts
    outputs, _warnings = render_job(REPO, dataset, job, chart_helpers=1)
    assert list(outputs) == ["docx", "pdf"]
    assert events[:2] == ["layout", "wait, 1 helper(s) at work"]
    assert len(draws) == 0  # every chart drawn by the helper

    with pikepdf.open(io.BytesIO(outputs["pdf"])) as pdf:
        images = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == Name.Image
        ]
        assert not [image for image in images if pdf_charts.marker_index(image) is not None]
        forms = {
            obj.objgen
            for page in pdf.pages
            for obj in (page.obj.Resources.get("/XObject") or {}).values()
            if obj.get("/Subtype") == Name.Form
        }
    with zipfile.ZipFile(io.BytesIO(outputs["docx"])) as docx:
        pictures = [name for name in docx.namelist() if name.endswith(".png")]
    assert len(forms) == len(pictures) >= chart_batch.MIN_CHARTS  # one form per chart

    draws.clear()
    charts.clear_memory_cache()
    alone, _ = render_job(REPO, dataset, job, chart_helpers=0)
    assert len(draws) == len(pictures)  # drawn here this time
    with (
        zipfile.ZipFile(io.BytesIO(outputs["docx"])) as helped,
        zipfile.ZipFile(io.BytesIO(alone["docx"])) as unhelped,
    ):
        assert helped.namelist() == unhelped.namelist()
        for name in helped.namelist():
            assert helped.read(name) == unhelped.read(name), name


@pytest.mark.parametrize("docx_charts", ["native", "picture"])
def test_in_a_fresh_process_the_helper_writes_the_docx_and_the_charts_pdfs_too(docx_charts):
    """As `generate.py uncac` runs it (a process that has not loaded Typst): the helper draws
    the charts, makes their Typst PDFs and writes the DOCX while WeasyPrint lays out; this
    process writes no DOCX and never loads Typst, and the DOCX and the PDF are those a job
    without a helper writes."""
    import subprocess
    import sys

    code = f"""
import io, sys, zipfile
from pathlib import Path
from seguimiento import charts
from seguimiento.coverage import report_period
from seguimiento.jobs import Job
from seguimiento.load import load_project
from seguimiento.render import render_job
from seguimiento.writers import docx as writer
REPO = Path({str(REPO)!r})
here = []
real = writer._Writer.write
def write(self, blocks):
    here.append(1)
    return real(self, blocks)
writer._Writer.write = write
dataset = load_project(REPO, ["uncac"])[0]["uncac"]
job = Job("uncac", "progress", report_period(dataset), "es", ("docx", "pdf"), False, "2026-11-28",
          docx_charts={docx_charts!r})
helped, _ = render_job(REPO, dataset, job, chart_helpers=1)
print(list(helped), len(here), "typst" in sys.modules)
charts.clear_memory_cache()
alone, _ = render_job(REPO, dataset, job, chart_helpers=0)
first, second = (zipfile.ZipFile(io.BytesIO(out["docx"])) for out in (helped, alone))
names = first.namelist()
same = names == second.namelist() and all(first.read(n) == second.read(n) for n in names)
print(len(here), same, helped["pdf"] == alone["pdf"])
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines() == ["['docx', 'pdf'] 0 False", "1 True True"]
