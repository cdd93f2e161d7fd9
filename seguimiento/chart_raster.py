"""PNG images of the charts, rasterised from their SVG by Typst's renderer.

A chart is drawn once, by matplotlib, as SVG (`charts`); the PNG the DOCX embeds is that SVG
rasterised here, by the SVG renderer of the `typst` wheel (resvg and tiny-skia), which the Typst
PDF engine already brings. So a reviewer's DOCX shows the very drawing of the published PDF, and
a PNG costs about 10 ms on top of its SVG, where matplotlib's Agg backend needed about 50 ms to
draw the figure a second time (measured on the M benchmark report, 136 charts).

Charts are rasterised in batches: one Typst document with a page per chart, each page the size of
its SVG, compiled once to one PNG per page (a compile for a single chart costs about twice as
much per chart). The only fonts Typst sees are matplotlib's own DejaVu files: the text is drawn
with the font matplotlib measured when it placed it, whatever the system has installed.

Typst runs a thread pool. A process must not fork once it has used it, so chart helpers
(`chart_batch`) only draw SVGs, and the process that forked them rasterises.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

_SIZE = re.compile(r'<svg [^>]*?width="([0-9.]+)pt" height="([0-9.]+)pt"')
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_INCH_PER_METRE = 39.37007874


class ChartRasterError(RuntimeError):
    """Typst could not rasterise a chart SVG (a bug: our SVGs come from matplotlib)."""


def rasterise(svgs: Sequence[str], dpi: int) -> list[bytes]:
    """Each SVG (as `charts` writes it, sized in pt) as PNG bytes at `dpi`, with that
    resolution recorded in the file; one Typst compile for them all."""
    if not svgs:
        return []
    import typst

    pages, inputs = [], {}
    for index, svg in enumerate(svgs):
        size = _SIZE.search(svg)
        if size is None:
            raise ChartRasterError(f"chart SVG {index} has no width and height in pt")
        width, height = size.groups()
        inputs[f"c{index}"] = svg
        pages.append(
            f"#page(width: {width}pt, height: {height}pt, margin: 0pt, fill: white,"
            f' image(bytes(sys.inputs.at("c{index}")), format: "svg", width: 100%))'
        )
    try:
        images = typst.compile(
            "\n".join(pages).encode("utf-8"),
            format="png",
            ppi=float(dpi),
            sys_inputs=inputs,
            font_paths=_fonts(),
        )
    except typst.TypstError as error:
        raise ChartRasterError(f"Typst could not rasterise the charts: {error.message}") from error
    if isinstance(images, bytes):
        images = [images]
    if not isinstance(images, list) or len(images) != len(svgs):
        raise ChartRasterError(f"Typst returned {len(images or ())} images for {len(svgs)} charts")
    return [with_resolution(image, dpi) for image in images]


def with_resolution(png: bytes, dpi: int) -> bytes:
    """`png` with a pHYs chunk right after its header, stating `dpi` (Word and LibreOffice size
    a pasted or reset image by it). Typst writes none; the pixels are not touched."""
    if not png.startswith(_PNG_SIGNATURE) or png[12:16] != b"IHDR":
        raise ChartRasterError("Typst returned something that is not a PNG")
    header_end = 8 + 8 + struct.unpack(">I", png[8:12])[0] + 4
    per_metre = round(dpi * _INCH_PER_METRE)
    body = b"pHYs" + struct.pack(">IIB", per_metre, per_metre, 1)
    chunk = struct.pack(">I", 9) + body + struct.pack(">I", zlib.crc32(body))
    return png[:header_end] + chunk + png[header_end:]


@functools.cache
def _fonts():  # -> typst.Fonts
    """matplotlib's bundled fonts (DejaVu Sans among them), and no system font."""
    import typst

    return typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(font_folder())]
    )


def font_folder() -> Path:
    """matplotlib's bundled TrueType fonts, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise ChartRasterError("matplotlib is not installed")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
