"""Publishing grade, checked on the real sample reports: every PDF and DOCX that `generate.py all`
writes goes through independent checkers.

- PDF: `page-validation` (PDF/A-3a and PDF/UA-1 rule sets) with no failure; `outloud` (Matterhorn
  checkpoints and WCAG 2.2 heuristics) with no error and no warning; chart text alternatives,
  header-cell scopes, described links, /Lang, document title shown as window title; the data
  (CSV of values, JSON of figures) embedded as `/AFRelationship /Data`; the draft mark.
- DOCX: `ooxml-integrity` with no error or warning; alt text on every picture, header rows,
  language, title, heading levels without skips, the comment and caption styles; and a
  LibreOffice round trip (DOCX → PDF with pages and text).

The reports are built once for the module (about a minute and a half on 2 cores). LibreOffice
converts all the DOCX files in one run, in the background, while the PDF checks run. A checker
that is not installed skips its tests and says which package to install (the `test` extra).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import zipfile
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import docx
import pikepdf
import pypdf
import pytest
from docx.oxml.ns import qn
from pikepdf import Name

REPO = Path(__file__).resolve().parent.parent
LANG_TAGS = {"es": "es-GT", "en": "en-US"}
DRAFT_LABELS = {"es": "BORRADOR", "en": "DRAFT"}
#: outloud warnings accepted as known (none: every sample report has zero errors and warnings).
KNOWN_WARNINGS: set[str] = set()


@dataclass
class Built:
    """The sample reports and the LibreOffice conversion running beside the tests."""

    out: Path
    pdfs: list[Path]
    docxs: list[Path]
    office: subprocess.Popen | None
    office_dir: Path
    office_copies: dict[Path, Path]  # DOCX → where its LibreOffice PDF will be
    office_skip: str = ""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, sample_reports) -> Iterator[Built]:
    out, code, _ = sample_reports
    assert code == 0, "the build failed"
    pdfs, docxs = sorted(out.rglob("*.pdf")), sorted(out.rglob("*.docx"))
    office_dir = tmp_path_factory.mktemp("libreoffice")
    copies: dict[Path, Path] = {}
    for path in docxs:  # unique names: one run converts them all into one folder
        name = "-".join(path.relative_to(out).parts).replace("/", "-")
        shutil.copyfile(path, office_dir / name)
        copies[path] = (office_dir / name).with_suffix(".pdf")
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    office, skip = None, ""
    if soffice is None:
        skip = "LibreOffice (soffice) is not on PATH: cannot check the DOCX → PDF round trip"
    else:
        profile = (office_dir / "profile").as_uri()  # its own profile: safe beside other runs
        office = subprocess.Popen(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf",
             "--outdir", str(office_dir), *sorted(str(p.name) for p in office_dir.glob("*.docx"))],
            cwd=office_dir,
            stdout=(office_dir / "soffice.log").open("wb"),
            stderr=subprocess.STDOUT,
        )  # fmt: skip
    built = Built(out, pdfs, docxs, office, office_dir, copies, skip)
    yield built
    if office is not None and office.poll() is None:
        office.kill()
        office.wait()


def report_of(path: Path) -> tuple[str, str, str]:
    """(convention, report, lang) of an output path such as uncac/2025/progress.es.pdf."""
    report, lang = path.name.split(".")[:2]
    return path.parts[-3], report, lang


def checked(built: Built, check) -> None:
    """Run `check(path)` → list of problems on every PDF; fail with all of them at once."""
    problems = [f"{path.relative_to(built.out)}: {p}" for path in built.pdfs for p in check(path)]
    assert not problems, "\n".join(problems)


def checked_docx(built: Built, check) -> None:
    problems = [f"{path.relative_to(built.out)}: {p}" for path in built.docxs for p in check(path)]
    assert not problems, "\n".join(problems)


def test_every_report_is_built_in_both_formats(built: Built) -> None:
    assert len(built.pdfs) >= 6
    assert {p.with_suffix("") for p in built.pdfs} == {p.with_suffix("") for p in built.docxs}
    assert {report_of(p)[2] for p in built.pdfs} == {"es", "en"}


# ------------------------------------------------------------------ PDF: validators


@pytest.mark.parametrize("profile", ["PDF_A_3A", "PDF_UA_1"])
def test_page_validation_finds_no_failure(built: Built, profile: str) -> None:
    page = pytest.importorskip("page", reason="install page-validation (the test extra)")

    def check(path: Path) -> list[str]:
        report = page.validate_pdf(str(path), profile=getattr(page.ValidationProfile, profile))
        failures = [f"{f.rule_id}: {f.message}" for f in report.failures]
        return failures or ([] if report.is_compliant else ["not compliant"])

    checked(built, check)


def outloud_problems(path: Path) -> list[str]:
    """outloud's errors and warnings (minus `KNOWN_WARNINGS`) on one PDF, as lines."""
    import outloud

    result = outloud.check(str(path))
    if result.error:
        return [f"outloud could not read it: {result.error}"]
    return [
        f"{f.severity} {f.rule} (page {f.page}): {f.message} [{f.evidence or ''}]"
        for f in result.findings
        if f.severity == "error" or (f.severity == "warning" and f.rule not in KNOWN_WARNINGS)
    ]


