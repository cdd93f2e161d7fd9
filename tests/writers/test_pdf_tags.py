"""Tagged-PDF repairs (`writers.pdf_tags`, `writers.pdf_content`): running heads and folios as
pagination artifacts, one Table per table, content painted in tag-tree order, described links,
and pages that look exactly as before all of it (compared pixel by pixel)."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pikepdf
import pypdf
import pytest
import tinyhtml5
from pikepdf import Name

from seguimiento import charts, tree
from seguimiento.writers import pdf as writer
from seguimiento.writers import pdf_content, pdf_gstate, pdf_links, pdf_tags, weasyprint_run
from seguimiento.writers.html import render_html
from seguimiento.writers.pdf_structure import TreeFacts

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ROWS = 60


def text(*parts: str) -> tuple[tree.Inline, ...]:
    return tuple(tree.Text(part) for part in parts)


def para(*parts: str) -> tree.Paragraph:
    return tree.Paragraph(text(*parts))


def sample_document() -> tree.Document:
    """Cover, TOC, lists (markers are painted last by WeasyPrint), a table over several pages,
    a chart with its caption, a note and links; a draft, so with a draft mark in the header."""
    rows = tuple(
        (tree.Cell(text(f"IND-{i:03d}")), tree.Cell(text(f"Indicador {i}")),
         tree.Cell(text(f"{i * 1.5:.1f}"), "number"))
        for i in range(1, ROWS + 1)
    )  # fmt: skip
    chart = charts.ChartSpec(
        kind="line",
        categories=("2021", "2022", "2023", "2024"),
        series=(charts.Series("Casos", (10.0, 12.0, 15.0, 19.0)),),
    )
    meta = tree.Meta(
        title="Informe de prueba",
        subtitle="CNUCC",
        lang="es",
        author="Secretaría",
        subject="Prueba",
        draft=True,
        draft_label="BORRADOR",
        header="CNUCC · Prueba",
        page_label="Página {page} de {pages}",
    )
    links = (
        tree.Text("Fuentes: "),
        tree.Link("https://www.unodc.org/", text("UNODC")),
        tree.Text(", "),
        tree.Link("https://cnc.gob.gt/", text("informe de la CNC")),
        tree.Text(" y "),
        tree.Link("https://cnc.gob.gt/", text("guía de la CNC")),
        tree.Text("; véase "),
        tree.Link("#indicadores", text("la tabla")),
        tree.Text("."),
    )
    items = tuple((para(f"Punto {n} de la lista."),) for n in range(1, 6))
    return tree.Document(
        meta,
        (
            tree.Paragraph(text("Informe de prueba"), "cover-title"),
            tree.TableOfContents("Contenido"),
            tree.Heading(1, text("Introducción"), "introduccion"),
            tree.Paragraph(links),
            tree.BulletList(items),
            tree.BulletList(items[:3], ordered=True),
            tree.Note("warning", (para("Cifras preliminares."),)),
            tree.Heading(1, text("Indicadores"), "indicadores"),
            tree.Table(
                (tree.Cell(text("Id")), tree.Cell(text("Indicador")), tree.Cell(text("Valor"))),
                rows,
                caption="Cuadro 1. Indicadores",
                widths=(1, 4, 1),
            ),
            tree.Figure(
                chart, "Casos atendidos al año, de 10 en 2021 a 19 en 2024.", "Gráfica 1. Casos"
            ),
            tree.BulletList(items[:2]),
        ),
    )


def weasyprint_output(
    stand_ins: bool = False, in_flow: bool = False, document: tree.Document | None = None
) -> tuple[bytes, dict, TreeFacts, dict]:
    """WeasyPrint's own PDF of the sample (or `document`), its tag tree repaired by its finisher
    (`pdf_structure`) but before any other post-processing, and `_finish`'s inputs;
    its charts inline SVG, or images of their size (`stand_ins`), as the PDF route has them.
    Its list markers painted last, as WeasyPrint paints them, so that the post-processing has
    them to move; or in the flow (`in_flow`), as `write_pdf` has WeasyPrint paint them
    (`weasyprint_run.markers_in_flow`)."""
    captured: list[tuple] = []
    real, in_place = writer._finish, weasyprint_run.markers_in_flow
    writer._finish = lambda data, mimes, facts, links=None, charts=(): (
        captured.append((data, mimes, facts, links)) or real(data, mimes, facts, links, charts)
    )
    if not in_flow:
        weasyprint_run.markers_in_flow = contextlib.nullcontext
    figures: dict | None = {} if stand_ins else None
    try:
        html = render_html(document or sample_document(), TEMPLATES, figures)
        writer.write_pdf(html, TEMPLATES, (), figures)
    finally:
        writer._finish, weasyprint_run.markers_in_flow = real, in_place
    return captured[0]


@pytest.fixture(scope="module")
def raw() -> tuple[bytes, dict, TreeFacts, dict]:
    return weasyprint_output()


def finished_and_report(output: tuple[bytes, dict, TreeFacts, dict]) -> tuple[bytes, dict]:
    """`_finish` of WeasyPrint's `output`: the post-processed PDF, and what `finish_tags`
    reported doing."""
    report: dict = {}
    real = pdf_tags.finish_tags

    def spy(pdf, facts, links=None):
        report.update(real(pdf, facts, links))
        return report

    pdf_tags.finish_tags = spy
    try:
        return writer._finish(*output), report
    finally:
        pdf_tags.finish_tags = real


@pytest.fixture(scope="module")
def finished(raw) -> tuple[bytes, dict]:
    """The post-processed PDF and what `finish_tags` reported doing."""
    return finished_and_report(raw)


@pytest.fixture(scope="module")
def pdf(finished):
    with pikepdf.open(io.BytesIO(finished[0])) as document:
        yield document


def marked_text(data: bytes) -> list[tuple[str, str]]:
    """Per page: (text inside /Artifact marked content, the rest of the text)."""
    out = []
    for page in pypdf.PdfReader(io.BytesIO(data)).pages:
        stack: list[bool] = []
        chunks: dict[bool, list[str]] = {True: [], False: []}

        def before(op, args, _cm, _tm, stack=stack):
            if op in (b"BDC", b"BMC"):
                stack.append(str(args[0]) == "/Artifact")
            elif op == b"EMC" and stack:
                stack.pop()

        def show(value, _cm, _tm, _font, _size, stack=stack, chunks=chunks):
            chunks[any(stack)].append(value)

        page.extract_text(visitor_operand_before=before, visitor_text=show)
        out.append(("".join(chunks[True]), "".join(chunks[False])))
    return out


def tree_order(pdf) -> dict[tuple, list[int]]:
    """Per page object: the MCIDs in tag-tree (reading) order; written independently of
    `pdf_tags` so that the two can check each other."""
    order: dict[tuple, list[int]] = {}

    def walk(node, page) -> None:
        if isinstance(node, int):
            order.setdefault(page.objgen, []).append(node)
        elif isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, page)
        elif isinstance(node, pikepdf.Dictionary) and node.get("/Type") != Name.OBJR:
            if node.get("/Type") == Name.MCR:
                order.setdefault(node.Pg.objgen, []).append(int(node.MCID))
            elif "/K" in node:
                walk(node.K, node.get("/Pg", page))

    walk(pdf.Root.StructTreeRoot.K, None)
    return order


def painted(page) -> list[tuple[str, int | None]]:
    """The marked-content sequences of a page's content stream, in painting order:
    ("/Artifact", None) or (tag, MCID)."""
    out = []
    for operands, _operator in pikepdf.parse_content_stream(page, "BDC BMC"):
        properties = operands[1] if len(operands) > 1 else None
        mcid = properties.get("/MCID") if isinstance(properties, pikepdf.Dictionary) else None
        out.append((str(operands[0]), None if mcid is None else int(mcid)))
    return out


def elements(pdf, role: str) -> list:
    return [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == role]


def test_it_did_something_on_the_sample(finished) -> None:
    report = finished[1]
    assert report["artifacts"] > 0 and report["tables"] >= 1
    assert report["moved"] > 0 and report["links"] > 0


def test_running_heads_and_folios_are_pagination_artifacts(finished, pdf) -> None:
    pages = marked_text(finished[0])
    total = len(pages)
    assert total >= 3
    for number, (artifacts, content) in enumerate(pages[1:], start=2):
        for furniture in ("CNUCC · Prueba", "BORRADOR", f"Página {number} de {total}"):
            assert furniture in artifacts
            assert furniture not in content
    assert "BORRADOR" in pages[0][1]  # the band on the cover is content: it says what this is
    for page in pdf.pages[1:]:
        kinds = [
            (str(p.get("/Type")), str(p.get("/Subtype")))
            for ops, _ in pikepdf.parse_content_stream(page, "BDC")
            if str(ops[0]) == "/Artifact" and isinstance(p := ops[1], pikepdf.Dictionary)
            and p.get("/Type") == Name.Pagination and "/Subtype" in p
        ]  # fmt: skip
        assert sorted(kinds) == [
            ("/Pagination", "/Footer"),
            ("/Pagination", "/Header"),
            ("/Pagination", "/Header"),
        ]


def test_every_marked_content_belongs_to_the_tag_tree(pdf) -> None:
    order = tree_order(pdf)
    numbers = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
    for page in pdf.pages:
        mcids = [m for _, m in painted(page) if m is not None]
        assert sorted(mcids) == sorted(order.get(page.obj.objgen, []))
        parents = numbers[int(page.obj.StructParents)]
        for mcid, parent in enumerate(parents):
            assert (parent is None) == (mcid not in mcids)


def test_content_is_painted_in_tag_tree_order(pdf) -> None:
    order = tree_order(pdf)
    for number, page in enumerate(pdf.pages, start=1):
        sequence = [m for _, m in painted(page) if m is not None]
        assert sequence == order.get(page.obj.objgen, []), f"page {number}"


def list_labels(document) -> set[tuple]:
    """(page objgen, MCID) of the content under every Lbl (its text is in a Span)."""
    labels: set[tuple] = set()

    def collect(element) -> None:
        kids = element.K if isinstance(element.K, pikepdf.Array) else [element.K]
        for kid in kids:
            if isinstance(kid, int):
                labels.add((element.Pg.objgen, kid))
            elif isinstance(kid, pikepdf.Dictionary) and "/K" in kid:
                collect(kid)

    for label in elements(document, Name.Lbl):
        collect(label)
    return labels


@pytest.mark.parametrize("stand_ins", [False, True], ids=["inline-svg", "stand-in-images"])
def test_weasyprint_paints_all_but_the_list_labels_in_tag_tree_order(raw, stand_ins) -> None:
    """Charts are not clipped (`overflow: visible` in style.css), so WeasyPrint paints them in
    the flow, not after the page's text: only the list labels (positioned boxes) are left for
    `pdf_content` to move."""
    data = weasyprint_output(stand_ins=True)[0] if stand_ins else raw[0]
    with pikepdf.open(io.BytesIO(data)) as document:
        assert elements(document, Name.Figure) and elements(document, Name.Caption)
        labels = list_labels(document)
        assert labels
        order = tree_order(document)
        late = 0
        for number, page in enumerate(document.pages, start=1):
            key = page.obj.objgen
            expected = [m for m in order.get(key, []) if (key, m) not in labels]
            seen = [m for _, m in painted(page) if m in set(expected)]
            assert seen == expected, f"page {number}"
            everything = set(order.get(key, []))
            late += [m for _, m in painted(page) if m in everything] != order.get(key, [])
        assert late  # the labels themselves are painted out of order: left for pdf_content


@pytest.fixture(scope="module")
def in_flow() -> tuple[bytes, dict, TreeFacts, dict]:
    return weasyprint_output(stand_ins=True, in_flow=True)


def painted_in_tag_tree_order(data: bytes) -> None:
    """Everything each page of `data` paints (list labels too) comes in tag-tree order."""
    with pikepdf.open(io.BytesIO(data)) as document:
        assert list_labels(document)
        order = tree_order(document)
        for number, page in enumerate(document.pages, start=1):
            everything = set(order.get(page.obj.objgen, []))
            seen = [m for _, m in painted(page) if m in everything]
            assert seen == order.get(page.obj.objgen, []), f"page {number}"


def same_look_and_tags(one: bytes, other: bytes) -> None:
    """The pages of `one` and `other` are the same pixels at 100 dpi, with the same tag tree
    and the same marked content (the MCIDs may be numbered otherwise)."""
    pymupdf = pytest.importorskip("pymupdf", reason="PyMuPDF (comes with outloud) compares pages")
    before, after = pymupdf.open(stream=one), pymupdf.open(stream=other)
    assert len(before) == len(after) >= 3
    for number in range(len(before)):
        old = before[number].get_pixmap(dpi=100)
        new = after[number].get_pixmap(dpi=100)
        assert old.samples == new.samples, f"page {number + 1} looks different"
    with pikepdf.open(io.BytesIO(one)) as old, pikepdf.open(io.BytesIO(other)) as new:
        assert roles(old) == roles(new)
        for a, b in zip(old.pages, new.pages, strict=True):
            assert sorted(tag for tag, _ in painted(a)) == sorted(tag for tag, _ in painted(b))


def test_weasyprint_paints_the_list_labels_in_order_when_they_are_in_flow(in_flow) -> None:
    """With `markers_in_flow`, as `write_pdf` runs WeasyPrint, everything a page paints (the
    list labels too) comes in tag-tree order: no page needs `pdf_content`'s moves."""
    painted_in_tag_tree_order(in_flow[0])
    report = finished_and_report(in_flow)[1]
    assert report["moved"] == 0 and report["artifacts"] > 0


