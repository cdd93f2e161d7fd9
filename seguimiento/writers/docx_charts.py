"""Charts in the DOCX as Word charts: a chart spec → a DrawingML chart part (`c:chartSpace`) with
its data in an embedded workbook, placed inline where the figure stands.

A reviewer gets a chart Word draws itself: sharp at any zoom, in the document's font, its numbers
readable (select a point) and editable ("Edit Data" opens the embedded workbook), and nothing to
draw for us: no matplotlib, no rasteriser, about 3 ms a chart where a drawn PNG costs about 45 ms
(the M report has 136 charts). The PDF keeps matplotlib's drawing; `--docx-charts picture` puts
that drawing in the DOCX instead, as before.

python-docx has no charts. python-pptx, by the same author on the same OPC and lxml base, writes
the DrawingML chart part, which is the same in Word and PowerPoint: its `ChartData` gives the
chart XML (`docx_chart_data`, with the embedded workbook and the number formats) and its `Chart`
proxy styles it as `charts` draws it (the palette, markers on the lines, dotted baseline and
dashed target, light horizontal grid, legend below, value labels on the bars, first category on
top).
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import TYPE_CHECKING

from docx.opc.part import Part
from lxml import etree

from seguimiento.charts import BASELINE_COLOUR, PALETTE, TARGET_COLOUR, ChartSpec, chart_size
from seguimiento.writers.docx_chart_data import axis_format, chart_data, spec_values, workbook
from seguimiento.writers.docx_xml import Element, qn

if TYPE_CHECKING:
    from docx.parts.story import StoryPart

CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"  # also the graphic data's uri
_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_FONT_SIZE, _LEGEND_SIZE, _VALUE_SIZE = 9, 7, 8  # pt, as `chart_layout` draws them
_GRID_COLOUR, _AXIS_COLOUR = "DDDDDD", "7F7F7F"
FONT = "Arial"  # a chart's font when the reference document names none for its body text
LANG = "es-GT"  # a chart's language unless told (the reports' working language)


def _hex(colour: str) -> str:
    return colour.lstrip("#").upper()


def _shape(spec: ChartSpec, data) -> tuple:  # noqa: ANN001 - CategoryChartData
    """What a chart's styled XML depends on besides its data: charts alike in this share it."""
    drawn = sum(1 for series in spec.series if any(v is not None for v in series.values))
    bars = (len(spec.categories), spec.colours) if spec.kind == "hbar" else ()
    levels = (spec.baseline is not None, spec.target is not None)
    axis = axis_format(spec_values(spec))
    title = spec.y_label.count("\n") + 1 if spec.y_label else 0  # its paragraphs
    hidden = tuple(_hidden(data))
    return (spec.kind, drawn, levels, title, hidden, data.number_format, axis, bars)


def _hidden(data) -> list[int]:  # noqa: ANN001 - CategoryChartData
    """The series left out of the legend, as matplotlib leaves them: no label, or one that
    starts with an underscore."""
    return [index for index, series in enumerate(data) if not series.name or series.name[0] == "_"]


def body_font(styles: Element) -> str:
    """The font the reference document's body text is in (its Normal style's, else the
    document defaults'), or `FONT` if it names none (then its theme decides)."""
    for path in (
        "./w:style[@w:styleId='Normal']/w:rPr/w:rFonts/@w:ascii",
        "./w:docDefaults/w:rPrDefault/w:rPr/w:rFonts/@w:ascii",
    ):
        found = styles.xpath(path)
        if found:
            return str(found[0])
    return FONT


