"""Charts: a small, format-free chart spec rendered by matplotlib to SVG (HTML/PDF) or PNG (DOCX).

Compose builds `ChartSpec`s; writers call `render_svg` / `render_png`. Renders are cached in the
process (the DOCX and PDF of a job draw each chart once) and, once the build calls `use_disk_cache`,
on disk across runs (`chart_cache`): a rebuild draws only the charts whose spec changed.

A chart is drawn cheaply: a bare `matplotlib.figure.Figure` (no pyplot, no global state), rcParams
set once per process, one reused Agg canvas per image size, and no `tight_layout`: the margins are
computed from the measured texts around the axes (tick labels, axis label, legend, bar values),
leaving the border tight_layout would. Texts too long for the page are wrapped, never clipped: a
legend takes fewer columns, then wraps its labels; a long category label takes two lines.
The disk-cache key holds a digest of this file, so changed drawing code draws every chart again;
bump `CHART_STYLE_VERSION` when a change elsewhere (fonts, matplotlib settings) alters the images.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from seguimiento import chart_cache

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

# A colour-blind-safe palette (Okabe–Ito), dark enough for contrast on white.
PALETTE = ("#0b5394", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
TARGET_COLOUR = "#009e73"
PNG_DPI = 160  # 16 cm wide in the DOCX: about 1,000 pixels
BASELINE_COLOUR = "#7f7f7f"
CHART_STYLE_VERSION = 2  # in the disk-cache key: bump when the drawn images change
WIDTH_IN, LINE_HEIGHT_IN = 6.3, 2.7

# Layout, in points (1/72 in), with matplotlib's default tick, label and legend geometry.
_FONT_SIZE, _LEGEND_SIZE, _VALUE_SIZE = 9.0, 7.0, 8.0
_PAD = 1.08 * _FONT_SIZE  # the blank border tight_layout leaves around the drawing
_TICK, _LABEL_PAD = 3.5 + 3.5, 4.0  # tick length + gap to its label; axis label to tick labels
_CATEGORY_MAX_WIDTH = 0.48 * WIDTH_IN * 72  # longer hbar labels wrap onto more lines
_SPACE = 651 / 2048 * _VALUE_SIZE  # DejaVu Sans's space, between a bar and its value
_SINK = 492 / 2048 * _FONT_SIZE / 2  # y tick labels centre on their baseline's middle: descent/2
_STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": _FONT_SIZE,
    "svg.fonttype": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "seguimiento",
    "text.parse_math": False,  # "$" in a label is a dollar sign, not mathtext
}
_LEGEND_STYLE = {"loc": "upper center", "fontsize": _LEGEND_SIZE, "frameon": False}
_VALUE_STYLE = {"textcoords": "offset points", "va": "center", "fontsize": _VALUE_SIZE}
_Pair = tuple[float, float]
_Ticks = list[tuple[float, _Pair]]  # (position, (width, height) of its label)


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


@functools.cache
def _measuring_text():  # -> (Text, RendererAgg): one text artist, measured again and again
    """Set our rcParams (once per process) and make the artist that measures texts."""
    import matplotlib

    matplotlib.rcParams.update(_STYLE)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(dpi=PNG_DPI)
    return fig.text(0, 0, ""), FigureCanvasAgg(fig).get_renderer()


@functools.lru_cache(maxsize=8192)
def _text_size(text: str, size: float) -> _Pair:
    """Width and height in points of `text` (one or more lines), as matplotlib lays it out."""
    artist, renderer = _measuring_text()
    artist.set_text(text)
    artist.set_fontsize(size)
    box = artist.get_window_extent(renderer)
    return box.width * 72 / PNG_DPI, box.height * 72 / PNG_DPI


def _wrap(text: str, size: float, max_width: float) -> str:
    """`text` broken between words into lines no wider than `max_width` points (where it can)."""
    if _text_size(text, size)[0] <= max_width:
        return text
    lines = [""]
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines[-1] else word
        if lines[-1] and _text_size(trial, size)[0] > max_width:
            lines.append(word)
        else:
            lines[-1] = trial
    return "\n".join(lines)


def _overhang(items: Iterable[_Pair], span: float) -> float:
    """How far texts tied to the axes stick out past one edge, once the axes make room for them:
    the least o >= 0 with a - f * (span - o) <= o for each item (a, f), a text reaching `a` points
    past its anchor at fraction `f` of the axes from that edge, `span` the axes' unshrunk extent."""
    return max((max(0.0, (a - f * span) / (1 - f)) for a, f in items if f < 1), default=0.0)


