"""Charts: a small, format-free chart spec drawn by matplotlib as SVG (HTML/PDF), and that SVG
rasterised as PNG (DOCX, `chart_raster`): the DOCX and the PDF show the same drawing.

Compose builds `ChartSpec`s; writers call `render_svg` / `render_png`. Renders are cached in the
process (the DOCX and PDF of a job draw each chart once) and, once the build calls `use_disk_cache`,
on disk across runs (`chart_cache`): a rebuild draws only the charts whose spec changed.

A chart is drawn cheaply: a bare `matplotlib.figure.Figure` (no pyplot), rcParams set once per
process, one figure reused for every line chart (reset to the state of a new one, so each image
is the same bytes whatever was drawn before), and no `tight_layout`: the margins are computed
from the measured texts around the axes (tick labels, axis label, legend, bar values;
`chart_layout`), leaving the border tight_layout would. Texts too long for the page are wrapped,
never clipped: a legend takes fewer columns, then wraps its labels; a long category label takes
two lines; a line over more periods than fit labels every n-th period, ending with the last.
SVGs are written lean (`chart_svg`). PNGs are rasterised in batches (`draw_all`, `chart_batch`).
The disk-cache key holds a digest of the drawing code (`chart_cache.DRAWING_CODE`), so changed
drawing code draws every chart again; bump `CHART_STYLE_VERSION` when a change elsewhere (fonts,
matplotlib settings) alters the images.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seguimiento import chart_cache, chart_raster
from seguimiento.chart_layout import (
    FONT_SIZE,
    LABEL_PAD,
    LEGEND_SIZE,
    LINE_HEIGHT_IN,
    PAD,
    PNG_DPI,
    SINK,
    SPACE,
    TICK,
    VALUE_SIZE,
    WIDTH_IN,
    Ticks,
    crowded,
    fit_legend,
    fraction,
    measuring_text,
    number_format,
    number_text,
    overhang,
    position,
    sides,
    text_size,
    tick_labels,
    wrap,
)
from seguimiento.chart_svg import inline_svg

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

# A colour-blind-safe palette (Okabe–Ito), dark enough for contrast on white.
PALETTE = ("#0b5394", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
TARGET_COLOUR = "#009e73"
BASELINE_COLOUR = "#7f7f7f"
CHART_STYLE_VERSION = 2  # in the disk-cache key: bump when the drawn images change

_LEGEND_STYLE = {"loc": "upper center", "fontsize": LEGEND_SIZE, "frameon": False}
_VALUE_STYLE = {"textcoords": "offset points", "va": "center", "fontsize": VALUE_SIZE}
_CATEGORY_MAX_WIDTH = 0.48 * WIDTH_IN * 72  # longer hbar labels wrap onto more lines
_LINE_AXES = (0.1, 0.2, 0.8, 0.7)  # where a line chart's axes start, before the layout
# Latin letters, digits and common punctuation: none is wider than 1.05 em in our font (the tests
# measure each). Short labels of these are not measured to size a chart: no matplotlib import.
_NARROW = frozenset([chr(c) for c in (*range(0x20, 0x7F), *range(0xA0, 0x180))] + list("–—‘’“”…•€"))
_MAX_EM = 1.1


@dataclass(frozen=True)
class Series:
    """One line or set of bars: a label and a value per category (None where there is no data)."""

    label: str
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class ChartSpec:
    """What to draw. `kind` is "line" (a trend over periods) or "hbar" (horizontal bars)."""

    kind: str
    categories: tuple[str, ...]
    series: tuple[Series, ...]
    y_label: str = ""
    baseline: float | None = None
    baseline_label: str = ""
    target: float | None = None
    target_label: str = ""
    decimal_comma: bool = False
    colours: tuple[str, ...] = ()

    def key(self) -> str:
        """A stable content hash of the spec (cache key and file name)."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()[:16]


_STORE = chart_cache.ChartStore()


def use_disk_cache(path: Path | None, max_bytes: int = chart_cache.DEFAULT_MAX_BYTES) -> None:
    """Keep drawn charts in the folder `path` across runs (None, the default: in memory only)."""
    _STORE.disk = None if path is None else chart_cache.DiskCache(path, max_bytes)


def clear_memory_cache() -> None:
    """Forget the charts drawn in this process (as a new process would; the disk cache stays)."""
    _STORE.memory.clear()


