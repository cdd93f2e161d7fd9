"""Tables of the DOCX writer, written as markup from prepared rows and parsed once per table.

A table is a w:tbl with the reference's "Seguimiento Table" style, a fixed layout whose column
widths (in twips) fill the text width (the report's relative widths, fitted to the longest word of
each column: `table_fit`), a caption and description for screen readers, a bold header
row repeated on every page, and body rows that never split across pages. Every cell carries its
width (LibreOffice needs it) and one "Table Text" paragraph; cell roles add a status fill and text
colour, or right alignment for numbers.

The markup of a row is assembled from pieces prepared once per column layout (`Layout`) and per
cell role (`cell_format`), then the whole table is parsed in one go: far faster than python-docx's
`add_row()` and `cell.text`, which build (and look up) every element through proxies.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

from seguimiento import tree
from seguimiento.writers import docx_xml as X
from seguimiento.writers.docx_xml import Element, Fmt
from seguimiento.writers.table_fit import fitted_widths

#: Renders inline nodes under a formatting as run markup (the writer's `inlines`).
Inlines = Callable[[tuple[tree.Inline, ...], Fmt], str]

_HEADER_ROW = "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
_BODY_ROW = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
_LOOK = (
    '<w:tblLook w:val="0620" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
    ' w:noHBand="1" w:noVBand="1"/>'
)


def column_widths(text_width: int, relative: Sequence[float], columns: int) -> list[int]:
    """Column widths in twips: `relative` scaled to `text_width` (equal when unusable); they add
    up to `text_width` exactly."""
    usable = len(relative) == columns and sum(relative) > 0
    weights = list(relative) if usable else [1.0] * columns
    twips = [int(text_width * w / sum(weights)) for w in weights]
    twips[-1] += text_width - sum(twips)
    return twips


class Layout:
    """The prepared markup of one column layout: each cell's opening up to its paragraph
    properties, shared by all the rows (and tables) with these widths and paragraph style."""

    def __init__(self, widths: Sequence[int], style_id: str) -> None:
        self.cells = [f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>' for width in widths]
        self.paragraph = f'</w:tcPr><w:p><w:pPr><w:pStyle w:val="{X.attr_xml(style_id)}"/>'

    def row(self, cells: Sequence[tree.Cell], fmt: Fmt, inlines: Inlines, header: bool) -> str:
        """The markup of one w:tr holding `cells`, their text formatted `fmt` (and their roles)."""
        parts = [_HEADER_ROW if header else _BODY_ROW]
        for opening, cell in zip(self.cells, cells):
            shading, alignment, cell_fmt = cell_format(cell.role, fmt)
            parts += (opening, shading, self.paragraph, alignment, "</w:pPr>")
            parts += (inlines(cell.children, cell_fmt), "</w:p></w:tc>")
        parts.append("</w:tr>")
        return "".join(parts)


@functools.cache
def cell_format(role: str, fmt: Fmt) -> tuple[str, str, Fmt]:
    """Cell shading markup, paragraph alignment markup and text formatting for a cell's roles
    (space-separated): a status role fills the cell and colours its text (the last one wins the
    colour), "number" aligns right; other roles change nothing."""
    shading: list[str] = []
    alignment = ""
    for role_name in role.split():
        if role_name in X.ROLE_COLOURS:
            fill, colour, italic = X.ROLE_COLOURS[role_name]
            shading.insert(0, f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>')
            fmt = fmt._replace(color=colour, italic=fmt.italic or italic)
        elif role_name == "number":
            alignment += '<w:jc w:val="right"/>'
    return "".join(shading), alignment, fmt


def table_xml(
    style_id: str, widths: Sequence[int], caption: str, description: str, rows: Sequence[str]
) -> str:
    """A w:tbl with a table style, a fixed layout of `widths` (twips), caption and description
    (read by screen readers, cut to Word's 255 and 1000 characters) around the row markup."""
    props = [f'<w:tblStyle w:val="{X.attr_xml(style_id)}"/>' if style_id else ""]
    props.append(f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:tblLayout w:type="fixed"/>{_LOOK}')
    if caption:
        props.append(f'<w:tblCaption w:val="{X.attr_xml(caption[:255])}"/>')
    if description:
        props.append(f'<w:tblDescription w:val="{X.attr_xml(description[:1000])}"/>')
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    head = f"<w:tblPr>{''.join(props)}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>"
    return f"<w:tbl>{head}{''.join(rows)}</w:tbl>"


class Tables:
    """Writes the tables of one document, reusing prepared layouts across its tables."""

    def __init__(
        self, table_style: str, text_style: str, text_width: int, text: tuple[float, int]
    ) -> None:
        """`text`: the font size (pt) and cell margins (twips, left + right) of table text."""
        self.table_style, self.text_style, self.text_width = table_style, text_style, text_width
        self.size_pt, self.margins = text
        self.layouts: dict[tuple[int, ...], Layout] = {}

    def element(self, node: tree.Table, description: str, inlines: Inlines) -> Element:
        """The w:tbl of `node`: a bold header row, then the body rows (`inlines` renders cell
        content). Raises `ValueError` for a row whose length differs from the header's."""
        columns = len(node.header)
        for number, cells in enumerate(node.rows, start=1):
            if len(cells) != columns:
                message = f"table row {number} has {len(cells)} cells, not {columns}"
                raise ValueError(f"docx writer: {message}")
        widths = column_widths(self.text_width, node.widths, columns)
        widths = fitted_widths(widths, node, self.size_pt, self.margins)
        layout = self.layouts.get(tuple(widths))
        if layout is None:
            layout = self.layouts[tuple(widths)] = Layout(widths, self.text_style)
        rows = [layout.row(node.header, Fmt(bold=True), inlines, header=True)]
        rows += [layout.row(cells, Fmt(), inlines, header=False) for cells in node.rows]
        markup = table_xml(self.table_style, widths, node.caption, description, rows)
        return X.parse(markup)


def first_paragraph(tbl: Element) -> Element:
    """The paragraph of the first cell of the header row of `tbl`."""
    return tbl.find(X.qn("w:tr")).find(X.qn("w:tc")).find(X.qn("w:p"))
