"""Raw WordprocessingML for the DOCX writer: markup strings and element helpers.

python-docx 1.2 has no API for fields (PAGE, NUMPAGES, TOC, PAGEREF), bookmarks, internal
hyperlinks, repeated header rows, table captions, cell shading, document language or
`updateFields`, and building content one proxy at a time is slow. So paragraphs, runs and tables are
written as markup (the `*_xml` functions, which escape what they are given) and turned into
python-docx elements by `parse`, many elements per parse; the few later edits (bookmarks,
numbering, note frames, comments) use `el`/`sub`. Child elements are always placed in the order the
OOXML schema requires, because Word refuses a file ("unreadable content") where LibreOffice would
not complain.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from typing import NamedTuple

from docx.oxml.ns import nsmap
from docx.oxml.ns import qn as _qn
from docx.oxml.parser import element_class_lookup, oxml_parser
from lxml import etree
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

#: `qn("w:p")` → "{http://…/main}p", computed once per name.
qn = functools.cache(_qn)

# Parsed markup declares its prefixes on its root element: moved into the document, whose root
# declares the same, those declarations are dropped in one step (much faster than re-resolving
# the namespace of every element, as lxml must when they were declared on a parent left behind).
_W_DECL = f' xmlns:w="{nsmap["w"]}"'
_R_DECL = f' xmlns:r="{nsmap["r"]}"'
_ROOT_TAG = re.compile(r"<w:\w+")
_EMPTY_TEXT = '<w:t xml:space="preserve"></w:t>'
# Blank text is kept as written (python-docx's own parser drops it); same element classes.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)
_PARSER.set_element_class_lookup(element_class_lookup)


class Fmt(NamedTuple):
    """Character formatting of a run, accumulated while walking nested inline nodes."""

    style: str = ""  # character style id
    bold: bool = False
    italic: bool = False
    strike: bool = False
    color: str = ""
    underline: bool = False


# ---------------------------------------------------------------- elements


@functools.cache
def _tag(tag: str) -> tuple[str, dict[str, str]]:
    """The Clark name of a prefixed tag and the namespace map declaring its prefix."""
    prefix = tag.partition(":")[0]
    return qn(tag), {prefix: nsmap[prefix]}


def el(tag: str, **attrs: str) -> Element:
    """A `w:`-namespaced element with `w:`-namespaced attributes (`el("w:jc", val="right")`)."""
    name, namespaces = _tag(tag)
    attrib = {qn(f"w:{key}"): value for key, value in attrs.items()}
    return oxml_parser.makeelement(name, attrib, namespaces)


def sub(parent: Element, tag: str, **attrs: str) -> Element:
    """Append a new child element to `parent` and return it."""
    attrib = {qn(f"w:{key}"): value for key, value in attrs.items()}
    return etree.SubElement(parent, _tag(tag)[0], attrib)


def parse(markup: str) -> Element:
    """The element written as `markup`: one element in the `w:` namespace (`r:` may be used).
    Raises `ValueError` for text that XML cannot hold (everything else is escaped)."""
    name_end = _ROOT_TAG.match(markup).end()
    declarations = _W_DECL + _R_DECL if "r:id=" in markup else _W_DECL
    try:
        root = etree.fromstring(markup[:name_end] + declarations + markup[name_end:], _PARSER)
    except etree.XMLSyntaxError as error:  # a lone surrogate, say
        raise ValueError(f"docx writer: text XML cannot hold: {error}") from error
    if _EMPTY_TEXT in markup:  # an empty w:t keeps its end tag, as python-docx writes it
        for text in root.iter(qn("w:t")):
            if text.text is None:
                text.text = ""
    return root


# ---------------------------------------------------------------- markup


def text_xml(text: str) -> str:
    """`text` escaped as element content, XML-illegal control characters dropped."""
    text = _CONTROL.sub("", text).replace("&", "&amp;").replace("<", "&lt;")
    return text.replace(">", "&gt;").replace("\r", "&#13;")


def attr_xml(value: str) -> str:
    """`value` escaped for a double-quoted attribute (white space kept as character references)."""
    value = _CONTROL.sub("", value).replace("&", "&amp;").replace("<", "&lt;")
    value = value.replace('"', "&quot;").replace("\t", "&#9;").replace("\n", "&#10;")
    return value.replace("\r", "&#13;")


def rpr_xml(fmt: Fmt) -> str:
    """The w:rPr markup for `fmt` ("" when the run is plain)."""
    values = (fmt.style, fmt.bold, fmt.bold, fmt.italic, fmt.italic, fmt.strike, fmt.color)
    parts = []
    for name, value in zip(_RPR_ORDER, (*values, fmt.underline)):
        if value is True:
            parts.append('<w:u w:val="single"/>' if name == "u" else f"<w:{name}/>")
        elif value:
            parts.append(f'<w:{name} w:val="{attr_xml(str(value))}"/>')
    return f"<w:rPr>{''.join(parts)}</w:rPr>" if parts else ""


def run_xml(text: str, props: str = "") -> str:
    """A w:r with `text` (spaces preserved) after the w:rPr markup `props`."""
    return f'<w:r>{props}<w:t xml:space="preserve">{text_xml(text)}</w:t></w:r>'


def break_xml(kind: str = "") -> str:
    """A run holding a line break, or a page break when `kind` is "page"."""
    return f'<w:r><w:br w:type="{attr_xml(kind)}"/></w:r>' if kind else "<w:r><w:br/></w:r>"


TAB_XML = "<w:r><w:tab/></w:r>"
FIELD_END_XML = '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def field_start_xml(instr: str) -> str:
    """The begin / instrText / separate runs of a complex field (its result and end follow)."""
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {text_xml(instr)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )


def field_xml(instr: str, placeholder: str) -> str:
    """A whole complex field: begin / instrText / separate / result `placeholder` / end."""
    return field_start_xml(instr) + run_xml(placeholder) + FIELD_END_XML


def hyperlink_xml(runs: str, rel_id: str = "", anchor: str = "") -> str:
    """A w:hyperlink around `runs`: external through relationship `rel_id`, or internal to a
    bookmark `anchor`."""
    target = f'r:id="{attr_xml(rel_id)}"' if rel_id else f'w:anchor="{attr_xml(anchor)}"'
    return f'<w:hyperlink w:history="1" {target}>{runs}</w:hyperlink>'


def paragraph_xml(style_id: str, content: str = "", keep_next: bool = False) -> str:
    """A w:p with its paragraph style (and optional keepNext) around the run markup `content`."""
    keep = "<w:keepNext/>" if keep_next else ""
    return f'<w:p><w:pPr><w:pStyle w:val="{attr_xml(style_id)}"/>{keep}</w:pPr>{content}</w:p>'


def paragraph(style_id: str, content: str = "", keep_next: bool = False) -> Element:
    """A w:p element: `paragraph_xml` parsed."""
    return parse(paragraph_xml(style_id, content, keep_next))


def right_tab_only(cleared: list[int], position: int) -> Element:
    """A paragraph's w:tabs: the style's stops at `cleared` taken away, one right-aligned stop
    at `position` (twips). A tab then goes to `position` wherever the text before it ends, where
    with the style's centre stop a title past the centre took the next tab to the right stop
    and the one after to a new line."""
    stops = "".join(f'<w:tab w:val="clear" w:pos="{pos}"/>' for pos in cleared if pos != position)
    return parse(f'<w:tabs>{stops}<w:tab w:val="right" w:pos="{position}"/></w:tabs>')


def spacer(style_id: str) -> Element:
    """An empty paragraph without space after: keeps a table off the next block (two adjacent
    tables would merge into one in Word and LibreOffice)."""
    props = f'<w:pStyle w:val="{attr_xml(style_id)}"/><w:spacing w:after="0"/>'
    return parse(f"<w:p><w:pPr>{props}</w:pPr></w:p>")


def page_number_xml(pattern: str) -> str:
    """Runs for a footer pattern such as "Página {page} de {pages}" with PAGE/NUMPAGES fields."""
    runs: list[str] = []
    for piece in re.split(r"(\{page\}|\{pages\})", pattern):
        if piece in ("{page}", "{pages}"):
            runs.append(field_xml("PAGE" if piece == "{page}" else "NUMPAGES", "1"))
        elif piece:
            runs.append(run_xml(piece))
    return "".join(runs)


# ---------------------------------------------------------------- element edits


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