def chart_space(
    spec: ChartSpec,
    styled: dict[tuple, Element] | None = None,
    font: str = FONT,
    lang: str = LANG,
    data=None,  # noqa: ANN001 - `chart_data(spec)`, when the caller has it already
) -> Element:
    """The `c:chartSpace` element of the chart `spec` (its workbook not yet related).

    Styling through python-pptx's proxies costs about 5 ms a chart; charts of the same shape
    (`_shape`) are styled alike, so with a `styled` dict the first of a shape is styled and kept
    there, and the next ones are a copy of it with their own data, series names and axis title:
    the M report's 136 charts have five shapes."""
    from pptx.enum.chart import XL_CHART_TYPE
    from pptx.oxml import parse_xml

    if spec.kind not in ("hbar", "line"):
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    data = data or chart_data(spec)
    kind = XL_CHART_TYPE.BAR_CLUSTERED if spec.kind == "hbar" else XL_CHART_TYPE.LINE_MARKERS
    space = parse_xml(data.xml_bytes(kind))
    if styled is None:
        return _styled(space, spec, data, font, lang)
    shape = _shape(spec, data)
    if shape not in styled:
        styled[shape] = _styled(copy.deepcopy(space), spec, data, font, lang)
    return _with_data(copy.deepcopy(styled[shape]), space, spec.y_label)


def _with_data(space: Element, plain: Element, title: str) -> Element:
    """`space`, a styled chart, with the data of the unstyled chart `plain` of the same shape
    and the value axis title `title`."""
    names = ("c:tx", "c:cat", "c:val")
    for series, source in zip(space.iter(qn("c:ser")), plain.iter(qn("c:ser"))):
        for name in names:
            old, new = series.find(qn(name)), source.find(qn(name))
            series.replace(old, new)
    if title:
        axis_title = f"{qn('c:chart')}/{qn('c:plotArea')}/{qn('c:valAx')}/{qn('c:title')}"
        texts = space.find(axis_title).iter(qn("a:t"))
        for text, line in zip(texts, title.split("\n")):  # a paragraph a line (same shape)
            text.text = line
    return space


def _styled(space: Element, spec: ChartSpec, data, font: str, lang: str) -> Element:  # noqa: ANN001
    """The chart `space` as python-pptx made it from `spec`'s `data` (python-pptx's
    ChartData), styled as `charts` draws, its texts in `font` and in the language `lang`."""
    from pptx.chart.chart import Chart
    from pptx.enum.chart import XL_LEGEND_POSITION
    from pptx.util import Pt

    chart = Chart(space, None)
    chart.has_title = False
    chart.font.size = Pt(_FONT_SIZE)
    chart.font.name = font  # the document's (Word would take the theme's)
    values_axis, categories_axis = chart.value_axis, chart.category_axis
    values_axis.tick_labels.number_format = axis_format(spec_values(spec))
    values_axis.tick_labels.number_format_is_linked = False
    values_axis.has_major_gridlines = spec.kind == "line"
    _line(values_axis.format.line, _AXIS_COLOUR, 0.75)
    _line(categories_axis.format.line, _AXIS_COLOUR, 0.75)
    if spec.y_label:
        values_axis.has_title = True
        values_axis.axis_title.text_frame.text = spec.y_label
        values_axis.axis_title.text_frame.paragraphs[0].runs[0].font.size = Pt(_FONT_SIZE)
        values_axis.axis_title.text_frame.paragraphs[0].runs[0].font.bold = False
    if spec.kind == "hbar":
        _style_bars(chart, spec, data.number_format)
    else:
        _line(values_axis.major_gridlines.format.line, _GRID_COLOUR, 0.6)
        # the periods under the plot, as drawn, also when the values are below zero
        categories_axis._element.find(qn("c:crosses")).set("val", "min")
        _style_lines(chart, spec)
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        chart.legend.font.size = Pt(_LEGEND_SIZE)
        _hide_in_legend(space, _hidden(data))
    _finish(space, lang)
    return space


def _line(line, colour: str, width_pt: float, dash=None) -> None:  # noqa: ANN001 - LineFormat
    from pptx.util import Pt

    line.color.rgb = _rgb(colour)
    line.width = Pt(width_pt)
    if dash is not None:
        line.dash_style = dash


