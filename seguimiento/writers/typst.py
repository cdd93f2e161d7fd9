"""Typst PDF engine: the document tree laid out by Typst as a tagged PDF/A-3a + PDF/UA-1, with the
report's data embedded as attachments. An opt-in alternative to `writers.pdf` (WeasyPrint, the
default engine): the same pages, laid out many times faster.

The Typst source is `templates/page.typ` (the look: the counterpart of style.css) followed by the
report's metadata and body, written by `typst_markup` with every text from the data as an escaped
Typst string, so nothing from the data can become Typst code. Typst reads no file but
the fonts: the compiler's root is an empty private temporary folder (Typst's `read`, `image` and
`import` cannot leave it), the charts' SVG and the text attachments reach Typst through
`sys.inputs`; only an attachment that is not UTF-8 text is written into that folder to be embedded.
Any Typst error becomes `PdfRenderError`; Typst's warnings are logged.

Typst declares PDF/A-3a and PDF/UA-1 itself (XMP, tags, alt texts, header-cell scopes, link
descriptions, `/Lang`, DisplayDocTitle, running heads and page numbers as pagination artifacts).
Two repairs follow (pikepdf, `_finish`): a structure element holding both marked content and
child elements (a paragraph with bold words) gets its content wrapped in `/Span`s, so checkers
that rank an element's own content before its children's (outloud's reading-order rule) see the
page painted in tag order; and the EOL before `endstream` of a stream whose data ends in CR is
made a CR too, so that the two do not read as one CRLF, one byte short of `/Length`
(`pdf_streams.unambiguous_ends`, as for WeasyPrint's PDFs).

typst and pikepdf are imported inside the functions: importing this module is cheap.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from seguimiento import tree
from seguimiento.writers.html import DRAFT_LABELS, HTML_LANG
from seguimiento.writers.pdf import Attachment, PdfRenderError
from seguimiento.writers.typst_markup import BodyWriter, string, text_string

LOG = logging.getLogger(__name__)

PDF_STANDARDS = ("a-3a", "ua-1")
TEMPLATE = "page.typ"
_LANG_TAG = re.compile(r"([a-zA-Z]{2,3})(?:-([a-zA-Z]{2}))?")
_PAGE_FIELDS = re.compile(r"\{(pages|page)\}")
#: A stream whose data ends in CR or LF, just before the EOL and `endstream`.


def write_pdf_typst(
    document: tree.Document, templates_dir: Path, attachments: Sequence[Attachment] = ()
) -> bytes:
    """Lay out `document` with Typst and `templates_dir/page.typ` as PDF/A-3a + PDF/UA-1 bytes,
    with `attachments` embedded (relationship Data, their MIME type); raises `PdfRenderError` if
    Typst reports an error (e.g. a link to an anchor that does not exist)."""
    import typst

    template = (Path(templates_dir) / TEMPLATE).read_text("utf-8")
    meta = document.meta
    language = meta.lang.split("-")[0].lower()
    writer = BodyWriter(document, language)
    body = writer.write()
    missing = sorted(writer.links - writer.labels)
    if missing:
        raise PdfRenderError(f"Typst: no anchor #{missing[0]} for an internal link")
    inputs = dict(writer.inputs)
    with tempfile.TemporaryDirectory(prefix="seguimiento-typst-") as root:
        embeds = _attachments(attachments, inputs, Path(root))
        source = "\n".join((template, _preamble(meta, language), embeds, body, ""))
        try:
            data, warnings = typst.compile_with_warnings(
                source.encode("utf-8"),
                root=root,
                font_paths=_fonts(),
                sys_inputs=inputs,
                pdf_standards=list(PDF_STANDARDS),
                timestamp=_timestamp(meta.date),
                pdf_tags=True,
            )
        except typst.TypstError as error:
            hints = "".join(f"; hint: {hint}" for hint in error.hints or ())
            raise PdfRenderError(f"Typst: {error.message}{hints}") from error
    for warning in warnings:
        LOG.warning("Typst: %s", warning.message)
    if not isinstance(data, bytes):
        raise PdfRenderError("Typst returned no PDF")
    return _finish(data)


@lru_cache(maxsize=1)
def _fonts():
    """The system fonts and Typst's own, searched once per process (Liberation Sans, DejaVu)."""
    import typst

    return typst.Fonts(include_system_fonts=True, include_embedded_fonts=True)


def _preamble(meta: tree.Meta, language: str) -> str:
    """`#show: sg-report.with(...)`: metadata, language, running header, page label, draft mark."""
    lang, region = _language(meta.lang, language)
    date = "auto"
    day = _date(meta.date)
    if day is not None:
        date = f"datetime(year: {day.year}, month: {day.month}, day: {day.day})"
    tokens = []
    for index, part in enumerate(_PAGE_FIELDS.split(meta.page_label)):
        if index % 2:
            tokens.append(f"({string(part)}, none)")
        elif part:
            tokens.append(f'("text", {text_string(part)})')
    keywords = "".join(f"{text_string(word)}, " for word in meta.keywords)
    draft_label = meta.draft_label or DRAFT_LABELS.get(language, DRAFT_LABELS["en"])
    arguments = {
        "title": text_string(meta.title),
        "author": text_string(meta.author),
        "description": text_string(meta.subject) if meta.subject else "none",
        "keywords": f"({keywords})",
        "date": date,
        "lang": string(lang),
        "region": string(region) if region else "none",
        "header": text_string(meta.header),
        "page-label": f"({''.join(token + ', ' for token in tokens)})",
        "draft": "true" if meta.draft else "false",
        "draft-label": text_string(draft_label),
    }
    return "#show: sg-report.with(" + ", ".join(f"{k}: {v}" for k, v in arguments.items()) + ")"


