"""DOCX writer: build a small tree by hand, write it, read it back with python-docx."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from docx.enum.shape import WD_INLINE_SHAPE
from docx.oxml.ns import qn

from seguimiento import charts, tree
from seguimiento.writers import docx_xml
from seguimiento.writers.docx import write_docx

REFERENCE = Path(__file__).resolve().parents[2] / "templates" / "reference.docx"
ALT = "Entidades con portal de transparencia: 40 % en 2022, 55 % en 2023 y 61 % en 2024."
T = tree.Text


def para(*children: tree.Inline | str, role: str = "") -> tree.Paragraph:
    return tree.Paragraph(tuple(T(c) if isinstance(c, str) else c for c in children), role)


def cell(text: str, role: str = "") -> tree.Cell:
    return tree.Cell((T(text),), role)


def meta(lang: str = "es") -> tree.Meta:
    return tree.Meta(
        title="Informe de avance UNCAC 2024",
        subtitle="Capítulo II",
        lang=lang,
        author="Comisión de seguimiento",
        subject="Seguimiento de la UNCAC",
        keywords=("UNCAC", "Guatemala"),
        date="2024-11-05",
        draft=True,
        draft_label="BORRADOR",
        header="Seguimiento UNCAC 2024",
        page_label="Página {page} de {pages}",
    )


def sample(lang: str = "es") -> tree.Document:
    chart = charts.ChartSpec(
        kind="line",
        categories=("2022", "2023", "2024"),
        series=(charts.Series("Entidades con portal", (40.0, 55.0, 61.0)),),
        y_label="%",
        target=80.0,
        target_label="Meta",
    )
    rows = (
        (
            cell("IND-1"),
            cell("Portales activos"),
            cell("61.0", "number"),
            cell("En curso", "on_track"),
        ),
        (cell("IND-2"), cell("Denuncias"), cell("12", "number"), cell("En riesgo", "at_risk")),
        (cell("IND-3"), cell("Sanciones"), cell("3", "number"), cell("Rezagado", "off_track")),
        (cell("IND-4"), cell("Auditorías"), cell("—", "number"), cell("Sin datos", "no_data")),
    )
    blocks = (
        para("Informe de avance UNCAC 2024", role="cover-title"),
        tree.PageBreak(),
        tree.TableOfContents("Contenido"),
        tree.Heading(1, (T("Resumen ejecutivo"),), "resumen"),
        para(
            "Avance del ",
            tree.Strong((T("artículo 5"),)),
            " con ",
            tree.Emph((T("matices"),)),
            ", ",
            tree.Link("https://www.unodc.org/", (T("UNODC"),)),
            ", ",
            tree.Link("#art-10", (T("véase el artículo 10"),)),
            ", ",
            tree.Code("IND-1"),
            ", ",
            tree.Inserted((T("nuevo texto"),)),
            " ",
            tree.Deleted((T("texto anterior"),)),
            tree.LineBreak(),
            "fin.",
        ),
        tree.BulletList(
            (
                (para("Primero"),),
                (para("Segundo"), tree.BulletList(((para("Anidado"),),))),
            )
        ),
        tree.BulletList(((para("uno"),), (para("dos"),)), ordered=True),
        tree.BulletList(((para("otra uno"),),), ordered=True),
        tree.Heading(2, (T("Indicadores"),), "indicadores"),
        tree.Table(
            header=(cell("Id"), cell("Indicador"), cell("Valor", "number"), cell("Estado")),
            rows=rows,
            caption="Tabla 1. Indicadores",
            widths=(1, 4, 1, 2),
            anchor="tabla-1",
        ),
        tree.Figure(chart, alt=ALT, caption="Figura 1. Portales"),
        tree.Note("draft", (para("Cifras preliminares."),)),
        tree.Heading(3, (T("Artículo 10"),), "art-10"),
        tree.ReviewComment(
            (para("La política ", tree.Link("https://example.org", (T("vigente"),)), " cambia."),),
            (
                ("Ana López", "2024-10-01", "Falta la fuente."),
                ("Juan Pérez", "2024-10-02T10:30:00", "De acuerdo."),
            ),
            anchor="revision-1",
        ),
    )
    return tree.Document(meta(lang), blocks)


@pytest.fixture(scope="module")
def written() -> bytes:
    return write_docx(sample(), REFERENCE)


@pytest.fixture(scope="module")
def doc(written: bytes) -> docx.document.Document:
    return docx.Document(io.BytesIO(written))


def xpath(element: object, query: str) -> list:
    return element.xpath(query)  # type: ignore[attr-defined]


def test_returns_docx_bytes(written: bytes) -> None:
    assert written[:2] == b"PK"


def test_the_same_document_gives_the_same_bytes(written: bytes) -> None:
    """Every zip entry is dated the report's date (python-docx dates them with the clock, to
    two seconds), so the same document written later is the same file, and a valid one."""
    import time
    import zipfile

    with zipfile.ZipFile(io.BytesIO(written)) as archive:
        assert archive.testzip() is None
        assert {info.date_time for info in archive.infolist()} == {(2024, 11, 5, 0, 0, 0)}
    time.sleep(2.1)
    assert write_docx(sample(), REFERENCE) == written


def test_reference_has_the_styles_the_report_needs() -> None:
    reference = docx.Document(str(REFERENCE))
    names = {style.name for style in reference.styles}
    for name in ("Heading 1", "Title", "Subtitle", "Caption", "TOC Heading", "toc 1", "toc 3"):
        assert name in names
    for name in ("List Bullet 2", "List Number", "Code", "Seguimiento Table", "Cover Meta"):
        assert name in names
    ids = {style.style_id for style in reference.styles}
    assert {"CommentReference", "CommentText", "Header", "Footer", "Hyperlink"} <= ids
    # Word's built-in names: Word itself then uses them for new comments and captions.
    raw = {style.style_id: style.element.name_val for style in reference.styles}
    assert raw["CommentText"] == "annotation text"
    assert raw["CommentReference"] == "annotation reference"
    assert raw["Caption"] == "caption"
    section = reference.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert round(section.left_margin.cm, 2) == 2.5 and round(section.right_margin.cm, 2) == 2.5


def test_headings_and_roles_use_reference_styles(doc: docx.document.Document) -> None:
    styled = [(p.style.name, p.text) for p in doc.paragraphs]
    assert ("Heading 1", "Resumen ejecutivo") in styled
    assert ("Heading 2", "Indicadores") in styled
    assert ("Heading 3", "Artículo 10") in styled
    assert ("Title", "Informe de avance UNCAC 2024") in styled
    assert ("Caption", "Tabla 1. Indicadores") in styled
    assert ("Caption", "Figura 1. Portales") in styled
    assert ("TOC Heading", "Contenido") in styled


def test_inline_formatting_and_links(doc: docx.document.Document) -> None:
    p = next(p for p in doc.paragraphs if p.text.startswith("Avance del"))
    runs = {r.text: r for r in p.iter_inner_content() if isinstance(r, docx.text.run.Run)}
    assert runs["artículo 5"].bold and runs["matices"].italic
    assert runs["IND-1"].style.name == "Code"
    assert runs["nuevo texto"].underline and str(runs["nuevo texto"].font.color.rgb) == "1E6B1E"
    assert runs["texto anterior"].font.strike
    links = [h for h in p.iter_inner_content() if isinstance(h, docx.text.hyperlink.Hyperlink)]
    assert [(h.text, h.url) for h in links][0] == ("UNODC", "https://www.unodc.org/")
    assert links[1].fragment == "art_10"
    assert xpath(p._p, ".//w:br")  # the line break
    assert "Avance del artículo 5" in p.text


def test_lists_use_list_styles_and_numbering_restarts(doc: docx.document.Document) -> None:
    styles = {p.text: p.style.name for p in doc.paragraphs}
    assert styles["Primero"] == "List Bullet"
    assert styles["Anidado"] == "List Bullet 2"
    assert styles["uno"] == "List Number"
    numbers = {p.text: xpath(p._p, "./w:pPr/w:numPr/w:numId/@w:val") for p in doc.paragraphs}
    assert numbers["uno"] == numbers["dos"] != numbers["otra uno"]


def test_table_header_cells_roles_and_widths(doc: docx.document.Document) -> None:
    table = next(
        t for t in doc.tables if t.style is not None and t.style.name == "Seguimiento Table"
    )
    assert [c.text for c in table.rows[0].cells] == ["Id", "Indicador", "Valor", "Estado"]
    assert table.rows[1].cells[1].text == "Portales activos"
    assert xpath(table.rows[0]._tr, "./w:trPr/w:tblHeader")
    assert not xpath(table.rows[1]._tr, "./w:trPr/w:tblHeader")
    assert all(r.bold for r in table.rows[0].cells[0].paragraphs[0].runs)
    caption = xpath(table._tbl, "./w:tblPr/w:tblCaption/@w:val")
    assert caption == ["Tabla 1. Indicadores"]
    assert xpath(table._tbl, "./w:tblPr/w:tblDescription/@w:val")
    widths = [[int(w) for w in xpath(row._tr, "./w:tc/w:tcPr/w:tcW/@w:w")] for row in table.rows]
    assert all(row == widths[0] for row in widths) and sum(widths[0]) == 9072
    assert widths[0][1] == pytest.approx(4 * widths[0][0], abs=2)
    fills = [xpath(row.cells[3]._tc, "./w:tcPr/w:shd/@w:fill") for row in table.rows[1:]]
    assert fills == [
        [docx_xml.ROLE_COLOURS[r][0]] for r in ("on_track", "at_risk", "off_track", "no_data")
    ]
    assert table.rows[4].cells[3].paragraphs[0].runs[0].italic  # no_data
    assert xpath(table.rows[1].cells[2]._tc, "./w:p/w:pPr/w:jc/@w:val") == ["right"]


@pytest.mark.parametrize("role", sorted(docx_xml.ROLE_COLOURS))
def test_role_colours_are_readable(role: str) -> None:
    fill, text, _italic = docx_xml.ROLE_COLOURS[role]
    assert contrast(text, fill) >= 4.5


def test_mark_colours_are_readable() -> None:
    for fill, _border, label in docx_xml.NOTE_COLOURS.values():
        assert contrast(label, fill) >= 4.5
    for colour in (docx_xml.INSERTED_COLOUR, docx_xml.DELETED_COLOUR, docx_xml.DRAFT_COLOUR):
        assert contrast(colour, "FFFFFF") >= 4.5


@pytest.mark.parametrize(
    ("chart_style", "kind", "name"),
    [("native", WD_INLINE_SHAPE.CHART, "Chart"), ("picture", WD_INLINE_SHAPE.PICTURE, "Picture")],
)
def test_figure_is_a_chart_or_picture_with_alt_text(chart_style, kind, name) -> None:
    """A figure is a Word chart by default (writers/docx_charts.py), or the PDF's drawing as a
    picture; either is described alike, and named as Word names it."""
    out = docx.Document(io.BytesIO(write_docx(sample(), REFERENCE, chart_style)))
    assert len(out.inline_shapes) == 1
    shape = out.inline_shapes[0]
    assert shape.type == kind
    assert round(shape.width.cm, 1) == 16.0
    doc_pr = xpath(shape._inline, "./wp:docPr")[0]
    assert doc_pr.get("descr") == ALT
    assert doc_pr.get("title") == "Figura 1. Portales"
    assert doc_pr.get("name") == f"{name} {doc_pr.get('id')}"


def _png(colour: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("reference_picture", [False, True])
def test_pictures_are_stored_once_and_named_as_python_docx_names_them(reference_picture: bool):
    """docx_parts.Pictures gives what python-docx's own `new_pic_inline` gives (the same parts,
    part names, relationships and sizes), hashing each image once instead of every stored image
    for every new one; a picture the reference holds already keeps its part and name."""
    from seguimiento.writers.docx_parts import Pictures

    ours, theirs = docx.Document(), docx.Document()
    if reference_picture:
        for document in (ours, theirs):
            document.add_picture(io.BytesIO(_png("green")))
    images = [_png("red"), _png("blue"), _png("red"), _png("green")]
    pictures = Pictures(ours.part)
    made = [pictures.inline(data, 914400, n) for n, data in enumerate(images, 1)]
    expected = [theirs.part.new_pic_inline(io.BytesIO(data), width=914400) for data in images]

    def names(document: docx.document.Document) -> list[str]:
        return sorted(str(part.partname) for part in document.part.package.image_parts)

    assert names(ours) == names(theirs)
    assert len(names(ours)) == 3
    for query in (".//a:blip/@r:embed", "./wp:extent/@cx", "./wp:extent/@cy"):
        assert [xpath(i, query) for i in made] == [xpath(i, query) for i in expected]
    assert xpath(made[0], ".//a:blip/@r:embed") == xpath(made[2], ".//a:blip/@r:embed")
    assert [xpath(i, "./wp:docPr/@id") for i in made] == [["1"], ["2"], ["3"], ["4"]]


def test_note_is_a_labelled_frame_not_a_table(doc: docx.document.Document) -> None:
    texts = [p.text for p in doc.paragraphs]
    label = doc.paragraphs[texts.index("Borrador")]
    body = doc.paragraphs[texts.index("Cifras preliminares.")]
    assert label.runs[0].bold and label.paragraph_format.keep_with_next
    for p in (label, body):  # framed and shaded alike, so Word draws one box
        assert xpath(p._p, "./w:pPr/w:shd/@w:fill") == ["FFF2CC"]
        assert xpath(p._p, "./w:pPr/w:pBdr/w:left/@w:sz") == ["24"]
    assert not [t for t in doc.tables if "Borrador" in t._tbl.xml]  # no layout table


def test_header_and_footer(doc: docx.document.Document) -> None:
    section = doc.sections[0]
    header = section.header.paragraphs[0]
    assert "Seguimiento UNCAC 2024" in header.text and "BORRADOR" in header.text
    assert next(r for r in header.runs if r.text == "BORRADOR").bold
    # One tab to the only stop, at the right margin: a title wider than half the line cannot
    # send the mark to a second line (the style's centre stop is cleared).
    width = (section.page_width - section.left_margin - section.right_margin) // 635
    stops = [
        (t.get(qn("w:val")), t.get(qn("w:pos"))) for t in xpath(header._p, "./w:pPr/w:tabs/w:tab")
    ]
    assert stops == [("clear", "4536"), ("right", str(width))]
    assert len(xpath(header._p, ".//w:r/w:tab")) == 1
    footer = section.footer._element
    instructions = [t.strip() for t in xpath(footer, ".//w:instrText/text()")]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert "Página" in "".join(xpath(footer, ".//w:t/text()"))


def test_table_of_contents_field(doc: docx.document.Document) -> None:
    body = doc.element.body
    instructions = [t.strip() for t in xpath(body, ".//w:instrText/text()")]
    assert instructions[0] == r'TOC \o "1-3" \h \z \u'
    kinds = xpath(body, ".//w:fldChar/@w:fldCharType")
    assert kinds.count("begin") == kinds.count("end") == 1
    assert xpath(doc.settings.element, "./w:updateFields/@w:val") == ["true"]
    entries = [p.text for p in doc.paragraphs if p.style.name.startswith("toc")]
    assert entries == ["Resumen ejecutivo", "Indicadores", "Artículo 10"]


def test_table_of_contents_placeholder_without_headings() -> None:
    document = tree.Document(meta("en"), (tree.TableOfContents("Contents"),))
    out = docx.Document(io.BytesIO(write_docx(document, REFERENCE)))
    assert "Update the table of contents (F9)" in [p.text for p in out.paragraphs]


def test_core_properties(doc: docx.document.Document) -> None:
    core = doc.core_properties
    assert core.title == "Informe de avance UNCAC 2024"
    assert core.author == "Comisión de seguimiento"
    assert core.subject == "Seguimiento de la UNCAC"
    assert core.keywords == "UNCAC, Guatemala"
    assert core.language == "es-GT"
    assert core.created.date().isoformat() == "2024-11-05"


@pytest.mark.parametrize(("lang", "tag"), [("es", "es-GT"), ("en", "en-US")])
def test_language_in_style_defaults(lang: str, tag: str) -> None:
    out = docx.Document(io.BytesIO(write_docx(tree.Document(meta(lang), ()), REFERENCE)))
    query = "./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val"
    assert xpath(out.styles.element, query) == [tag]


def test_comments(doc: docx.document.Document) -> None:
    comments = list(doc.comments)
    assert [(c.author, c.text, c.initials) for c in comments] == [
        ("Ana López", "Falta la fuente.", "AL"),
        ("Juan Pérez", "De acuerdo.", "JP"),
    ]
    assert comments[0].timestamp.date().isoformat() == "2024-10-01"
    commented = next(p for p in doc.paragraphs if p.text.startswith("La política"))
    for comment in comments:
        marker = f"[@w:id='{comment.comment_id}']"
        assert xpath(commented._p, f"./w:commentRangeStart{marker}")
        assert xpath(commented._p, f"./w:commentRangeEnd{marker}")
        assert xpath(commented._p, f".//w:commentReference{marker}")


def test_bookmarks(doc: docx.document.Document) -> None:
    names = set(xpath(doc.element.body, ".//w:bookmarkStart/@w:name"))
    assert {"resumen", "indicadores", "art_10", "tabla_1", "revision_1"} <= names
    heading = next(p for p in doc.paragraphs if p.style.name == "Heading 1")
    assert xpath(heading._p, "./w:bookmarkStart/@w:name") == ["resumen"]
    ids = xpath(doc.element.body, ".//w:bookmarkStart/@w:id")
    assert len(ids) == len(set(ids))


def test_libreoffice_converts_it_to_pdf(written: bytes, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH; cannot check the DOCX converts to PDF")
    source = tmp_path / "informe.docx"
    source.write_bytes(written)
    profile = (tmp_path / "lo-profile").as_uri()  # own profile: safe next to other soffice runs
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*command, "--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / "informe.pdf"
    assert pdf.exists(), "soffice exited without writing the PDF"
    from pypdf import PdfReader

    reader = PdfReader(str(pdf))
    assert len(reader.pages) > 0
    assert "Resumen ejecutivo" in "".join(page.extract_text() for page in reader.pages)


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two RRGGBB colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_heading_levels_never_skip() -> None:
    headings = [(3, "Uno"), (1, "Dos"), (3, "Tres"), (2, "Cuatro"), (3, "Cinco"), (1, "Seis")]
    blocks = (
        tree.TableOfContents("Contenido"),
        *(tree.Heading(level, (T(title),)) for level, title in headings),
    )
    out = docx.Document(io.BytesIO(write_docx(tree.Document(meta(), blocks), REFERENCE)))
    titles = {title for _, title in headings}
    styles = {p.text: p.style.name for p in out.paragraphs if p.style.name.startswith("Heading")}
    assert set(styles) == titles
    levels = [int(styles[title].split()[-1]) for _, title in headings]
    assert levels == [1, 1, 2, 2, 3, 1]
    toc = [p.style.name for p in out.paragraphs if p.style.name.startswith("toc")]
    assert toc == [f"toc {level}" for level in levels]


def test_a_chart_is_its_pdf_svg_rasterised_and_drawn_once(monkeypatch) -> None:
    """As a picture, a DOCX chart is the SVG the PDF shows (same figure, same alt text) as PNG:
    a job that also writes the PDF draws nothing more. As a Word chart, nothing is drawn."""
    from seguimiento import chart_raster, charts

    charts.clear_memory_cache()
    charts.use_disk_cache(None)
    drawn: list[object] = []
    real = charts._draw
    monkeypatch.setattr(charts, "_draw", lambda spec: (drawn.append(spec), real(spec))[1])
    document = sample()
    figure = next(b for b in document.blocks if isinstance(b, tree.Figure))
    assert write_docx(document, REFERENCE)[:2] == b"PK"  # Word charts: nothing drawn
    assert drawn == []
    out = docx.Document(io.BytesIO(write_docx(document, REFERENCE, "picture")))
    assert len(drawn) == 1
    svg = charts.render_svg(figure.chart, figure.alt)
    assert len(drawn) == 1
    embedded = [part.blob for part in out.part.package.parts if part.content_type == "image/png"]
    assert embedded == chart_raster.rasterise([svg], charts.PNG_DPI)
    charts.clear_memory_cache()