def test_list_labels_in_flow_look_the_same_and_tag_the_same(in_flow) -> None:
    same_look_and_tags(weasyprint_output(stand_ins=True)[0], in_flow[0])


def test_nested_lists_over_pages_in_flow_too() -> None:
    """Items of long paragraphs, each holding a numbered list, over several pages: the labels
    of both levels come in order, and the pages look as WeasyPrint paints them otherwise."""
    inner = tree.BulletList(tuple((para(f"Subpunto {n}."),) for n in range(1, 4)), ordered=True)
    items = tuple((para(f"Punto {n} de la lista. " * 12), inner) for n in range(1, 13))
    document = tree.Document(
        sample_document().meta,
        (tree.Heading(1, text("Listas"), "listas"), tree.BulletList(items)),
    )
    flow = weasyprint_output(in_flow=True, document=document)[0]
    painted_in_tag_tree_order(flow)
    same_look_and_tags(weasyprint_output(document=document)[0], flow)


def roles(document) -> list[str]:
    """The structure types of the tag tree, depth first."""
    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid)
        elif isinstance(node, pikepdf.Dictionary) and "/S" in node:
            out.append(str(node.S))
            if "/K" in node:
                walk(node.K)

    walk(document.Root.StructTreeRoot.K)
    return out


def test_a_table_over_several_pages_is_one_table(finished, pdf) -> None:
    tables = elements(pdf, Name.Table)
    assert len(tables) == 1
    (table,) = tables
    kinds = [str(k.S) for k in table.K]
    assert kinds == ["/Caption", "/THead", "/TBody"]
    head, body = table.K[1], table.K[2]
    assert len(head.K) == 1 and len(body.K) == ROWS
    assert all(body == row.P for row in body.K)
    ids = {bytes(th.ID) for th in head.K[0].K}
    for row in body.K:
        for cell in row.K:
            assert {bytes(h) for h in cell.A.Headers} <= ids and len(cell.A.Headers) == 1
    pages = marked_text(finished[0])
    repeated = [n for n, (artifacts, _) in enumerate(pages) if "Indicador" in artifacts]
    starts = [n for n, (_, content) in enumerate(pages) if "Cuadro 1." in content]
    assert repeated and starts and min(repeated) > starts[0]  # the header repeats as artifact
    assert sum("Id Indicador Valor" in content for _, content in pages) == 1