def _rgb(colour: str):  # noqa: ANN202 - pptx RGBColor
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(_hex(colour))


def _hide_in_legend(space: Element, hidden: list[int]) -> None:
    """Leave the series `hidden` out of the legend (no legend if that is all of them)."""
    legend = space.find(f"{qn('c:chart')}/{qn('c:legend')}")
    series = space.findall(f".//{qn('c:ser')}")
    if len(hidden) == len(series):
        legend.getparent().remove(legend)
        return
    position = legend.find(qn("c:legendPos"))
    for index in reversed(hidden):
        entry = etree.Element(qn("c:legendEntry"))
        etree.SubElement(entry, qn("c:idx")).set("val", str(index))
        etree.SubElement(entry, qn("c:delete")).set("val", "1")
        position.addnext(entry)


def _style_lines(chart, spec: ChartSpec) -> None:  # noqa: ANN001 - pptx Chart
    from pptx.enum.chart import XL_MARKER_STYLE
    from pptx.enum.dml import MSO_LINE_DASH_STYLE as DASH

    plot = chart.plots[0]
    drawn = [s for s in spec.series if any(v is not None for v in s.values)]
    levels = [
        (colour, dash)
        for value, colour, dash in (
            (spec.baseline, BASELINE_COLOUR, DASH.ROUND_DOT),
            (spec.target, TARGET_COLOUR, DASH.DASH),
        )
        if value is not None
    ]
    for index, series in enumerate(plot.series):
        series.smooth = False
        if index < len(drawn):
            colour = PALETTE[index % len(PALETTE)]
            _line(series.format.line, colour, 2)
            series.marker.style = XL_MARKER_STYLE.CIRCLE
            series.marker.size = 5
            series.marker.format.fill.solid()
            series.marker.format.fill.fore_color.rgb = _rgb(colour)
            series.marker.format.line.color.rgb = _rgb(colour)
        else:
            colour, dash = levels[index - len(drawn)]
            _line(series.format.line, colour, 1.2, dash)
            series.marker.style = XL_MARKER_STYLE.NONE


def _style_bars(chart, spec: ChartSpec, fmt: str) -> None:  # noqa: ANN001 - pptx Chart
    from pptx.enum.chart import XL_LABEL_POSITION
    from pptx.util import Pt

    plot = chart.plots[0]
    plot.gap_width = 25  # matplotlib's bars: 0.8 of a category, 0.2 between
    palette = spec.colours or PALETTE
    series = plot.series[0]
    for index in range(len(spec.categories)):
        fill = series.points[index].format.fill
        fill.solid()
        fill.fore_color.rgb = _rgb(palette[index % len(palette)])
    plot.has_data_labels = True
    labels = plot.data_labels
    labels.show_value = True
    labels.number_format = fmt
    labels.number_format_is_linked = False
    labels.position = XL_LABEL_POSITION.OUTSIDE_END
    labels.font.size = Pt(_VALUE_SIZE)
    chart.category_axis.reverse_order = True  # the first category on top, as drawn
    # and the value axis still below: it crosses the category axis at its last category
    chart.value_axis._element.find(qn("c:crosses")).set("val", "max")


def _finish(space: Element, lang: str) -> None:
    """What python-pptx leaves to the application's defaults, said: the texts' language `lang`
    (python-pptx marks them en-US), square corners (Word's default is rounded), no border around
    the chart, a line joining the values on both sides of a period without one (as `charts`
    draws it)."""
    c = f"{{{_C}}}"
    for text in space.iter(qn("a:rPr"), qn("a:defRPr"), qn("a:endParaRPr")):
        text.set("lang", lang)
    date = space.find(f"{c}date1904")
    corners = etree.Element(f"{c}roundedCorners", val="0")
    date.addnext(corners) if date is not None else space.insert(0, corners)
    corners.addprevious(etree.Element(f"{c}lang", val=lang))
    chart = space.find(f"{c}chart")
    for name in ("plotVisOnly", "dispBlanksAs"):  # re-added in the schema's order
        for found in chart.findall(f"{c}{name}"):
            chart.remove(found)
    after = chart.find(f"{c}legend")
    after = chart.find(f"{c}plotArea") if after is None else after
    after.addnext(etree.Element(f"{c}dispBlanksAs", val="span"))
    after.addnext(etree.Element(f"{c}plotVisOnly", val="1"))
    no_border = etree.fromstring(
        f'<c:spPr xmlns:c="{_C}" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main">'
        "<a:noFill/><a:ln><a:noFill/></a:ln></c:spPr>"
    )
    chart.addnext(no_border)