def test_outloud_finds_no_error_and_no_warning(built: Built) -> None:
    pytest.importorskip("outloud", reason="install outloud (the test extra)")
    with ProcessPoolExecutor(max_workers=2) as pool:  # about 4 s a report
        found = dict(zip(built.pdfs, pool.map(outloud_problems, built.pdfs)))
    checked(built, found.__getitem__)


# ------------------------------------------------------------------ PDF: what readers rely on


def struct_elements(pdf: pikepdf.Pdf, role: str) -> list:
    return [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/S") == role]


def test_pdf_reading_aids(built: Built) -> None:
    def check(path: Path) -> list[str]:
        problems = []
        lang = report_of(path)[2]
        with pikepdf.open(path) as pdf:
            root = pdf.Root
            if str(root.get("/Lang")) != LANG_TAGS[lang]:
                problems.append(f"/Lang is {root.get('/Lang')!r}")
            if root.get("/ViewerPreferences", {}).get("/DisplayDocTitle") is not True:
                problems.append("the title is not shown as window title (DisplayDocTitle)")
            title = str(pdf.docinfo.get("/Title", ""))
            if not title or pdf.open_metadata().get("dc:title") != title:
                problems.append(f"title {title!r} missing or not the XMP dc:title")
            figures = struct_elements(pdf, Name.Figure)
            if not figures:
                problems.append("no /Figure: the charts are not tagged")
            for figure in figures:
                alt = str(figure.get("/Alt", "")).strip()
                if len(alt) < 15 or not re.search(r"[^\W\d_]{3}", alt) or alt.endswith(".svg"):
                    problems.append(f"/Figure without a real text alternative: {alt!r}")
            for cell in struct_elements(pdf, Name.TH):
                if cell.get("/A", {}).get("/Scope") not in (Name.Column, Name.Row, Name.Both):
                    problems.append("a header cell (/TH) has no /Scope")
                    break
            for number, page in enumerate(pdf.pages, start=1):
                for annotation in page.obj.get("/Annots", ()):
                    described = str(annotation.get("/Contents", "")).strip()
                    if annotation.get("/Subtype") == Name.Link and not described:
                        problems.append(f"page {number}: a link without /Contents")
                if page.obj.get("/Annots") and page.obj.get("/Tabs") != Name.S:
                    problems.append(f"page {number}: /Tabs is not /S")
        return problems

    checked(built, check)


def test_pdf_embeds_its_data(built: Built) -> None:
    def check(path: Path) -> list[str]:
        convention = report_of(path)[0]
        period = path.parent.name
        expected = {
            f"{convention}-values.csv": "/text/csv",
            f"{convention}-figures-{period}.json": "/application/json",
        }
        problems = []
        with pikepdf.open(path) as pdf:
            files = dict(pdf.attachments.items())
            if set(files) != set(expected):
                return [f"attachments {sorted(files)}, expected {sorted(expected)}"]
            listed = [item.objgen for item in pdf.Root.get("/AF", [])]
            for name, spec in files.items():
                if spec.obj.get("/AFRelationship") != Name.Data:
                    problems.append(f"{name}: /AFRelationship is not /Data")
                if str(spec.obj.EF.F.get("/Subtype")) != expected[name]:
                    problems.append(f"{name}: MIME type {spec.obj.EF.F.get('/Subtype')}")
                if listed.count(spec.obj.objgen) != 1:
                    problems.append(f"{name}: listed {listed.count(spec.obj.objgen)}× in /AF")
                data = spec.get_file().read_bytes().decode("utf-8")
                if name.endswith(".csv"):
                    rows = list(csv.DictReader(io.StringIO(data)))
                    if not rows or not {"indicator", "period", "value"} <= set(rows[0]):
                        problems.append(f"{name}: not the table of values")
                elif json.loads(data).get("period") != period:
                    problems.append(f"{name}: not the figures of {period}")
        return problems

    checked(built, check)


def test_drafts_are_marked(built: Built) -> None:
    # The sample reports are drafts (no --final); tests/writers/test_draft_marking.py checks
    # that a final document carries no mark at all.
    def check(path: Path) -> list[str]:
        label = DRAFT_LABELS[report_of(path)[2]]
        pages = pypdf.PdfReader(path).pages  # the cover's band, and a running head
        unmarked = [n for n in (0, len(pages) - 1) if label not in pages[n].extract_text()]
        return [f"no {label} on pages {[n + 1 for n in unmarked]}"] if unmarked else []

    checked(built, check)

    def check_docx(path: Path) -> list[str]:
        label = DRAFT_LABELS[report_of(path)[2]]
        with zipfile.ZipFile(path) as package:
            headers = [n for n in package.namelist() if re.fullmatch(r"word/header\d*\.xml", n)]
            if not headers or not all(label in package.read(n).decode() for n in headers):
                return [f"no {label} in the running header"]
        return []

    checked_docx(built, check_docx)


# ------------------------------------------------------------------ DOCX


def test_ooxml_integrity_finds_nothing(built: Built) -> None:
    integrity = pytest.importorskip(
        "ooxml_integrity", reason="install ooxml-integrity (test extra)"
    )

    def check(path: Path) -> list[str]:
        return [
            f"{f.severity.value} {f.code}: {f.message}"
            for f in integrity.check(path)
            if f.severity in (integrity.ERROR, integrity.WARN)
        ]

    checked_docx(built, check)


def test_docx_accessibility(built: Built) -> None:
    def check(path: Path) -> list[str]:
        problems = []
        lang = report_of(path)[2]
        document = docx.Document(str(path))
        body = document.element.body
        core = document.core_properties
        if not core.title or core.language != LANG_TAGS[lang]:
            problems.append(f"core properties: title {core.title!r}, language {core.language!r}")
        with pikepdf.open(path.with_suffix(".pdf")) as pdf:
            if core.title != str(pdf.docinfo.get("/Title")):
                problems.append("the DOCX and PDF titles differ")
        defaults = document.styles.element.xpath("./w:docDefaults/w:rPrDefault/w:rPr/w:lang/@w:val")
        if defaults != [LANG_TAGS[lang]]:
            problems.append(f"document language {defaults}")
        pictures = body.xpath(".//wp:docPr")
        if not pictures:
            problems.append("no picture: the charts are missing")
        for picture in pictures:
            alt = (picture.get("descr") or "").strip()
            if len(alt) < 15 or not re.search(r"[^\W\d_]{3}", alt):
                problems.append(f"picture {picture.get('name')!r} without alt text: {alt!r}")
        for number, table in enumerate(body.iter(qn("w:tbl")), start=1):
            if not table.xpath("./w:tr[1]/w:trPr/w:tblHeader"):
                problems.append(f"table {number}: the first row is not a header row")
            if not table.xpath("./w:tblPr/w:tblCaption/@w:val | ./w:tblPr/w:tblDescription"):
                problems.append(f"table {number}: no caption or description (table alt text)")
        names = {s.style_id: s.name for s in document.styles}
        levels = []
        for style in body.xpath("./w:p/w:pPr/w:pStyle/@w:val"):
            match = re.fullmatch(r"(?i)heading (\d)", names.get(style, ""))
            if match:
                levels.append(int(match.group(1)))
        if not levels or levels[0] != 1:
            problems.append(f"the first heading is not level 1: {levels[:1]}")
        problems += [
            f"heading level skips {a} → {b}" for a, b in zip(levels, levels[1:]) if b > a + 1
        ]
        needed = {"CommentText", "CommentReference", "Caption"}
        if not needed <= set(names):
            problems.append(f"styles missing: {sorted(needed - set(names))}")
        for comment in document.comments:
            if not comment.text.strip() or not comment.author:
                problems.append(f"comment {comment.comment_id} without text or author")
        return problems

    checked_docx(built, check)


def test_libreoffice_round_trip(built: Built) -> None:
    if built.office is None:
        pytest.skip(built.office_skip)
    try:
        built.office.wait(timeout=600)
    except subprocess.TimeoutExpired:
        built.office.kill()
        pytest.fail("LibreOffice took more than 10 minutes to convert the DOCX files")
    log = (built.office_dir / "soffice.log").read_text("utf-8", "replace")[-2000:]
    problems = []
    for source, pdf in built.office_copies.items():
        name = source.relative_to(built.out)
        if not pdf.exists():  # LibreOffice can exit 0 without writing anything
            problems.append(f"{name}: no PDF written (exit {built.office.returncode})")
            continue
        reader = pypdf.PdfReader(str(pdf))
        text = "".join(page.extract_text() for page in reader.pages)
        first = next(
            p.text for p in docx.Document(str(source)).paragraphs if p.style.name == "Heading 1"
        )
        if len(reader.pages) < 2 or first not in text:
            problems.append(f"{name}: {len(reader.pages)} pages, heading {first!r} missing")
    assert not problems, "\n".join(problems) + "\n" + log
