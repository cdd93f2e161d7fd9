"""Word charts in the DOCX (writers/docx_charts.py): the chart parts read back from the package,
their data against the chart spec, the embedded workbook against the chart's cell references,
the styling as `charts` draws it, and LibreOffice drawing them."""

from __future__ import annotations

import dataclasses
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import openpyxl
import pytest
from lxml import etree

from seguimiento import tree
from seguimiento.charts import PALETTE, TARGET_COLOUR, ChartSpec, Series, chart_size
from seguimiento.writers import docx_chart_data, docx_charts
from seguimiento.writers.docx import write_docx

REFERENCE = Path(__file__).resolve().parents[2] / "templates" / "reference.docx"
NS = {
    "c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
}
LINE = ChartSpec(
    "line",
    ("2019", "2020", "2021", "2022", "2023"),
    (
        Series("Valor reportado", (10.5, None, 30.0, 42.0, 50.25)),
        Series("Sin datos aún", (None, None, None, None, None)),  # no point: not drawn
        Series("Otra entidad", (5.0, 6.0, 7.0, 8.0, 9.0)),
    ),
    y_label="Porcentaje (%)",
    baseline=12.0,
    baseline_label="Línea de base (2019)",
    target=60.0,
    target_label="Meta (2024)",
)
BARS = ChartSpec(
    "hbar",
    ("En curso", "Logrado", "Sin datos", "Retrasado"),
    (Series("Indicadores", (12.0, 5.0, None, 7.0)),),
    y_label="Indicadores",
    colours=("#0b5394", "#009e73", "#7f7f7f", "#d55e00"),
)


def meta() -> tree.Meta:
    return tree.Meta(
        title="Gráficos", subtitle="", author="", subject="", lang="es", date="2026-11-01"
    )


def document(*specs: ChartSpec) -> tree.Document:
    figures = tuple(
        tree.Figure(spec, f"Descripción {n}", f"Figura {n}") for n, spec in enumerate(specs, 1)
    )
    return tree.Document(meta(), figures)


@pytest.fixture(scope="module")
def written() -> bytes:
    return write_docx(document(LINE, BARS), REFERENCE)


def chart_parts(data: bytes) -> list:
    """The chart parts of a DOCX, in the order the body shows them, via the relationships."""
    out = docx.Document(io.BytesIO(data))
    ids = out.element.body.xpath(".//c:chart/@r:id")  # python-docx knows c, r
    return [out.part.related_parts[rel_id] for rel_id in ids]


def spaces(data: bytes) -> list[etree._Element]:
    return [etree.fromstring(part.blob) for part in chart_parts(data)]


def cached(series: etree._Element, what: str) -> dict[int, str]:
    points = series.xpath(f"c:{what}//c:pt", namespaces=NS)
    return {int(pt.get("idx")): pt.findtext("c:v", namespaces=NS) for pt in points}


def test_each_figure_is_a_chart_part_with_its_alt_text_and_size(written: bytes) -> None:
    out = docx.Document(io.BytesIO(written))
    inlines = out.element.body.xpath(".//wp:inline")
    assert len(inlines) == 2
    for n, (inline, spec) in enumerate(zip(inlines, (LINE, BARS)), 1):
        doc_pr = inline.find("wp:docPr", NS)
        assert doc_pr.get("descr") == f"Descripción {n}"
        assert doc_pr.get("title") == f"Figura {n}"
        extent = inline.find("wp:extent", NS)
        width, height = (float(size) for size in chart_size(spec))
        assert int(extent.get("cx")) == int(docx.shared.Cm(16))
        assert int(extent.get("cy")) == pytest.approx(int(extent.get("cx")) * height / width, 1)
    parts = chart_parts(written)
    assert [str(part.partname) for part in parts] == [
        "/word/charts/chart1.xml",
        "/word/charts/chart2.xml",
    ]
    assert {part.content_type for part in parts} == {docx_charts.CHART_TYPE}
    with zipfile.ZipFile(io.BytesIO(written)) as package:
        types = package.read("[Content_Types].xml").decode()
    assert docx_charts.CHART_TYPE in types and docx_charts.WORKBOOK_TYPE in types


