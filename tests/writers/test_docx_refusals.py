"""DOCX writer: what it refuses (unknown nodes, ragged rows, a reference without our styles),
and the bookmark names it makes from anchors. The document it writes is tested in test_docx.py."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import docx
import pytest

from seguimiento import tree
from seguimiento.writers import docx_xml
from seguimiento.writers.docx import write_docx

REFERENCE = Path(__file__).resolve().parents[2] / "templates" / "reference.docx"


def meta() -> tree.Meta:
    return tree.Meta(title="Informe", subtitle="", lang="es", author="Comisión", subject="UNCAC")


def cell(text: str) -> tree.Cell:
    return tree.Cell((tree.Text(text),))


def xpath(element: object, query: str) -> list:
    return element.xpath(query)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("anchor", "name"),
    [("art-10", "art_10"), ("10-medidas", "n10_medidas"), ("política-acción", "politica_accion")],
)
def test_bookmark_names_are_sanitised(anchor: str, name: str) -> None:
    assert docx_xml.bookmark_name(anchor) == name


def test_long_bookmark_names_stay_distinct() -> None:
    first, second = docx_xml.bookmark_name("x" * 60), docx_xml.bookmark_name("x" * 61)
    assert len(first) == len(second) == 40 and first[0].isalpha() and first != second


@dataclass(frozen=True)
class Sidebar:
    text: str


def test_unknown_block_raises() -> None:
    document = tree.Document(meta(), (Sidebar("?"),))  # type: ignore[arg-type]
    with pytest.raises(tree.UnknownNodeError, match="docx writer does not handle Sidebar"):
        write_docx(document, REFERENCE)


def test_unknown_inline_raises() -> None:
    document = tree.Document(meta(), (tree.Paragraph((Sidebar("?"),)),))  # type: ignore[arg-type]
    with pytest.raises(tree.UnknownNodeError):
        write_docx(document, REFERENCE)


def test_row_of_wrong_length_is_refused() -> None:
    table = tree.Table(header=(cell("a"), cell("b")), rows=((cell("1"),),))
    with pytest.raises(ValueError, match="row 1 has 1 cells, not 2"):
        write_docx(tree.Document(meta(), (table,)), REFERENCE)


def test_reference_without_a_style_is_reported(tmp_path: Path) -> None:
    reference = docx.Document(str(REFERENCE))
    for style in xpath(reference.styles.element, "./w:style[@w:styleId='Code']"):
        style.getparent().remove(style)
    broken = tmp_path / "reference.docx"
    reference.save(str(broken))
    with pytest.raises(ValueError, match="lacks the styles: Code"):
        write_docx(tree.Document(meta(), ()), broken)
