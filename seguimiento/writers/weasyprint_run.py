"""What surrounds a WeasyPrint run in this process: the page parsed by expat, the garbage
collector run less often, the errors WeasyPrint logs collected, pydyf's page references
remembered and the outside list markers painted in the flow. The last four are context managers
that `writers.pdf.write_pdf` holds over the run and that leave things as they were.

weasyprint, cssselect2 and pydyf are imported inside the functions: importing this module is
cheap.
"""

from __future__ import annotations

import gc
import logging
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import weasyprint

LOG = logging.getLogger(__name__)

# Python's cyclic collector runs every 700 net allocations, and a full run walks every object.
# Laying out a report allocates millions (boxes, then pikepdf objects): collecting less often
# and once at the end saves about a tenth of the PDF's time, same peak memory (measured on M).
GC_THRESHOLDS = (20_000, 20, 20)

#: Harmless WeasyPrint warnings: matplotlib SVGs use properties WeasyPrint does not know.
_IGNORED_WARNINGS = ("unknown property",)

_garbage_left = False  # a layout in this process left garbage, frozen, not collected yet

# What an XML tree does not show of what an HTML5 parser reads (`_xml_tree` leaves such a page
# to WeasyPrint's parser): any "<!" but the doctype (comments, CDATA, DTDs and their entity
# declarations, which expat would expand), a tab or line break in an attribute value (XML
# reads a space), "&" in a style sheet (HTML does not decode it there), a non-void element
# closed by "/>" (HTML leaves it open). Unquoted attributes and HTML's named entities are not XML:
# expat refuses them.
_READ_OTHERWISE = re.compile(
    r"<!(?!doctype html>)|=\"[^\"]*[\t\n\r]|='[^']*[\t\n\r]|<style\b[^>]*>[^<]*&"
    r"|<(?!(?:area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)\b)[a-z][^<>]*/>",
    re.IGNORECASE,
)


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# The elements `writers.html` writes: a page with others is left to WeasyPrint's parser. Among
# them, where an HTML5 parser closes or adds elements that XML nests as written: a block in a
# <p> ends the paragraph, a heading in a heading ends it, a list item or a table part out of
# its place gets its parent made (or an open one closed), text between table parts moves out.
_WRITTEN = _names(
    "html head meta title style body section nav aside div p h1 h2 h3 h4 h5 h6 ul ol li table "
    "caption colgroup col thead tbody tr th td figure figcaption img a em strong code ins del br "
    "span sub sup small"
)
_ENDS_A_PARAGRAPH = _names(
    "address article aside blockquote details dialog div dl fieldset figcaption figure footer "
    "form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre section table ul"
)
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_VOID = frozenset(("meta", "col", "img", "br"))  # of `_WRITTEN`
_PARENTS = {
    "li": {"ul", "ol"},
    "caption": {"table"},
    "colgroup": {"table"},
    "col": {"colgroup"},
    "thead": {"table"},
    "tbody": {"table"},
    "tfoot": {"table"},
    "tr": {"thead", "tbody", "tfoot"},
    "td": {"tr"},
    "th": {"tr"},
}
_HOLDS_NO_TEXT = frozenset(("table", "colgroup", "thead", "tbody", "tfoot", "tr"))
_SPACE = " \t\n\f\r"  # HTML's white space
# The attributes WeasyPrint's HTML has once parsed; a version with others is left to parse alone.
_PAGE_ATTRIBUTES = {"base_url", "url_fetcher", "media_type", "wrapper_element", "etree_element"}


def parsed_page(html: str, base_url: str, url_fetcher) -> weasyprint.HTML:
    """WeasyPrint's document of `html` (`weasyprint.HTML(string=html, ...)`), with the tree
    expat makes of our XHTML-shaped page when it is the tree WeasyPrint's HTML5 parser makes.

    WeasyPrint parses with tinyhtml5, in Python: 0.33 s for the M report's page, a tenth of all
    our work around the layout; expat takes 0.015 s. The page `writers.html` writes is also
    well-formed XML (void elements closed, every attribute in double quotes, text escaped).
    A page expat refuses, one with elements our writer does not write, or one an HTML5 parser
    reads otherwise (`_READ_OTHERWISE`, `_nested_alike`) goes to WeasyPrint's own parser. The
    trees are compared on every sample report, and the PDFs are the same bytes
    (tests/writers/test_weasyprint_run.py). A page read by expat is styled with the UA sheet
    made lean for it (`ua_sheet.uses_lean_sheet`)."""
    import weasyprint

    tree = _xml_tree(html)
    if tree is not None:  # WeasyPrint's object of an empty page, given expat's tree
        page = weasyprint.HTML(string="", base_url=base_url, url_fetcher=url_fetcher)
        tree = tree if set(vars(page)) == _PAGE_ATTRIBUTES else None
    if tree is None:
        return weasyprint.HTML(string=html, base_url=base_url, url_fetcher=url_fetcher)
    import cssselect2

    from seguimiento.writers.ua_sheet import uses_lean_sheet

    page.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
    page.etree_element = page.wrapper_element.etree_element
    uses_lean_sheet(page, tree)
    return page


