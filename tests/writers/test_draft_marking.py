"""Draft marking: a draft says so in both formats (band and running head in the PDF, running head
and status in the DOCX); a final document (`Meta.draft` False) carries no such mark anywhere."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import docx
import pypdf
import pytest

from seguimiento import tree
from seguimiento.writers.docx import write_docx
from seguimiento.writers.html import render_html
from seguimiento.writers.pdf import write_pdf

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
MARKS = {"es": ("Borrador", "BORRADOR"), "en": ("Draft", "DRAFT")}


def document(lang: str, draft: bool) -> tree.Document:
    meta = tree.Meta(
        title="Informe" if lang == "es" else "Report",
        subtitle="CNUCC",
        lang=lang,
        author="Secretaría",
        subject="Seguimiento",
        draft=draft,
        header="CNUCC · 2025",
        page_label="{page}/{pages}",
    )
    blocks = (
        tree.Paragraph((tree.Text("Portada"),), "cover-title"),
        tree.Heading(1, (tree.Text("Resumen"),)),
        tree.Paragraph((tree.Text("Texto."),)),
        tree.PageBreak(),
        tree.Paragraph((tree.Text("Más texto."),)),
    )
    return tree.Document(meta, blocks)


def pdf_pages(lang: str, draft: bool) -> list[str]:
    data = write_pdf(render_html(document(lang, draft), TEMPLATES), TEMPLATES)
    reader = pypdf.PdfReader(io.BytesIO(data))
    info = " ".join(str(v) for v in (reader.metadata or {}).values())
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    return [page.extract_text() for page in reader.pages] + [info, xmp]


def docx_parts(lang: str, draft: bool) -> dict[str, str]:
    data = write_docx(document(lang, draft), TEMPLATES / "reference.docx")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return {
            name: package.read(name).decode("utf-8")
            for name in package.namelist()
            if name.endswith(".xml") and not name.startswith("word/styles")
        }


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_draft_is_marked_on_every_page(lang: str) -> None:
    word, label = MARKS[lang]
    pages = pdf_pages(lang, draft=True)[:-2]
    assert len(pages) >= 2
    assert all(label in page for page in pages)  # band on the cover, running head after


@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_final_has_no_draft_mark(lang: str) -> None:
    texts = pdf_pages(lang, draft=False)
    assert not [t for t in texts if re.search("borrador|draft", t, re.IGNORECASE)]
    assert "CNUCC · 2025" in texts[1]  # the running head is still there


@pytest.mark.parametrize("lang", ["es", "en"])
def test_docx_draft_is_marked(lang: str) -> None:
    word, label = MARKS[lang]
    parts = docx_parts(lang, draft=True)
    headers = [text for name, text in parts.items() if name.startswith("word/header")]
    assert headers and all(label in text for text in headers)
    out = docx.Document(io.BytesIO(write_docx(document(lang, True), TEMPLATES / "reference.docx")))
    assert out.core_properties.content_status == word


@pytest.mark.parametrize("lang", ["es", "en"])
def test_docx_final_has_no_draft_mark(lang: str) -> None:
    parts = docx_parts(lang, draft=False)
    marked = [name for name, text in parts.items() if re.search("borrador|draft", text, re.I)]
    assert marked == []
    assert any("CNUCC · 2025" in t for n, t in parts.items() if n.startswith("word/header"))
