"""End-to-end: `generate.py all` on the shipped sample data, every output read back.

The build runs once per test session (module fixture) into a temporary folder; each test opens the
files with python-docx or pypdf and checks what a reader would see.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from seguimiento.i18n import formatter
from seguimiento.load import load_project
from seguimiento.measure import measure

REPO = Path(__file__).resolve().parent.parent
CONVENTIONS = ("uncac", "iacac", "crpd")
NAMES = {
    "uncac": {
        "es": "Convención de las Naciones Unidas contra la Corrupción",
        "en": "United Nations Convention against Corruption",
    },
    "iacac": {
        "es": "Convención Interamericana contra la Corrupción",
        "en": "Inter-American Convention against Corruption",
    },
    "crpd": {
        "es": "Convención sobre los Derechos de las Personas con Discapacidad",
        "en": "Convention on the Rights of Persons with Disabilities",
    },
}


@pytest.fixture(scope="module")
def built(sample_reports) -> tuple[Path, int, str]:
    """The sample reports, built once per session (see conftest.py)."""
    return sample_reports


def _pdf_text(path: Path) -> str:
    reader = PdfReader(path)
    return re.sub(r"\s+", " ", " ".join(page.extract_text() or "" for page in reader.pages))


def _outline_titles(outline) -> list[str]:
    titles = []
    for item in outline:
        if isinstance(item, list):
            titles.extend(_outline_titles(item))
        else:
            titles.append(item.title)
    return titles


def test_all_writes_every_report_and_exits_0(built):
    out, code, printed = built
    assert code == 0
    expected = [
        out / c / "2025" / f"progress.{lang}.{fmt}"
        for c in CONVENTIONS
        for lang in ("es", "en")
        for fmt in ("docx", "pdf")
    ]
    expected += [
        out / "crpd" / "2025" / f"policy-review.{lang}.{fmt}"
        for lang in ("es", "en")
        for fmt in ("docx", "pdf")
    ]
    for path in expected:
        assert path.stat().st_size > 10_000, path
        assert f"wrote {path}" in printed
    assert len(expected) == 16


@pytest.mark.parametrize("convention", CONVENTIONS)
@pytest.mark.parametrize("lang", ["es", "en"])
def test_pdf_holds_name_values_progress_and_outline(built, convention, lang):
    out, _, _ = built
    path = out / convention / "2025" / f"progress.{lang}.pdf"
    text = _pdf_text(path)
    assert NAMES[convention][lang] in text
    datasets, _ = load_project(REPO, [convention])
    dataset = datasets[convention]
    figures = measure(dataset, "2025")
    fmt = formatter(REPO / "templates", lang)
    reported = figures.indicators[figures.indicators["status"] != "no_data"]
    row = reported.iloc[0]
    unit = dataset.indicators[list(figures.indicators["id"]).index(row["id"])].unit
    assert fmt.value(row["latest"], unit) in text  # latest value, formatted for the language
    assert fmt.percent(row["progress"]) in text  # its progress figure
    generated = fmt.date(dt.date.today())
    assert generated in text  # cover date in the language's format
    titles = _outline_titles(PdfReader(path).outline)
    summary = "Resumen ejecutivo" if lang == "es" else "Executive summary"
    assert summary in titles
    assert NAMES[convention][lang] not in titles  # the cover title is not a bookmark


def test_spanish_and_english_number_and_date_formats_in_pdf(built):
    out, _, _ = built
    spanish = _pdf_text(out / "uncac" / "2025" / "progress.es.pdf")
    english = _pdf_text(out / "uncac" / "2025" / "progress.en.pdf")
    assert "17.9%" in spanish and "17.9%" in english  # es_GT writes a decimal point
    assert "4,802" in spanish  # suspicious transaction reports, grouped
    assert " de 2026" in spanish or " de 2025" in spanish  # Spanish long dates
    assert "Página 1 de" in spanish or "Página 2 de" in spanish
    assert "Page 2 of" in english


@pytest.mark.parametrize("convention", CONVENTIONS)
def test_docx_structure(built, convention):
    out, _, _ = built
    document = Document(str(out / convention / "2025" / "progress.es.docx"))
    styles = [p.style.name for p in document.paragraphs]
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "Resumen ejecutivo" in headings
    assert any(
        t.startswith("Artículo")
        for t, s in zip([p.text for p in document.paragraphs], styles)
        if s == "Heading 2"
    )
    assert "Title" in styles
    # Tables: the key figures, indicator tables and recommendations, each with a repeated header.
    assert len(document.tables) >= 5
    for table in document.tables:
        first_row = table.rows[0]._tr
        if table.style is not None and table.style.name == "Seguimiento Table":
            assert first_row.find(qn("w:trPr")) is not None
            assert first_row.find(qn("w:trPr")).find(qn("w:tblHeader")) is not None
    headers = {cell.text for table in document.tables for cell in table.rows[0].cells}
    assert "Línea base" in headers and "Meta" in headers
    # Images: every picture has a text alternative.
    pictures = document.element.body.findall(".//" + qn("wp:docPr"))
    assert pictures
    assert all(len(p.get("descr", "")) > 20 for p in pictures)
    # Footer: page number fields.
    footer_xml = document.sections[0].footer._element.xml
    assert "PAGE" in footer_xml and "NUMPAGES" in footer_xml
    # Core properties and language.
    assert "CNUCC" in document.core_properties.title or convention != "uncac"
    assert document.core_properties.author.startswith("Mesa técnica")
    assert 'w:val="es-GT"' in document.styles.element.xml


def test_policy_review_docx_has_one_word_comment_per_data_comment(built):
    out, _, _ = built
    datasets, _ = load_project(REPO, ["crpd"])
    review = datasets["crpd"].policy_review
    expected = [(c.author, c.text) for p in review.proposals for c in p.comments]
    document = Document(str(out / "crpd" / "2025" / "policy-review.es.docx"))
    found = [(c.author, c.text) for c in document.comments]
    assert sorted(found) == sorted(expected)
    assert len(found) == 24


@pytest.mark.parametrize("lang", ["es", "en"])
def test_policy_review_pdf_holds_each_article_and_proposal(built, lang):
    out, _, _ = built
    datasets, _ = load_project(REPO, ["crpd"])
    dataset = datasets["crpd"]
    text = _pdf_text(out / "crpd" / "2025" / f"policy-review.{lang}.pdf")
    articles = dataset.convention.articles()
    for proposal in dataset.policy_review.proposals:
        title = articles[proposal.article][1].title.get(lang)
        assert title in text, title
        summary = re.sub(r"\s+", " ", proposal.change.summary.get(lang))
        assert summary[:60] in text, summary
    for comment in (c for p in dataset.policy_review.proposals for c in p.comments):
        assert comment.text[:40] not in text  # the publication carries no comments


@pytest.mark.parametrize("lang", ["es", "en"])
@pytest.mark.parametrize("convention", CONVENTIONS)
def test_pdf_tables_keep_institution_names_whole(built, convention, lang):
    """Tables are laid out with the widths the report gives (`table-layout: fixed`), where a
    word longer than its column would break: every institution short name in the tables (up to 8
    capitals, e.g. SEGEPLAN) stays on one line."""
    out, _, _ = built
    reader = PdfReader(out / convention / "2025" / f"progress.{lang}.pdf")
    lines = {line.strip() for page in reader.pages for line in page.extract_text().splitlines()}
    datasets, _ = load_project(REPO, [convention])
    names = {i.id for i in datasets[convention].committee.institutions}
    broken = [
        (name, line)
        for name in names
        for line in lines
        if line.endswith(name[:-1]) and not line.endswith(name) and len(name) > 3
    ]
    assert not broken, broken
