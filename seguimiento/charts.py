"""Charts: a small, format-free chart spec rendered by matplotlib to SVG (HTML/PDF) or PNG (DOCX).

Compose builds `ChartSpec`s from figures; writers call `render_svg` / `render_png`. Renders are
cached by content (an in-process dict keyed by the spec's hash), so the DOCX and PDF builds of one
report draw each chart once. matplotlib is imported only when a chart is drawn.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass

# A colour-blind-safe palette (Okabe–Ito), dark enough for contrast on white.
PALETTE = ("#0b5394", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9")
TARGET_COLOUR = "#009e73"
PNG_DPI = 160  # 16 cm wide in the DOCX: about 1,000 pixels
BASELINE_COLOUR = "#7f7f7f"


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


_SVG_CACHE: dict[tuple[str, str], str] = {}
_PNG_CACHE: dict[tuple[str, str], bytes] = {}


def _figure(spec: ChartSpec, title: str):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter

    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "svg.fonttype": "none",
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.hashsalt": "seguimiento",
        }
    )
    if spec.kind == "hbar":
        height = max(1.6, 0.38 * len(spec.categories) + 0.6)
        fig, ax = plt.subplots(figsize=(6.3, height))
        positions = range(len(spec.categories))
        values = [v or 0 for v in spec.series[0].values]
        palette = spec.colours or PALETTE
        colours = [palette[i % len(palette)] for i in positions]
        ax.barh(list(positions), values, color=colours)
        ax.set_yticks(list(positions), labels=list(spec.categories))
        ax.invert_yaxis()
        for pos, value in zip(positions, values):
            ax.text(value, pos, f" {value:g}", va="center", fontsize=8)
        ax.set_xlabel(spec.y_label)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    elif spec.kind == "line":
        fig, ax = plt.subplots(figsize=(6.3, 2.7))
        xs = list(range(len(spec.categories)))
        for index, series in enumerate(spec.series):
            points = [(x, v) for x, v in zip(xs, series.values) if v is not None]
            if not points:
                continue
            ax.plot(
                [p[0] for p in points],
                [p[1] for p in points],
                marker="o",
                linewidth=2,
                color=PALETTE[index % len(PALETTE)],
                label=series.label,
            )
        if spec.baseline is not None:
            ax.axhline(
                spec.baseline,
                color=BASELINE_COLOUR,
                linestyle=":",
                linewidth=1.2,
                label=spec.baseline_label,
            )
        if spec.target is not None:
            ax.axhline(
                spec.target,
                color=TARGET_COLOUR,
                linestyle="--",
                linewidth=1.2,
                label=spec.target_label,
            )
        ax.set_xticks(xs, labels=list(spec.categories))
        ax.set_ylabel(spec.y_label)
        ax.legend(
            loc="upper center",
            bbox_to_anchor=(0.5, -0.14),
            ncol=3,
            fontsize=7,
            frameon=False,
        )
        ax.grid(axis="y", color="#dddddd", linewidth=0.6)
    else:
        raise ValueError(f"unknown chart kind {spec.kind!r}")

    def number(value: float, _pos: int) -> str:
        text = f"{value:,.10g}"
        if spec.decimal_comma:
            text = text.replace(",", "\u2009").replace(".", ",")
        return text

    axis = ax.xaxis if spec.kind == "hbar" else ax.yaxis
    axis.set_major_formatter(FuncFormatter(number))
    fig.tight_layout()
    fig.suptitle("")
    _ = title
    return fig


def _svg_text(fig, spec: ChartSpec, alt: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Title": alt, "Date": None, "Creator": None})
    svg = buffer.getvalue()
    svg = svg[svg.index("<svg") :]  # drop XML declaration and doctype for inline use
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, flags=re.S)
    # Ids must be unique in a document holding many charts: prefix them with the content hash.
    prefix = f"c{spec.key()[:8]}-"
    svg = re.sub(r'id="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    svg = re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)
    if "<title>" not in svg:
        svg = svg.replace(">", f"><title>{_escape(alt)}</title>", 1)
    return svg


def _png_bytes(fig, dpi: int) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def render_svg(spec: ChartSpec, alt: str) -> str:
    """The chart as an SVG document whose first <title> is the alt text (read by PDF/UA tagging)."""
    cache_key = (spec.key(), alt)
    if cache_key not in _SVG_CACHE:
        import matplotlib.pyplot as plt

        fig = _figure(spec, alt)
        _SVG_CACHE[cache_key] = _svg_text(fig, spec, alt)
        plt.close(fig)
    return _SVG_CACHE[cache_key]


def render_png(spec: ChartSpec, dpi: int = PNG_DPI, alt: str | None = None) -> bytes:
    """The chart as PNG bytes (for DOCX, which cannot embed SVG).

    With `alt`, the SVG of the same chart is drawn from the same figure and cached too, so a job
    that writes both DOCX and PDF lays each chart out once."""
    cache_key = (spec.key(), str(dpi))
    if cache_key not in _PNG_CACHE:
        import matplotlib.pyplot as plt

        fig = _figure(spec, alt or "")
        _PNG_CACHE[cache_key] = _png_bytes(fig, dpi)
        if alt is not None and (spec.key(), alt) not in _SVG_CACHE:
            _SVG_CACHE[(spec.key(), alt)] = _svg_text(fig, spec, alt)
        plt.close(fig)
    return _PNG_CACHE[cache_key]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