def _xml_tree(html: str) -> ET.Element | None:
    """The tree of `html` as WeasyPrint's HTML5 parser makes it (tags without namespace), parsed
    as XML; None if expat refuses the page or an HTML5 parser would read it otherwise."""
    if _READ_OTHERWISE.search(html):
        return None
    try:
        root = ET.fromstring(html)
    except ET.ParseError:
        return None
    parts = list(root)
    if root.tag != "html" or [part.tag for part in parts] != ["head", "body"]:
        return None
    after = html[html.rindex("</html>") + len("</html>") :]  # parsed: the root's end tag
    head, body = parts
    if not _nested_alike(root):
        return None
    outside = (root.text or "", head.tail or "", body.tail or "", after)
    if any(text.strip(_SPACE) for text in outside):
        return None
    # HTML5 drops the white space before <head>, and puts what follows </body> into the body.
    root.text = None
    rest, body.tail = (body.tail or "") + after, None
    if rest:
        if len(body):
            body[-1].tail = (body[-1].tail or "") + rest
        else:
            body.text = (body.text or "") + rest
    return root


@contextmanager
def fewer_collections(layout: bool = True) -> Iterator[None]:
    """Run the cyclic garbage collector less often meanwhile (`GC_THRESHOLDS`), then as before.

    What a layout leaves (WeasyPrint's boxes refer to each other: about half a million objects
    on M, 40 MB) is collected when the next one begins, not when it ends: a process that builds
    one report exits without walking it (`cli.run`), and one that builds more starts each layout
    from the same memory as the first. Meanwhile it is frozen (`gc.freeze`): else, with the
    thresholds back to normal, the next allocations would set off that very collection. It
    stays after the peak: it was there during the post-processing already. `render.render_job`
    holds this over a whole job (with `layout=False`: what runs inside it may lay out a PDF, or
    not), so the DOCX written after the PDF does not set off that collection either."""
    global _garbage_left
    if _garbage_left:
        _garbage_left = False
        gc.unfreeze()
        gc.collect()
    saved = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        if layout or _garbage_left:
            gc.freeze()  # out of the collector's way until the next layout begins
            _garbage_left = True
        gc.set_threshold(*saved)


@contextmanager
def weasyprint_errors() -> Iterator[list[str]]:
    """Collect WeasyPrint's ERROR messages; pass its other warnings (minus the SVG noise) on to
    this module's logger. WeasyPrint's own records do not reach the root logger meanwhile."""
    errors: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if record.levelno >= logging.ERROR:
                errors.append(message)
            elif not any(noise in message for noise in _IGNORED_WARNINGS):
                LOG.warning("WeasyPrint: %s", message)

    logger = logging.getLogger("weasyprint")
    handler = Collector(logging.WARNING)
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield errors
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


@contextmanager
def remembered_page_references() -> Iterator[None]:
    """pydyf's `PDF.page_references` made once while the page list stays the same, then as before.

    pydyf builds that tuple (a reference to every page) anew each time it is read, and
    WeasyPrint 70 reads it once for each structure element it tags: 16,289 times on the M
    report's 130 pages, 0.4 s of its `write_pdf` (a tenth) spent making the same tuple, a cost
    that grows with pages × elements. Meanwhile each PDF keeps the tuple with the page list it
    was made from, and makes it again once a page is added: the same references, from the same
    pages. A run that finds the memo in place (another thread's) leaves it to that run."""
    import pydyf

    made_by = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(made_by, property) or made_by.fget is None or _is_memo(made_by):
        yield  # not pydyf's property as known (another version), or remembered already
        return
    build = made_by.fget

    def page_references(pdf) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        key = (id(kids), len(kids))
        memo = pdf.__dict__.get("_seguimiento_page_references")
        if memo is None or memo[0] != key:
            memo = (key, build(pdf))
            pdf.__dict__["_seguimiento_page_references"] = memo
        return memo[1]

    page_references.remembers = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references, doc=made_by.__doc__)
    try:
        yield
    finally:
        pydyf.PDF.page_references = made_by