def test_the_line_chart_holds_the_specs_data(written: bytes) -> None:
    space = spaces(written)[0]
    series = space.xpath("//c:lineChart/c:ser", namespaces=NS)
    names = [s.findtext("c:tx//c:v", namespaces=NS) for s in series]
    # a series with no value is left out, as matplotlib draws nothing for it
    assert names == ["Valor reportado", "Otra entidad", "Línea de base (2019)", "Meta (2024)"]
    for s in series:
        assert cached(s, "cat") == dict(enumerate(LINE.categories))
    assert cached(series[0], "val") == {0: "10.5", 2: "30.0", 3: "42.0", 4: "50.25"}
    assert cached(series[1], "val") == {i: str(float(5 + i)) for i in range(5)}
    assert set(cached(series[2], "val").values()) == {"12.0"}
    assert set(cached(series[3], "val").values()) == {"60.0"}
    fmt = '#,##0.00;"\u2212"#,##0.00'  # the minus sign U+2212, as the report writes it
    assert space.xpath("string(//c:numCache/c:formatCode)", namespaces=NS) == fmt
    axis = space.xpath("//c:valAx/c:numFmt/@formatCode", namespaces=NS)
    assert axis == ['General;"\u2212"General']
    assert space.xpath("string(//c:valAx/c:title//a:t)", namespaces=NS) == "Porcentaje (%)"
    # the missing 2020 joined over, as the drawn chart does
    assert space.xpath("//c:dispBlanksAs/@val", namespaces=NS) == ["span"]


def test_the_line_chart_is_styled_as_drawn(written: bytes) -> None:
    space = spaces(written)[0]
    series = space.xpath("//c:lineChart/c:ser", namespaces=NS)
    colours = [
        s.xpath("string(c:spPr/a:ln/a:solidFill/a:srgbClr/@val)", namespaces=NS) for s in series
    ]
    assert colours[:2] == [PALETTE[0][1:].upper(), PALETTE[1][1:].upper()]
    assert colours[3] == TARGET_COLOUR[1:].upper()
    assert [s.xpath("string(c:marker/c:symbol/@val)", namespaces=NS) for s in series] == [
        "circle", "circle", "none", "none"
    ]  # fmt: skip
    dashes = [s.xpath("string(c:spPr/a:ln/a:prstDash/@val)", namespaces=NS) for s in series]
    assert dashes == ["", "", "sysDot", "dash"]
    assert space.xpath("//c:legend/c:legendPos/@val", namespaces=NS) == ["b"]
    # the periods under the plot, also with values below zero
    assert space.xpath("//c:catAx/c:crosses/@val", namespaces=NS) == ["min"]
    assert space.xpath("//c:valAx/c:majorGridlines", namespaces=NS)
    assert space.xpath("/c:chartSpace/c:roundedCorners/@val", namespaces=NS) == ["0"]
    assert space.xpath("/c:chartSpace/c:txPr//a:latin/@typeface", namespaces=NS) == ["Arial"]


def test_the_bar_chart_reads_top_down_with_its_colours_and_values(written: bytes) -> None:
    space = spaces(written)[1]
    assert space.xpath("//c:barChart/c:barDir/@val", namespaces=NS) == ["bar"]
    (series,) = space.xpath("//c:barChart/c:ser", namespaces=NS)
    assert cached(series, "cat") == dict(enumerate(BARS.categories))
    assert cached(series, "val") == {0: "12.0", 1: "5.0", 2: "0", 3: "7.0"}  # as drawn: 0
    fills = series.xpath("c:dPt/c:spPr/a:solidFill/a:srgbClr/@val", namespaces=NS)
    assert fills == [colour[1:].upper() for colour in BARS.colours]
    assert space.xpath("//c:barChart/c:dLbls/c:showVal/@val", namespaces=NS) == ["1"]
    assert space.xpath("//c:catAx/c:scaling/c:orientation/@val", namespaces=NS) == ["maxMin"]
    assert space.xpath("//c:valAx/c:crosses/@val", namespaces=NS) == ["max"]  # axis below
    assert not space.xpath("//c:legend", namespaces=NS)


