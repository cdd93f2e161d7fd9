"""What surrounds a WeasyPrint run: the page parsed by expat where it reads as HTML5 does, the
collector run less often (and its garbage left for the next job), and pydyf's page references
remembered, each with the same PDF as without."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import io
import itertools
from pathlib import Path

import pikepdf
import pydyf
import pytest
import tinyhtml5
import weasyprint
from test_pdf import CSV, TEMPLATES, sample_document

from seguimiento.writers import pdf as writer
from seguimiento.writers import weasyprint_run as run
from seguimiento.writers.html import render_html

REPO = Path(__file__).resolve().parents[2]


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


def test_markers_in_flow_is_in_place_for_the_run_only_and_steps_aside() -> None:
    """WeasyPrint's dispatch is back afterwards (also after an error); nested, nothing changes;
    a dispatch of another shape (another WeasyPrint) is left alone."""
    from weasyprint import stacking

    original = stacking._dispatch
    with run.markers_in_flow():
        in_flow = stacking._dispatch
        assert in_flow is not original and in_flow.keeps_markers_in_flow
        with run.markers_in_flow():
            assert stacking._dispatch is in_flow
        assert stacking._dispatch is in_flow
    assert stacking._dispatch is original
    with pytest.raises(RuntimeError), run.markers_in_flow():
        raise RuntimeError
    assert stacking._dispatch is original

    def other(box, page, child_contexts, blocks, floats):  # one parameter fewer
        return None

    stacking._dispatch = other
    try:
        with run.markers_in_flow():
            assert stacking._dispatch is other
    finally:
        stacking._dispatch = original


# ------------------------------------------------------------------ the page parsed by expat


def _nodes(root) -> list[tuple]:
    return [(e.tag, e.attrib, e.text, e.tail) for e in root.iter()]


def _html5(page: str):
    return tinyhtml5.parse(page, namespace_html_elements=False)


def _sample_pages() -> list[tuple[str, str]]:
    """(name, page) of every sample report as the PDF route writes it (charts as stand-ins),
    both languages, draft and final."""
    from seguimiento.compose import Context, compose
    from seguimiento.load import load_project
    from seguimiento.measure import measure

    datasets, problems = load_project(REPO, ["uncac", "iacac", "crpd"])
    assert not problems.errors, problems.errors
    pages = []
    for convention, dataset in datasets.items():
        figures = measure(dataset, "2025")
        reports = ["progress"] + (["policy-review"] if dataset.policy_review else [])
        for report, lang, final in itertools.product(reports, ("es", "en"), (False, True)):
            reviews = [r for r in dataset.reviews if r.status == "open" and r.report == report]
            ctx = Context(
                dataset=dataset, figures=figures, report=report, lang=lang, period="2025",
                templates=TEMPLATES, final=final, generated=dt.date(2026, 1, 15),
                extra={"open_reviews": [] if final else reviews},
            )  # fmt: skip
            name = f"{convention} {report} {lang}{' final' * final}"
            pages.append((name, render_html(compose(ctx), TEMPLATES, {})))
    return pages


def test_expat_reads_every_sample_report_as_weasyprints_html5_parser_does() -> None:
    pages = _sample_pages()
    assert len(pages) == 16
    for name, page in pages:
        tree = run._xml_tree(page)
        assert tree is not None, f"{name}: left to WeasyPrint's parser"
        assert _nodes(tree) == _nodes(_html5(page)), name


GOOD = (
    '<!DOCTYPE html>\n<html lang="es">\n<head>\n<meta charset="utf-8" />\n<title>t</title>\n'
    "<style>p > a { color: red }</style>\n</head>\n<body>\n"
    '<p>Uno &amp; <a href="#x">dos</a><br />tres</p>\n'
    '<table><colgroup><col style="width: 50%" /></colgroup><tbody><tr><td>1</td></tr></tbody>'
    "</table>\n</body>\n</html>\n"
)


@pytest.mark.parametrize(
    "page",
    [
        GOOD.replace("<p>Uno", "<pre>\nUno"),  # a line break after <pre> is dropped
        GOOD.replace("<p>Uno", "<p><svg></svg>Uno"),  # namespaced in HTML
        GOOD.replace("<p>Uno", "<!-- x --><p>Uno"),
        GOOD.replace("<!DOCTYPE html>", '<!DOCTYPE html [<!ENTITY e "x">]>'),
        GOOD.replace("<p>Uno", "<p><![CDATA[x]]>Uno"),
        GOOD.replace('href="#x"', 'href="#x" title="a\nb"'),  # XML reads a space
        GOOD.replace("color: red", "content: '&amp;'"),  # HTML does not decode it
        GOOD.replace("<br />", "<br>"),  # not XML
        GOOD.replace("Uno &amp;", "Uno&nbsp;"),  # not XML
        GOOD.replace("<p>Uno", "<p />Uno"),  # an open <p> in HTML
        GOOD.replace("tres</p>", "<ul><li>tres</li></ul></p>"),  # the list ends the paragraph
        GOOD.replace("dos</a>", '<a href="#y">dos</a></a>'),
        GOOD.replace("<tbody><tr>", "<tr>").replace("</tr></tbody>", "</tr>"),  # tbody added
        GOOD.replace("<tbody>", "<tbody>x"),  # text moved out of the table
        GOOD.replace("</body>", "</body>\n<p>after</p>"),
        GOOD.replace("<head>", "<head><base href='/' />"),
        GOOD.replace("<p>Uno", "<p><b>x</b>Uno"),  # an element our writer does not write
        GOOD.replace("<p>Uno", "<ul><li>a<div><li>b</li></div></li></ul><p>Uno"),
        GOOD.replace("<p>Uno", "<h2>a<h3>b</h3></h2><p>Uno"),
        GOOD.replace("<br />", "<br>x</br>"),  # HTML: a line break, x, and another one
    ],
)
def test_a_page_an_html5_parser_reads_otherwise_is_left_to_weasyprints(page: str) -> None:
    assert run._xml_tree(page) is None
    parsed = run.parsed_page(page, str(TEMPLATES), None)
    assert _nodes(parsed.etree_element) == _nodes(_html5(page))


def test_a_page_expat_reads_is_weasyprints_tree(monkeypatch) -> None:
    tree = run._xml_tree(GOOD)
    assert tree is not None and _nodes(tree) == _nodes(_html5(GOOD))
    monkeypatch.setattr(run, "_xml_tree", lambda page: tree)
    parsed = run.parsed_page(GOOD, str(TEMPLATES), None)
    assert parsed.etree_element is tree  # expat's tree laid out, not a parse of WeasyPrint's
    reference = weasyprint.HTML(string=GOOD, base_url=str(TEMPLATES))
    assert parsed.base_url == reference.base_url and parsed.media_type == reference.media_type


def test_a_pdf_of_the_page_expat_parsed_is_the_same(monkeypatch) -> None:
    """The sample laid out from expat's tree and from WeasyPrint's own parse: the same bytes,
    links described alike."""
    figures: dict = {}
    html = render_html(sample_document(), TEMPLATES, figures)
    attachments = (writer.Attachment("datos.csv", CSV, "text/csv", "Datos"),)
    trees = []
    real = run._xml_tree
    monkeypatch.setattr(run, "_xml_tree", lambda page: trees.append(real(page)) or trees[-1])
    fast = writer.write_pdf(html, TEMPLATES, attachments, figures)
    assert len(trees) == 1 and trees[0] is not None
    monkeypatch.setattr(run, "_xml_tree", lambda page: None)
    assert writer.write_pdf(html, TEMPLATES, attachments, figures) == fast
    with pikepdf.open(io.BytesIO(fast)) as pdf:
        described = [
            str(annotation.Contents)
            for page in pdf.pages
            for annotation in page.obj.get("/Annots", ())
            if annotation.get("/Subtype") == "/Link"
        ]
        assert described and all(described)
