"""Chart layout arithmetic: text sizes as matplotlib measures them, and the margins around a
chart's axes that leave room for every text (what tight_layout would do, computed instead).

All lengths are in points (1/72 in). `charts` draws; this module only measures and places. It is
part of the chart drawing code: the disk-cache key holds a digest of it too (`chart_cache`).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure

PNG_DPI = 160  # 16 cm wide in the DOCX: about 1,000 pixels
WIDTH_IN, LINE_HEIGHT_IN = 6.3, 2.7

# Layout, in points (1/72 in), with matplotlib's default tick, label and legend geometry.
FONT_SIZE, LEGEND_SIZE, VALUE_SIZE = 9.0, 7.0, 8.0
PAD = 1.08 * FONT_SIZE  # the blank border tight_layout leaves around the drawing
TICK, LABEL_PAD = 3.5 + 3.5, 4.0  # tick length + gap to its label; axis label to tick labels
SPACE = 651 / 2048 * VALUE_SIZE  # DejaVu Sans's space, between a bar and its value
SINK = 492 / 2048 * FONT_SIZE / 2  # y tick labels centre on their baseline's middle: descent/2
STYLE = {
    "font.family": "DejaVu Sans",
    "font.size": FONT_SIZE,
    "svg.fonttype": "none",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "svg.hashsalt": "seguimiento",
    "text.parse_math": False,  # "$" in a label is a dollar sign, not mathtext
}
Pair = tuple[float, float]
Ticks = list[tuple[float, Pair]]  # (position, (width, height) of its label)


@functools.cache
def measuring_text():  # -> (Text, RendererAgg): one text artist, measured again and again
    """Set our rcParams (once per process) and make the artist that measures texts."""
    import matplotlib

    matplotlib.rcParams.update(STYLE)
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(dpi=PNG_DPI)
    return fig.text(0, 0, ""), FigureCanvasAgg(fig).get_renderer()


@functools.lru_cache(maxsize=8192)
def text_size(text: str, size: float) -> Pair:
    """Width and height in points of `text` (one or more lines), as matplotlib lays it out."""
    artist, renderer = measuring_text()
    artist.set_text(text)
    artist.set_fontsize(size)
    box = artist.get_window_extent(renderer)
    return box.width * 72 / PNG_DPI, box.height * 72 / PNG_DPI


def wrap(text: str, size: float, max_width: float) -> str:
    """`text` broken between words into lines no wider than `max_width` points (where it can)."""
    if text_size(text, size)[0] <= max_width:
        return text
    lines = [""]
    for word in text.split():
        trial = f"{lines[-1]} {word}" if lines[-1] else word
        if lines[-1] and text_size(trial, size)[0] > max_width:
            lines.append(word)
        else:
            lines[-1] = trial
    return "\n".join(lines)


def overhang(items: Iterable[Pair], span: float) -> float:
    """How far texts tied to the axes stick out past one edge, once the axes make room for them:
    the least o >= 0 with a - f * (span - o) <= o for each item (a, f), a text reaching `a` points
    past its anchor at fraction `f` of the axes from that edge, `span` the axes' unshrunk extent."""
    return max((max(0.0, (a - f * span) / (1 - f)) for a, f in items if f < 1), default=0.0)


def fraction(value: float, near: float, far: float) -> float:
    """Where `value` sits between the axis limits, as a fraction from the `far` end."""
    return (far - value) / (far - near) if far != near else 0.5


def tick_labels(axis: Axis, limits: Pair) -> Ticks:
    """The major ticks matplotlib will draw inside `limits`, with the size of their labels."""
    low, high = min(limits), max(limits)
    slack = (high - low) * 1e-10
    locs = [t for t in axis.get_major_locator()() if low - slack <= t <= high + slack]
    formatter = axis.get_major_formatter()
    formatter.set_locs(locs)
    return [(t, text_size(formatter(t, i), FONT_SIZE)) for i, t in enumerate(locs)]


def number_text(value: float, decimal_comma: bool) -> str:
    """`value` as the report writes numbers: grouped thousands, up to 10 digits, the minus sign
    U+2212 (`i18n.MINUS`); with `decimal_comma`, a thin space groups and a comma marks the
    decimals."""
    text = f"{value:,.10g}".replace("-", "\u2212")
    return text.replace(",", "\u2009").replace(".", ",") if decimal_comma else text


def number_format(axis: Axis, decimal_comma: bool) -> None:
    """Tick labels written as `number_text` writes them."""
    from matplotlib.ticker import FuncFormatter

    axis.set_major_formatter(
        FuncFormatter(lambda value, _position=None: number_text(value, decimal_comma))
    )


def legend_size(labels: Sequence[str], ncol: int) -> Pair:
    """Width and height in points of our legend (frameless, font 7) in `ncol` columns."""
    size = LEGEND_SIZE
    n = len(labels)  # split as numpy.array_split: the first columns take one more
    cuts = [sum(n // ncol + (i < n % ncol) for i in range(column)) for column in range(ncol + 1)]
    columns = [labels[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]
    width = 0.8 * size + 2.0 * size * (len(columns) - 1)  # border pads, column spacing
    height = 0.0
    for column in columns:
        sizes = [text_size(label, size) for label in column]
        width += 2.8 * size + max(w for w, _h in sizes)  # handle, gap, text
        rows = sum(max(h, 0.7 * size) for _w, h in sizes) + 0.5 * size * (len(column) - 1)
        height = max(height, rows)
    return width, height + 0.8 * size


def fit_legend(labels: list[str], room: float) -> tuple[list[str], int, float, float]:
    """Labels, columns, width, height of the widest legend (<= 3 columns) that fits in `room`."""
    for ncol in range(min(3, len(labels)), 0, -1):
        width, height = legend_size(labels, ncol)
        if width <= room:
            return labels, ncol, width, height
    wrapped = [wrap(label, LEGEND_SIZE, max(room - 3.6 * LEGEND_SIZE, 40.0)) for label in labels]
    return (wrapped, 1, *legend_size(wrapped, 1))  # 3.6: border pads, handle and gap


def position(fig: Figure, left: float, bottom: float, right: float, top: float) -> None:
    """Place the (only) axes with these margins, in points."""
    width, height = fig.get_size_inches() * 72
    box = (left / width, bottom / height, 1 - (left + right) / width, 1 - (bottom + top) / height)
    fig.axes[0].set_position(box)


def sides(x_ticks: Ticks, limits: Pair, least_left: float, more: Sequence[Pair] = ()) -> Pair:
    """Left and right margins: `least_left` at least, and room for the x tick labels (centred
    on their ticks) and for the `more` texts that stick out on the right."""
    (x0, x1), width = limits, WIDTH_IN * 72
    on_left = [(w / 2, fraction(t, x1, x0)) for t, (w, _h) in x_ticks]
    on_right = [(w / 2, fraction(t, x0, x1)) for t, (w, _h) in x_ticks] + list(more)
    right = PAD + overhang(on_right, width - least_left - PAD)
    left = max(least_left, PAD + overhang(on_left, width - right - PAD))
    return left, PAD + overhang(on_right, width - left - PAD)


def crowded(ticks: Ticks, limits: Pair, length: float) -> bool:
    """Whether two neighbouring tick labels come closer than 4 points on an axis `length` long."""
    scale = length / ((limits[1] - limits[0]) or 1)
    pairs = zip(ticks, ticks[1:])
    return any((b - a) * scale < (wa + wb) / 2 + 4 for (a, (wa, _)), (b, (wb, _)) in pairs)