def test_links_are_described(pdf) -> None:
    contents = {}
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", ()):
            target = annotation.A.URI if "/A" in annotation else "#" + str(annotation.Dest)
            contents.setdefault(str(target), set()).add(str(annotation.Contents))
    assert contents["https://www.unodc.org/"] == {"UNODC (https://www.unodc.org/)"}
    assert contents["https://cnc.gob.gt/"] == {"https://cnc.gob.gt/"}  # two texts: the URL
    assert contents["#indicadores"] == {"Indicadores"}  # the heading, not "la tabla"
    assert contents["#introduccion"] == {"Introducción"}


def test_a_pdf_whose_tag_tree_was_not_repaired_is_refused(raw) -> None:
    """`_finish` needs what `pdf_structure` found while WeasyPrint wrote the file: without it,
    running heads would stay in the tag tree, so it refuses rather than finish half the work."""
    data, mimes, _facts, links = raw
    with pytest.raises(writer.PdfRenderError, match="tag tree was not repaired"):
        writer._finish(data, mimes, None, links)


def test_post_processing_keeps_the_look(raw, finished) -> None:
    pymupdf = pytest.importorskip("pymupdf", reason="PyMuPDF (comes with outloud) compares pages")
    data, mimes, facts, links = raw
    real = pdf_tags.finish_tags
    pdf_tags.finish_tags = lambda pdf, facts, links=None: {}
    try:
        untouched = writer._finish(data, mimes, facts, links)
    finally:
        pdf_tags.finish_tags = real
    before, after = pymupdf.open(stream=untouched), pymupdf.open(stream=finished[0])
    assert len(before) == len(after)
    for number in range(len(before)):
        old = before[number].get_pixmap(dpi=72)
        new = after[number].get_pixmap(dpi=72)
        assert old.samples == new.samples, f"page {number + 1} looks different"


