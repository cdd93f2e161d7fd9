"""PDF writer: the HTML page of `writers.html` laid out by WeasyPrint as a tagged PDF/A-3a that
also claims PDF/UA-1, with the report's data embedded as attachments.

Safety: WeasyPrint gets `restricted_fetcher`, which serves only regular files under the templates
folder (checked on the resolved path, so symlinks cannot lead out). Network URLs, `data:` URLs and
files anywhere else are refused; WeasyPrint logs each refusal as an ERROR, and any ERROR it logs
fails the render with `PdfRenderError` (so a report can neither call out nor embed /etc/passwd,
and an image without alt text cannot slip into a "tagged" PDF).

WeasyPrint 70 leaves a few things to do. Before it writes the file, as its finisher, the tag tree
is repaired on its own objects (`pdf_structure`): a table split over pages becomes one Table
again, header cells get `/Scope /Column`, list items' paragraphs are wrapped in `/LBody`. After
it (pikepdf): put the charts in, declare PDF/UA-1 in the XMP (with the PDF/A extension schema
that makes the `pdfuaid` property legal in PDF/A) and keep the XMP unfiltered, list each
attachment once in `/AF` with its MIME type, and compress the streams (WeasyPrint writes them
uncompressed) and the objects into object streams, with no stream end that reads two ways
(`pdf_streams`). The same input gives the same bytes: the attachments are dated the report's
date, not the clock's, and both parts of the file's /ID are digests of its content. The content
streams' repairs are in `pdf_tags`: running heads, draft mark and page numbers become pagination
artifacts, so do a split table's repeated header rows, content is painted in reading order, and
links get a description. Checked on every sample report (tests/test_accessibility.py) with the
`page-validation` rule sets for PDF/A-3a and PDF/UA-1 (no failure) and with `outloud` (no
error, no warning but FIG-012).

Charts: WeasyPrint lays out a stand-in of each chart's size, and the post-processing puts in
its place the chart drawn as vector PDF by Typst from the same SVG (`pdf_charts`): the same
page, in about two thirds of the time.

weasyprint, pikepdf and typst are imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import hashlib
import io
import mimetypes
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit
from urllib.request import url2pathname

if TYPE_CHECKING:
    from seguimiento.charts import ChartSpec
    from seguimiento.writers.pdf_structure import TreeFacts

PDF_VARIANT = "pdf/a-3a"
MAX_RESOURCE_BYTES = 20 * 1024 * 1024

_PDFUA_XMP = """<rdf:Description rdf:about=""
  xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/"
  xmlns:pdfaExtension="http://www.aiim.org/pdfa/ns/extension/"
  xmlns:pdfaSchema="http://www.aiim.org/pdfa/ns/schema#"
  xmlns:pdfaProperty="http://www.aiim.org/pdfa/ns/property#">
 <pdfuaid:part>1</pdfuaid:part>
 <pdfaExtension:schemas>
  <rdf:Bag>
   <rdf:li rdf:parseType="Resource">
    <pdfaSchema:schema>PDF/UA Universal Accessibility Schema</pdfaSchema:schema>
    <pdfaSchema:namespaceURI>http://www.aiim.org/pdfua/ns/id/</pdfaSchema:namespaceURI>
    <pdfaSchema:prefix>pdfuaid</pdfaSchema:prefix>
    <pdfaSchema:property>
     <rdf:Seq>
      <rdf:li rdf:parseType="Resource">
       <pdfaProperty:name>part</pdfaProperty:name>
       <pdfaProperty:valueType>Integer</pdfaProperty:valueType>
       <pdfaProperty:category>internal</pdfaProperty:category>
       <pdfaProperty:description>Part of ISO 14289 the file conforms to</pdfaProperty:description>
      </rdf:li>
     </rdf:Seq>
    </pdfaSchema:property>
   </rdf:li>
  </rdf:Bag>
 </pdfaExtension:schemas>
