"""Charts: what `render_png` / `render_svg` produce, and that the computed layout (no
tight_layout) keeps every text inside the image, clear of the others, close to what tight_layout
would give. The disk cache is tested in test_charts_cache.py."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from xml.etree import ElementTree

import pytest
from PIL import Image

from seguimiento import chart_cache, charts
from seguimiento.chart_cache import PRESENTATION_ATTRIBUTES
from seguimiento.charts import ChartSpec, Series

SVG = "{http://www.w3.org/2000/svg}"
_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
STATUS = ("Meta alcanzada", "Encaminado", "En riesgo", "Rezagado", "Sin dato")
YEARS = ("2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025")


def line(**changes) -> ChartSpec:
    values = (306.0, 348.0, None, 436.0, 434.0, 439.0, 456.0, 470.0)
    spec = dict(kind="line", categories=YEARS, series=(Series("Valor reportado", values),))
    spec |= dict(y_label="número", baseline=306.0, baseline_label="Línea base (2018)")
    spec |= dict(target=539.0, target_label="Meta (2027)")
    return ChartSpec(**(spec | changes))


def hbar(categories: tuple[str, ...] = STATUS, **changes) -> ChartSpec:
    values = tuple(float(7 * i % 23 + 1) for i in range(len(categories)))
    spec = dict(kind="hbar", categories=categories, series=(Series("Indicadores", values),))
    return ChartSpec(**(spec | dict(y_label="Indicadores") | changes))


LONG_LEGEND = line(
    series=(
        Series("Valor reportado por la Contraloría General de Cuentas", (1.0,) * 8),
        Series("Valor verificado por la sociedad civil organizada", (2.0,) * 8),
    ),
    baseline_label="Línea base de referencia nacional para el periodo (2018)",
    target_label="Meta comprometida en el plan de acción nacional (2027)",
    y_label="número de solicitudes",
)
LONG_LABELS = hbar(
    (
        "Medidas legislativas adoptadas y vigentes",  # 40 characters and more
        "Procedimientos administrativos simplificados",
        "Capacitaciones a funcionarios municipales",
        "Sin información suficiente para evaluarlo",
        "Recomendaciones del comité pendientes aún",
    )
)
TWELVE = hbar(tuple(f"Categoría número {i} del informe de seguimiento" for i in range(1, 13)))
VERY_LONG = hbar(
    ("Una categoría cuyo nombre es tan largo que no cabe en una sola línea del gráfico", "Otra"),
    series=(Series("Propuestas", (3.0, 1250.0)),),  # ticks up to 1,200: fewer, not touching
)
MONEY = line(
    series=(Series("Valor reportado", (1250000.5, 1380000.0, 1400000.0, 1520000.0)),),
    categories=("2019-S1", "2019-S2", "2020-S1", "2020-S2"),
    y_label="GTQ",
    baseline=1250000.5,
    target=2000000.0,
    decimal_comma=True,
)
NO_LEGEND = line(baseline=None, target=None, series=(Series("", (1.0, 2.0) * 4),), y_label="")
MONTHS = tuple(f"{year}-{month:02d}" for year in (2024, 2025) for month in range(1, 13))
MONTHLY = line(categories=MONTHS, series=(Series("Valor reportado", tuple(range(24))),))
CASES = {
    "line": line(),
    "line over 24 months": MONTHLY,
    "long legend": LONG_LEGEND,
    "money": MONEY,
    "no legend": NO_LEGEND,
    "hbar": hbar(),
    "hbar long labels": LONG_LABELS,
    "hbar 12 categories": TWELVE,
    "hbar label that wraps": VERY_LONG,
}


def test_negative_tick_labels_have_the_minus_sign(draws):
    """An axis below zero is labelled as the report writes negative numbers: "−20", never "-20"."""
    spec = line(
        series=(Series("Saldo", (-35.0, -20.0, 5.0, 12.0) * 2),), baseline=-35.0, target=20.0
    )
    texts = [
        t.text or ""
        for t in ElementTree.fromstring(charts.render_svg(spec, "Saldo")).iter(SVG + "text")
    ]
    negative = [text for text in texts if text.startswith("\u2212")]
    assert negative and all(text[1:].replace(".", "").isdigit() for text in negative)
    assert not [text for text in texts if "-" in text and text[:1].isdigit() or text[:1] == "-"]


def test_bar_values_are_written_as_the_axis_numbers(draws):
    """A bar's value is grouped in thousands like the axis under it: "1,250", not "1250"."""
    svg = charts.render_svg(VERY_LONG, "Propuestas")
    texts = [t.text for t in ElementTree.fromstring(svg).iter(SVG + "text")]
    assert "1,250" in texts and "3" in texts and "1250" not in texts


