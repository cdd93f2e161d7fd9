"""The charts' SVG drawn by Typst's renderer: as PNG for the DOCX, as vector PDF pages for the
WeasyPrint PDF.

A chart is drawn once, by matplotlib, as SVG (`charts`); the PNG the DOCX embeds is that SVG
rasterised here, by the SVG renderer of the `typst` wheel (resvg and tiny-skia), which the Typst
PDF engine already brings. So a reviewer's DOCX shows the very drawing of the published PDF, and
a PNG costs about 16 ms on top of its SVG, where matplotlib's Agg backend needed about 50 ms to
draw the figure a second time (measured on the M benchmark report, 136 charts).

The only fonts Typst sees are matplotlib's own DejaVu files: the text is drawn with the font
matplotlib measured when it placed it, whatever the system has installed. Charts go to Typst
`CHUNK` at a time (one), as a page the size of its SVG.

`to_pdf` gives the same pages as vector PDF (real text in an embedded DejaVu subset, no tags: the
PDF writer places each page as a Form XObject inside a tagged Figure; see `writers.pdf_charts`).
Typst converts the 136 SVGs of the M benchmark report in about 0.15 s, where WeasyPrint's own
SVG renderer, which lays out every text of a chart with Pango, took about 6 s to draw them.

Memory: Typst memoizes what it computes in a process-wide cache and drops an entry only when more
than ten compiles have not used it, so the pages of the last ten compiles (about 2 MB a chart)
would stay in memory through the rest of the job, the PDF included; a job that rasterised 136
charts in one compile held 250 MB more, and `all` grew by that much with each report. `rasterise`
ends with a dozen empty compiles (30 ms) that let the cache drop them: memory stays bounded. Not
after a single chart (a writer called without `chart_batch.draw_ahead`, chart by chart): ten
compiles of one chart hold about 20 MB, and the empty compiles would more than double its time.
Within one call, the last ten compiles stay cached as it goes: with eight charts a compile, that
was up to 80 pages (the helper drawing the M report's charts peaked at 270 MB); with one chart a
compile it is ten (130 MB), in the same time (2.0 s for the 136 charts either way).

Typst runs a thread pool. A process forked after it has started must never call Typst (its first
call waits forever): `chart_batch` lets forked helpers rasterise only when this process has not
imported Typst, and the build's job workers come from a fork server.
"""

from __future__ import annotations

import functools
import importlib.util
import re
import struct
import zlib
from collections.abc import Sequence
from pathlib import Path

CHUNK = 1  # charts per compile: Typst holds the last ten compiles; larger chunks are no faster
PDF_CHUNK = 64  # charts per PDF: about 20 MB held while compiling; each PDF has its font subset
_FORGET_AFTER = 12  # compiles after which Typst has dropped what the last one cached
_SIZE = re.compile(r'<svg [^>]*?width="([0-9.]+)pt" height="([0-9.]+)pt"')
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_INCH_PER_METRE = 39.37007874


class ChartRasterError(RuntimeError):
    """Typst could not rasterise a chart SVG (a bug: our SVGs come from matplotlib)."""


def rasterise(svgs: Sequence[str], dpi: int) -> list[bytes]:
    """Each SVG (as `charts` writes it, sized in pt) as PNG bytes at `dpi`, with that
    resolution recorded in the file."""
    if not svgs:
        return []
    import typst

    pngs: list[bytes] = []
    try:
        for start in range(0, len(svgs), CHUNK):
            pngs += _compile(svgs[start : start + CHUNK], dpi, start)
    except typst.TypstError as error:
        raise ChartRasterError(f"Typst could not rasterise the charts: {error.message}") from error
    finally:
        if len(svgs) > 1:  # let Typst's cache drop the pages (module docstring)
            _forget()
    return [with_resolution(png, dpi) for png in pngs]


def to_pdf(svgs: Sequence[str]) -> list[bytes]:
    """The SVGs (as `charts` writes them, sized in pt) as vector PDF, one page per SVG in order,
    the page the size of the chart: `PDF_CHUNK` pages per PDF, untagged."""
    if not svgs:
        return []
    import typst

    documents: list[bytes] = []
    try:
        for start in range(0, len(svgs), PDF_CHUNK):
            chunk = svgs[start : start + PDF_CHUNK]
            source, inputs = _pages(chunk, start, fill="none")
            documents.append(
                typst.compile(
                    source, format="pdf", sys_inputs=inputs, font_paths=_fonts(), pdf_tags=False
                )
            )
    except typst.TypstError as error:
        raise ChartRasterError(f"Typst could not convert the charts: {error.message}") from error
    finally:
        if len(svgs) > 1:
            _forget()
    return documents


def _forget() -> None:
    """Empty compiles that let Typst's cache drop the pages of the last real ones (docstring)."""
    import typst

    for _ in range(_FORGET_AFTER):
        typst.compile(b"", format="png", ppi=1.0, font_paths=_fonts())


def _pages(svgs: Sequence[str], first: int, fill: str) -> tuple[bytes, dict[str, str]]:
    """Typst source with a page per SVG, each page the size of its chart, and its inputs."""
    pages, inputs = [], {}
    for index, svg in enumerate(svgs, start=first):
        width, height = chart_size(svg, index)
        inputs[f"c{index}"] = svg
        pages.append(
            f"#page(width: {width}pt, height: {height}pt, margin: 0pt, fill: {fill},"
            f' image(bytes(sys.inputs.at("c{index}")), format: "svg", width: 100%))'
        )
    return "\n".join(pages).encode("utf-8"), inputs


def chart_size(svg: str, index: int = 0) -> tuple[str, str]:
    """The width and height, in pt, that `charts` writes on a chart SVG's root (as written:
    `("453.6", "180")`); `index` names the chart in the error."""
    size = _SIZE.search(svg)
    if size is None:
        raise ChartRasterError(f"chart SVG {index} has no width and height in pt")
    return size.group(1), size.group(2)


def _compile(svgs: Sequence[str], dpi: int, first: int) -> list[bytes]:
    """One Typst document with a page per SVG, compiled to one PNG per page."""
    import typst

    source, inputs = _pages(svgs, first, fill="white")
    images = typst.compile(
        source, format="png", ppi=float(dpi), sys_inputs=inputs, font_paths=_fonts()
    )
    if isinstance(images, bytes):
        images = [images]
    if not isinstance(images, list) or len(images) != len(svgs):
        raise ChartRasterError(f"Typst returned {len(images or ())} images for {len(svgs)} charts")
    return images


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
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(_font_folder())]
    )


def _font_folder() -> Path:
    """matplotlib's bundled TrueType fonts, found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    if spec is None or spec.origin is None:
        raise ChartRasterError("matplotlib is not installed")
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"