class ChartPart(Part):
    """A chart part: its `c:chartSpace` element, serialised when the package is saved."""

    space: Element

    @property
    def blob(self) -> bytes:
        """The chart XML."""
        return etree.tostring(self.space, xml_declaration=True, encoding="UTF-8", standalone=True)


class Charts:
    """The Word charts of a document part: /word/charts/chartN.xml, each with its workbook in
    /word/embeddings/, numbered after any the reference document already has."""

    def __init__(
        self, part: StoryPart, created: dt.datetime | None, lang: str = LANG
    ) -> None:  # the document's part
        self.part, self.lang = part, lang
        self.created = created.astimezone(dt.UTC).replace(tzinfo=None) if created else None
        self.taken = {str(p.partname) for p in part.package.iter_parts()}  # the reference's
        self.styled: dict[tuple, Element] = {}  # chart_space's styled charts, by shape
        self.font = body_font(part.styles.element)

    def inline(self, spec: ChartSpec, width: int, shape_id: int) -> Element:
        """A `wp:inline` showing the chart `spec` `width` EMU wide, its height in the proportion
        the drawn chart has; `shape_id` is its drawing's id."""
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI

        data = chart_data(spec)
        space = chart_space(spec, self.styled, self.font, self.lang, data)
        package = self.part.package
        sheet_name = self._free("/word/embeddings/Microsoft_Excel_Worksheet{}.xlsx")
        sheet = Part(PackURI(sheet_name), WORKBOOK_TYPE, workbook(data, self.created), package)
        chart_name = PackURI(self._free("/word/charts/chart{}.xml"))
        chart = ChartPart(chart_name, CHART_TYPE, b"", package)
        external = etree.SubElement(space, qn("c:externalData"))
        external.set(qn("r:id"), chart.relate_to(sheet, RT.PACKAGE))
        etree.SubElement(external, qn("c:autoUpdate")).set("val", "0")
        chart.space = space
        rel_id = self.part.relate_to(chart, RT.CHART)
        w_pt, h_pt = (float(size) for size in chart_size(spec))
        return _chart_inline(rel_id, shape_id, width, round(width * h_pt / w_pt))

    def _free(self, pattern: str) -> str:
        """The part name `pattern` makes with the lowest number no part has yet (taken now)."""
        number = 1
        while pattern.format(number) in self.taken:
            number += 1
        self.taken.add(pattern.format(number))
        return pattern.format(number)


def _chart_inline(rel_id: str, shape_id: int, cx: int, cy: int) -> Element:
    """The `wp:inline` of a chart: its size, an empty description (`docx_xml.picture` sets the
    alt text), the graphic frame pointing to the chart part `rel_id`."""
    from docx.oxml.parser import parse_xml

    return parse_xml(
        '<wp:inline distT="0" distB="0" distL="0" distR="0"'
        ' xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"'
        ' xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"'
        f' xmlns:c="{_C}" xmlns:r="{_R}">'
        f'<wp:extent cx="{cx}" cy="{cy}"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
        f'<wp:docPr id="{shape_id}" name="Chart {shape_id}"/><wp:cNvGraphicFramePr/>'
        f'<a:graphic><a:graphicData uri="{_C}"><c:chart r:id="{rel_id}"/>'
        "</a:graphicData></a:graphic></wp:inline>"
    )