def stored(spec: ChartSpec, alt: str, png: bool) -> bool:
    """Whether the chart's image (PNG when `png`, else SVG with `alt`) needs no drawing."""
    return (_stored_png(spec, PNG_DPI) if png else _stored_svg(spec, alt)) is not None


def draw_all(items: Sequence[tuple[ChartSpec, str]], png: bool, svg: bool) -> dict[str, bytes]:
    """Draw and store the PNG (`png`) and/or SVG (`svg`, with its alt) of each (spec, alt), as
    the writers will ask for them, the PNGs rasterised together; returns the images now in memory
    that were not before."""
    before = set(_STORE.memory)
    missing = [(spec, alt) for spec, alt in items if png and _stored_png(spec, PNG_DPI) is None]
    for spec, alt in items if svg else missing:
        render_svg(spec, alt)
    _rasterise(missing, PNG_DPI)
    return {key: data for key, data in _STORE.memory.items() if key not in before}


def keep(images: dict[str, bytes]) -> None:
    """Hold images another process drew (and stored on disk) in this process's memory."""
    _STORE.memory.update(images)


@functools.cache
def _line_figure() -> Figure:
    """The one figure line charts are drawn on, again and again: a new figure and axes cost
    more than the chart (matplotlib makes its axes, ticks and texts anew); `_line` resets it."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, LINE_HEIGHT_IN))
    ax = fig.add_axes(_LINE_AXES)
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    _no_label(ax.xaxis)
    return fig


def _no_label(axis: Axis) -> None:
    """Tell matplotlib where the label of an axis that has none goes, so that it does not
    measure every tick label to place it (about a tenth of drawing a chart; nothing drawn)."""
    axis.set_label_coords(0.5, 0.5)


def _line(spec: ChartSpec) -> Figure:
    fig = _line_figure()
    fig.set_dpi(100)  # a new figure's (rcParams), where a PNG left it at PNG_DPI
    ax = fig.axes[0]
    for artist in (*ax.lines, ax.legend_):  # the previous chart's
        if artist is not None:
            artist.remove()
    # No data, and the place and view of a new axes: the data limits of a line given partly in
    # axes coordinates (axhline) go through both, and must not depend on the previous chart.
    ax.relim()
    ax.set(position=_LINE_AXES, xlim=(0, 1), ylim=(0, 1))
    ax.set_autoscale_on(True)
    xs = list(range(len(spec.categories)))
    entries = []  # (artist, its label in the legend)
    for index, series in enumerate(spec.series):
        points = [(x, v) for x, v in zip(xs, series.values) if v is not None]
        if points:
            colour = PALETTE[index % len(PALETTE)]
            line = ax.plot(*zip(*points), marker="o", linewidth=2, color=colour)[0]
            entries.append((line, series.label))
    for value, label, colour, style in (
        (spec.baseline, spec.baseline_label, BASELINE_COLOUR, ":"),
        (spec.target, spec.target_label, TARGET_COLOUR, "--"),
    ):
        if value is not None:
            entries.append((ax.axhline(value, color=colour, linestyle=style, linewidth=1.2), label))
    entries = [(artist, label) for artist, label in entries if label and label[0] != "_"]
    ax.set_xticks(xs, labels=list(spec.categories))  # may widen the x limits: before reading them
    number_format(ax.yaxis, spec.decimal_comma)

    width, height = WIDTH_IN * 72, LINE_HEIGHT_IN * 72
    y_label = wrap(spec.y_label, FONT_SIZE, height - 2 * PAD)
    ax.set_ylabel(y_label)
    label_block = text_size(y_label, FONT_SIZE)[1] + LABEL_PAD if y_label else 0.0
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    count = len(spec.categories)
    for step in range(1, count + 1):  # every period labelled, else every step-th (the last one)
        shown = [c if (count - 1 - i) % step == 0 else "" for i, c in enumerate(spec.categories)]
        x_ticks = [(x, text_size(c, FONT_SIZE)) for x, c in zip(xs, shown) if c]
        margins = _line_margins(entries, x_ticks, (x0, x1, y0, y1), label_block)
        left, bottom, right, top, legend, gap = margins
        if not crowded(x_ticks, (x0, x1), width - left - right):
            break
    ax.set_xticks(xs, labels=shown)
    position(fig, left, bottom, right, top)
    if legend is not None:
        anchor = (0.5, -gap / (height - top - bottom))
        handles = [artist for artist, _label in entries]
        ax.legend(handles, legend[0], bbox_to_anchor=anchor, ncol=legend[1], **_LEGEND_STYLE)
    return fig


def _line_margins(entries: list, x_ticks: Ticks, limits: tuple, label_block: float) -> tuple:
    """Left, bottom, right and top margins of a line chart's axes, its legend (labels, columns,
    width, height) and the legend's gap under the axes: the y ticks depend on the axes height,
    the margins on the ticks, so three rounds."""
    fig = _line_figure()
    ax = fig.axes[0]
    x0, x1, y0, y1 = limits
    width, height = WIDTH_IN * 72, LINE_HEIGHT_IN * 72
    x_height = max((h for _x, (_w, h) in x_ticks), default=0.0)
    left = right = top = PAD
    legend, gap, least_gap = None, 0.0, TICK + x_height + 2 - 0.5 * LEGEND_SIZE
    for _ in range(3):
        bottom = PAD + TICK + x_height
        if entries:
            centre = (left + width - right) / 2
            room = 2 * min(centre, width - centre) - 2 * PAD - 2
            legend = fit_legend([label for _artist, label in entries], room)
            # The legend hangs 14 % of the axes height under them (below the tick labels).
            below = PAD + legend[3] + 0.5 * LEGEND_SIZE  # + its pad to the anchor
            gap = max(0.14 * (height - top - below) / 1.14, least_gap)
            bottom = below + gap
        position(fig, left, bottom, right, top)
        y_ticks = tick_labels(ax.yaxis, (y0, y1))
        top = PAD + overhang(
            ((h / 2 - SINK, fraction(t, y0, y1)) for t, (_w, h) in y_ticks),
            height - bottom - PAD,
        )
        widest = max((w for _t, (w, _h) in y_ticks), default=0.0)
        left, right = sides(x_ticks, (x0, x1), PAD + label_block + TICK + widest)
    return left, bottom, right, top, legend, gap


def _hbar(spec: ChartSpec) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = _hbar_labels(spec)
    height_in = _hbar_height_in(labels)
    fig = Figure(figsize=(WIDTH_IN, height_in))
    ax = fig.add_axes((0.3, 0.2, 0.6, 0.7))
    _no_label(ax.yaxis)
    positions = list(range(len(labels)))
    values = [v or 0 for v in spec.series[0].values]
    palette = spec.colours or PALETTE
    ax.barh(positions, values, color=[palette[i % len(palette)] for i in positions])
    ax.set_yticks(positions, labels=labels)
    ax.invert_yaxis()
    shown = [number_text(value, spec.decimal_comma) for value in values]
    for pos, value, text in zip(positions, values, shown):  # offset: SVG text drops a space
        ax.annotate(text, (value, pos), (SPACE, 0), **_VALUE_STYLE)
    width, height = WIDTH_IN * 72, height_in * 72
    x_label = wrap(spec.y_label, FONT_SIZE, width - 2 * PAD)
    ax.set_xlabel(x_label)
    number_format(ax.xaxis, spec.decimal_comma)

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    y_sizes = [text_size(label, FONT_SIZE) for label in labels]
    least_left = PAD + TICK + max((w for w, _h in y_sizes), default=0.0)
    out = [
        (SPACE + text_size(t, VALUE_SIZE)[0], fraction(v, x0, x1)) for v, t in zip(values, shown)
    ]
    for bins in range(10, 0, -1):  # fewer ticks while their labels would touch
        ax.xaxis.set_major_locator(MaxNLocator(bins, integer=True))
        x_ticks = tick_labels(ax.xaxis, (x0, x1))
        left, right = sides(x_ticks, (x0, x1), least_left, out)
        if not crowded(x_ticks, (x0, x1), width - left - right):
            break
    bottom = PAD + TICK + max((h for _t, (_w, h) in x_ticks), default=0.0)
    if x_label:
        bottom += LABEL_PAD + text_size(x_label, FONT_SIZE)[1]
    top = PAD + overhang(
        ((h / 2 - SINK, fraction(p, y0, y1)) for p, (_w, h) in zip(positions, y_sizes)),
        height - bottom - PAD,
    )
    position(fig, left, bottom, right, top)
    return fig


def _hbar_labels(spec: ChartSpec) -> list[str]:
    return [wrap(c, FONT_SIZE, _CATEGORY_MAX_WIDTH) for c in spec.categories]


def _fits_unmeasured(label: str) -> bool:
    """Whether `label` surely fits on one line of the category axis, known from its length alone:
    it is made of `_NARROW` characters, each at most `_MAX_EM` wide (+1 pt for rounding)."""
    return len(label) * _MAX_EM * FONT_SIZE + 1 <= _CATEGORY_MAX_WIDTH and _NARROW.issuperset(label)


def _hbar_height_in(labels: list[str]) -> float:
    extra_lines = sum(max(0, label.count("\n") - 1) for label in labels)
    return max(1.6, 0.38 * len(labels) + 0.6 + 0.17 * extra_lines)


def chart_size(spec: ChartSpec) -> tuple[str, str]:
    """The chart's width and height in pt, known without drawing it, written as its SVG's root
    has them (matplotlib's short float: `("453.6", "194.4")`). Only a bar chart with a long or
    unusual category label needs matplotlib, to measure it."""
    if spec.kind not in ("hbar", "line"):
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    height_in = LINE_HEIGHT_IN
    if spec.kind == "hbar" and all(_fits_unmeasured(c) for c in spec.categories):
        height_in = _hbar_height_in(list(spec.categories))  # `wrap` leaves each as it is
    elif spec.kind == "hbar":  # its wrapped labels are measured, with our rcParams
        measuring_text()
        height_in = _hbar_height_in(_hbar_labels(spec))
    return _short_pt(WIDTH_IN), _short_pt(height_in)


def _short_pt(inches: float) -> str:
    """`inches` in pt as matplotlib's SVG backend writes a size (`%f`, trailing zeros off)."""
    return f"{inches * 72:f}".rstrip("0").rstrip(".")


def _draw(spec: ChartSpec) -> Figure:
    """The chart as a matplotlib figure, laid out and ready to save."""
    measuring_text()  # our rcParams
    if spec.kind not in ("hbar", "line"):
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    return _hbar(spec) if spec.kind == "hbar" else _line(spec)


def _key(spec: ChartSpec, fmt: str, alt: str = "", dpi: int = 0) -> str:
    return chart_cache.entry_key(CHART_STYLE_VERSION, fmt, repr(spec), alt, dpi)


def _stored_svg(spec: ChartSpec, alt: str) -> bytes | None:
    return _STORE.get(_key(spec, "svg", alt=alt), "svg", chart_cache.valid_svg)


def _stored_png(spec: ChartSpec, dpi: int) -> bytes | None:
    check = functools.partial(chart_cache.valid_png, width=int(WIDTH_IN * dpi))
    return _STORE.get(_key(spec, "png", dpi=dpi), "png", check)


def render_svg(spec: ChartSpec, alt: str) -> str:
    """The chart as an SVG document whose first <title> is the alt text (read by PDF/UA tagging)."""
    svg = _stored_svg(spec, alt)
    if svg is None:
        svg = inline_svg(_draw(spec), f"c{spec.key()[:8]}-", alt).encode("utf-8")
        _STORE.put(_key(spec, "svg", alt=alt), "svg", svg)
    return svg.decode("utf-8")


def render_png(spec: ChartSpec, dpi: int = PNG_DPI, alt: str = "") -> bytes:
    """The chart as PNG bytes (for DOCX, which cannot embed SVG): its SVG (with `alt`, drawn and
    stored as `render_svg` would) rasterised at `dpi`."""
    png = _stored_png(spec, dpi)
    return png if png is not None else _rasterise([(spec, alt)], dpi)[0]


def _rasterise(items: Sequence[tuple[ChartSpec, str]], dpi: int) -> list[bytes]:
    """Rasterise the SVG of each (spec, alt) together (`chart_raster`); store and return the
    PNGs."""
    if not items:
        return []
    pngs = chart_raster.rasterise([render_svg(spec, alt) for spec, alt in items], dpi)
    for (spec, _alt), png in zip(items, pngs, strict=True):
        _STORE.put(_key(spec, "png", dpi=dpi), "png", png)
    return pngs
