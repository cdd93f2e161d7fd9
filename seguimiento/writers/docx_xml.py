"""Raw WordprocessingML helpers for the DOCX writer.

python-docx 1.2 has no API for fields (PAGE, NUMPAGES, TOC, PAGEREF), bookmarks, internal
hyperlinks, repeated header rows, table captions, cell shading, document language or
`updateFields`; these functions build or patch that XML directly (python-docx's `OxmlElement`).
Child elements are always placed in the order the OOXML schema requires, because Word refuses a file
("unreadable content") where LibreOffice would not complain.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import NamedTuple

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml.etree import _Element as Element

# Cell roles → (fill, text colour, italic). Text/fill contrast is ≥ 4.5:1 (tested).
ROLE_COLOURS: dict[str, tuple[str, str, bool]] = {
    "on_track": ("E2EFDA", "1E5631", False),
    "achieved": ("C6E0B4", "1E4620", False),
    "at_risk": ("FFF2CC", "7A4A00", False),
    "off_track": ("F8D7DA", "8B1A1A", False),
    "no_data": ("EDEDED", "525252", True),
}
# Note kinds → (fill, border colour, label colour); label/fill contrast ≥ 4.5:1 (tested).
NOTE_COLOURS: dict[str, tuple[str, str, str]] = {
    "draft": ("FFF2CC", "BF8F00", "7A4A00"),
    "illustrative": ("EEF3F8", "5B7DA8", "1F4E79"),
    "warning": ("FBE3E4", "A4262C", "8B1A1A"),
    "info": ("E7F0F7", "1F4E79", "1F4E79"),
}
INSERTED_COLOUR = "1E6B1E"  # dark green, 6.6:1 on white
DELETED_COLOUR = "9C1C1C"  # dark red, 8.0:1 on white
DRAFT_COLOUR = "C00000"  # 6.6:1 on white

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_RPR_ORDER = ("rStyle", "b", "bCs", "i", "iCs", "strike", "color", "u")


class Fmt(NamedTuple):
    """Character formatting of a run, accumulated while walking nested inline nodes."""

    style: str = ""  # character style id
    bold: bool = False
    italic: bool = False
    strike: bool = False
    color: str = ""
    underline: bool = False


def el(tag: str, **attrs: str) -> Element:
    """A `w:`-namespaced element with `w:`-namespaced attributes (`el("w:jc", val="right")`)."""
    return OxmlElement(tag, {qn(f"w:{key}"): value for key, value in attrs.items()})


def sub(parent: Element, tag: str, **attrs: str) -> Element:
    """Append a new child element to `parent` and return it."""
    child = el(tag, **attrs)
    parent.append(child)
    return child


def rpr(fmt: Fmt) -> Element | None:
    """The w:rPr element for `fmt` (None when the run is plain)."""
    if fmt == Fmt():
        return None
    props = el("w:rPr")
    values = {
        "rStyle": fmt.style,
        "b": fmt.bold,
        "bCs": fmt.bold,
        "i": fmt.italic,
        "iCs": fmt.italic,
        "strike": fmt.strike,
        "color": fmt.color,
        "u": fmt.underline,
    }
    for name in _RPR_ORDER:
        value = values[name]
        if value is True:
            sub(props, f"w:{name}", **({"val": "single"} if name == "u" else {}))
        elif value:
            sub(props, f"w:{name}", val=str(value))
    return props


def run(text: str, props: Element | None = None) -> Element:
    """A w:r with `text` (spaces preserved, XML-illegal control characters dropped)."""
    r = el("w:r")
    if props is not None:
        r.append(props)
    t = sub(r, "w:t")
    t.text = _CONTROL.sub("", text)
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    return r


def break_run(kind: str = "") -> Element:
    """A run holding a line break, or a page break when `kind` is "page"."""
    r = el("w:r")
    sub(r, "w:br", **({"type": kind} if kind else {}))
    return r


def tab_run() -> Element:
    """A run holding a tab character."""
    r = el("w:r")
    sub(r, "w:tab")
    return r


def field(instr: str, placeholder: str) -> list[Element]:
    """A complex field (begin / instrText / separate / result / end) as a list of five runs."""
    runs = [el("w:r") for _ in range(3)]
    sub(runs[0], "w:fldChar", fldCharType="begin")
    code = sub(runs[1], "w:instrText")
    code.text = f" {instr} "
    code.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    sub(runs[2], "w:fldChar", fldCharType="separate")
    end = el("w:r")
    sub(end, "w:fldChar", fldCharType="end")
    return [*runs, run(placeholder), end]


def paragraph(style_id: str, keep_next: bool = False, align: str = "") -> Element:
    """An empty w:p with its paragraph style (and optional keepNext / justification)."""
    p = el("w:p")
    ppr = sub(p, "w:pPr")
    sub(ppr, "w:pStyle", val=style_id)
    if keep_next:
        sub(ppr, "w:keepNext")
    if align:
        sub(ppr, "w:jc", val=align)
    return p


def spacer(style_id: str) -> Element:
    """An empty paragraph without space after: keeps a table off the next block (two adjacent
    tables would merge into one in Word and LibreOffice)."""
    p = paragraph(style_id)
    sub(p[0], "w:spacing", after="0")
    return p


def bookmark_name(anchor: str) -> str:
    """A Word bookmark name for `anchor`: letters, digits and underscores, ≤ 40 characters,
    starting with a letter. Long names keep a hash suffix so they stay distinct."""
    ascii_text = unicodedata.normalize("NFKD", anchor).encode("ascii", "ignore").decode()
    name = re.sub(r"[^A-Za-z0-9_]", "_", ascii_text).strip("_") or "ref"
    if not name[0].isalpha():
        name = "n" + name
    if len(name) > 40:
        digest = hashlib.sha1(anchor.encode("utf-8")).hexdigest()[:8]
        name = name[:31] + "_" + digest
    return name


def add_bookmark(p: Element, name: str, bookmark_id: int) -> None:
    """Wrap the content of paragraph `p` in a bookmark called `name`."""
    start = el("w:bookmarkStart", id=str(bookmark_id), name=name)
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        p.insert(0, start)
    else:
        ppr.addnext(start)
    sub(p, "w:bookmarkEnd", id=str(bookmark_id))


def hyperlink(runs: list[Element], rel_id: str = "", anchor: str = "") -> Element:
    """A w:hyperlink around `runs`: external through relationship `rel_id`, or internal to a
    bookmark `anchor`."""
    link = el("w:hyperlink", history="1")
    if rel_id:
        link.set(qn("r:id"), rel_id)
    else:
        link.set(qn("w:anchor"), anchor)
    link.extend(runs)
    return link


def shade(tcpr: Element, fill: str) -> None:
    """Give a cell a solid background (w:shd after w:tcW / w:gridSpan / w:tcBorders)."""
    shd = el("w:shd", val="clear", color="auto", fill=fill)
    anchor = None
    for tag in ("w:tcW", "w:gridSpan", "w:vMerge", "w:tcBorders"):
        found = tcpr.find(qn(tag))
        anchor = found if found is not None else anchor
    if anchor is None:
        tcpr.insert(0, shd)
    else:
        anchor.addnext(shd)


def table(style_id: str, widths: list[int], caption: str = "", description: str = "") -> Element:
    """An empty w:tbl with a table style, a fixed layout of `widths` (twips) and caption/description
    (read by screen readers)."""
    tbl = el("w:tbl")
    tblpr = sub(tbl, "w:tblPr")
    if style_id:
        sub(tblpr, "w:tblStyle", val=style_id)
    sub(tblpr, "w:tblW", w=str(sum(widths)), type="dxa")
    sub(tblpr, "w:tblLayout", type="fixed")
    sub(
        tblpr,
        "w:tblLook",
        val="0620",
        firstRow="1",
        lastRow="0",
        firstColumn="0",
        lastColumn="0",
        noHBand="1",
        noVBand="1",
    )
    if caption:
        sub(tblpr, "w:tblCaption", val=caption[:255])
    if description:
        sub(tblpr, "w:tblDescription", val=description[:1000])
    grid = sub(tbl, "w:tblGrid")
    for width in widths:
        sub(grid, "w:gridCol", w=str(width))
    return tbl


def row(widths: list[int], style_id: str, header: bool = False) -> Element:
    """A w:tr with one empty cell per width, each with its width set (LibreOffice needs it)."""
    tr = el("w:tr")
    trpr = sub(tr, "w:trPr")
    sub(trpr, "w:cantSplit")
    if header:
        sub(trpr, "w:tblHeader")
    for width in widths:
        tc = sub(tr, "w:tc")
        sub(sub(tc, "w:tcPr"), "w:tcW", w=str(width), type="dxa")
        tc.append(paragraph(style_id))
    return tr


def note_frame(p: Element, fill: str, colour: str) -> None:
    """Frame paragraph `p` as part of a note box: a thick coloured rule on the left, thin ones
    around, a tinted background. Adjacent paragraphs framed alike join into one box."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = el("w:pPr")
        p.insert(0, ppr)
    borders = el("w:pBdr")
    for side, size, space in (("top", "4", "4"), ("left", "24", "6"), ("bottom", "4", "4"),
                              ("right", "4", "6")):  # fmt: skip
        sub(borders, f"w:{side}", val="single", sz=size, space=space, color=colour)
    shading = el("w:shd", val="clear", color="auto", fill=fill)
    for old in ppr.findall(qn("w:pBdr")) + ppr.findall(qn("w:shd")):
        ppr.remove(old)
    insert_in_order(ppr, borders, _PPR_ORDER)
    insert_in_order(ppr, shading, _PPR_ORDER)


