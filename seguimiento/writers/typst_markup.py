"""Typst source for the document tree: the body of the Typst PDF engine (`writers.typst`).

Every block becomes a call of a `sg-*` function of `templates/page.typ` (or of a Typst built-in),
and every text from the tree becomes a Typst *string literal* (`string`): in markup each piece is
written as `#"..."`, `#strong[...]`, `#link("...")[...]`..., so no character of the data is ever
read as markup or code (`#import`, `$x$`, `*bold*`, `<label>`, `= heading` print literally).
Links are kept only for http(s), mailto and `#anchor` targets (`html.safe_url`); an anchor becomes
a Typst label, and a link to an anchor that no heading, table or commented block carries fails the
render, as it does with WeasyPrint.

Charts are not written into the source: their SVG goes to the compiler in `sys.inputs` (`inputs`),
so the source stays small and no file is written. As in the HTML writer, review comments are left
out (the PDF is the publication) and headings get the same anchors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence

from seguimiento import charts, tree
from seguimiento.writers.html import (
    CELL_PADDING,
    NOTE_LABELS,
    TABLE_FONT_PT,
    TEXT_WIDTH,
    cover_length,
    heading_anchors,
    safe_url,
)
from seguimiento.writers.table_fit import fitted_widths

#: Characters written as `\u{...}` escapes in a string literal (controls, line separators).
_ESCAPED = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
#: Whitespace that HTML would collapse into one space (the PDF reads like the HTML page).
_BREAKING_SPACE = re.compile(r"[\t\n\r\f\v\x85\u2028\u2029]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: A column without a given width whose longest text is at most this long takes its natural width.
_SHORT_COLUMN = 14


def string(text: str) -> str:
    """`text` as a Typst string literal: `\\` and `"` escaped, controls as `\\u{...}`; the result
    is one line and can only ever be a string."""
    text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + _ESCAPED.sub(lambda m: f"\\u{{{ord(m.group()):x}}}", text) + '"'


def text_string(text: str) -> str:
    """A text of the tree as a Typst string literal, its line breaks and tabs made spaces and
    other control characters dropped (what the HTML page shows)."""
    return string(_CONTROL.sub("", _BREAKING_SPACE.sub(" ", text)))


class BodyWriter:
    """Writes the body of one document as Typst markup.

    After `write()`, `inputs` maps the `sys.inputs` keys used by the source to their values (the
    charts' SVG), and `links` holds the anchors that internal links point to."""

    def __init__(self, document: tree.Document, language: str) -> None:
        self.document = document
        self.note_labels = NOTE_LABELS.get(language, NOTE_LABELS["en"])
        self.heading_ids = iter(heading_anchors(document.blocks))
        self.inputs: dict[str, str] = {}
        self.labels: set[str] = set()
        self.links: set[str] = set()
        self._chart_keys: dict[str, str] = {}
        self._in_cover = False

    def write(self) -> str:
        """The body; leading cover paragraphs, and the notes right after them, form the cover."""
        out: list[str] = []
        blocks = self.document.blocks
        count = cover_length(blocks)
        if count:
            self._in_cover = True
            out.append(f"#sg-cover[{self.blocks(blocks[:count], nested=True)}]")
            self._in_cover = False
        out.append(self.blocks(blocks[count:], nested=False))
        return "\n\n".join(part for part in out if part)

    def blocks(self, blocks: Sequence[tree.Block], nested: bool) -> str:
        """Markup of a sequence of blocks, separated by paragraph breaks. `nested` blocks are
        inside a container (cover, note, list item), where no page can be broken."""
        out: list[str] = []
        previous: tree.Block | None = None
        for block in blocks:
            part = self.block(block, nested, previous)
            if part:
                out.append(part)
            previous = block
        return "\n\n".join(out)

    def block(self, node: tree.Block, nested: bool, previous: tree.Block | None = None) -> str:
        """Markup of one block."""
        if isinstance(node, tree.Heading):
            if node.level not in (1, 2, 3):
                raise ValueError(f"heading level must be 1-3, not {node.level}")
            anchor = next(self.heading_ids)
            markup = f"#heading(level: {node.level}){self.content(node.children)}"
            markup += self.label(anchor)
            return markup if nested or node.level > 1 else "#pagebreak(weak: true)\n" + markup
        if isinstance(node, tree.Paragraph):
            above = ""
            if node.role == "cover-meta" and getattr(previous, "role", "") == "cover-subtitle":
                above = ", after-subtitle: true"
            return f"#sg-p({string(node.role)}{above}){self.content(node.children)}"
        if isinstance(node, tree.BulletList):
            items = ", ".join(f"[{self.blocks(item, nested=True)}]" for item in node.items)
            return f"#{'enum' if node.ordered else 'list'}({items})" if items else ""
        if isinstance(node, tree.Table):
            return self.table(node)
        if isinstance(node, tree.Figure):
            return self.figure(node)
        if isinstance(node, tree.Note):
            if node.kind not in self.note_labels:
                raise ValueError(f"unknown note kind {node.kind!r}")
            label = string(self.note_labels[node.kind])
            body = self.blocks(node.children, nested=True)
            above = ", on-cover: true" if self._in_cover else ""
            return f"#sg-note({string(node.kind)}, {label}{above})[{body}]"
        if isinstance(node, tree.ReviewComment):
            anchor = self.label(node.anchor)
            mark = f"#metadata(none){anchor}" if anchor else ""
            return "\n\n".join(p for p in (mark, self.blocks(node.children, nested)) if p)
        if isinstance(node, tree.TableOfContents):
            toc = f"#outline(title: {text_string(node.title)})"
            return toc if nested else "#pagebreak(weak: true)\n" + toc
        if isinstance(node, tree.PageBreak):
            return "" if nested else "#pagebreak(weak: true)"
        raise tree.unknown_node(node, "typst")

    def label(self, anchor: str) -> str:
        """`#label("...")` for an anchor not used yet (the first one wins, as with HTML ids)."""
        if not anchor or anchor in self.labels:
            return ""
        self.labels.add(anchor)
        return f"#label({string(anchor)})"

    def table(self, node: tree.Table) -> str:
        """`sg-table(...)`: column widths as fractions (fitted to the words of each column, with
        the same type and padding as in style.css), a header row, role-styled cells."""
        count = len(node.header)
        if not count:
            raise ValueError(f"table {node.caption!r} has no column")
        if node.widths:
            if len(node.widths) != count or not all(
                math.isfinite(w) and w > 0 for w in node.widths
            ):
                raise ValueError(
                    f"table {node.caption!r}: {count} columns need as many "
                    f"positive widths, got {node.widths!r}"
                )
            total = sum(node.widths)
            twips = [round(TEXT_WIDTH * w / total) for w in node.widths]  # fitted as in HTML
            twips = fitted_widths(twips, node, TABLE_FONT_PT, CELL_PADDING)
            columns = [f"{100 * w / TEXT_WIDTH:.4f}fr" for w in twips]
        else:
            columns = _natural_columns(node)
        header = "".join(
            f"sg-th({string(c.role)}){self.content(c.children)}, " for c in node.header
        )
        rows = []
        for row in node.rows:
            if len(row) > count:
                raise ValueError(f"table {node.caption!r}: a row has more cells than the header")
            cells = [f"sg-td({string(c.role)}){self.content(c.children)}" for c in row]
            cells += ['sg-td("")[]'] * (count - len(row))
            rows.append("(" + "".join(cell + ", " for cell in cells) + ")")
        caption = text_string(node.caption) if node.caption else "none"
        return (
            f"#sg-table(columns: ({', '.join(columns)},), caption: {caption}, "
            f"({header}), ({', '.join(rows)}{',' if rows else ''})){self.label(node.anchor)}"
        )

    def figure(self, node: tree.Figure) -> str:
        """`sg-chart(...)`: the chart's SVG from `sys.inputs`, its alt text and caption."""
        if not node.alt.strip():
            raise ValueError("a chart needs a text alternative (Figure.alt)")
        svg = charts.render_svg(node.chart, node.alt)
        key = self._chart_keys.get(svg)
        if key is None:
            key = self._chart_keys[svg] = f"chart-{len(self._chart_keys)}"
            self.inputs[key] = svg
        caption = text_string(node.caption) if node.caption else "none"
        return f"#sg-chart(sys.inputs.at({string(key)}), {text_string(node.alt)}, {caption})"

    def content(self, nodes: Iterable[tree.Inline]) -> str:
        """Inline nodes as a Typst content block `[...]`."""
        return "[" + "".join(self.inline(node) for node in nodes) + "]"

    def inline(self, node: tree.Inline) -> str:
        """Markup of one inline node; every piece starts with `#`, so data never meets markup."""
        if isinstance(node, tree.Text):
            return "#" + text_string(node.text) if node.text else ""
        if isinstance(node, tree.Strong):
            return "#strong" + self.content(node.children)
        if isinstance(node, tree.Emph):
            return "#emph" + self.content(node.children)
        if isinstance(node, tree.Code):
            return f"#raw({text_string(node.text)})" if node.text else ""
        if isinstance(node, tree.Inserted):
            return "#sg-ins" + self.content(node.children)
        if isinstance(node, tree.Deleted):
            return "#sg-del" + self.content(node.children)
        if isinstance(node, tree.LineBreak):
            return "#linebreak()"
        if isinstance(node, tree.Link):
            url = safe_url(node.url)
            if url is None:
                return "".join(self.inline(child) for child in node.children)
            if url.startswith("#"):
                self.links.add(url[1:])
                target = f"label({string(url[1:])})"
            else:
                target = string(url)
            return f"#link({target}){self.content(node.children)}"
        raise tree.unknown_node(node, "typst")


def _natural_columns(node: tree.Table) -> list[str]:
    """Column widths for a table without `widths`: short columns take their natural width, longer
    ones share the rest by the length of their longest text, so the table spans the page."""
    lengths = [0] * len(node.header)
    for row in (node.header, *node.rows):
        for index, cell in enumerate(row[: len(lengths)]):
            lengths[index] = max(lengths[index], len(tree.plain_text(cell.children)))
    columns = [f"{min(n, 60)}fr" if n > _SHORT_COLUMN else "auto" for n in lengths]
    if columns and "fr" not in "".join(columns):
        columns[0] = "1fr"
    return columns
