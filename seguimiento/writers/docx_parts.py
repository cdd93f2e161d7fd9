"""Document-wide parts of a DOCX: settings (update fields on open, language), style ids, the
size and cell margins of table text, list numbering, and the pictures. Used by the DOCX writer;
element helpers are in `docx_xml`."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.oxml.ns import nsmap
from lxml import etree

from seguimiento.writers.docx_xml import Element, el, qn, sub

if TYPE_CHECKING:
    from docx.parts.story import StoryPart

_SETTINGS_AFTER_UPDATE_FIELDS = {
    *("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids", "mathPr"),
    *("attachedSchema", "themeFontLang", "clrSchemeMapping", "doNotIncludeSubdocsInStats"),
    *("doNotAutoCompressPictures", "forceUpgrade", "captions", "readModeInkLockDown"),
    *("smartTagType", "schemaLibrary", "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol"),
    "listSeparator",
}


def set_update_fields(settings: Element) -> None:
    """Ask Word to refresh fields (TOC, page numbers) when it opens the file."""
    if settings.find(qn("w:updateFields")) is not None:
        return
    flag = el("w:updateFields", val="true")
    for child in settings:
        if child.tag.rsplit("}", 1)[-1] in _SETTINGS_AFTER_UPDATE_FIELDS:
            child.addprevious(flag)
            return
    settings.append(flag)


def set_language(styles: Element, settings: Element, lang: str) -> None:
    """Set the document language (docDefaults run properties, theme font language)."""
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = el("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = el("w:rPrDefault")
        defaults.insert(0, rpr_default)
    props = rpr_default.find(qn("w:rPr"))
    if props is None:
        props = sub(rpr_default, "w:rPr")
    language = props.find(qn("w:lang"))
    if language is None:
        language = sub(props, "w:lang")  # w:lang is the last member used here
    language.set(qn("w:val"), lang)
    language.set(qn("w:eastAsia"), lang)
    theme_lang = settings.find(qn("w:themeFontLang"))
    if theme_lang is not None:
        theme_lang.set(qn("w:val"), lang)


def restart_numbering(numbering: Element, num_id: str) -> str:
    """A new w:num sharing `num_id`'s list definition but restarting at 1; returns its id."""
    nums = numbering.findall(qn("w:num"))
    abstract = next(
        n.find(qn("w:abstractNumId")).get(qn("w:val"))
        for n in nums
        if n.get(qn("w:numId")) == num_id
    )
    new_id = str(max(int(n.get(qn("w:numId"))) for n in nums) + 1)
    num = el("w:num", numId=new_id)
    sub(num, "w:abstractNumId", val=abstract)
    override = sub(num, "w:lvlOverride", ilvl="0")
    sub(override, "w:startOverride", val="1")
    numbering.append(num)
    return new_id


# Every style's id, each followed by its name if it has one (document order); read as strings,
# without an element object per style.
_STYLE_ALIASES = etree.XPath("w:style/@w:styleId | w:style/w:name/@w:val", namespaces=nsmap)


def style_ids(styles: Element) -> dict[str, str]:
    """Style ids of styles.xml keyed by both name and id, lower-cased without spaces
    ("heading1", "toc1", "commenttext"...), so either spelling finds the style (the first
    style wins; a style without a name also answers to "")."""
    ids: dict[str, str] = {}
    style_id, named = "", True
    for value in _STYLE_ALIASES(styles):
        if value.attrname == qn("w:styleId"):
            if not named:
                ids.setdefault("", style_id)
            style_id, named = str(value), False
            alias = style_id
        else:
            alias, named = str(value), True
        ids.setdefault(alias.replace(" ", "").lower(), style_id)
    if not named:
        ids.setdefault("", style_id)
    return ids


def style_num_id(styles: Element, style_id: str) -> str:
    """The numbering instance a paragraph style refers to ("" when it has none)."""
    path = f"{qn('w:style')}[@{qn('w:styleId')}='{style_id}']/{qn('w:pPr')}/{qn('w:numPr')}"
    num = styles.find(f"{path}/{qn('w:numId')}")
    return "" if num is None else num.get(qn("w:val"))


