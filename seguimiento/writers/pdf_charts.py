"""Charts in the WeasyPrint PDF: WeasyPrint lays out a stand-in of each chart, and the stand-ins
are then swapped for the charts themselves, drawn as vector PDF by Typst from the same SVGs.

Why: WeasyPrint draws an SVG image element by element and lays out every text in it with Pango.
On the M benchmark report that was about 6 s of its 17 s (136 charts), and the many small text
objects it wrote made our tag repairs slower too. Typst converts the same SVGs in about 0.15 s
(`chart_raster.to_pdf`), with the same fonts, real (selectable) text and the same drawing. And
as WeasyPrint needs only their size, the charts can be drawn in other processes meanwhile
(`chart_batch.draw_behind`).

How:
- `stand_ins(sizes)` serves, under each chart URL (`chart:<key>.svg`, see
  `writers.html.render_html`), a stand-in SVG of the chart's exact size (so the layout is the
  same, to the point; `charts.chart_size` knows it before the chart is drawn) that holds one
  2×1 pixel PNG, stretched over it: a marker colour, then the chart's index in RGB.
  WeasyPrint embeds it as an image XObject, painted with `Do` inside the Figure it tags for the
  `<img>`, alt text included.
- `swap_charts(pdf, documents)` finds those marker images in the resources of pages and forms,
  and puts in their place, under the same name, the chart's page of the Typst PDF as a Form
  XObject whose matrix maps the chart onto the unit square the image filled. The painting, the
  marked content and the tags around it are untouched; no marker is left in the file.
"""

from __future__ import annotations

import decimal
import io
from collections.abc import Mapping, Sequence

#: First pixel of every marker image; the second is the chart's index (24-bit, big-endian).
MARKER = bytes((0x5E, 0x67, 0x4D))


class ChartSwapError(RuntimeError):
    """A marker image refers to no chart (a bug: stand-ins and charts come from one dict)."""


def stand_ins(sizes: Mapping[str, tuple[str, str]]) -> dict[str, bytes]:
    """What WeasyPrint is served for the charts: for each chart URL of `sizes` (its width and
    height in pt, as its SVG has them) a stand-in SVG of that size, and its marker PNG next to
    it. The markers number the charts in the order of `sizes`."""
    served: dict[str, bytes] = {}
    for index, (url, (width, height)) in enumerate(sizes.items()):
        marker_url = url.removesuffix(".svg") + ".marker.png"
        served[url] = (
            '<svg xmlns="http://www.w3.org/2000/svg"'
            f' width="{width}pt" height="{height}pt" viewBox="0 0 {width} {height}">'
            f'<image width="{width}" height="{height}" preserveAspectRatio="none"'
            f' href="{marker_url}"/></svg>'
        ).encode()
        served[marker_url] = marker_png(index)
    return served


def marker_png(index: int) -> bytes:
    """A 2×1 RGB PNG: `MARKER`, then `index` as a colour."""
    from PIL import Image

    image = Image.frombytes("RGB", (2, 1), MARKER + index.to_bytes(3, "big"))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def swap_charts(pdf, documents: Sequence[bytes]) -> int:
    """Replace every marker image in `pdf` (an open pikepdf document) by its chart, a page of
    the Typst PDFs `documents` (`chart_raster.to_pdf`, pages in marker order), as a Form
    XObject. Returns how many resource entries were replaced."""
    import pikepdf

    sources = [pikepdf.open(io.BytesIO(data)) for data in documents]
    try:
        pages = [page for source in sources for page in source.pages]
        forms: dict[int, pikepdf.Object] = {}

        def form(index: int):
            if index >= len(pages):
                raise ChartSwapError(f"marker image for chart {index}, of {len(pages)} charts")
            if index not in forms:
                forms[index] = _as_unit_form(pdf, pages[index])
            return forms[index]

        return _swap_in(_resource_dicts(pdf), form)
    finally:
        for source in sources:
            source.close()


def _as_unit_form(pdf, page):
    """`page` copied into `pdf` as a Form XObject drawn into the unit square, as an image is."""
    import pikepdf

    with decimal.localcontext(prec=15):  # a float would be written with 6 decimals: 0.02 % off
        x0, y0, x1, y1 = (decimal.Decimal(str(value)) for value in page.mediabox)
        width, height = x1 - x0, y1 - y0
        matrix = [1 / width, 0, 0, 1 / height, -x0 / width, -y0 / height]
    form = pdf.copy_foreign(page.as_form_xobject())
    form.Matrix = pikepdf.Array(matrix)
    return form


def _resource_dicts(pdf) -> list:
    """The `/XObject` dictionaries of every page and of every form they paint, each once."""
    import pikepdf
    from pikepdf import Name

    found, seen, seen_resources = [], set(), set()
    pending = [page.obj.get("/Resources") for page in pdf.pages]
    while pending:
        resources = pending.pop()
        if not isinstance(resources, pikepdf.Dictionary):
            continue
        if resources.is_indirect:  # WeasyPrint gives all pages one: looked at once
            if resources.objgen in seen_resources:
                continue
            seen_resources.add(resources.objgen)
        xobjects = resources.get("/XObject")
        if not isinstance(xobjects, pikepdf.Dictionary):
            continue
        found.append(xobjects)
        for obj in xobjects.values():
            if obj.get("/Subtype") == Name.Form and obj.is_indirect and obj.objgen not in seen:
                seen.add(obj.objgen)
                pending.append(obj.get("/Resources"))
    return found


def _swap_in(xobject_dicts: list, form) -> int:
    """Put `form(index)` in place of each marker image of `xobject_dicts`."""
    from pikepdf import Name

    swapped = 0
    for xobjects in xobject_dicts:
        for name, obj in list(xobjects.items()):
            index = marker_index(obj) if obj.get("/Subtype") == Name.Image else None
            if index is not None:
                xobjects[name] = form(index)
                swapped += 1
    return swapped


def marker_index(image) -> int | None:
    """The chart index a marker image XObject stands for, or None for any other image."""
    import pikepdf

    if image.get("/Width") != 2 or image.get("/Height") != 1 or image.get("/SMask") is not None:
        return None
    try:
        pixels = image.read_bytes()
    except pikepdf.PdfError:  # a filter qpdf does not decode: not one of ours
        return None
    if len(pixels) != 6 or pixels[:3] != MARKER:
        return None
    return int.from_bytes(pixels[3:], "big")
