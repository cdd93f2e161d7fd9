"""Reviewer round-trip: comments and tracked changes of a reviewed DOCX go to the reviews file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from seguimiento.cli import main
from seguimiento.review_docx import ReviewFileError, read_reviewed_docx

DATA = Path(__file__).resolve().parent / "data" / "review"


def _draft(root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    assert main(["--root", str(root), "uncac", "--format", "docx", "--out", str(out)]) == 0
    return out / "uncac" / "2025" / "progress.es.docx"


def _reviewed(draft: Path, target: Path) -> Path:
    """The draft with one comment under article 9 and one tracked insertion."""
    document = Document(str(draft))
    paragraphs = document.paragraphs
    index = next(
        i for i, p in enumerate(paragraphs) if p.style.name == "Heading 2" and " 9." in p.text
    )
    body = next(p for p in paragraphs[index + 1 :] if p.text.strip() and p.runs)
    document.add_comment(body.runs, text="¿Fuente del dato 2025?", author="Revisora MINFIN")
    insertion = OxmlElement("w:ins")
    insertion.set(qn("w:id"), "901")
    insertion.set(qn("w:author"), "Revisor CGC")
    insertion.set(qn("w:date"), "2026-02-01T10:00:00Z")
    run, text = OxmlElement("w:r"), OxmlElement("w:t")
    text.text = "Texto insertado por el revisor."
    run.append(text)
    insertion.append(run)
    body._p.append(insertion)
    document.save(str(target))
    return target


def test_import_writes_comments_and_changes_with_anchors_once(small_project, tmp_path, capsys):
    reviewed = _reviewed(_draft(small_project, tmp_path), tmp_path / "reviewed.docx")
    before = {p: p.read_bytes() for p in (small_project / "indicators").rglob("*.yaml")}
    assert main(["--root", str(small_project), "review", "import", str(reviewed)]) == 0
    reviews = small_project / "indicators" / "uncac" / "reviews" / "2025.yaml"
    text = reviews.read_text(encoding="utf-8")
    assert "kind: comment" in text and "kind: insertion" in text
    assert "author: Revisora MINFIN" in text and "¿Fuente del dato 2025?" in text
    assert "anchor: art-9" in text and "Artículo 9." in text
    assert "Texto insertado por el revisor." in text
    # No other data file changed.
    for path, data in before.items():
        assert path.read_bytes() == data, path
    # A second import adds nothing and does not rewrite the file.
    first = reviews.read_bytes()
    capsys.readouterr()
    assert main(["--root", str(small_project), "review", "import", str(reviewed)]) == 0
    assert reviews.read_bytes() == first
    assert "0 new review items" in capsys.readouterr().out


def test_import_keeps_the_secretarys_edits_and_a_backup(small_project, tmp_path):
    draft = _draft(small_project, tmp_path)
    reviewed = _reviewed(draft, tmp_path / "reviewed.docx")
    assert main(["--root", str(small_project), "review", "import", str(reviewed)]) == 0
    reviews = small_project / "indicators" / "uncac" / "reviews" / "2025.yaml"
    edited = reviews.read_text(encoding="utf-8").replace(
        "status: open", "status: resolved  # answered in session 2-2026", 1
    )
    reviews.write_text(edited, encoding="utf-8")
    assert (
        main(
            [
                "--root",
                str(small_project),
                "review",
                "import",
                str(DATA / "reviewed-libreoffice.docx"),
            ]
        )
        == 0
    )
    after = reviews.read_text(encoding="utf-8")
    assert "status: resolved  # answered in session 2-2026" in after  # comment and order kept
    assert after.index("Revisora MINFIN") < after.index("Revisora CONADI")
    backup = reviews.with_name("2025.yaml.bak")
    assert backup.read_text(encoding="utf-8") == edited


def test_libreoffice_edited_file_is_read_with_anchors():
    draft = read_reviewed_docx(DATA / "reviewed-libreoffice.docx")
    assert draft.parts() == ("uncac", "progress", "2025", "es")
    kinds = {(item.kind, item.anchor) for item in draft.items}
    assert ("comment", "art-9") in kinds and ("insertion", "art-9") in kinds
    comment = next(item for item in draft.items if item.kind == "comment")
    assert comment.author == "Revisora CONADI" and "MINFIN" in comment.text
    assert comment.section.startswith("Artículo 9.")


def test_open_items_are_listed_shown_in_the_draft_and_block_final(small_project, tmp_path, capsys):
    reviewed = _reviewed(_draft(small_project, tmp_path), tmp_path / "reviewed.docx")
    main(["--root", str(small_project), "review", "import", str(reviewed)])
    capsys.readouterr()
    assert main(["--root", str(small_project), "review", "list"]) == 0
    listed = capsys.readouterr().out
    assert "¿Fuente del dato 2025?" in listed and "2 open review items" in listed
    out = tmp_path / "next"
    args = ["--root", str(small_project), "uncac", "--format", "html", "--out", str(out)]
    assert main(args) == 0
    html = (out / "uncac" / "2025" / "progress.es.html").read_text(encoding="utf-8")
    assert "Observaciones de revisión pendientes" in html and "¿Fuente del dato 2025?" in html
    assert main([*args, "--final"]) == 1
    assert "open review item" in capsys.readouterr().err


def test_policy_review_comments_from_the_data_are_not_imported(small_project, tmp_path):
    out = tmp_path / "out"
    args = ["--root", str(small_project), "crpd", "--report", "policy-review"]
    assert main([*args, "--format", "docx", "--out", str(out)]) == 0
    draft = out / "crpd" / "2025" / "policy-review.es.docx"
    assert main(["--root", str(small_project), "review", "import", str(draft)]) == 0
    assert not (small_project / "indicators" / "crpd" / "reviews" / "2025.yaml").exists()


@pytest.mark.parametrize(
    ("name", "members", "message"),
    [
        (
            "external",
            {
                "word/_rels/document.xml.rels": (
                    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                    '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    'relationships/attachedTemplate" Target="http://127.0.0.1:9/t.dotm" '
                    'TargetMode="External"/></Relationships>'
                )
            },
            "external resource",
        ),
        (
            "entity",
            {
                "word/document.xml": (
                    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
                    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                    "<w:body>&e;</w:body></w:document>"
                )
            },
            "DTD or entities",
        ),
        ("malformed", {"word/document.xml": "<w:document><w:body>"}, "not well-formed"),
        ("bomb", {"word/document.xml": "<a>" + " " * 50_000_000 + "</a>"}, "zip bomb"),
    ],
)
def test_hostile_docx_is_refused(tmp_path, name, members, message):
    path = tmp_path / f"{name}.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if "word/document.xml" not in members:
            archive.writestr(
                "word/document.xml",
                '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                'main"><w:body/></w:document>',
            )
        for member, data in members.items():
            archive.writestr(member, data)
    with pytest.raises(ReviewFileError, match=message):
        read_reviewed_docx(path)


def test_not_a_docx_is_one_clear_line(tmp_path, capsys):
    path = tmp_path / "notes.docx"
    path.write_text("not a zip", encoding="utf-8")
    assert main(["review", "import", str(path), "--convention", "uncac", "--period", "2025"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "not a DOCX file" in err[0]