#: The members of w:pPr in schema order (ISO/IEC 29500-1, 17.3.1.26).
_PPR_ORDER = (
    *("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr"),
    *("suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap"),
    *("overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd"),
    *("snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap"),
    *("jc", "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId"),
    *("cnfStyle", "rPr", "sectPr", "pPrChange"),
)


def insert_in_order(parent: Element, child: Element, order: tuple[str, ...]) -> None:
    """Insert `child` into `parent` where the schema sequence `order` (local names) puts it."""
    name = child.tag.rsplit("}", 1)[-1]
    later = set(order[order.index(name) + 1 :])
    for index, existing in enumerate(parent):
        if existing.tag.rsplit("}", 1)[-1] in later:
            parent.insert(index, child)
            return
    parent.append(child)


# settings.xml members that the schema places after w:updateFields
def span_comment(p: Element, comment_id: int) -> None:
    """Stretch comment `comment_id`'s range over all of paragraph `p` (python-docx anchors it on
    direct runs only, which would leave out text inside hyperlinks)."""
    marker = f"[@{qn('w:id')}='{comment_id}']"
    start = p.find(qn("w:commentRangeStart") + marker)
    ppr = p.find(qn("w:pPr"))
    if ppr is not None:
        ppr.addnext(start)
    else:
        p.insert(0, start)
    end = p.find(qn("w:commentRangeEnd") + marker)
    reference = end.getnext()
    p.append(end)
    p.append(reference)


