"""DOCX markup layer: escaping, parsing into python-docx elements, table markup, style ids."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.text.paragraph import CT_P
from lxml import etree

from seguimiento import tree
from seguimiento.writers import docx_parts, docx_tables
from seguimiento.writers import docx_xml as X
from seguimiento.writers.docx import write_docx

REFERENCE = Path(__file__).resolve().parents[2] / "templates" / "reference.docx"
T = tree.Text
AWKWARD = "a & b < c > d \" ' ]]> \t tab \n newline \r return  two  spaces "


def texts(element: etree._Element) -> list[str]:
    return [t.text for t in element.iter(X.qn("w:t"))]


@pytest.mark.parametrize("text", [AWKWARD, "", " ", "ñandú — ≥ 😀"])
def test_run_text_survives_markup(text: str) -> None:
    p = X.paragraph("Normal", X.run_xml(text))
    assert isinstance(p, CT_P)  # python-docx's element classes, as its own parser gives
    assert texts(p) == [text]


def test_control_characters_are_dropped() -> None:
    p = X.paragraph("Normal", X.run_xml("a\x00b\x01c\x0b\ufffed"))
    assert texts(p) == ["abcd"]


def test_empty_run_keeps_its_end_tag() -> None:
    # as python-docx writes `t.text = ""`, so output stays the same as element-built runs
    xml = etree.tostring(X.paragraph("Normal", X.run_xml("")), encoding="unicode")
    assert '<w:t xml:space="preserve"></w:t>' in xml


@pytest.mark.parametrize("value", [AWKWARD, "plain", ""])
def test_attribute_values_survive_markup(value: str) -> None:
    link = X.paragraph("Normal", X.hyperlink_xml(X.run_xml("x"), anchor=value))[1]
    assert link.get(X.qn("w:anchor")) == value


def test_text_xml_cannot_hold_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="docx writer"):
        X.paragraph("Normal", X.run_xml("lone \ud800 surrogate"))


def test_run_properties_in_schema_order() -> None:
    assert X.rpr_xml(X.Fmt()) == ""
    fmt = X.Fmt(style="Code", bold=True, italic=True, strike=True, color="C00000", underline=True)
    props = X.parse(f"<w:r>{X.rpr_xml(fmt)}</w:r>")[0]
    names = [child.tag.rsplit("}", 1)[1] for child in props]
    assert names == ["rStyle", "b", "bCs", "i", "iCs", "strike", "color", "u"]
    assert props[-1].get(X.qn("w:val")) == "single"


def test_fields_in_markup() -> None:
    p = X.paragraph("Footer", X.page_number_xml("Página {page} de {pages}"))
    kinds = [c.get(X.qn("w:fldCharType")) for c in p.iter(X.qn("w:fldChar"))]
    assert kinds == ["begin", "separate", "end"] * 2
    assert [i.text for i in p.iter(X.qn("w:instrText"))] == [" PAGE ", " NUMPAGES "]


def test_parsed_elements_take_the_document_namespaces() -> None:
    # the declarations of each parsed paragraph or table are dropped inside the document
    document = tree.Document(
        tree.Meta(title="t", subtitle="", author="a", subject="s", lang="es"),
        (
            tree.Paragraph((tree.Link("https://example.org", (T("x"),)),)),
            tree.Table(header=(tree.Cell((T("a"),)),), rows=((tree.Cell((T("b"),)),),)),
        ),
    )
    with zipfile.ZipFile(io.BytesIO(write_docx(document, REFERENCE))) as package:
        xml = package.read("word/document.xml").decode("utf-8")
    assert xml.count('xmlns:w="') == 1
    assert xml.count('xmlns:r="') == 1
    assert 'r:id="rId' in xml


def test_column_widths_fill_the_text_width() -> None:
    assert sum(docx_tables.column_widths(9638, (1, 4, 1, 2), 4)) == 9638
    assert docx_tables.column_widths(9000, (), 3) == [3000, 3000, 3000]
    assert docx_tables.column_widths(9000, (1, 2), 3) == [3000, 3000, 3000]  # wrong length


def test_cell_roles() -> None:
    shading, alignment, fmt = docx_tables.cell_format("number no_data", X.Fmt(bold=True))
    fill, colour, _italic = X.ROLE_COLOURS["no_data"]
    assert f'w:fill="{fill}"' in shading and alignment == '<w:jc w:val="right"/>'
    assert fmt == X.Fmt(bold=True, italic=True, color=colour)
    assert docx_tables.cell_format("bogus", X.Fmt()) == ("", "", X.Fmt())


def test_layouts_are_shared_between_tables() -> None:
    tables = docx_tables.Tables("SeguimientoTable", "TableText", 9000, (9.5, 114))
    cells = (tree.Cell((T("a"),)), tree.Cell((T("b"),), "number"))
    node = tree.Table(header=cells, rows=(cells, cells))
    for _ in range(2):
        tbl = tables.element(node, "", lambda nodes, fmt: X.run_xml(tree.plain_text(nodes)))
    assert len(tables.layouts) == 1
    assert [tr.find(X.qn("w:trPr")) is not None for tr in tbl.iter(X.qn("w:tr"))] == [True] * 3
    assert texts(tbl) == ["a", "b"] * 3
    assert docx_tables.first_paragraph(tbl) is tbl.find(f".//{X.qn('w:p')}")


def test_style_ids_by_name_and_id() -> None:
    styles = docx.Document(str(REFERENCE)).styles.element
    ids = docx_parts.style_ids(styles)
    assert ids["heading1"] == ids["heading 1".replace(" ", "")] == "Heading1"
    assert ids["seguimientotable"]
    unnamed = X.el("w:style", styleId="NoName")
    styles.append(unnamed)
    assert docx_parts.style_ids(styles)[""] == "NoName"