def _language(tag: str, language: str) -> tuple[str, str]:
    """Typst's `lang` and `region` for `Meta.lang` ("es" → es, GT as in the HTML page)."""
    full = tag if "-" in tag else HTML_LANG.get(language, tag)
    match = _LANG_TAG.fullmatch(full) or _LANG_TAG.fullmatch(tag.split("-")[0])
    if match is None:
        raise ValueError(f"unsupported document language {tag!r}")
    return match.group(1).lower(), (match.group(2) or "").upper()


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _timestamp(text: str) -> dt.datetime | None:
    """Midnight UTC of `Meta.date` (the PDF's creation date: builds are reproducible), or None
    for now."""
    day = _date(text)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) if day else None


def _attachments(attachments: Sequence[Attachment], inputs: dict[str, str], root: Path) -> str:
    """`#pdf.attach(...)` calls; the data goes into `inputs` (UTF-8 text) or, for other bytes, into
    a file of the private `root` (its name made here, never from the data)."""
    calls = []
    for index, item in enumerate(attachments):
        key = f"attachment-{index}"
        try:
            inputs[key] = item.data.decode("utf-8")
            data = f"bytes(sys.inputs.at({string(key)}))"
        except UnicodeDecodeError:
            (root / key).write_bytes(item.data)
            data = f"read({string('/' + key)}, encoding: none)"
        calls.append(
            f'#pdf.attach({string(item.name)}, {data}, relationship: "data", '
            f"mime-type: {string(item.mime)}, "
            f"description: {text_string(item.description or item.name)})"
        )
    return "\n".join(calls)


def _finish(data: bytes) -> bytes:
    """Post-process Typst's PDF with pikepdf (see the module docstring)."""
    import pikepdf

    from seguimiento.writers.pdf_streams import unambiguous_ends

    with pikepdf.open(io.BytesIO(data)) as pdf:
        changed = _wrap_mixed_content(pdf)
        mark_info = pdf.Root.get("/MarkInfo")
        if isinstance(mark_info, pikepdf.Dictionary) and mark_info.get("/Suspects") is False:
            # false is the default; Poppler (pdftoppm, pdfinfo) reports the key as a syntax error
            del mark_info["/Suspects"]
            changed += 1
        if not changed:
            return unambiguous_ends(data)
        out = io.BytesIO()
        pdf.save(
            out,
            fix_metadata_version=False,
            compress_streams=False,  # the streams stay as Typst packed them
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            deterministic_id=True,  # the same report gives the same bytes
        )
    return unambiguous_ends(out.getvalue())


def _wrap_mixed_content(pdf) -> int:
    """Give the marked content of every structure element that also has element children its own
    `/Span` children (a P holding a Strong then text becomes P → Strong, Span), and point the
    ParentTree at them; returns how many Spans were made. Meaning and reading order are unchanged,
    but checkers that list an element's own content before its children's (outloud) then find
    the pages painted in tag order. Marked content in form XObjects (MCRs with `/Stm`) and object
    references stay where they are."""
    import pikepdf
    from pikepdf import Name

    root = pdf.Root.get("/StructTreeRoot")
    if root is None or "/ParentTree" not in root:
        return 0
    parents = pikepdf.NumberTree(root.ParentTree)
    page_keys = {
        page.obj.objgen: int(page.obj.StructParents)
        for page in pdf.pages
        if "/StructParents" in page.obj
    }
    owners_of: dict[int, object] = {}  # ParentTree key → the array of MCID owners of a page
    made = 0
    kids = root.get("/K")
    top = kids if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    stack = [(element, None) for element in top if isinstance(element, pikepdf.Dictionary)]
    while stack:
        node, page = stack.pop()
        page = node.get("/Pg", page)
        kids = node.get("/K")
        if not isinstance(kids, pikepdf.Array):
            if isinstance(kids, pikepdf.Dictionary) and "/S" in kids:
                stack.append((kids, page))
            continue
        items = list(kids)
        elements = [k for k in items if isinstance(k, pikepdf.Dictionary) and "/S" in k]
        stack.extend((element, page) for element in elements)
        if not elements or len(elements) == len(items):
            continue
        out: list = []
        run: list = []
        for item in [*items, None]:
            if _is_page_content(item):
                run.append(item)
                continue
            if run:
                span = pdf.make_indirect(
                    pikepdf.Dictionary(
                        Type=Name.StructElem, S=Name.Span, P=node, K=pikepdf.Array(run)
                    )
                )
                if page is not None:
                    span.Pg = page
                for ref in run:
                    on = ref.get("/Pg", page) if isinstance(ref, pikepdf.Dictionary) else page
                    mcid = int(ref.MCID) if isinstance(ref, pikepdf.Dictionary) else int(ref)
                    key = page_keys.get(on.objgen) if on is not None else None
                    if key is not None and key not in owners_of:
                        owners_of[key] = parents.get(key)
                    owners = owners_of.get(key)
                    if isinstance(owners, pikepdf.Array) and mcid < len(owners):
                        owners[mcid] = span
                out.append(span)
                made += 1
                run = []
            if item is not None:
                out.append(item)
        node.K = pikepdf.Array(out)
    return made


def _is_page_content(item) -> bool:
    """A marked-content reference on a page: an MCID, or an MCR dictionary without `/Stm`."""
    import pikepdf

    if isinstance(item, int):
        return True
    return (
        isinstance(item, pikepdf.Dictionary) and item.get("/Type") == "/MCR" and "/Stm" not in item
    )
