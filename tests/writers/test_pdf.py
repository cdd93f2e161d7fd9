"""PDF writer: the sample report read back (text, outline, tags, metadata, XMP, attachments) and
the restricted URL fetcher (nothing from the network or from outside templates/)."""

from __future__ import annotations

import io
import logging
import socket
import struct
import zlib
from pathlib import Path

import pikepdf
import pypdf
import pytest
from pikepdf import Name

from seguimiento import charts, tree
from seguimiento.writers import pdf as writer
from seguimiento.writers import weasyprint_run
from seguimiento.writers.html import render_html

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
EVIL = "<script>alert(1)</script>"
ALT = "Denuncias resueltas: 40 % en 2020 y 58.3 % en 2024."
CSV = b"indicador,periodo,valor\nIND-001,2024,12.5\n"


def text(*parts: str) -> tuple[tree.Inline, ...]:
    return tuple(tree.Text(part) for part in parts)


def cell(value: str, role: str = "") -> tree.Cell:
    return tree.Cell(text(value), role)


def sample_document() -> tree.Document:
    """Cover, TOC, headings, links, a 70-row table (crosses pages), a chart, a note, draft."""
    statuses = ("on_track", "at_risk", "off_track", "no_data")
    rows = tuple(
        (cell(f"IND-{i:03d}"), cell(f"Indicador {i}"), cell(f"{i * 12.5:,.1f}", "number"),
         cell(statuses[i % 4], statuses[i % 4]))
        for i in range(1, 71)
    )  # fmt: skip
    chart = charts.ChartSpec(
        kind="line",
        categories=("2020", "2021", "2022", "2023", "2024"),
        series=(charts.Series("Denuncias resueltas", (40.0, 45.5, None, 52.0, 58.3)),),
        target=75.0,
        target_label="Meta",
    )
    meta = tree.Meta(
        title="Informe de avance 2024",
        subtitle="CNUCC",
        lang="es",
        author="Secretaría Técnica",
        subject="Seguimiento de la CNUCC",
        keywords=("corrupción", "CNUCC"),
        date="2024-06-30",
        draft=True,
        draft_label="BORRADOR",
        header="CNUCC · Informe 2024",
        page_label="Página {page} de {pages}",
    )
    link = (
        tree.Text("Véase "),
        tree.Link("https://www.unodc.org/", text("UNODC")),
        tree.Text(", "),
        tree.Link("javascript:alert(1)", text("malicioso")),
        tree.Text(" y "),
        tree.Link("#indicadores", text("los indicadores")),
        tree.Text(f". {EVIL} {{{{ 7*7 }}}} "),
        tree.Strong(text("fuerte")),
        tree.Emph(text("suave")),
        tree.Inserted(text("nuevo")),
        tree.Deleted(text("viejo")),
    )
    blocks = (
        tree.Paragraph(text("Portada: avance CNUCC"), "cover-title"),
        tree.Paragraph(text("Primer semestre"), "cover-subtitle"),
        tree.Paragraph(text("Guatemala, 2024"), "cover-meta"),
        tree.TableOfContents("Contenido"),
        tree.Heading(1, text("Introducción"), "introduccion"),
        tree.Paragraph(link),
        tree.BulletList(((tree.Paragraph(text("Uno")),), (tree.Paragraph(text("Dos")),))),
        tree.Heading(2, text("Alcance")),
        tree.Note("info", (tree.Paragraph(text("Cifras preliminares.")),)),
        tree.ReviewComment((tree.Paragraph(text("Revisado.")),), (("Ana", "2024-06-01", "ok"),)),
        tree.Heading(1, text("Indicadores"), "indicadores"),
        tree.Table(
            (cell("Id"), cell("Indicador"), cell("Valor", "number"), cell("Estado")),
            rows,
            caption="Cuadro 1. Indicadores",
            widths=(1, 4, 1.5, 1.5),
        ),
        tree.Heading(2, text("Tendencia")),
        tree.Figure(chart, ALT, "Gráfica 1. Denuncias resueltas"),
    )
    return tree.Document(meta, blocks)


@pytest.fixture(scope="module")
def rendered() -> tuple[bytes, list[str]]:
    """The sample as PDF bytes, and what the writer logged while rendering it."""
    messages: list[str] = []
    handler = logging.Handler(logging.WARNING)
    handler.emit = lambda record: messages.append(record.getMessage())  # type: ignore[method-assign]
    logging.getLogger(weasyprint_run.__name__).addHandler(handler)
    try:
        html = render_html(sample_document(), TEMPLATES)
        data = writer.write_pdf(
            html, TEMPLATES, (writer.Attachment("datos.csv", CSV, "text/csv", "Datos"),)
        )
    finally:
        logging.getLogger(weasyprint_run.__name__).removeHandler(handler)
    return data, messages


@pytest.fixture(scope="module")
def pages(rendered) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(rendered[0])).pages]


@pytest.fixture(scope="module")
def pdf(rendered):
    with pikepdf.open(io.BytesIO(rendered[0])) as document:
        yield document