def test_the_workbook_holds_what_the_chart_refers_to(written: bytes) -> None:
    """ "Edit Data" in Word opens the embedded workbook: every cell reference of the chart reads
    there the very text or number the chart has cached."""
    for part in chart_parts(written):
        space = etree.fromstring(part.blob)
        rel_id = space.xpath("string(c:externalData/@r:id)", namespaces=NS)
        sheet_part = part.related_parts[rel_id]
        assert sheet_part.content_type == docx_charts.WORKBOOK_TYPE
        book = openpyxl.load_workbook(io.BytesIO(sheet_part.blob))
        sheet = book["Sheet1"]
        assert book.properties.created.date().isoformat() == "2026-11-01"  # the report's date
        checked = 0
        for ref in space.xpath("//c:strRef | //c:numRef", namespaces=NS):
            formula = ref.findtext("c:f", namespaces=NS)
            cells = sheet[formula.split("!")[1].replace("$", "")]
            cells = [c for row in cells for c in row] if isinstance(cells, tuple) else [cells]
            for pt in ref.xpath(".//c:pt", namespaces=NS):
                value = cells[int(pt.get("idx"))].value
                expected = pt.findtext("c:v", namespaces=NS)
                if isinstance(value, float | int):
                    assert value == float(expected)
                else:
                    assert value == expected
                checked += 1
        assert checked >= 9  # the bars: a name, four categories, four values


def test_the_same_document_gives_the_same_bytes() -> None:
    assert write_docx(document(LINE, BARS), REFERENCE) == write_docx(
        document(LINE, BARS), REFERENCE
    )


@pytest.mark.parametrize(
    "spec",
    [
        LINE,
        ChartSpec("line", ("2022", "2023"), (Series("A", (1.0, 2.0)),), y_label="n"),
        ChartSpec(
            "line", ("2022", "2023"), (Series("A", (1.5, None)),), target=3, target_label="Meta"
        ),
        ChartSpec("line", ("a", "b", "c"), (Series("A", (10_000.0, 20_500.0, 31_000.0)),)),
        BARS,
        ChartSpec("hbar", ("x", "y"), (Series("B", (1.25, 2.0)),)),
        ChartSpec("line", ("a", "b"), (Series("A", (1.0, 2.0)),), y_label="dos\nlíneas"),
        ChartSpec("line", ("a", "b"), (Series("A", (1.0, 2.0)),), baseline=1.5),  # no label
    ],
)
def test_a_chart_styled_from_another_of_its_shape_is_styled_anew(spec: ChartSpec) -> None:
    """`chart_space` copies the styling of the first chart of a shape: the result is the same
    XML as styling each chart on its own, whichever chart of the shape came first."""
    other = ChartSpec(
        spec.kind,
        tuple(f"{c}'" for c in spec.categories),
        tuple(
            Series(s.label + " bis", tuple(None if v is None else v + 0.0 for v in s.values[::-1]))
            for s in spec.series
        ),
        y_label=spec.y_label and spec.y_label + " bis",
        baseline=spec.baseline,
        baseline_label=spec.baseline_label and spec.baseline_label + " bis",
        target=spec.target,
        target_label=spec.target_label and spec.target_label + " bis",
        colours=spec.colours,
    )
    styled: dict = {}
    docx_charts.chart_space(other, styled)  # the first of the shape
    alone = etree.tostring(docx_charts.chart_space(spec))
    assert etree.tostring(docx_charts.chart_space(spec, styled)) == alone
    assert len(styled) == 1


def test_number_formats_show_the_decimals_the_data_has() -> None:
    def positive(fmt: str) -> str:
        shown, negative = fmt.split(";")
        assert negative == f'"\u2212"{shown}'  # negative numbers after the minus sign
        return shown

    assert positive(docx_chart_data.number_format([1.0, 20.0, 300.0])) == "#,##0"
    assert positive(docx_chart_data.number_format([1.5, -20.0])) == "#,##0.0"
    assert positive(docx_chart_data.number_format([0.125, 2.0])) == "#,##0.000"
    assert positive(docx_chart_data.number_format([1 / 3])) == "#,##0.000"  # at most three
    assert positive(docx_chart_data.axis_format([5.0, 9_999.0])) == "General"
    assert positive(docx_chart_data.axis_format([-12_500.0])) == "#,##0"