</rdf:Description>
"""


@dataclass(frozen=True)
class Attachment:
    """A file embedded in the PDF (e.g. the report's data as CSV), related as `/Data`."""

    name: str
    data: bytes
    mime: str = "application/octet-stream"
    description: str = ""

    def __post_init__(self) -> None:
        if not self.name or any(char in self.name for char in "/\\\0"):
            raise ValueError(f"attachment name must be a plain file name, not {self.name!r}")
        if not re.fullmatch(r"[\w.+-]+/[\w.+-]+", self.mime):
            raise ValueError(f"attachment {self.name!r}: bad MIME type {self.mime!r}")


class PdfRenderError(RuntimeError):
    """WeasyPrint reported errors (refused resource, missing alt text, broken anchor...)."""


class ResourceRefusedError(ValueError):
    """The restricted fetcher refused a URL."""


def restricted_fetcher(root: Path, images: Mapping[str, bytes] | None = None):
    """A WeasyPrint URL fetcher that serves only regular files under `root` and the in-memory
    chart images of `images` (`chart:<key>.svg`, see `writers.html.render_html`, and the
    `.png` markers of `pdf_charts`); it raises
    `ResourceRefusedError` for anything else (http(s), ftp, data:, files outside `root`)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    base = Path(root).resolve(strict=True)
    served = dict(images or {})

    class RestrictedFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
            if url in served:
                mime = "image/png" if url.endswith(".png") else "image/svg+xml"
                return URLFetcherResponse(url, served[url], {"Content-Type": mime}, status=200)
            parts = urlsplit(url)
            if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
                raise ResourceRefusedError(f"refused (only template files): {url[:200]}")
            try:
                path = Path(url2pathname(parts.path)).resolve(strict=True)
            except (OSError, RuntimeError) as error:
                raise ResourceRefusedError(f"refused (no such file): {url[:200]}") from error
            if not path.is_relative_to(base) or not path.is_file():
                raise ResourceRefusedError(f"refused (outside {base}): {url[:200]}")
            if path.stat().st_size > MAX_RESOURCE_BYTES:
                raise ResourceRefusedError(f"refused (larger than 20 MB): {url[:200]}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(
                path.as_uri(), path.read_bytes(), {"Content-Type": mime}, status=200
            )

    return RestrictedFetcher(timeout=1, allow_redirects=False, allowed_protocols=("file",))


def write_pdf(
    html: str,
    templates_dir: Path,
    attachments: Sequence[Attachment] = (),
    figures: Mapping[str, tuple[ChartSpec, str]] | None = None,
    charts_ready: Callable[[list[tuple[ChartSpec, str]]], list[bytes] | None] | None = None,
) -> bytes:
    """Lay out `html` (relative URLs resolve in `templates_dir`) as PDF/A-3a + PDF/UA-1 bytes,
    with `attachments` embedded; raises `PdfRenderError` if WeasyPrint logged any error.

    `figures` holds the charts its `chart:` images stand for (`writers.html.render_html`).
    WeasyPrint lays out stand-ins of their size; then `charts_ready(charts)` is called with
    those (spec, alt) in order (it may wait for the processes drawing them,
    `chart_batch.DrawingBehind.ready`) and returns their Typst PDFs if made elsewhere, else None.
    The charts, drawn here if no one has, go in as Typst's vector drawing of their SVG
    (`pdf_charts`)."""
    import weasyprint

    from seguimiento import charts
    from seguimiento.writers.pdf_charts import stand_ins
    from seguimiento.writers.pdf_links import link_texts
    from seguimiento.writers.pdf_structure import TagTreeFinisher
    from seguimiento.writers.weasyprint_run import (
        fewer_collections,
        markers_in_flow,
        parsed_page,
        remembered_page_references,
        weasyprint_errors,
    )

    figures = dict(figures or {})
    sizes = {url: charts.chart_size(spec) for url, (spec, _alt) in figures.items()}
    fetcher = restricted_fetcher(templates_dir, stand_ins(sizes))
    embedded = [
        weasyprint.Attachment(
            string=item.data,
            name=item.name,
            description=item.description or item.name,
            relationship="Data",
            url_fetcher=fetcher,
        )
        for item in attachments
    ]
    with (
        fewer_collections(),
        weasyprint_errors() as problems,
        remembered_page_references(),
        markers_in_flow(),
    ):
        page = parsed_page(html, str(Path(templates_dir).resolve()), fetcher)
        links = link_texts(page.etree_element)
        tag_tree = TagTreeFinisher()  # the tag tree repaired before WeasyPrint writes the file
        data = page.write_pdf(
            pdf_variant=PDF_VARIANT,
            custom_metadata=True,
            uncompressed_pdf=True,  # compressed once, after the post-processing (pdf_streams)
            attachments=embedded,
            pdf_identifier=_identifier(html, attachments),
            finisher=tag_tree,
        )
        del page
        if not problems:
            made = charts_ready(list(figures.values())) if charts_ready is not None else None
            svgs = [charts.render_svg(spec, alt) for spec, alt in figures.values()]
            mimes = {item.name: item.mime for item in attachments}
            documents = chart_pdfs(svgs, list(sizes.values()), made)
            return _finish(data, mimes, tag_tree.facts, links, documents)
    raise PdfRenderError("WeasyPrint: " + "; ".join(problems))


def chart_pdfs(
    svgs: list[str], sizes: Sequence[tuple[str, str]], made: list[bytes] | None = None
) -> list[bytes]:
    """The chart SVGs as Typst PDF pages (`chart_raster.to_pdf`; `made`, if a helper made them),
    each checked to have the size its stand-in was laid out at; failing, a `PdfRenderError`."""
    from seguimiento.chart_raster import ChartRasterError, chart_size, to_pdf

    try:
        for index, (svg, size) in enumerate(zip(svgs, sizes, strict=True)):
            if chart_size(svg, index) != size:
                raise ChartRasterError(
                    f"chart {index} was laid out at {size} pt and drawn at {chart_size(svg)} pt"
                )
        return made if made is not None else to_pdf(svgs)
    except ChartRasterError as error:
        raise PdfRenderError(str(error)) from error


def _finish(
    data: bytes,
    mimes: dict[str, str],
    facts: TreeFacts | None,
    links: Mapping[str, str] | None = None,
    charts: Sequence[bytes] = (),
) -> bytes:
    """Post-process WeasyPrint's PDF with pikepdf (see the module docstring); `facts` are what
    `pdf_structure` found and did in its tag tree before it was written, `links` describe the
    links by target (`pdf_links.link_texts`), `charts` are the Typst PDFs of the charts whose
    stand-ins WeasyPrint laid out (`pdf_charts`)."""
    import pikepdf
    from pikepdf import Name

    from seguimiento.writers.pdf_charts import swap_charts
    from seguimiento.writers.pdf_streams import save_packed
    from seguimiento.writers.pdf_tags import finish_tags

    with pikepdf.open(io.BytesIO(data)) as pdf:
        root = pdf.Root
        lang = root.get("/Lang")
        if lang is None or not str(lang):
            raise PdfRenderError("the PDF has no /Lang: <html lang> is missing")
        if "/StructTreeRoot" not in root:
            raise PdfRenderError("the PDF is not tagged")
        if facts is None:
            raise PdfRenderError("the tag tree was not repaired before the PDF was written")
        root.ViewerPreferences = pikepdf.Dictionary(DisplayDocTitle=True)
        root.MarkInfo = pikepdf.Dictionary(Marked=True)

        xmp = root.Metadata.read_bytes()
        if b"pdfuaid" not in xmp:
            end = xmp.rfind(b"</rdf:RDF>")
            if end < 0:
                raise PdfRenderError("unexpected XMP packet from WeasyPrint")
            xmp = xmp[:end] + _PDFUA_XMP.encode("utf-8") + xmp[end:]
        root.Metadata = pdf.make_stream(xmp, Type=Name.Metadata, Subtype=Name.XML)

        if charts:
            swap_charts(pdf, charts)
        finish_tags(pdf, facts, links)

        files = root.get("/AF")  # WeasyPrint 70 lists each attachment twice
        if isinstance(files, pikepdf.Array):
            unique, seen = [], set()
            for item in files:
                key = item.objgen if item.is_indirect else None
                if key is None or key not in seen:
                    unique.append(item)
                    seen.add(key)
            root.AF = pikepdf.Array(unique)
        created = pdf.docinfo.get("/CreationDate")  # the report's date, not the clock's
        for name, spec in pdf.attachments.items():
            mime = mimes.get(name)
            if mime:
                spec.obj.EF.F.Subtype = Name("/" + mime)
            params = spec.obj.EF.F.get("/Params")
            if created is not None and isinstance(params, pikepdf.Dictionary):
                params.CreationDate = params.ModDate = created

        return save_packed(pdf)  # the same input and date give the same bytes


def _identifier(html: str, attachments: Sequence[Attachment]) -> bytes:
    """The PDF's permanent identifier (the first /ID): a digest of what it is made from, where
    WeasyPrint's own digest covers the clock's time in the attachments."""
    digest = hashlib.md5(html.encode("utf-8"), usedforsecurity=False)
    for item in attachments:
        digest.update(item.name.encode("utf-8") + b"\0" + item.data)
    return digest.hexdigest().encode("ascii")
