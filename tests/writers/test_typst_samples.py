"""Typst PDF engine on the real sample reports (composed from indicators/): `page-validation`
(PDF/A-3a and PDF/UA-1) finds no failure and `outloud` no error or warning, like
tests/test_accessibility.py for WeasyPrint; reading aids (/Lang, title, alt texts, header-cell
scopes, link descriptions) and fonts. The engine's own tests are in test_typst.py."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Name

from seguimiento.writers.typst import write_pdf_typst

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"
SAMPLES = (("uncac", "progress", "es"), ("crpd", "policy-review", "en"))


@pytest.fixture(scope="module")
def sample_pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Sample reports composed from indicators/ as `render_job` does, written by Typst."""
    from seguimiento.compose import Context, compose
    from seguimiento.load import load_project
    from seguimiento.measure import measure
    from seguimiento.render import data_attachments

    out = tmp_path_factory.mktemp("typst-samples")
    paths = []
    for convention, report, lang in SAMPLES:
        datasets, problems = load_project(REPO, [convention])
        assert not problems.errors, problems.errors
        dataset = datasets[convention]
        figures = measure(dataset, "2025")
        reviews = [r for r in dataset.reviews if r.status == "open" and r.report == report]
        ctx = Context(
            dataset=dataset, figures=figures, report=report, lang=lang, period="2025",
            templates=TEMPLATES, generated=dt.date(2026, 1, 15), extra={"open_reviews": reviews},
        )  # fmt: skip
        path = out / f"{convention}-{report}.{lang}.pdf"
        attachments = data_attachments(dataset, figures)
        path.write_bytes(write_pdf_typst(compose(ctx), TEMPLATES, attachments))
        paths.append(path)
    return paths


def checked(paths: list[Path], check) -> None:
    problems = [f"{path.name}: {problem}" for path in paths for problem in check(path)]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("profile", ["PDF_A_3A", "PDF_UA_1"])
def test_page_validation_finds_no_failure(sample_pdfs: list[Path], profile: str) -> None:
    page = pytest.importorskip("page", reason="install page-validation (the test extra)")

    def check(path: Path) -> list[str]:
        report = page.validate_pdf(str(path), profile=getattr(page.ValidationProfile, profile))
        failures = [f"{f.rule_id}: {f.message}" for f in report.failures]
        return failures or ([] if report.is_compliant else ["not compliant"])

    checked(sample_pdfs, check)


def test_outloud_finds_no_error_and_no_warning(sample_pdfs: list[Path]) -> None:
    outloud = pytest.importorskip("outloud", reason="install outloud (the test extra)")

    def check(path: Path) -> list[str]:
        result = outloud.check(str(path))
        if result.error:
            return [f"outloud could not read it: {result.error}"]
        return [
            f"{f.severity} {f.rule} (page {f.page}): {f.message} [{f.evidence or ''}]"
            for f in result.findings
            if f.severity in ("error", "warning")
        ]

    checked(sample_pdfs, check)


def test_reading_aids_fonts_and_data(sample_pdfs: list[Path]) -> None:
    def check(path: Path) -> list[str]:
        convention, lang = path.name.split("-")[0], path.name.split(".")[-2]
        problems = []
        with pikepdf.open(path) as pdf:
            root, xmp = pdf.Root, pdf.open_metadata()
            if str(root.get("/Lang")) != {"es": "es-GT", "en": "en-US"}[lang]:
                problems.append(f"/Lang is {root.get('/Lang')!r}")
            if root.get("/ViewerPreferences", {}).get("/DisplayDocTitle") is not True:
                problems.append("the title is not shown as window title")
            if not str(pdf.docinfo.get("/Title", "")) or xmp.get("dc:title") != pdf.docinfo.Title:
                problems.append("the title is missing or not the XMP dc:title")
            if xmp.get("pdfaid:part") != "3" or xmp.get("pdfuaid:part") != "1":
                problems.append("PDF/A-3 and PDF/UA-1 are not declared")
            objects = [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary)]
            figures = [o for o in objects if o.get("/S") == Name.Figure]
            if not figures or [f for f in figures if len(str(f.get("/Alt", "")).strip()) < 15]:
                problems.append("a chart is not tagged /Figure with a text alternative")
            for header in (o for o in objects if o.get("/S") == Name.TH):
                owners = header.get("/A", [])  # Typst: a list of attribute dictionaries
                owners = owners if isinstance(owners, pikepdf.Array) else [owners]
                if not {o.get("/Scope") for o in owners} & {Name.Column, Name.Row, Name.Both}:
                    problems.append("a header cell (/TH) has no /Scope")
                    break
            for number, page in enumerate(pdf.pages, start=1):
                annotations = page.obj.get("/Annots", ())
                if [a for a in annotations if not str(a.get("/Contents", "")).strip()]:
                    problems.append(f"page {number}: an annotation without /Contents")
                if annotations and page.obj.get("/Tabs") != Name.S:
                    problems.append(f"page {number}: /Tabs is not /S")
            fonts = {str(o.get("/BaseFont")) for o in objects if o.get("/Type") == Name.Font}
            if not any("LiberationSans" in font for font in fonts):
                problems.append(f"the text is not set in Liberation Sans: {sorted(fonts)}")
            names = {f"{convention}-values.csv", f"{convention}-figures-2025.json"}
            if set(pdf.attachments) != names:
                problems.append(f"attachments {sorted(pdf.attachments)}")
            if [s for s in pdf.attachments.values() if s.obj.get("/AFRelationship") != Name.Data]:
                problems.append("an attachment is not /AFRelationship /Data")
        return problems

    checked(sample_pdfs, check)