# ------------------------------------------------------------------ the pieces, on small cases


def test_longest_increasing() -> None:
    assert pdf_content.longest_increasing([]) == set()
    assert pdf_content.longest_increasing([3, 0, 1, 2]) == {1, 2, 3}
    assert pdf_content.longest_increasing([1, 2, 4, 5, 0, 3, 6]) in ({0, 1, 2, 3, 6}, {0, 1, 5, 6})
    kept = pdf_content.longest_increasing([5, 1, 4, 2, 3])
    assert [([5, 1, 4, 2, 3])[i] for i in sorted(kept)] == [1, 2, 3]


def test_matrices() -> None:
    m = (0.75, 0.0, 0.0, -0.75, 10.0, 800.0)
    assert pdf_gstate.multiply(m, pdf_gstate.invert(m)) == pytest.approx(pdf_gstate.IDENTITY)
    assert pdf_gstate.multiply((1, 0, 0, 1, 5, 5), (2, 0, 0, 2, 0, 0)) == (2, 0, 0, 2, 10, 10)


def page_with(content: bytes) -> tuple[pikepdf.Pdf, list]:
    document = pikepdf.new()
    document.add_blank_page(page_size=(100, 100))
    document.pages[0].obj.Contents = document.make_stream(content)
    return document, list(pikepdf.parse_content_stream(document.pages[0]))