def _fraction(value: float, near: float, far: float) -> float:
    """Where `value` sits between the axis limits, as a fraction from the `far` end."""
    return (far - value) / (far - near) if far != near else 0.5


def _tick_labels(axis: Axis, limits: _Pair) -> _Ticks:
    """The major ticks matplotlib will draw inside `limits`, with the size of their labels."""
    low, high = min(limits), max(limits)
    slack = (high - low) * 1e-10
    locs = [t for t in axis.get_major_locator()() if low - slack <= t <= high + slack]
    formatter = axis.get_major_formatter()
    formatter.set_locs(locs)
    return [(t, _text_size(formatter(t, i), _FONT_SIZE)) for i, t in enumerate(locs)]


def _number_format(axis: Axis, decimal_comma: bool) -> None:
    from matplotlib.ticker import FuncFormatter

    def number(value: float, _position: int | None = None) -> str:
        text = f"{value:,.10g}"
        return text.replace(",", "\u2009").replace(".", ",") if decimal_comma else text

    axis.set_major_formatter(FuncFormatter(number))


def _legend_size(labels: Sequence[str], ncol: int) -> _Pair:
    """Width and height in points of our legend (frameless, font 7) in `ncol` columns."""
    size = _LEGEND_SIZE
    n = len(labels)  # split as numpy.array_split: the first columns take one more
    cuts = [sum(n // ncol + (i < n % ncol) for i in range(column)) for column in range(ncol + 1)]
    columns = [labels[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]
    width = 0.8 * size + 2.0 * size * (len(columns) - 1)  # border pads, column spacing
    height = 0.0
    for column in columns:
        sizes = [_text_size(label, size) for label in column]
        width += 2.8 * size + max(w for w, _h in sizes)  # handle, gap, text
        rows = sum(max(h, 0.7 * size) for _w, h in sizes) + 0.5 * size * (len(column) - 1)
        height = max(height, rows)
    return width, height + 0.8 * size


def _fit_legend(labels: list[str], room: float) -> tuple[list[str], int, float, float]:
    """Labels, columns, width, height of the widest legend (<= 3 columns) that fits in `room`."""
    for ncol in range(min(3, len(labels)), 0, -1):
        width, height = _legend_size(labels, ncol)
        if width <= room:
            return labels, ncol, width, height
    wrapped = [_wrap(label, _LEGEND_SIZE, max(room - 3.6 * _LEGEND_SIZE, 40.0)) for label in labels]
    return (wrapped, 1, *_legend_size(wrapped, 1))  # 3.6: border pads, handle and gap


def _position(fig: Figure, left: float, bottom: float, right: float, top: float) -> None:
    """Place the (only) axes with these margins, in points."""
    width, height = fig.get_size_inches() * 72
    box = (left / width, bottom / height, 1 - (left + right) / width, 1 - (bottom + top) / height)
    fig.axes[0].set_position(box)


def _sides(x_ticks: _Ticks, limits: _Pair, least_left: float, more: Sequence[_Pair] = ()) -> _Pair:
    """Left and right margins: `least_left` at least, and room for the x tick labels (centred
    on their ticks) and for the `more` texts that stick out on the right."""
    (x0, x1), width = limits, WIDTH_IN * 72
    on_left = [(w / 2, _fraction(t, x1, x0)) for t, (w, _h) in x_ticks]
    on_right = [(w / 2, _fraction(t, x0, x1)) for t, (w, _h) in x_ticks] + list(more)
    right = _PAD + _overhang(on_right, width - least_left - _PAD)
    left = max(least_left, _PAD + _overhang(on_left, width - right - _PAD))
    return left, _PAD + _overhang(on_right, width - left - _PAD)


def _crowded(ticks: _Ticks, limits: _Pair, length: float) -> bool:
    """Whether two neighbouring tick labels come closer than 4 points on an axis `length` long."""
    scale = length / ((limits[1] - limits[0]) or 1)
    pairs = zip(ticks, ticks[1:])
    return any((b - a) * scale < (wa + wb) / 2 + 4 for (a, (wa, _)), (b, (wb, _)) in pairs)


def _line(spec: ChartSpec) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(WIDTH_IN, LINE_HEIGHT_IN))
    ax = fig.add_axes((0.1, 0.2, 0.8, 0.7))
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
    ax.set_xticks(xs, labels=list(spec.categories))
    ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    _number_format(ax.yaxis, spec.decimal_comma)

    width, height = WIDTH_IN * 72, LINE_HEIGHT_IN * 72
    y_label = _wrap(spec.y_label, _FONT_SIZE, height - 2 * _PAD)
    ax.set_ylabel(y_label)
    label_block = _text_size(y_label, _FONT_SIZE)[1] + _LABEL_PAD if y_label else 0.0
    x_ticks = [(x, _text_size(c, _FONT_SIZE)) for x, c in zip(xs, spec.categories)]
    x_height = max((h for _x, (_w, h) in x_ticks), default=0.0)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    left = right = top = _PAD
    legend, gap, least_gap = None, 0.0, _TICK + x_height + 2 - 0.5 * _LEGEND_SIZE
    for _ in range(3):  # the y ticks depend on the axes height, the margins on the ticks
        bottom = _PAD + _TICK + x_height
        if entries:
            centre = (left + width - right) / 2
            room = 2 * min(centre, width - centre) - 2 * _PAD - 2
            legend = _fit_legend([label for _artist, label in entries], room)
            # The legend hangs 14 % of the axes height under them (below the tick labels).
            below = _PAD + legend[3] + 0.5 * _LEGEND_SIZE  # + its pad to the anchor
            gap = max(0.14 * (height - top - below) / 1.14, least_gap)
            bottom = below + gap
        _position(fig, left, bottom, right, top)
        y_ticks = _tick_labels(ax.yaxis, (y0, y1))
        top = _PAD + _overhang(
            ((h / 2 - _SINK, _fraction(t, y0, y1)) for t, (_w, h) in y_ticks),
            height - bottom - _PAD,
        )
        widest = max((w for _t, (w, _h) in y_ticks), default=0.0)
        left, right = _sides(x_ticks, (x0, x1), _PAD + label_block + _TICK + widest)
    _position(fig, left, bottom, right, top)
    if legend is not None:
        anchor = (0.5, -gap / (height - top - bottom))
        handles = [artist for artist, _label in entries]
        ax.legend(handles, legend[0], bbox_to_anchor=anchor, ncol=legend[1], **_LEGEND_STYLE)
    return fig


def _hbar(spec: ChartSpec) -> Figure:
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [_wrap(c, _FONT_SIZE, _CATEGORY_MAX_WIDTH) for c in spec.categories]
    extra_lines = sum(max(0, label.count("\n") - 1) for label in labels)
    height_in = max(1.6, 0.38 * len(labels) + 0.6 + 0.17 * extra_lines)
    fig = Figure(figsize=(WIDTH_IN, height_in))
    ax = fig.add_axes((0.3, 0.2, 0.6, 0.7))
    positions = list(range(len(labels)))
    values = [v or 0 for v in spec.series[0].values]
    palette = spec.colours or PALETTE
    ax.barh(positions, values, color=[palette[i % len(palette)] for i in positions])
    ax.set_yticks(positions, labels=labels)
    ax.invert_yaxis()
    for pos, value in zip(positions, values):  # offset, not " 12": SVG text drops the space
        ax.annotate(f"{value:g}", (value, pos), (_SPACE, 0), **_VALUE_STYLE)
    width, height = WIDTH_IN * 72, height_in * 72
    x_label = _wrap(spec.y_label, _FONT_SIZE, width - 2 * _PAD)
    ax.set_xlabel(x_label)
    _number_format(ax.xaxis, spec.decimal_comma)

    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    y_sizes = [_text_size(label, _FONT_SIZE) for label in labels]
    least_left = _PAD + _TICK + max((w for w, _h in y_sizes), default=0.0)
    out = [(_SPACE + _text_size(f"{v:g}", _VALUE_SIZE)[0], _fraction(v, x0, x1)) for v in values]
    for bins in range(10, 0, -1):  # fewer ticks while their labels would touch
        ax.xaxis.set_major_locator(MaxNLocator(bins, integer=True))
        x_ticks = _tick_labels(ax.xaxis, (x0, x1))
        left, right = _sides(x_ticks, (x0, x1), least_left, out)
        if not _crowded(x_ticks, (x0, x1), width - left - right):
            break
    bottom = _PAD + _TICK + max((h for _t, (_w, h) in x_ticks), default=0.0)
    if x_label:
        bottom += _LABEL_PAD + _text_size(x_label, _FONT_SIZE)[1]
    top = _PAD + _overhang(
        ((h / 2 - _SINK, _fraction(p, y0, y1)) for p, (_w, h) in zip(positions, y_sizes)),
        height - bottom - _PAD,
    )
    _position(fig, left, bottom, right, top)
    return fig


def _draw(spec: ChartSpec) -> Figure:
    """The chart as a matplotlib figure, laid out and ready to save."""
    _measuring_text()  # our rcParams
    if spec.kind not in ("hbar", "line"):
        raise ValueError(f"unknown chart kind {spec.kind!r}")
    return _hbar(spec) if spec.kind == "hbar" else _line(spec)


def _svg_text(fig: Figure, spec: ChartSpec, alt: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Title": alt, "Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop XML declaration and doctype for inline use
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # Ids must be unique in a document holding many charts: prefix them with the content hash.
    prefix = f"c{spec.key()[:8]}-"
    svg = re.sub(r'( id="|url\(#|href="#)', lambda m: m.group(1) + prefix, svg)
    if "<title>" not in svg:
        svg = svg.replace(">", f"><title>{escape(alt, quote=False)}</title>", 1)
    return svg


@functools.lru_cache(maxsize=8)
def _agg_renderer(width: int, height: int, dpi: int):  # -> RendererAgg
    """One Agg canvas per image size, reused: matplotlib caches text metrics per renderer."""
    from matplotlib.backends.backend_agg import RendererAgg

    return RendererAgg(width, height, dpi)


def _png_bytes(fig: Figure, dpi: int) -> bytes:
    from PIL import Image

    fig.set_dpi(dpi)
    width, height = (int(n) for n in fig.bbox.size)
    renderer = _agg_renderer(width, height, dpi)
    renderer.clear()
    fig.draw(renderer)
    image = Image.frombuffer("RGBA", (width, height), renderer.buffer_rgba(), "raw", "RGBA", 0, 1)
    buffer = io.BytesIO()  # opaque white figure: RGB, and fast compression (about as small)
    image.convert("RGB").save(buffer, format="png", compress_level=1, dpi=(dpi, dpi))
    return buffer.getvalue()


def _key(spec: ChartSpec, fmt: str, alt: str = "", dpi: int = 0) -> str:
    return chart_cache.entry_key(CHART_STYLE_VERSION, fmt, repr(spec), alt, dpi)


def render_svg(spec: ChartSpec, alt: str) -> str:
    """The chart as an SVG document whose first <title> is the alt text (read by PDF/UA tagging)."""
    key = _key(spec, "svg", alt=alt)
    svg = _STORE.get(key, "svg", chart_cache.valid_svg)
    if svg is None:
        svg = _svg_text(_draw(spec), spec, alt).encode("utf-8")
        _STORE.put(key, "svg", svg)
    return svg.decode("utf-8")


def render_png(spec: ChartSpec, dpi: int = PNG_DPI, alt: str | None = None) -> bytes:
    """The chart as PNG bytes (for DOCX, which cannot embed SVG).

    With `alt`, the SVG of the same chart is drawn from the same figure and cached too, so a job
    that writes both DOCX and PDF lays each chart out once."""
    key = _key(spec, "png", dpi=dpi)
    check = functools.partial(chart_cache.valid_png, width=int(WIDTH_IN * dpi))
    png = _STORE.get(key, "png", check)
    if png is None:
        fig = _draw(spec)
        png = _png_bytes(fig, dpi)
        _STORE.put(key, "png", png)
        svg_key = _key(spec, "svg", alt=alt or "")
        if alt is not None and _STORE.get(svg_key, "svg", chart_cache.valid_svg) is None:
            _STORE.put(svg_key, "svg", _svg_text(fig, spec, alt).encode("utf-8"))
    return png