def set_comment_date(comments: Element, comment_id: int, when: str) -> None:
    """Set the w:date of a comment in the comments part."""
    comment = comments.find(f"{qn('w:comment')}[@{qn('w:id')}='{comment_id}']")
    comment.set(qn("w:date"), when)


def page_number_runs(pattern: str) -> list[Element]:
    """Runs for a footer pattern such as "Página {page} de {pages}" with PAGE/NUMPAGES fields."""
    runs: list[Element] = []
    for piece in re.split(r"(\{page\}|\{pages\})", pattern):
        if piece in ("{page}", "{pages}"):
            runs += field("PAGE" if piece == "{page}" else "NUMPAGES", "1")
        elif piece:
            runs.append(run(piece))
    return runs


def picture(p: Element, inline: Element, shape_id: int, alt: str, title: str) -> None:
    """Append a picture run to `p`; its docPr carries the alt text (`descr`) and title."""
    doc_pr = inline.find(qn("wp:docPr"))
    doc_pr.set("id", str(shape_id))
    doc_pr.set("descr", alt)
    doc_pr.set("title", title)
    sub(sub(p, "w:r"), "w:drawing").append(inline)


def replace_children(root: Element, elements: list[Element], keep: str = "") -> None:
    """Make `elements` the content of `root` (w:body, w:hdr, w:ftr), keeping a trailing `keep`
    element (the body's final w:sectPr)."""
    kept = root.find(qn(keep)) if keep else None
    for child in list(root):
        if child is not kept:
            root.remove(child)
    for element in elements:
        if kept is None:
            root.append(element)
        else:
            kept.addprevious(element)