def render(document: pikepdf.Pdf) -> bytes:
    pymupdf = pytest.importorskip("pymupdf", reason="PyMuPDF (comes with outloud) compares pages")
    buffer = io.BytesIO()
    document.save(buffer)
    return pymupdf.open(stream=buffer.getvalue())[0].get_pixmap(dpi=72).samples


SMALL = b"""0 0 1 rg
q 0 0 50 50 re W n
/P <</MCID 2>> BDC 10 10 60 60 re f EMC
Q
/P <</MCID 0>> BDC 1 0 0 rg 2 w 60 60 20 20 re f EMC
/P <</MCID 1>> BDC 60 5 20 20 re f EMC
q 1 0 0 1 70 0 cm
/P <</MCID 3>> BDC 0 0 0 RG 10 60 m 20 90 l S EMC
Q
"""


def test_reorder_keeps_state_clip_and_look() -> None:
    # MCID 2 is painted first, blue, clipped; 0 sets red for 1 too; 3 has its own CTM.
    document, instructions = page_with(SMALL)
    look = render(document)
    out, moved = pdf_content.reorder(instructions, {0: 0, 1: 1, 2: 2, 3: 3})
    assert moved == 1
    document.pages[0].obj.Contents = document.make_stream(pikepdf.unparse_content_stream(out))
    assert [m for _, m in painted(document.pages[0])] == [0, 1, 2, 3]
    assert render(document) == look