def _agg(spec: ChartSpec):
    """The laid-out figure and an Agg renderer at the DOCX resolution."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = charts._draw(spec)
    charts._line_figure.cache_clear()  # the test may change it: the next chart gets a new one
    fig.set_dpi(charts.PNG_DPI)
    return fig, FigureCanvasAgg(fig).get_renderer()


# ------------------------------------------------------------------ PNG


@pytest.mark.parametrize(
    ("spec", "height"),
    [(line(), 432), (hbar(), 400), (TWELVE, round(5.16 * 160)), (LONG_LEGEND, 432)],
)
def test_png_is_16_cm_wide_at_160_dpi_and_opaque(draws, spec: ChartSpec, height: int):
    png = charts.render_png(spec)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (1008, height)
    assert image.mode in ("RGB", "RGBA")
    assert image.getextrema()[-1] == (255, 255) or image.mode == "RGB"  # opaque: on white
    assert round(image.info["dpi"][0]) == 160
    assert chart_cache.valid_png(png, 1008)


def test_png_and_svg_of_one_chart_are_drawn_from_one_figure(draws):
    spec = line()
    charts.render_png(spec, alt="Tendencia")
    charts.render_svg(spec, "Tendencia")
    charts.render_png(spec, alt="Tendencia")
    assert draws == [spec]
    charts.render_svg(spec, "Otro texto alternativo")  # another alt: another SVG
    assert len(draws) == 2


def test_a_line_chart_is_the_same_whatever_was_drawn_before(draws):
    """Line charts share one figure: each comes out byte for byte as on a new figure, so the
    process that draws it (chart_batch) and the charts drawn before it change nothing."""
    days = line(  # a chart whose target line's limits, drawn after `before`, came out
        categories=("2018", "2020", "2021", "2022", "2024", "2025"),  # different in the
        series=(Series("Valor reportado", (81.0, 78.0, 76.0, 73.0, 71.0, 79.0)),),  # last bit
        baseline=81.0,
        target=128.0,
    )
    before = line(
        categories=("2018", "2019", "2021", "2022", "2023", "2024", "2025"),
        series=(Series("Valor reportado", (514.0, 508.0, 511.0, 530.0, 513.0, 511.0, 519.0)),),
        baseline=514.0,
        target=680.0,
    )
    first = [(charts.render_svg(s, "a"), charts.render_png(s)) for s in (days, MONEY)]
    for spec in (before, line(), LONG_LEGEND, NO_LEGEND, line(baseline=-3.0, target=5e6)):
        charts.render_png(spec, alt="b")
    charts.clear_memory_cache()
    charts.render_png(before, alt="b")
    assert [(charts.render_svg(s, "a"), charts.render_png(s)) for s in (days, MONEY)] == first
    assert draws[-4:] == [days, days, MONEY, MONEY]  # drawn again, after the others


# ------------------------------------------------------------------ SVG


def _drawn(svg: str) -> list[tuple]:
    """What an SVG draws: each path, use, text and rect with its geometry, computed style (from
    the `*` rule, presentation attributes, style attributes and inheritance) and text."""
    keys = ("d", "x", "y", "width", "height")
    tags = {SVG + name for name in ("path", "use", "text", "rect")}
    root = ElementTree.fromstring(svg)
    rules = [e.text or "" for e in root.iter(SVG + "style")]
    star = dict(_declarations(re.sub(r"^\s*\*\s*\{|\}\s*$", "", rules[0]))) if rules else {}
    computed: dict = {}

    def visit(element, inherited: dict) -> None:
        own = {k: v for k, v in element.attrib.items() if k in PRESENTATION_ATTRIBUTES}
        own.update(star)  # a style sheet rule wins over an attribute
        own.update(_declarations(element.get("style", "")))  # and a style attribute over both
        passed = {k: v for k, v in inherited.items() if k not in ("clip-path", "opacity")}
        computed[element] = {**passed, **own}
        for child in element:
            visit(child, computed[element])

    visit(root, {})
    return sorted(
        (
            e.tag,
            *(e.get(k, "") for k in keys),
            re.sub(r"#c[0-9a-f]{8}-", "#", e.get(_XLINK_HREF, "")),
            tuple(sorted((k, re.sub(r"#c[0-9a-f]{8}-", "#", v)) for k, v in computed[e].items())),
            e.text or "",
        )
        for e in root.iter()
        if e.tag in tags
    )


def _declarations(style: str) -> list[tuple[str, str]]:
    pairs = (part.partition(":") for part in style.split(";"))
    return [(name.strip(), value.strip()) for name, colon, value in pairs if colon]


@pytest.mark.parametrize("name", ["line", "hbar label that wraps"])
def test_svg_draws_what_matplotlib_draws_in_far_fewer_elements(draws, name: str):
    spec = CASES[name]
    raw = io.StringIO()
    charts._draw(spec).savefig(raw, format="svg")
    raw_svg = re.sub(r' transform="rotate\(-?0 [-0-9. ]+\)"', "", raw.getvalue())
    raw_svg = re.sub(r'(url\(#|href="#)', r"\1c00000000-", raw_svg)
    svg = charts.render_svg(spec, "alt")
    assert _drawn(svg) == _drawn(raw_svg)
    elements = list(ElementTree.fromstring(svg).iter())
    assert len(elements) * 2 < len(list(ElementTree.fromstring(raw.getvalue()).iter()))
    assert all(e.attrib for e in elements if e.tag == SVG + "g")  # no group that only names
    ids = {e.get("id") for e in elements} - {None}
    assert ids == set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))  # each id is used
    assert "rotate(-0 " not in svg and "\n" not in svg


def test_svg_first_title_is_the_alt_text_and_ids_are_prefixed(draws):
    spec = line(y_label="número <&>")
    alt = 'Tendencia: de 306 a 470 <entre> 2018 y 2025 & "más"'
    svg = charts.render_svg(spec, alt)
    assert svg.startswith("<svg") and not svg.startswith("<?xml")
    root = ElementTree.fromstring(svg)
    assert root[0].tag == SVG + "title" and root[0].text == alt
    assert "<metadata>" not in svg
    ids = re.findall(r'id="([^"]+)"', svg)
    prefix = f"c{spec.key()[:8]}-"
    assert ids and all(i.startswith(prefix) for i in ids)
    references = re.findall(r'(?:href="#|url\(#)([^")]+)', svg)
    assert references and set(references) <= set(ids)
    other = charts.render_svg(hbar(), "Otro")
    assert not set(ids) & set(re.findall(r'id="([^"]+)"', other))
    assert chart_cache.valid_svg(svg.encode()) and chart_cache.valid_svg(other.encode())


def test_svg_texts_are_literal(draws):
    """Every label reaches the SVG as text: a "$" pair is not mathtext, "<" is escaped."""
    spec = hbar(("Gasto (US$ 5 a US$ 10)", "Otros <b>"), y_label="Monto en $")
    svg = charts.render_svg(spec, "Gastos")
    texts = [t.text for t in ElementTree.fromstring(svg).iter(SVG + "text")]
    assert {"Gasto (US$ 5 a US$ 10)", "Otros <b>", "Monto en $"} <= set(texts)


def test_texts_are_measured_once_a_process_and_no_byte_changes(draws, monkeypatch):
    """chart_svg lets the SVG renderers of every chart share what they measure: each kind of
    chart comes out byte for byte as with matplotlib's own measuring, a chart drawn again
    measures no text again, and matplotlib's SVG renderer is left as it was after a drawing."""
    import contextlib

    from matplotlib.backends.backend_svg import RendererSVG

    from seguimiento import chart_svg

    real = RendererSVG.get_text_width_height_descent
    measured: list[str] = []

    def counting(renderer, text, prop, ismath):
        measured.append(text)
        return real(renderer, text, prop, ismath)

    monkeypatch.setattr(chart_svg, "_sizes", {})
    monkeypatch.setattr(RendererSVG, "get_text_width_height_descent", counting)
    charts.render_svg(line(), "a")
    assert RendererSVG.get_text_width_height_descent is counting
    assert "_get_font_height_metrics" not in vars(RendererSVG)
    assert "2018" in measured and "Meta (2027)" in measured
    first = len(measured)
    charts.clear_memory_cache()
    charts.render_svg(line(), "b")
    assert len(measured) == first

    monkeypatch.setattr(RendererSVG, "get_text_width_height_descent", real)
    shared = {name: charts.render_svg(spec, name) for name, spec in CASES.items()}
    charts.clear_memory_cache()
    monkeypatch.setattr(chart_svg, "_shared_text_metrics", contextlib.nullcontext)
    assert {name: charts.render_svg(spec, name) for name, spec in CASES.items()} == shared