def struct_elements(pdf) -> list:
    return [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S")]


def test_renders_cleanly(rendered) -> None:
    data, messages = rendered
    assert data.startswith(b"%PDF-1.7")
    assert messages == []  # the stylesheet draws no WeasyPrint warning
    weasy = logging.getLogger("weasyprint")
    assert weasy.propagate and not [h for h in weasy.handlers if type(h).__name__ == "Collector"]


def test_text_cover_footer_and_escaped_data(pages: list[str]) -> None:
    assert "Portada: avance CNUCC" in pages[0] and "BORRADOR" in pages[0]
    assert "Página" not in pages[0]  # no running header or footer on the cover
    total = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        assert f"Página {number} de {total}" in page
        assert "BORRADOR" in page and "CNUCC · Informe 2024" in page
    body = "\n".join(pages)
    assert EVIL in body and "{{ 7*7 }}" in body
    assert "IND-070" in body and "875.0" in body


def test_table_crosses_pages_with_repeated_header(pages: list[str]) -> None:
    with_rows = [page for page in pages if "IND-0" in page]
    assert len(with_rows) >= 2
    assert all("Indicador" in page.split("IND-0")[0] for page in with_rows)
    body = "\n".join(pages)
    assert all(body.count(f"IND-{i:03d}") == 1 for i in range(1, 71))


def test_toc_has_page_numbers(pages: list[str]) -> None:
    toc = next(page for page in pages if "Contenido" in page)
    indicators_page = next(n for n, page in enumerate(pages, 1) if "Cuadro 1." in page)
    assert any(
        line.startswith("Indicadores") and line.rstrip().endswith(str(indicators_page))
        for line in toc.splitlines()
    )


def test_outline_from_headings_not_cover(pdf) -> None:
    titles: list[tuple[int, str]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            titles.append((depth, item.title))
            walk(item.children, depth + 1)

    with pdf.open_outline() as outline:
        walk(outline.root, 1)
    assert (1, "Introducción") in titles and (1, "Indicadores") in titles
    assert (2, "Alcance") in titles and (2, "Tendencia") in titles
    assert not [t for _, t in titles if "Portada" in t]


def test_catalog_and_info(rendered, pdf) -> None:
    root = pdf.Root
    assert str(root.Lang) == "es-GT"
    assert root.ViewerPreferences.DisplayDocTitle is True
    assert root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in root
    info = pypdf.PdfReader(io.BytesIO(rendered[0])).metadata
    assert info.title == "Informe de avance 2024"
    assert info.author == "Secretaría Técnica"
    assert info.subject == "Seguimiento de la CNUCC"


def test_xmp_claims_pdfa3a_and_pdfua1(pdf) -> None:
    metadata = pdf.open_metadata()
    assert metadata["pdfaid:part"] == "3" and metadata["pdfaid:conformance"] == "A"
    assert metadata["pdfuaid:part"] == "1"
    xmp = pdf.Root.Metadata.read_bytes().decode("utf-8")
    assert "<pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/<" in xmp
    assert "<pdfaSchema:prefix>pdfuaid<" in xmp and "<pdfaProperty:name>part<" in xmp
    assert "/Filter" not in pdf.Root.Metadata.stream_dict  # PDF/A: metadata unfiltered


def test_attachment_embedded_as_data(pdf) -> None:
    spec = pdf.attachments["datos.csv"]
    assert spec.get_file().read_bytes() == CSV
    assert spec.obj.AFRelationship == Name.Data
    assert spec.obj.EF.F.Subtype == Name("/text/csv")
    assert [item.objgen for item in pdf.Root.AF] == [spec.obj.objgen]


def test_the_same_input_gives_the_same_bytes(rendered, pdf) -> None:
    """Written again a second later: the attachment is dated the report's date, not the clock's,
    and the /ID is a digest of the content, so nothing in the file depends on when it was made."""
    import time

    params = pdf.attachments["datos.csv"].obj.EF.F.Params
    assert params.CreationDate == params.ModDate == pdf.docinfo["/CreationDate"]
    time.sleep(1.1)  # WeasyPrint dates attachments to the second
    html = render_html(sample_document(), TEMPLATES)
    again = writer.write_pdf(
        html, TEMPLATES, (writer.Attachment("datos.csv", CSV, "text/csv", "Datos"),)
    )
    assert again == rendered[0]
    other = writer.write_pdf(html, TEMPLATES, (writer.Attachment("datos.csv", b"x", "text/csv"),))
    with pikepdf.open(io.BytesIO(other)) as changed:
        assert changed.trailer.ID[0] != pdf.trailer.ID[0]  # another content, another identifier


def test_tags(pdf) -> None:
    elements = struct_elements(pdf)
    roles = [str(e.S) for e in elements]
    assert roles.count("/H1") >= 3 and "/Table" in roles and "/Caption" in roles
    figures = [e for e in elements if str(e.S) == "/Figure"]
    assert [str(f.Alt) for f in figures] == [ALT]
    headers = [e for e in elements if str(e.S) == "/TH"]
    assert headers and all(h.A.Scope == Name.Column for h in headers)
    for item in (e for e in elements if str(e.S) == "/LI"):
        assert {str(k.S) for k in item.K if isinstance(k, pikepdf.Dictionary)} <= {
            "/Lbl",
            "/LBody",
        }


def test_links(pdf) -> None:
    uris, destinations = [], []
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", []):
            if "/A" in annotation:
                uris.append(str(annotation.A.URI))
            elif "/Dest" in annotation:
                destinations.append(str(annotation.Dest))
    assert uris == ["https://www.unodc.org/"]
    assert "indicadores" in destinations and "introduccion" in destinations


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "http://127.0.0.1:9/x.css",
        "https://example.org/logo.png",
        "ftp://example.org/x.css",
        "data:text/css,body{color:red}",
        (TEMPLATES / ".." / "pyproject.toml").as_uri(),
        f"file://example.org{TEMPLATES}/style.css",
        (TEMPLATES / "no-such-file.css").as_uri(),
    ],
)
def test_fetcher_refuses(url: str) -> None:
    fetch = writer.restricted_fetcher(TEMPLATES)
    with pytest.raises(writer.ResourceRefusedError):
        fetch(url)


