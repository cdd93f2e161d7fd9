"""Typst PDF engine (`writers.typst`): data stays data, and the PDF reads back like WeasyPrint's.

- Hostile texts in every kind of node and in the metadata print literally (read back with pypdf):
  nothing is evaluated (`#read`, `#import`, `#panic` would fail the build or print a file).
- A synthetic report: cover without running head, page label, draft mark, table of contents with
  the real page numbers, bookmarks, a table whose header repeats on every page, internal links,
  attachments (text and binary) with relationship Data and their MIME type, reproducible bytes.
The real sample reports written by Typst are checked in test_typst_samples.py.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pikepdf
import pypdf
import pytest
from pikepdf import Name

from seguimiento import charts, tree
from seguimiento.writers.pdf import Attachment, PdfRenderError
from seguimiento.writers.typst import _finish, write_pdf_typst
from seguimiento.writers.typst_markup import string

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
HOSTILE = (
    '#import "@preview/cetz:0.3.0": *',
    '#read("/etc/passwd")',
    '#panic("evaluated") #{ 1 + 1 }',
    "$x^2$ and *bold* and _emph_ and `raw`",
    "<label> @ref ~ -- ---",
    'back\\slash \\" "quotes" \\u{41}',
    "= not a heading",
    "- not a list",
    "+ not an enum",
    "// not a comment /* nor this */",
    '"] ) } #sys.inputs [ (',
)
ANCHOR = "x]#panic(1)*$"  # a link target safe_url keeps, full of Typst syntax
LINED = "first line\nsecond\tline"
ALT = "Denuncias resueltas: 40 % en 2020 y 58.3 % en 2024."
CHART = charts.ChartSpec(
    kind="line",
    categories=("2020", "2021", "2022", "2023", "2024"),
    series=(charts.Series("Denuncias resueltas", (40.0, 45.5, None, 52.0, 58.3)),),
    target=75.0,
    target_label="Meta",
)
FILES = (
    Attachment("datos.csv", b"indicador,valor\nIND-001,12.5\n", "text/csv", "Datos"),
    Attachment("datos.bin", bytes(range(256)) + b"\r", "application/octet-stream"),
)


def text(*parts: str) -> tuple[tree.Inline, ...]:
    return tuple(tree.Text(part) for part in parts)


def cell(value: str, role: str = "") -> tree.Cell:
    return tree.Cell(text(value), role)


def squeeze(value: str) -> str:
    """Text without whitespace (pypdf puts line breaks where lines wrap)."""
    return re.sub(r"\s+", "", value)


def meta(**changes) -> tree.Meta:
    values = dict(
        title="Informe de avance 2024", subtitle="CNUCC", lang="es", author="Secretaría Técnica",
        subject="Seguimiento de la CNUCC", keywords=("corrupción", "CNUCC"), date="2024-06-30",
        draft=True, draft_label="BORRADOR", header="CNUCC · Informe 2024",
        page_label="Página {page} de {pages}",
    )  # fmt: skip
    return tree.Meta(**(values | changes))


def pages_of(data: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages]


def links(data: bytes) -> tuple[list[str], list[tuple[int, int, str]]]:
    """External URLs, and (page, target page, description) of every internal link (0-based)."""
    uris, internal = [], []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        numbers = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        names = pikepdf.NameTree(pdf.Root.Names.Dests) if "/Names" in pdf.Root else {}
        for number, page in enumerate(pdf.pages):
            for annotation in page.obj.get("/Annots", ()):
                action = annotation.get("/A")
                if action is not None and "/URI" in action:
                    uris.append(str(action.URI))
                    continue
                dest = annotation.get("/Dest", action.get("/D") if action is not None else None)
                dest = names[str(dest)] if isinstance(dest, pikepdf.String) else dest
                described = str(annotation.get("/Contents", ""))
                internal.append((number, numbers[dest[0].objgen], described))
    return uris, internal


# ------------------------------------------------------------------ data stays data


def test_string_literal_escapes_quotes_backslashes_and_controls() -> None:
    assert string('a"b\\c') == '"a\\"b\\\\c"'
    assert string("x\ny\u2028\x00") == '"x\\u{a}y\\u{2028}\\u{0}"'
    assert "\n" not in string("a\r\nb")


def test_hostile_text_prints_literally() -> None:
    evil = " | ".join(HOSTILE)
    inlines = (
        tree.Text(HOSTILE[2]), tree.Strong(text(HOSTILE[3])), tree.Emph(text(HOSTILE[4])),
        tree.Code(HOSTILE[5]), tree.Link("javascript:alert(1)", text(HOSTILE[6])),
        tree.Link('https://example.org/"#panic()', text(HOSTILE[7])),
        tree.Link("#" + ANCHOR, text(HOSTILE[8])), tree.Inserted(text(HOSTILE[9])),
        tree.Deleted(text(HOSTILE[10])), tree.LineBreak(), tree.Text(LINED),
    )  # fmt: skip
    blocks = (
        tree.Paragraph(text(HOSTILE[0]), "cover-title"),
        tree.Heading(1, text(HOSTILE[1]), ANCHOR),
        tree.Paragraph(inlines),
        tree.BulletList(tuple((tree.Paragraph(text(h)),) for h in HOSTILE), ordered=True),
        tree.Note("warning", (tree.Paragraph(text(evil)),)),
        tree.Table(
            (cell(HOSTILE[0]), cell(HOSTILE[1], "number")),
            tuple((cell(h, "on_track"), cell(h, "number")) for h in HOSTILE),
            caption=HOSTILE[2],
            widths=(1, 1),
            anchor=HOSTILE[3],
        ),  # fmt: skip
        tree.Figure(CHART, ALT + " " + HOSTILE[4], caption=HOSTILE[5]),
        tree.TableOfContents(HOSTILE[6]),
    )
    hostile_meta = meta(
        title=HOSTILE[0], author=HOSTILE[1], subject=HOSTILE[2], keywords=(HOSTILE[3],),
        header=HOSTILE[4], page_label=HOSTILE[5] + " {page} #sys.inputs {pages}",
        draft_label=HOSTILE[6],
    )  # fmt: skip
    attachment = Attachment("datos.csv", evil.encode("utf-8"), "text/csv", HOSTILE[7])
    data = write_pdf_typst(tree.Document(hostile_meta, blocks), TEMPLATES, (attachment,))

    pages = pages_of(data)
    body = squeeze("".join(pages))
    for hostile in HOSTILE:  # in the paragraph or note, the list, and the table
        assert body.count(squeeze(hostile)) >= 3, hostile
    assert squeeze(LINED) in body and "root:" not in body
    assert "evaluated" not in body.replace('#panic("evaluated")', "")
    assert squeeze(HOSTILE[5] + " 2 #sys.inputs ") in squeeze(pages[1])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        info = {key: str(pdf.docinfo[key]) for key in ("/Title", "/Author", "/Subject")}
        assert info == {"/Title": HOSTILE[0], "/Author": HOSTILE[1], "/Subject": HOSTILE[2]}
        assert ANCHOR in pikepdf.NameTree(pdf.Root.Names.Dests)
        (spec,) = pdf.attachments.values()
        assert spec.description == HOSTILE[7]
        assert spec.get_file().read_bytes() == evil.encode("utf-8")
    uris, internal = links(data)
    assert uris == []  # javascript: and the URL with a quote stay plain text
    assert (1, 1) in [(page, target) for page, target, _ in internal]  # the link to ANCHOR


def test_link_to_a_missing_anchor_fails() -> None:
    document = tree.Document(meta(), (tree.Paragraph((tree.Link("#nowhere", text("x")),)),))
    with pytest.raises(PdfRenderError, match="nowhere"):
        write_pdf_typst(document, TEMPLATES)


def test_unknown_node_and_bad_tables_fail() -> None:
    class Strange:
        pass

    with pytest.raises(tree.UnknownNodeError):
        write_pdf_typst(tree.Document(meta(), (Strange(),)), TEMPLATES)  # type: ignore[arg-type]
    table = tree.Table((cell("a"), cell("b")), ((cell("1"), cell("2")),), widths=(1, 0))
    with pytest.raises(ValueError, match="positive widths"):
        write_pdf_typst(tree.Document(meta(), (table,)), TEMPLATES)


# ------------------------------------------------------------------ a synthetic report


def synthetic_document(draft: bool = True) -> tree.Document:
    statuses = ("on_track", "at_risk", "off_track", "no_data")
    rows = tuple(
        (cell(f"IND-{i:03d}"), cell(f"Indicador {i}"), cell(f"{i * 12.5:,.1f}", "number"),
         cell(statuses[i % 4], statuses[i % 4]))
        for i in range(1, 71)
    )  # fmt: skip
    see = (
        tree.Text("Véase "), tree.Link("https://www.unodc.org/", text("UNODC")), tree.Text(", "),
        tree.Link("#indicadores", text("los indicadores")), tree.Text(" y "),
        tree.Link("#revisado", text("lo revisado")),
    )  # fmt: skip
    blocks = (
        tree.Paragraph(text("Portada: avance CNUCC"), "cover-title"),
        tree.Paragraph(text("Primer semestre"), "cover-subtitle"),
        tree.Paragraph(text("Guatemala, 2024"), "cover-meta"),
        tree.Note("draft" if draft else "info", (tree.Paragraph(text("Para revisión.")),)),
        tree.PageBreak(),
        tree.TableOfContents("Contenido"),
        tree.Heading(1, text("Introducción"), "introduccion"),
        tree.Paragraph(see),
        tree.BulletList(((tree.Paragraph(text("Uno")),), (tree.Paragraph(text("Dos")),))),
        tree.Heading(2, text("Alcance")),
        tree.ReviewComment((tree.Paragraph(text("Revisado.")),), (("Ana", "", "ok"),), "revisado"),
        tree.Heading(1, text("Indicadores"), "indicadores"),
        tree.Table(
            (cell("Id"), cell("Indicador"), cell("Valor", "number"), cell("Estado")),
            rows,
            caption="Cuadro 1. Indicadores",
            widths=(1, 4, 1.5, 1.5),
        ),  # fmt: skip
        tree.Heading(2, text("Tendencia")),
        tree.Figure(CHART, ALT, "Gráfica 1. Denuncias resueltas"),
        tree.Heading(3, text("Detalle")),
        tree.Table((cell("Cifra"), cell("Valor", "number")), ((cell("Total"), cell("7")),)),
    )
    return tree.Document(meta(draft=draft), blocks)


@pytest.fixture(scope="module")
def synthetic_pdf() -> bytes:
    return write_pdf_typst(synthetic_document(), TEMPLATES, FILES)


def test_cover_running_head_page_label_and_draft_mark(synthetic_pdf: bytes) -> None:
    pages = pages_of(synthetic_pdf)
    assert "Portada: avance CNUCC" in pages[0] and "BORRADOR" in pages[0]
    assert "Página" not in pages[0] and "CNUCC · Informe 2024" not in pages[0]
    for number, page in enumerate(pages[1:], start=2):
        assert f"Página {number} de {len(pages)}" in page
        assert "BORRADOR" in page and "CNUCC · Informe 2024" in page
    final = pages_of(write_pdf_typst(synthetic_document(draft=False), TEMPLATES))
    assert not [n for n, page in enumerate(final, 1) if "BORRADOR" in page]


def test_same_document_same_bytes(synthetic_pdf: bytes) -> None:
    assert write_pdf_typst(synthetic_document(), TEMPLATES, FILES) == synthetic_pdf


def test_table_header_repeats_on_every_page(synthetic_pdf: bytes) -> None:
    pages = pages_of(synthetic_pdf)
    with_rows = [page for page in pages if "IND-0" in page]
    assert len(with_rows) >= 2
    assert all("Indicador" in page.split("IND-0")[0] for page in with_rows)
    assert all("\n".join(pages).count(f"IND-{i:03d}") == 1 for i in range(1, 71))


def test_toc_page_numbers_and_bookmarks(synthetic_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(synthetic_pdf))
    found: dict[str, int] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                found[item.title] = reader.get_destination_page_number(item) + 1

    walk(reader.outline)
    assert {"Introducción", "Alcance", "Indicadores", "Tendencia", "Detalle"} <= set(found)
    assert not [title for title in found if "Portada" in title]
    toc = next(page.extract_text() for page in reader.pages if "Contenido" in page.extract_text())
    for title in ("Introducción", "Alcance", "Indicadores", "Tendencia"):
        match = re.search(re.escape(title) + r"[ .]*(\d+)", toc)
        assert match and int(match.group(1)) == found[title], title
    assert "Detalle" not in toc  # level 3 is bookmarked, not listed


def test_internal_and_external_links(synthetic_pdf: bytes) -> None:
    pages = pages_of(synthetic_pdf)
    intro, table, reviewed = (
        next(n for n, page in enumerate(pages) if marker in page)
        for marker in ("Véase", "Cuadro 1.", "Revisado.")
    )
    uris, internal = links(synthetic_pdf)
    assert uris == ["https://www.unodc.org/"]
    from_intro = [target for page, target, _ in internal if page == intro]
    assert table in from_intro and reviewed in from_intro
    assert all(described.strip() for _, _, described in internal)  # /Contents (PDF/UA)


def test_attachments_are_data_with_their_mime_type(synthetic_pdf: bytes) -> None:
    with pikepdf.open(io.BytesIO(synthetic_pdf)) as pdf:
        files = dict(pdf.attachments.items())
        assert set(files) == {item.name for item in FILES}
        listed = [item.objgen for item in pdf.Root.get("/AF", [])]
        for item in FILES:
            spec = files[item.name]
            assert spec.obj.AFRelationship == Name.Data
            assert str(spec.obj.EF.F.Subtype) == "/" + item.mime
            assert listed.count(spec.obj.objgen) == 1
            assert spec.get_file().read_bytes() == item.data


def test_a_stream_end_that_reads_two_ways_gets_a_cr_eol() -> None:
    """Data ending in CR, then the LF before `endstream`: the LF becomes a CR (the same length);
    the pages and an embedded file's bytes are kept."""
    pdf = pikepdf.new()
    pdf.add_blank_page()
    content, data = b"q Q ", b"x"
    while zlib.compress(content)[-1:] != b"\r":
        content += b" "
    while zlib.compress(data)[-1:] != b"\r":
        data += b"x"
    pdf.pages[0].obj.Contents = pdf.make_stream(b"")
    pdf.pages[0].obj.Contents.write(zlib.compress(content), filter=Name.FlateDecode)
    pdf.Root.Extra = pdf.make_stream(b"")
    pdf.Root.Extra.write(zlib.compress(data), filter=Name.FlateDecode)
    buffer = io.BytesIO()
    pdf.save(buffer, stream_decode_level=pikepdf.StreamDecodeLevel.none, recompress_flate=False)
    assert buffer.getvalue().count(b"\r\nendstream") == 2
    fixed = _finish(buffer.getvalue())
    assert b"\r\nendstream" not in fixed and fixed.count(b"\r\rendstream") == 2
    assert len(fixed) == len(buffer.getvalue())
    with pikepdf.open(io.BytesIO(fixed)) as result:
        assert result.check_pdf_syntax() == []
        assert result.pages[0].obj.Contents.read_bytes() == content
        assert result.Root.Extra.read_bytes() == data
    assert _finish(fixed) == fixed  # nothing left to do