def test_unknown_kind_is_refused(draws):
    with pytest.raises(ValueError, match="pie"):
        charts.render_png(ChartSpec("pie", ("a",), (Series("s", (1.0,)),)))


# ------------------------------------------------------------------ layout


def _boxes(fig, renderer) -> dict[str, list]:
    ax = fig.axes[0]
    legend = ax.get_legend()
    visible = lambda texts: [t for t in texts if t.get_visible() and t.get_text()]  # noqa: E731
    return {
        "x ticks": [t.get_window_extent(renderer) for t in visible(ax.get_xticklabels())],
        "y ticks": [t.get_window_extent(renderer) for t in visible(ax.get_yticklabels())],
        "axis labels": [
            t.get_window_extent(renderer) for t in visible([ax.xaxis.label, ax.yaxis.label])
        ],
        "legend": [legend.get_window_extent(renderer)] if legend else [],
        "values": [t.get_window_extent(renderer) for t in ax.texts],
    }


@pytest.mark.parametrize("name", CASES)
def test_nothing_is_clipped_or_overlaps(name: str):
    fig, renderer = _agg(CASES[name])
    drawing = fig.get_tightbbox(renderer)  # inches: everything drawn
    width, height = fig.get_size_inches()
    assert drawing.x0 >= 0 and drawing.y0 >= 0, f"{name}: clipped on the left or bottom"
    assert drawing.x1 <= width and drawing.y1 <= height, f"{name}: clipped on the right or top"
    boxes = [(group, box) for group, found in _boxes(fig, renderer).items() for box in found]
    for index, (group, a) in enumerate(boxes):  # within a group (neighbour ticks) and across
        for other, b in boxes[index + 1 :]:
            overlap = min(a.x1, b.x1) - max(a.x0, b.x0), min(a.y1, b.y1) - max(a.y0, b.y0)
            assert min(overlap) <= 0.5, f"{name}: {group} overlap {other}"
    if name == "hbar label that wraps":
        assert "\n" in fig.axes[0].get_yticklabels()[0].get_text()
    if name == "line over 24 months":  # every 3rd month labelled, ending with the last one
        shown = [t.get_text() for t in fig.axes[0].get_xticklabels()]
        assert len(shown) == 24 and shown[-4:] == ["2025-09", "", "", "2025-12"]
    if name == "long legend":  # too wide for 3 columns: one column, every label whole
        assert fig.axes[0].get_legend()._ncols == 1