def test_fetcher_serves_template_files_only(tmp_path: Path) -> None:
    response = writer.restricted_fetcher(TEMPLATES)((TEMPLATES / "style.css").as_uri())
    assert response.content_type == "text/css" and b"@page" in response.read()
    (tmp_path / "escape.css").symlink_to("/etc/passwd")
    with pytest.raises(writer.ResourceRefusedError):
        writer.restricted_fetcher(tmp_path)((tmp_path / "escape.css").as_uri())


def test_render_fetches_nothing_forbidden(monkeypatch: pytest.MonkeyPatch) -> None:
    connections: list[object] = []
    asked: list[str] = []
    monkeypatch.setattr(socket.socket, "connect", lambda self, address: connections.append(address))
    real = writer.restricted_fetcher

    def spy(root: Path, images=None):
        fetcher = real(root, images)
        fetch = fetcher.fetch
        fetcher.fetch = lambda url, headers=None: (asked.append(url), fetch(url, headers))[1]
        return fetcher

    monkeypatch.setattr(writer, "restricted_fetcher", spy)
    html = (
        '<html lang="es"><head><title>x</title>'
        '<link rel="stylesheet" href="http://127.0.0.1:9/x.css"></head>'
        '<body><p>Hola</p><img src="file:///etc/passwd" alt="secreto"></body></html>'
    )
    with pytest.raises(writer.PdfRenderError) as failure:
        writer.write_pdf(html, TEMPLATES)
    assert "http://127.0.0.1:9/x.css" in str(failure.value)
    assert "file:///etc/passwd" in str(failure.value)
    assert set(asked) == {"http://127.0.0.1:9/x.css", "file:///etc/passwd"}
    assert connections == []


def png_1x1() -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body)
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x0b\x53\x94"))
        + chunk(b"IEND", b"")
    )


def test_template_images_are_embedded(tmp_path: Path) -> None:
    (tmp_path / "logo.png").write_bytes(png_1x1())
    page = '<html lang="es"><head><title>x</title></head><body><img src="logo.png" alt="{}">'
    data = writer.write_pdf(page.format("Logo") + "</body></html>", tmp_path)
    with pikepdf.open(io.BytesIO(data)) as document:
        images = [o for o in document.objects if isinstance(o, pikepdf.Stream)]
        assert any(o.get("/Subtype") == Name.Image for o in images)
    with pytest.raises(writer.PdfRenderError, match="alt"):
        writer.write_pdf(page.format("") + "</body></html>", tmp_path)


def test_missing_lang_fails() -> None:
    with pytest.raises(writer.PdfRenderError, match="lang"):
        writer.write_pdf("<html><head><title>x</title></head><body>x</body></html>", TEMPLATES)


@pytest.mark.parametrize(
    ("name", "mime"), [("../x.csv", "text/csv"), ("", "text/csv"), ("x.csv", "text/csv; x")]
)
def test_attachment_is_checked(name: str, mime: str) -> None:
    with pytest.raises(ValueError):
        writer.Attachment(name, b"", mime)


def test_chart_images_are_served_from_memory_only() -> None:
    """`render_html(..., images)` hands charts to WeasyPrint as `chart:` URLs served from the
    dict; the fetcher refuses a `chart:` URL it was not given."""
    from seguimiento.writers.pdf import ResourceRefusedError, restricted_fetcher

    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"></svg>'
    fetcher = restricted_fetcher(TEMPLATES, {"chart:abc.svg": svg})
    response = fetcher.fetch("chart:abc.svg")
    assert response.read() == svg
    with pytest.raises(ResourceRefusedError):
        fetcher.fetch("chart:other.svg")
