"""HTML writer: escaping, link filtering, structure (headings, TOC, tables, figures, notes)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import tinyhtml5

from seguimiento import charts, tree
from seguimiento.writers import html as writer

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
SVG = "{http://www.w3.org/2000/svg}"
EVIL = "<script>alert(1)</script>"
ALT = "Denuncias resueltas: 40 % en 2020, 58.3 % en 2024; meta 75 %."


def text(*parts: str) -> tuple[tree.Inline, ...]:
    return tuple(tree.Text(part) for part in parts)


def cell(value: str, role: str = "") -> tree.Cell:
    return tree.Cell(text(value), role)


def sample_document(draft: bool = True, lang: str = "es") -> tree.Document:
    """A small report with one node of every kind (the table is long enough to cross pages)."""
    statuses = ("on_track", "at_risk", "off_track", "no_data")
    rows = tuple(
        (cell(f"IND-{i:03d}"), cell(f"Indicador {i}"), cell(f"{i * 12.5:,.1f}", "number"),
         cell(statuses[i % 4], statuses[i % 4]))
        for i in range(1, 71)
    )  # fmt: skip
    chart = charts.ChartSpec(
        kind="line",
        categories=("2020", "2021", "2022", "2023", "2024"),
        series=(charts.Series("Denuncias <resueltas>", (40.0, 45.5, None, 52.0, 58.3)),),
        y_label="%",
        target=75.0,
        target_label="Meta",
    )
    meta = tree.Meta(
        title="Informe de avance 2024",
        subtitle="Convención de las Naciones Unidas contra la Corrupción",
        lang=lang,
        author="Secretaría Técnica",
        subject="Seguimiento de la CNUCC",
        keywords=("corrupción", "CNUCC"),
        date="2024-06-30",
        draft=draft,
        draft_label="BORRADOR / DRAFT",
        header='CNUCC "2024" </style>',
        page_label="Página {page} de {pages}",
    )
    blocks = (
        tree.Paragraph(text("Portada: avance CNUCC"), "cover-title"),
        tree.Paragraph(text("Primer semestre"), "cover-subtitle"),
        tree.Paragraph(text("Guatemala, 2024"), "cover-meta"),
        tree.TableOfContents("Contenido"),
        tree.Heading(1, text("Introducción"), "introduccion"),
        tree.Paragraph(
            (
                tree.Text("Texto con "),
                tree.Strong(text("negrita")),
                tree.Text(" y "),
                tree.Emph(text("cursiva")),
                tree.Text(", "),
                tree.Link("https://www.unodc.org/", text("UNODC")),
                tree.Text(", "),
                tree.Link("javascript:alert(1)", text("malicioso")),
                tree.Text(", "),
                tree.Link("#indicadores", text("ver indicadores")),
                tree.Text(f" {EVIL} {{{{ 7*7 }}}} "),
                tree.Code("IND-001"),
                tree.LineBreak(),
                tree.Inserted(text("nuevo")),
                tree.Deleted(text("viejo")),
            )
        ),
        tree.BulletList(((tree.Paragraph(text("Uno")),), (tree.Paragraph(text("Dos")),))),
        tree.Heading(2, text("Alcance y método")),
        tree.Note("warning", (tree.Paragraph(text("Datos de 2022 no disponibles.")),)),
        tree.ReviewComment(
            (tree.Paragraph(text("Párrafo revisado.")),),
            (("Ana", "2024-06-01", "Comentario interno"),),
            "rev-1",
        ),
        tree.Heading(1, text("Indicadores"), "indicadores"),
        tree.Table(
            (cell("Id"), cell("Indicador"), cell("Valor", "number"), cell("Estado")),
            rows,
            caption="Cuadro 1. Indicadores",
            widths=(1, 4, 1.5, 1.5),
        ),
        tree.Heading(2, text("Tendencia")),
        tree.Figure(chart, ALT, "Gráfica 1. Denuncias resueltas"),
        tree.Heading(3, text("Detalle")),
        tree.PageBreak(),
        tree.Paragraph(text("Fin."), "small"),
    )
    return tree.Document(meta, blocks)


@pytest.fixture(scope="module")
def page() -> str:
    return writer.render_html(sample_document(), TEMPLATES)


@pytest.fixture(scope="module")
def dom(page: str):
    return tinyhtml5.parse(page, namespace_html_elements=False)


def classes(element) -> set[str]:
    return set(element.get("class", "").split())


def test_data_text_is_escaped_and_never_a_template(page: str, dom) -> None:
    assert EVIL not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "{{ 7*7 }}" in page and " 49 " not in page
    assert not dom.findall(".//script")
    assert EVIL in "".join(dom.find(".//body").itertext())


def test_links_only_for_safe_schemes(dom) -> None:
    hrefs = [a.get("href") for a in dom.iter("a")]
    assert "https://www.unodc.org/" in hrefs
    assert "#indicadores" in hrefs
    assert not [h for h in hrefs if "javascript" in h.lower()]
    paragraph = next(p for p in dom.iter("p") if "malicioso" in "".join(p.itertext()))
    assert "malicioso" not in "".join(a.text or "" for a in paragraph.iter("a"))


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/a?b=1", True),
        ("http://example.org", True),
        ("mailto:secretaria@example.org", True),
        ("#seccion-2", True),
        ("javascript:alert(1)", False),
        ("JavaScript:alert(1)", False),
        (" javascript:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("file:///etc/passwd", False),
        ("vbscript:x", False),
        ("ftp://example.org/x", False),
        ("//example.org/x", False),
        ("relative/page.html", False),
        ("https:", False),
        ("#", False),
        ("", False),
    ],
)
def test_safe_url(url: str, kept: bool) -> None:
    assert (writer.safe_url(url) == url) is kept


def test_head_metadata_and_language(dom) -> None:
    assert dom.get("lang") == "es-GT"
    assert dom.find(".//title").text == "Informe de avance 2024"
    metas = {m.get("name"): m.get("content") for m in dom.iter("meta") if m.get("name")}
    assert metas["author"] == "Secretaría Técnica"
    assert metas["description"] == "Seguimiento de la CNUCC"
    assert metas["keywords"] == "corrupción, CNUCC"
    assert metas["generator"] == "seguimiento"
    assert metas["dcterms.created"] == "2024-06-30"


def test_page_css_built_from_metadata_stays_in_its_string(page: str, dom) -> None:
    styles = [s.text for s in dom.iter("style")]
    assert len(styles) == 2  # style.css, then the page rules: nothing broke out of <style>
    assert '"Página " counter(page) " de " counter(pages)' in styles[1]
    assert "</style" not in styles[1] and '"2024"' not in styles[1]
    assert '"CNUCC \\22 2024\\22  \\3c \\2f style\\3e "' in styles[1]
    assert '"BORRADOR \\2f  DRAFT"' in styles[1]


def test_css_string_escapes_every_symbol() -> None:
    value = str(writer.css_string('a"b\\c\n</style>{}; é'))
    assert value.startswith('"') and value.endswith('"')
    assert not re.search(r'["<>{};\n]', value[1:-1])
    assert "é" in value
    assert (
        str(writer.page_label_css("{page} / {pages}")) == 'counter(page) " \\2f  " counter(pages)'
    )


def test_cover_grouped_and_draft_mark(dom) -> None:
    cover = next(s for s in dom.iter("section") if "cover" in classes(s))
    assert [classes(p) for p in cover.iter("p")] == [
        {"cover-title"}, {"cover-subtitle"}, {"cover-meta"}
    ]  # fmt: skip
    band = next(p for p in dom.iter("p") if "draft-band" in classes(p))
    assert band.text == "BORRADOR / DRAFT"
    final = writer.render_html(sample_document(draft=False), TEMPLATES)
    assert 'class="draft-band"' not in final and "BORRADOR" not in final


def test_headings_have_ids_and_toc_links_every_h1_h2(dom) -> None:
    headings = [
        (h.tag, h.get("id"), "".join(h.itertext()))
        for h in dom.iter()
        if h.tag in ("h1", "h2", "h3")
    ]
    content = [h for h in headings if h[2] != "Contenido"]
    assert content == [
        ("h1", "introduccion", "Introducción"),
        ("h2", "alcance-y-metodo", "Alcance y método"),
        ("h1", "indicadores", "Indicadores"),
        ("h2", "tendencia", "Tendencia"),
        ("h3", "detalle", "Detalle"),
    ]
    toc = next(n for n in dom.iter("nav") if "toc" in classes(n))
    assert "".join(toc.find("h1").itertext()) == "Contenido"
    links = [(a.get("href"), a.text) for a in toc.iter("a")]
    assert links == [(f"#{i}", t) for tag, i, t in content if tag != "h3"]
    nested = toc.findall("./ul/li/ul/li/a")  # h2 entries sit under their h1
    assert [a.text for a in nested] == ["Alcance y método", "Tendencia"]


def test_generated_ids_are_unique() -> None:
    meta = sample_document().meta
    same = tree.Heading(2, text("Resultados"))
    document = tree.Document(
        meta, (tree.Heading(1, text("Resultados"), "resultados"), same, same, tree.Heading(2, ()))
    )
    ids = re.findall(r'<h\d id="([^"]+)"', writer.render_html(document, TEMPLATES))
    assert ids == ["resultados", "resultados-2", "resultados-3", "sec"]


def test_table_structure(dom) -> None:
    table = next(dom.iter("table"))
    assert table.find("caption").text == "Cuadro 1. Indicadores"
    widths = [float(c.get("style").split(":")[1].strip(" %")) for c in table.iter("col")]
    assert widths == [12.5, 50.0, 18.75, 18.75]
    headers = table.findall("./thead/tr/th")
    assert [h.get("scope") for h in headers] == ["col"] * 4
    assert classes(headers[2]) == {"number"}
    rows = table.findall("./tbody/tr")
    assert len(rows) == 70
    assert not table.findall("./tbody//th")
    first = rows[0].findall("td")
    assert [c.text for c in first] == ["IND-001", "Indicador 1", "12.5", "at_risk"]
    assert classes(first[2]) == {"number"} and classes(first[3]) == {"at_risk"}


def test_figure_inlines_svg_with_alt_title(dom) -> None:
    figure = next(dom.iter("figure"))
    svg = figure.find(f"{SVG}svg")
    assert svg is not None
    assert svg.find(f"{SVG}title").text == ALT
    assert "Denuncias <resueltas>" in "".join(svg.itertext())  # chart text escaped in SVG
    assert figure.find("figcaption").text == "Gráfica 1. Denuncias resueltas"


def test_figure_as_image_for_the_pdf(monkeypatch) -> None:
    """With a `figures` dict (the PDF route) the chart is an <img> with the alt text, nothing is
    drawn, and the chart's spec and alt text are in the dict under the <img>'s URL."""
    from seguimiento import charts

    def no_drawing(*_args):
        raise AssertionError("drawn by the HTML writer")

    monkeypatch.setattr(charts, "render_svg", no_drawing)
    figures: dict = {}
    page = writer.render_html(sample_document(), TEMPLATES, figures)
    figure = next(tinyhtml5.parse(page).iter("{http://www.w3.org/1999/xhtml}figure"))
    img = figure.find("{http://www.w3.org/1999/xhtml}img")
    assert img is not None and img.get("alt") == ALT
    assert list(figures) == [img.get("src")]
    assert img.get("src").startswith(f"{writer.CHART_SCHEME}:")
    spec, alt = figures[img.get("src")]
    assert isinstance(spec, charts.ChartSpec) and alt == ALT
    assert "<svg" not in page


def test_note_review_comment_and_inline_marks(page: str, dom) -> None:
    note = next(a for a in dom.iter("aside"))
    assert classes(note) == {"note", "note-warning"}
    assert note.find("p").text == "Advertencia"
    reviewed = next(d for d in dom.iter("div") if d.get("id") == "rev-1")
    assert "".join(reviewed.itertext()).strip() == "Párrafo revisado."
    assert "Comentario interno" not in page and "Ana" not in page
    assert dom.find(".//ins").text == "nuevo" and dom.find(".//del").text == "viejo"
    assert dom.find(".//code").text == "IND-001"
    assert dom.find(".//strong").text == "negrita" and dom.find(".//em").text == "cursiva"
    assert dom.findall(".//p/br") and dom.findall(".//div[@class='page-break']")
    assert [li.find("p").text for li in dom.find(".//body/ul")] == ["Uno", "Dos"]


def test_english_labels() -> None:
    document = sample_document(lang="en")
    page = writer.render_html(document, TEMPLATES)
    assert '<html lang="en-US">' in page
    assert '<p class="note-label">Warning</p>' in page


def test_unknown_nodes_fail_loudly() -> None:
    meta = sample_document().meta

    class Poem:
        pass

    with pytest.raises(tree.UnknownNodeError, match="html writer does not handle Poem"):
        writer.render_html(tree.Document(meta, (Poem(),)), TEMPLATES)  # type: ignore[arg-type]
    inline = tree.Paragraph((tree.Text("a"), Poem()))  # type: ignore[arg-type]
    with pytest.raises(tree.UnknownNodeError):
        writer.render_html(tree.Document(meta, (inline,)), TEMPLATES)


@pytest.mark.parametrize(
    "block",
    [
        tree.Heading(4, text("Demasiado profundo")),
        tree.Note("secret", ()),
        tree.Table((cell("a"), cell("b")), (), widths=(1.0,)),
    ],
)
def test_bad_blocks_are_refused(block: tree.Block) -> None:
    with pytest.raises(ValueError):
        writer.render_html(tree.Document(sample_document().meta, (block,)), TEMPLATES)
