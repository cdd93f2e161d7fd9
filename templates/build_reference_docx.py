"""(Re)create templates/reference.docx, the style reference of the DOCX reports.

The DOCX writer (`seguimiento.writers.docx`) takes every style from reference.docx and defines no
formatting of its own, apart from meaning-bearing marks (status colours in table cells, note boxes,
inserted/deleted text). This script builds the reference from python-docx's default template: A4
pages, 2.5 cm margins, Arial 10.5 pt body text (Liberation Sans on Linux, same metrics), sober blue
headings, and every style the writer uses:

    Normal, Body Text, Heading 1-3, Title, Subtitle, Cover Meta, Lead, Small, Caption, Figure,
    TOC Heading, TOC 1-3, List Bullet (2, 3), List Number (2, 3), List Continue (2, 3), Table Text,
    Header, Footer, annotation text / annotation reference (Word's comment styles), and the
    character styles Hyperlink and Code, plus the table style "Seguimiento Table".

Institutions do not need this script: they may open templates/reference.docx in Word or
LibreOffice, change fonts, colours and spacing of these styles (Home > Styles > Modify), and save
it under the same name. Keep the style names: the writer names any style it misses. Run this
script only to go back to the project's house style:

    .venv/bin/python templates/build_reference_docx.py [output.docx]
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm

BLUE = "1F4E79"  # headings, title, table header (contrast 9.9:1 with white)
GREY = "404040"
TEXT_WIDTH = 9072  # twips: A4 21 cm - 2 x 2.5 cm = 16 cm
FONT = '<w:rFonts w:ascii="Arial" w:hAnsi="Arial" w:eastAsia="Arial" w:cs="Arial"/>'
MONO = '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>'


def _size(half_points: int) -> str:
    return f'<w:sz w:val="{half_points}"/><w:szCs w:val="{half_points}"/>'


def _style(
    kind: str,
    style_id: str,
    name: str,
    *,
    based: str = "Normal",
    next_style: str = "",
    ppr: str = "",
    rpr: str = "",
    extra: str = "",
    priority: int = 20,
) -> str:
    """The XML of one w:style element, children in schema order."""
    parts = [f'<w:style {nsdecls("w")} w:type="{kind}" w:styleId="{style_id}">']
    parts.append(f'<w:name w:val="{name}"/>')
    if based:
        parts.append(f'<w:basedOn w:val="{based}"/>')
    if next_style:
        parts.append(f'<w:next w:val="{next_style}"/>')
    parts.append(f'<w:uiPriority w:val="{priority}"/><w:qFormat/>')
    if ppr:
        parts.append(f"<w:pPr>{ppr}</w:pPr>")
    if rpr:
        parts.append(f"<w:rPr>{rpr}</w:rPr>")
    parts.append(extra + "</w:style>")
    return "".join(parts)


def _heading(level: int, size: int, before: int, after: int, border: str = "") -> str:
    return _style(
        "paragraph",
        f"Heading{level}",
        f"heading {level}",
        next_style="Normal",
        ppr=f'<w:keepNext/><w:keepLines/>{border}<w:spacing w:before="{before}" w:after="{after}"/>'
        f'<w:outlineLvl w:val="{level - 1}"/>',
        rpr=f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/>{_size(size)}',
        priority=9,
    )


def _toc(level: int) -> str:
    indent = 240 * (level - 1)
    bold = "<w:b/><w:bCs/>" if level == 1 else ""
    return _style(
        "paragraph",
        f"TOC{level}",
        f"toc {level}",
        next_style="Normal",
        ppr=f'<w:tabs><w:tab w:val="right" w:leader="dot" w:pos="{TEXT_WIDTH}"/></w:tabs>'
        f'<w:spacing w:before="{80 if level == 1 else 0}" w:after="40"/><w:ind w:left="{indent}"/>',
        rpr=bold,
        priority=39,
    )


TABLE_STYLE = (
    f'<w:style {nsdecls("w")} w:type="table" w:styleId="SeguimientoTable">'
    '<w:name w:val="Seguimiento Table"/><w:basedOn w:val="TableNormal"/>'
    '<w:uiPriority w:val="59"/><w:qFormat/>'
    '<w:pPr><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/></w:pPr>'
    f"<w:rPr>{_size(19)}</w:rPr>"
    "<w:tblPr><w:tblBorders>"
    + "".join(
        f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="A6A6A6"/>'
        for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    + "</w:tblBorders><w:tblCellMar>"
    '<w:top w:w="45" w:type="dxa"/><w:left w:w="57" w:type="dxa"/>'
    '<w:bottom w:w="45" w:type="dxa"/><w:right w:w="57" w:type="dxa"/>'
    "</w:tblCellMar></w:tblPr>"
    '<w:tblStylePr w:type="firstRow"><w:rPr><w:b/><w:bCs/><w:color w:val="FFFFFF"/></w:rPr>'
    f'<w:tcPr><w:shd w:val="clear" w:color="auto" w:fill="{BLUE}"/></w:tcPr></w:tblStylePr>'
    "</w:style>"
)


def _styles() -> list[str]:
    """Every style this reference defines (replacing the default template's version)."""
    h1_border = f'<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="2" w:color="{BLUE}"/></w:pBdr>'
    header_tabs = (
        f'<w:tabs><w:tab w:val="center" w:pos="{TEXT_WIDTH // 2}"/>'
        f'<w:tab w:val="right" w:pos="{TEXT_WIDTH}"/></w:tabs><w:spacing w:after="0"/>'
    )
    styles = [
        _style(
            "paragraph",
            "Normal",
            "Normal",
            based="",
            ppr='<w:spacing w:after="120" w:line="276" w:lineRule="auto"/>',
            priority=0,
        ),
        _style("paragraph", "BodyText", "Body Text", ppr='<w:spacing w:after="120"/>'),
        _heading(1, 32, 360, 160, h1_border),
        _heading(2, 26, 280, 100),
        _heading(3, 23, 220, 80),
        _style(
            "paragraph",
            "Title",
            "Title",
            next_style="Subtitle",
            ppr='<w:spacing w:before="2400" w:after="240" w:line="240" w:lineRule="auto"/>',
            rpr=f'<w:b/><w:bCs/><w:color w:val="{BLUE}"/>{_size(52)}',
            priority=10,
        ),
        _style(
            "paragraph",
            "Subtitle",
            "Subtitle",
            next_style="Normal",
            ppr='<w:spacing w:after="600"/>',
            rpr=f'<w:color w:val="44546A"/>{_size(30)}',
            priority=11,
        ),
        _style(
            "paragraph",
            "CoverMeta",
            "Cover Meta",
            ppr='<w:spacing w:after="60"/>',
            rpr=f'<w:color w:val="{GREY}"/>{_size(21)}',
        ),
        _style("paragraph", "Lead", "Lead", ppr='<w:spacing w:after="200"/>', rpr=_size(24)),
        _style("paragraph", "Small", "Small", rpr=f'<w:color w:val="{GREY}"/>{_size(17)}'),
        _style(
            "paragraph",
            "Caption",
            "caption",
            next_style="Normal",
            ppr='<w:spacing w:before="60" w:after="200" w:line="240" w:lineRule="auto"/>',
            rpr=f'<w:b/><w:bCs/><w:color w:val="{GREY}"/>{_size(18)}',
            priority=35,
        ),
        _style(
            "paragraph",
            "Figure",
            "Figure",
            next_style="Caption",
            ppr='<w:keepNext/><w:spacing w:before="120" w:after="60"/><w:jc w:val="center"/>',
        ),
        _style(
            "paragraph",
            "TableText",
            "Table Text",
            ppr='<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
            rpr=_size(19),
        ),
        _style(
            "paragraph",
            "TOCHeading",
            "TOC Heading",
            based="Heading1",
            next_style="Normal",
            ppr='<w:outlineLvl w:val="9"/>',
            priority=39,
        ),
        _toc(1),
        _toc(2),
        _toc(3),
        _style(
            "paragraph",
            "Header",
            "header",
            ppr=header_tabs,
            rpr=f'<w:color w:val="595959"/>{_size(17)}',
        ),
        _style(
            "paragraph",
            "Footer",
            "footer",
            ppr=header_tabs,
            rpr=f'<w:color w:val="595959"/>{_size(17)}',
        ),
        _style(
            "paragraph",
            "CommentText",
            "annotation text",
            ppr='<w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
            rpr=_size(20),
            priority=99,
        ),
        _style(
            "character",
            "CommentReference",
            "annotation reference",
            based="DefaultParagraphFont",
            rpr=_size(16),
            priority=99,
        ),
        _style(
            "character",
            "Hyperlink",
            "Hyperlink",
            based="DefaultParagraphFont",
            rpr='<w:color w:val="0B5394"/><w:u w:val="single"/>',
            priority=99,
        ),
        _style(
            "character",
            "Code",
            "Code",
            based="DefaultParagraphFont",
            rpr=f'{MONO}{_size(19)}<w:shd w:val="clear" w:color="auto" w:fill="F2F2F2"/>',
        ),
        TABLE_STYLE,
    ]
    for kind, numbered in (("Bullet", False), ("Number", True)):
        for level in (1, 2, 3):
            suffix = "" if level == 1 else f" {level}"
            styles.append(
                _style(
                    "paragraph",
                    f"List{kind}{suffix.strip()}",
                    f"List {kind}{suffix}",
                    ppr='<w:spacing w:after="60"/>',
                    priority=99 if numbered else 36,
                )
            )
    for level in (1, 2, 3):
        suffix = "" if level == 1 else f" {level}"
        styles.append(
            _style(
                "paragraph",
                f"ListContinue{suffix.strip()}",
                f"List Continue{suffix}",
                ppr=f'<w:spacing w:after="60"/><w:ind w:left="{360 * level}"/>',
                priority=99,
            )
        )
    return styles


def _install_styles(document: docx.document.Document) -> None:
    styles = document.styles.element
    for xml in _styles():
        new = parse_xml(xml)
        style_id = new.get(qn("w:styleId"))
        for old in styles.findall(qn("w:style")):
            if old.get(qn("w:styleId")) == style_id:
                numbering = old.find(f"{qn('w:pPr')}/{qn('w:numPr')}")
                if numbering is not None:  # keep the list numbering of List Bullet/Number
                    new.find(qn("w:pPr")).insert(0, numbering)
                styles.remove(old)
        styles.append(new)
    defaults = styles.find(qn("w:docDefaults"))
    defaults.getparent().remove(defaults)
    styles.insert(
        0,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}><w:rPrDefault><w:rPr>{FONT}{_size(21)}"
            '<w:lang w:val="es-GT" w:eastAsia="es-GT" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
            '<w:pPrDefault><w:pPr><w:spacing w:after="120" w:line="276" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault></w:docDefaults>"
        ),
    )