_DISPATCH_PARAMETERS = ("box", "page", "child_contexts", "blocks", "floats", "blocks_and_cells")


@contextmanager
def markers_in_flow() -> Iterator[None]:
    """Outside list markers painted with the text of their list item, not after the page's text.

    WeasyPrint makes an outside marker an absolutely positioned box (its layout places it left
    of the item), and so paints it with the positioned boxes, after all the in-flow text of its
    stacking context: on a page with a list, every label came last in the content stream, and
    `pdf_content` moved each one back before its item (441 moves on the M report, about a
    quarter of a second of post-processing). Meanwhile WeasyPrint's stacking contexts take a
    marker that makes no stacking context of its own (z-index auto, opaque, untransformed,
    unclipped) as an in-flow block of its item: its background is painted with the blocks and
    its text, in tree order, before the item's own. The marker stays where the layout put it
    and covers nothing, so the page looks the same (compared pixel by pixel); the tag tree is
    built from the boxes and does not change. A WeasyPrint whose stacking code has another
    shape is left alone, and `pdf_content` moves the labels as before."""
    try:
        import inspect

        from weasyprint import stacking
        from weasyprint.layout.absolute import AbsolutePlaceholder

        dispatch = stacking._dispatch
        dispatch_children = stacking._dispatch_children
        known = (
            tuple(inspect.signature(dispatch).parameters) == _DISPATCH_PARAMETERS
            and not getattr(dispatch, "keeps_markers_in_flow", False)
            and hasattr(stacking.boxes.Box, "is_outside_marker")
        )
    except (ImportError, AttributeError, TypeError, ValueError):
        known = False
    if not known:
        yield  # another WeasyPrint, or in place already (another thread's run)
        return

    def in_flow(box, page, child_contexts, blocks, floats, blocks_and_cells):
        inner = box._box if isinstance(box, AbsolutePlaceholder) else box
        style = inner.style
        if not (
            inner.is_outside_marker
            and style["z_index"] == "auto"
            and style["opacity"] >= 1
            and not style["transform"]
            and style["overflow"] == "visible"
        ):
            return dispatch(box, page, child_contexts, blocks, floats, blocks_and_cells)
        # as WeasyPrint dispatches an in-flow block; it leaves the children, as a positioned box
        index, own = len(blocks), {}
        inner = dispatch_children(inner, page, child_contexts, blocks, floats, own)
        blocks.insert(index, inner)
        blocks_and_cells[inner] = own
        return None

    in_flow.keeps_markers_in_flow = True  # type: ignore[attr-defined]
    stacking._dispatch = in_flow
    try:
        yield
    finally:
        stacking._dispatch = dispatch


def _is_memo(prop: property) -> bool:
    """Whether `prop` is the memo `remembered_page_references` puts in place."""
    return bool(getattr(prop.fget, "remembers", False))


def _nested_alike(root: ET.Element) -> bool:
    """Whether an HTML5 parser keeps the elements under `root` as XML nests them: only elements
    our writer writes, nothing in a void element, no block inside a paragraph, no heading in a
    heading, no link inside a link, list items and table parts where they belong, no text
    between table parts."""
    for parent in root.iter():
        tag = parent.tag
        if tag not in _WRITTEN:
            return False
        if tag in _HOLDS_NO_TEXT and (parent.text or "").strip(_SPACE):
            return False
        if tag in _VOID and (parent.text or len(parent)):
            return False
        for child in parent:
            if child.tag in _PARENTS and tag not in _PARENTS[child.tag]:
                return False
            if tag in _HOLDS_NO_TEXT and (child.tail or "").strip(_SPACE):
                return False
            if tag in _HEADINGS and child.tag in _HEADINGS:
                return False
        if tag == "p" and any(
            inner.tag in _ENDS_A_PARAGRAPH for inner in parent.iter() if inner is not parent
        ):
            return False
        if tag == "a" and any(inner.tag == "a" for inner in parent.iter() if inner is not parent):
            return False
    return True