def test_reorder_leaves_a_clip_before_inserting() -> None:
    # MCID 1 must follow MCID 0, which is clipped: it goes after the Q that ends the clip.
    content = b"/P <</MCID 1>> BDC 0 1 0 rg 60 60 30 30 re f EMC\n"
    content += b"q 0 0 40 40 re W n /P <</MCID 0>> BDC 0 0 80 80 re f EMC Q\n"
    document, instructions = page_with(content)
    look = render(document)
    out, moved = pdf_content.reorder(instructions, {0: 0, 1: 1})
    assert moved == 1
    ops = [str(i.operator) for i in out]
    assert ops.index("Q") < max(i for i, op in enumerate(ops) if op == "BDC")
    document.pages[0].obj.Contents = document.make_stream(pikepdf.unparse_content_stream(out))
    assert render(document) == look


def test_reorder_refuses_what_it_cannot_place() -> None:
    # The earlier place is inside a clip that the moved sequence was not painted in, and the
    # only way there crosses painted content: the sequence stays where it is.
    content = b"q 0 0 40 40 re W n 5 5 m 6 6 l S /P <</MCID 1>> BDC 0 0 9 9 re f EMC"
    content += b" /P <</MCID 2>> BDC 9 9 9 9 re f EMC Q /P <</MCID 0>> BDC 50 50 9 9 re f EMC"
    _, instructions = page_with(content)
    out, moved = pdf_content.reorder(instructions, {0: 0, 1: 1, 2: 2})
    assert moved == 0 and out == instructions


def test_neutralised_sequence_keeps_its_state_changes() -> None:
    _, instructions = page_with(b'/P <</MCID 0>> BDC 1 0 0 rg BT /F1 9 Tf (x) Tj 1 2 (y) " ET EMC')
    ops = [str(i.operator) for i in pdf_gstate.neutralise(instructions)]
    assert ops == ["rg", "BT", "Tf", "Tw", "Tc", "T*", "ET"]


def test_link_texts() -> None:
    html = (
        '<h2 id="x">Intro<em>duc</em>ción</h2><a href="#x">aquí</a><a href="#y">otra</a>'
        '<a href="https://a.org/">A</a><a href="https://a.org/">B</a>'
        '<a href="https://c.org/">C &amp; D</a><a href="https://e.org/">https://e.org/</a>'
    )
    assert pdf_links.link_texts(tinyhtml5.parse(html, namespace_html_elements=False)) == {
        "#x": "Introducción",
        "#y": "otra",
        "https://a.org/": "https://a.org/",
        "https://c.org/": "C & D (https://c.org/)",
        "https://e.org/": "https://e.org/",
    }


def test_untagged_pdf_is_left_alone() -> None:
    document, _ = page_with(b"0 0 1 rg 0 0 10 10 re f")
    assert pdf_tags.finish_tags(document, None) == {
        "artifacts": 0,
        "tables": 0,
        "moved": 0,
        "links": 0,
    }
    assert re.search(rb"re f", document.pages[0].obj.Contents.read_bytes())


@pytest.mark.parametrize("profile", ["PDF_A_3A", "PDF_UA_1"])
def test_sample_passes_page_validation(finished, profile: str) -> None:
    page = pytest.importorskip("page", reason="install page-validation (the test extra)")
    report = page.validate_pdf_bytes(finished[0], profile=getattr(page.ValidationProfile, profile))
    assert [f"{f.rule_id}: {f.message}" for f in report.failures] == []
    assert report.is_compliant


def test_sample_passes_outloud(finished, tmp_path: Path) -> None:
    outloud = pytest.importorskip("outloud", reason="install outloud (the test extra)")
    path = tmp_path / "sample.pdf"
    path.write_bytes(finished[0])
    result = outloud.check(str(path))
    assert result.error is None
    found = [(f.severity, f.rule, f.message) for f in result.findings if f.severity != "info"]
    assert found == []
