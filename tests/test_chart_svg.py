"""The lean chart SVG (chart_svg): styles become presentation attributes without changing what
is drawn, checked on the cases the cascade makes subtle and on a PDF rendered both ways."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from seguimiento import chart_cache, chart_svg, charts
from seguimiento.charts import ChartSpec, Series

SVG = "{http://www.w3.org/2000/svg}"
RULED = (
    '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
    ' width="10pt" height="10pt" viewBox="0 0 10 10" version="1.1">'
    '<defs><style type="text/css">*{stroke-linejoin: round; stroke-linecap: butt}</style>'
    '<path id="m" d="M 0 0 L 1 1" style="stroke: #000000"/></defs>'
    '<g clip-path="url(#c)" style="stroke-linecap: square">'
    '<path d="M 1 1 L 2 2" style="fill: none"/></g>'
    '<use xlink:href="#m" x="1" y="1" style="stroke-linecap: round"/>'
    '<path d="M 2 2 L 3 3" stroke="#ffffff" style="stroke: #111111; font: 10px sans"/>'
    "</svg>"
)


def _by_d(svg: str) -> dict[str, dict[str, str]]:
    from lxml import etree

    root = etree.fromstring(svg)
    return {e.get("d") or e.tag: dict(e.attrib) for e in root.iter() if e.tag != SVG + "title"}


def test_the_star_rule_reaches_every_element_it_reached_before():
    lean = chart_svg.lean(RULED)
    elements = _by_d(lean)
    assert "<style" not in lean and "<defs>" in lean  # the rule is gone, the marker stays
    root = elements[SVG + "svg"]
    assert (root["stroke-linejoin"], root["stroke-linecap"]) == ("round", "butt")
    # the group sets "square", its child would inherit it: the rule's "butt" is written on it
    assert elements["M 1 1 L 2 2"]["stroke-linecap"] == "butt"
    assert elements["M 1 1 L 2 2"]["fill"] == "none"
    # a <use> passes "round" on to what it places: the marker gets the rule's values
    marker = elements["M 0 0 L 1 1"]
    assert (marker["stroke-linecap"], marker["stroke-linejoin"], marker["stroke"]) == (
        "butt",
        "round",
        "#000000",
    )


def test_a_style_declaration_wins_and_what_has_no_attribute_form_stays_a_style():
    path = _by_d(chart_svg.lean(RULED))["M 2 2 L 3 3"]
    assert path["stroke"] == "#111111"  # the style attribute beat the presentation attribute
    assert path["style"] == "font: 10px sans"  # a shorthand has no attribute: kept as it was


def test_another_style_sheet_is_left_alone():
    other = RULED.replace("*{stroke-linejoin", "path{stroke-linejoin")
    lean = chart_svg.lean(other)
    assert "path{stroke-linejoin: round; stroke-linecap: butt}" in lean
    assert "stroke-linecap" not in _by_d(lean)[SVG + "svg"]


@pytest.fixture()
def chart_pair(draws) -> tuple[str, str]:
    """One line chart as matplotlib writes it and as the reports inline it."""
    spec = ChartSpec(
        "line",
        ("2021", "2022", "2023", "2024"),
        (
            Series("Valor reportado", (12.0, 14.5, 13.0, 17.0)),
            Series("Otro", (9.0, 8.0, 10.0, 11.0)),
        ),
        y_label="%",
        baseline=12.0,
        baseline_label="Línea base (2021)",
        target=20.0,
        target_label="Meta (2027)",
    )
    raw = io.StringIO()
    charts._draw(spec).savefig(raw, format="svg")
    return raw.getvalue(), charts.render_svg(spec, "Tendencia")


def test_a_pdf_of_the_lean_svg_looks_as_one_of_matplotlibs_svg(chart_pair, tmp_path: Path):
    """Laid out by WeasyPrint and rendered at 150 dpi, the two are the same pixels (the content
    streams differ: the dropped groups saved and restored the graphics state)."""
    import pymupdf
    import weasyprint

    raw, lean = chart_pair
    assert chart_cache.valid_svg(lean.encode())
    assert len(lean) < len(raw) and "style=" not in lean and "<style" not in lean
    pixels = []
    for name, svg in (("raw.svg", raw), ("lean.svg", lean)):
        (tmp_path / name).write_text(svg, "utf-8")
        html = f'<img src="{name}" alt="x" style="width: 16cm">'
        pdf = weasyprint.HTML(string=html, base_url=str(tmp_path)).write_pdf()
        with pymupdf.open(stream=pdf, filetype="pdf") as document:
            pixels.append(document[0].get_pixmap(dpi=150).samples)
    assert pixels[0] == pixels[1]
    assert len(set(pixels[0])) > 2  # something was drawn
