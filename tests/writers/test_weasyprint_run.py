"""What surrounds a WeasyPrint run: the collector run less often (and its garbage left for the
next job), and pydyf's page references remembered, with the same PDF as without."""

from __future__ import annotations

import contextlib
import gc
import io

import pikepdf
import pydyf
import pytest
from test_pdf import CSV, TEMPLATES, sample_document

from seguimiento.writers import pdf as writer
from seguimiento.writers import weasyprint_run as run
from seguimiento.writers.html import render_html


def test_the_collector_runs_less_often_while_laying_out_then_as_before(monkeypatch) -> None:
    seen = []
    real_finish = writer._finish

    def finish(*args):
        seen.append(gc.get_threshold())
        return real_finish(*args)

    monkeypatch.setattr(writer, "_finish", finish)
    before = gc.get_threshold()
    page = "<html lang='es'><head><title>x</title></head><body><p>x</p></body></html>"
    assert writer.write_pdf(page, TEMPLATES).startswith(b"%PDF")
    assert seen == [run.GC_THRESHOLDS] and gc.get_threshold() == before
    with pytest.raises(writer.PdfRenderError):  # an error on the way: restored all the same
        writer.write_pdf("<html><head><title>x</title></head><body>x</body></html>", TEMPLATES)
    assert gc.get_threshold() == before


def test_a_layout_leaves_its_garbage_to_be_collected_when_the_next_job_begins(monkeypatch):
    """No full collection at the end of a layout (a one-report process exits without it): what
    it left is frozen, so that no automatic collection walks it either; the next job's
    `fewer_collections` unfreezes and collects first, and a job without a layout leaves
    nothing frozen."""
    collected: list[int] = []
    real = gc.collect
    monkeypatch.setattr(gc, "collect", lambda *args: collected.append(1) or real(*args))
    monkeypatch.setattr(run, "_garbage_left", False)
    page = "<html lang='es'><head><title>x</title></head><body><p>x</p></body></html>"
    assert writer.write_pdf(page, TEMPLATES).startswith(b"%PDF")
    assert collected == [] and run._garbage_left and gc.get_freeze_count() > 10_000
    with run.fewer_collections(layout=False):
        assert collected == [1] and not run._garbage_left and gc.get_freeze_count() == 0
        assert gc.get_threshold() == run.GC_THRESHOLDS
    assert not run._garbage_left and collected == [1] and gc.get_freeze_count() == 0


def test_page_references_are_made_once_per_page_list_and_are_pydyfs_own() -> None:
    """The memo gives what pydyf gives, makes the tuple again when a page is added, and pydyf's
    property is back afterwards; inside a run that already remembers, nothing changes."""
    original = pydyf.PDF.__dict__["page_references"]
    pdf = pydyf.PDF()
    for _ in range(3):
        pdf.add_page(pydyf.Dictionary({}))
    expected = original.fget(pdf)
    with run.remembered_page_references():
        memo = pydyf.PDF.__dict__["page_references"]
        assert memo is not original
        first = pdf.page_references
        assert first == expected and pdf.page_references is first  # made once
        pdf.add_page(pydyf.Dictionary({}))
        assert pdf.page_references == original.fget(pdf) and len(pdf.page_references) == 4
        with run.remembered_page_references():  # nested (or another thread's run)
            assert pydyf.PDF.__dict__["page_references"] is memo
        assert pydyf.PDF.__dict__["page_references"] is memo
    assert pydyf.PDF.__dict__["page_references"] is original
    with pytest.raises(RuntimeError), run.remembered_page_references():
        raise RuntimeError  # an error on the way: pydyf's own property back all the same
    assert pydyf.PDF.__dict__["page_references"] is original


def test_a_pdf_laid_out_with_remembered_page_references_is_the_same(monkeypatch) -> None:
    """The sample (five pages, a table over pages, links, a chart) gives the same bytes with the
    memo as with pydyf's own property, and its structure elements name their pages."""
    html = render_html(sample_document(), TEMPLATES)
    attachments = (writer.Attachment("datos.csv", CSV, "text/csv", "Datos"),)
    calls = []
    real = run.remembered_page_references

    def counted():
        calls.append(1)
        return real()

    monkeypatch.setattr(run, "remembered_page_references", counted)
    remembered = writer.write_pdf(html, TEMPLATES, attachments)
    assert calls == [1]
    monkeypatch.setattr(run, "remembered_page_references", contextlib.nullcontext)
    assert writer.write_pdf(html, TEMPLATES, attachments) == remembered
    with pikepdf.open(io.BytesIO(remembered)) as pdf:
        pages = {page.obj.objgen for page in pdf.pages}
        named = [
            obj.Pg.objgen
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") and "/Pg" in obj
        ]
        assert len(pdf.pages) > 3 and len(named) > 100 and set(named) == pages