def test_an_unknown_chart_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown chart kind"):
        docx_charts.chart_space(ChartSpec("pie", ("a",), (Series("A", (1.0,)),)))


def test_libreoffice_draws_the_charts(tmp_path: Path, written: bytes) -> None:
    """LibreOffice reads the chart parts and draws them: the PDF it makes has the chart texts
    (categories, axis title, legend, the bars' values), which only the chart parts hold."""
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH; cannot check that it draws the charts")
    source = tmp_path / "charts.docx"
    source.write_bytes(written)
    profile = (tmp_path / "lo-profile").as_uri()
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    from pypdf import PdfReader

    text = " ".join(page.extract_text() for page in PdfReader(tmp_path / "charts.pdf").pages)
    words = " ".join(text.split())
    for expected in ("2021", "Porcentaje (%)", "Valor reportado", "Meta (2024)", "Retrasado"):
        assert expected in words, expected
    assert "12" in words.split() and "7" in words.split()  # the bars' value labels


def test_series_without_a_label_stay_out_of_the_legend() -> None:
    """As matplotlib leaves them out: a level without a label, a label starting with "_"."""
    spec = ChartSpec(
        "line",
        ("a", "b"),
        (Series("Valor", (1.0, 2.0)), Series("_interna", (2.0, 3.0))),
        baseline=1.5,
        target=4.0,
        target_label="Meta",
    )
    space = etree.fromstring(etree.tostring(docx_charts.chart_space(spec)))
    deleted = space.xpath("//c:legend/c:legendEntry[c:delete/@val='1']/c:idx/@val", namespaces=NS)
    assert deleted == ["1", "2"]  # "_interna" and the unlabelled baseline
    alone = ChartSpec("line", ("a", "b"), (Series("", (1.0, 2.0)),))
    assert b"<c:legend>" not in etree.tostring(docx_charts.chart_space(alone))


def test_the_charts_take_the_body_font_of_the_reference(tmp_path: Path) -> None:
    """A reference document whose body text is in another font gives charts in that font."""
    reference = docx.Document(str(REFERENCE))
    reference.styles["Normal"].font.name = "Georgia"
    changed = tmp_path / "reference.docx"
    reference.save(str(changed))
    (space,) = spaces(write_docx(document(LINE), changed))
    assert space.xpath("/c:chartSpace/c:txPr//a:latin/@typeface", namespaces=NS) == ["Georgia"]


@pytest.mark.parametrize(("lang", "tag"), [("es", "es-GT"), ("en", "en-US")])
def test_the_charts_texts_are_in_the_documents_language(lang: str, tag: str) -> None:
    """Spelling and reading aloud take a chart's language from its texts: the document's."""
    figures = document(LINE, BARS)
    english = tree.Document(dataclasses.replace(figures.meta, lang=lang), figures.blocks)
    for space in spaces(write_docx(english, REFERENCE)):
        assert space.xpath("/c:chartSpace/c:lang/@val", namespaces=NS) == [tag]
        langs = space.xpath(
            "//a:rPr/@lang | //a:defRPr/@lang | //a:endParaRPr/@lang", namespaces=NS
        )
        assert langs and set(langs) == {tag}


def test_a_reference_with_charts_of_its_own_keeps_them_apart(tmp_path: Path) -> None:
    """Chart and workbook parts take names the reference document's own parts do not have."""
    reference = tmp_path / "reference.docx"
    reference.write_bytes(write_docx(document(LINE), REFERENCE))  # holds chart1 and its workbook
    with zipfile.ZipFile(io.BytesIO(write_docx(document(LINE, BARS), reference))) as package:
        names = package.namelist()
    charts = sorted(n for n in names if n.startswith("word/charts/chart"))
    sheets = sorted(n for n in names if n.startswith("word/embeddings/"))
    assert charts == [f"word/charts/chart{n}.xml" for n in (1, 2, 3)]
    assert len(sheets) == len(set(sheets)) == 3