def set_numbering(p: Element, num_id: str) -> None:
    """Give list paragraph `p` its own numbering instance (right after w:pStyle)."""
    numbering = el("w:numPr")
    sub(numbering, "w:ilvl", val="0")
    sub(numbering, "w:numId", val=num_id)
    p.find(f"{qn('w:pPr')}/{qn('w:pStyle')}").addnext(numbering)


DEFAULT_SIZE_PT = 11.0  # Word's, when no style sets one
DEFAULT_MARGIN = 108  # twips: Word's cell margin, left and right, when no style sets one


def table_text_metrics(styles: Element, text_style: str, table_style: str) -> tuple[float, int]:
    """The font size (pt) of table text and the cell margins (twips, left + right), read from
    the reference's styles: the "Table Text" paragraph style, then the table style, then the
    document defaults."""
    by_id = {style.get(qn("w:styleId")): style for style in styles.iter(qn("w:style"))}
    size = None
    for style_id in (text_style, table_style):
        style = by_id.get(style_id)
        found = style.find(f"{qn('w:rPr')}/{qn('w:sz')}") if style is not None else None
        if found is not None:
            size = int(found.get(qn("w:val"))) / 2
            break
    if size is None:
        default = styles.find(
            f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}"
        )
        size = int(default.get(qn("w:val"))) / 2 if default is not None else DEFAULT_SIZE_PT
    margins = 0
    table = by_id.get(table_style)
    for side in ("left", "right"):
        found = None
        if table is not None:
            found = table.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}/{qn('w:' + side)}")
        margins += int(found.get(qn("w:w"))) if found is not None else DEFAULT_MARGIN
    return size, margins


def tab_stops(styles: Element, style_id: str) -> list[int]:
    """The positions (twips) of the tab stops a paragraph style of the reference sets itself."""
    for style in styles.iter(qn("w:style")):
        if style.get(qn("w:styleId")) == style_id:
            tabs = style.findall(f"{qn('w:pPr')}/{qn('w:tabs')}/{qn('w:tab')}")
            return [int(tab.get(qn("w:pos"))) for tab in tabs if tab.get(qn("w:val")) != "clear"]
    return []


class Pictures:
    """The pictures of a document part, each image stored once and named as python-docx names
    it (the lowest free number: /word/media/image1.png, image2.png…), with the picture markup
    python-docx makes, but without its scans: for every picture added, python-docx hashes every
    image already stored and lists every part name (the 136 charts of the M report: 9,180
    SHA-1 hashes, half the DOCX writer's time). Here each image is hashed once."""

    def __init__(self, part: StoryPart) -> None:  # the document's
        self.part = part
        self.stored = part.package.image_parts  # the reference's own pictures are in it
        self.by_sha1 = {image_part.sha1: image_part for image_part in self.stored}
        self.numbers = {image_part.partname.idx for image_part in self.stored}
        self.lowest_free = 1

    def inline(self, data: bytes, width: int, shape_id: int) -> Element:
        """A `wp:inline` showing the image `data` (PNG, JPEG…) `width` EMU wide, its height in
        proportion; `shape_id` is its drawing's id."""
        from docx.image.image import Image
        from docx.opc.constants import RELATIONSHIP_TYPE as RT
        from docx.opc.packuri import PackURI
        from docx.oxml.shape import CT_Inline
        from docx.parts.image import ImagePart

        image = Image.from_blob(data)
        image_part = self.by_sha1.get(image.sha1)
        if image_part is None:
            while self.lowest_free in self.numbers:
                self.lowest_free += 1
            name = PackURI(f"/word/media/image{self.lowest_free}.{image.ext}")
            image_part = self.by_sha1[image.sha1] = ImagePart.from_image(image, name)
            self.stored.append(image_part)
            self.numbers.add(self.lowest_free)
        rel_id = self.part.relate_to(image_part, RT.IMAGE)
        width, height = image.scaled_dimensions(width, None)
        return CT_Inline.new_pic_inline(shape_id, rel_id, image.filename, width, height)