@pytest.mark.parametrize("name", ["line", "money", "hbar", "hbar long labels"])
def test_layout_is_what_tight_layout_gives(name: str):
    """The margins computed without tight_layout are within 3 points of its own (run on the same
    figure from matplotlib's default subplot position, as pyplot.subplots + tight_layout did)."""
    fig, renderer = _agg(CASES[name])
    ax = fig.axes[0]
    ours = ax.get_position()
    ax.set_subplotspec(fig.add_gridspec(1, 1)[0])
    fig.subplots_adjust()
    assert abs(ax.get_position().x0 - ours.x0) * 72 * charts.WIDTH_IN > 3  # it moved
    fig.tight_layout()
    theirs = ax.get_position()
    width, height = fig.get_size_inches() * 72
    for a, b, scale in zip(ours.extents, theirs.extents, (width, height) * 2):
        assert abs(a - b) * scale < 3.0, (name, ours, theirs)


@pytest.mark.parametrize("name", list(CASES))
def test_only_an_axis_without_a_label_is_spared_placing_it(name: str):
    """`charts._no_label` fixes where an axis's label goes, so that matplotlib does not measure
    the tick labels to place it: right only for an axis that has no label."""
    fig = charts._draw(CASES[name])
    ax = fig.axes[0]
    spared = [axis for axis in (ax.xaxis, ax.yaxis) if not axis._autolabelpos]
    assert len(spared) == 1
    assert spared[0].label.get_text() == ""


def test_drawing_uses_neither_pyplot_nor_tight_layout():
    """A fresh process draws a PNG and an SVG without importing pyplot, and without ever calling
    tight_layout; our rcParams are set once."""
    code = """
import sys
import matplotlib.figure, matplotlib
calls = []
matplotlib.figure.Figure.tight_layout = lambda *a, **k: calls.append("tight_layout")
from seguimiento import charts
from seguimiento.charts import ChartSpec, Series
for n in range(3):
    series = (Series("s", (1.0, n)),)
    spec = ChartSpec("line", ("2020", "2021"), series, target=2.0, target_label="M")
    charts.render_png(spec, alt="a")
    charts.render_svg(spec, "b")
assert "matplotlib.pyplot" not in sys.modules, "pyplot imported"
assert calls == [], calls
assert charts.measuring_text.cache_info().misses == 1
assert matplotlib.rcParams["svg.hashsalt"] == "seguimiento"
print("ok")
"""
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.stdout.strip() == "ok", done.stderr