def _plain_bullets(document: docx.document.Document) -> None:
    """Bullets as real characters in Arial (the template's Symbol-font glyphs vary by platform)."""
    numbering = document.part.numbering_part.element
    marks = {"ListBullet": "\u2022", "ListBullet2": "\u2013", "ListBullet3": "\u25e6"}
    for level in numbering.iter(qn("w:lvl")):
        style = level.find(qn("w:pStyle"))
        if style is None or style.get(qn("w:val")) not in marks:
            continue
        level.find(qn("w:lvlText")).set(qn("w:val"), marks[style.get(qn("w:val"))])
        fonts = level.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None:
            for attr in ("w:ascii", "w:hAnsi"):
                fonts.set(qn(attr), "Arial")


def build(output: Path) -> None:
    """Write the reference document to `output`."""
    document = docx.Document()
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2.5))
    section.header_distance = section.footer_distance = Cm(1.25)
    _install_styles(document)
    _plain_bullets(document)
    settings = document.settings.element
    settings.find(qn("w:themeFontLang")).set(qn("w:val"), "es-GT")
    settings.find(qn("w:defaultTabStop")).set(qn("w:val"), "709")
    for setting in settings.iter(qn("w:compatSetting")):  # Word 2013+ layout: tables align
        if setting.get(qn("w:name")) == "compatibilityMode":  # their border with the margin
            setting.set(qn("w:val"), "15")
    core = document.core_properties
    core.title = "Seguimiento: documento de referencia de estilos"
    core.author = core.last_modified_by = "seguimiento"
    core.created = core.modified = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
    core.revision = 1
    core.language = "es-GT"
    document.add_paragraph(
        "Documento de referencia de estilos: modifique los estilos, no este texto "
        "(el generador lo borra)."
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(output))


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).with_name("reference.docx")
    build(target)
    print(f"wrote {target}")
