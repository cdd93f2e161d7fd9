"""The document tree every writer shares.

Composition turns templates and data into these nodes; each writer (DOCX, HTML/PDF) walks them.
The node set is deliberately small and free of anything HTML- or Word-specific. A writer that meets
a node it does not know must fail loudly (see `unknown_node`), so the formats cannot drift apart.

`dump()` renders a tree as indented plain text for golden tests and debugging.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# ---------------------------------------------------------------- inline nodes


@dataclass(frozen=True)
class Text:
    """Plain text."""

    text: str


@dataclass(frozen=True)
class Strong:
    """Bold text."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Emph:
    """Italic text."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    """Inline literal (monospace), e.g. an id or a document symbol."""

    text: str


@dataclass(frozen=True)
class Link:
    """A hyperlink. `url` is http(s), mailto, or `#anchor` for a place in the same document."""

    url: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Inserted:
    """Text proposed for insertion (shown underlined/coloured)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Deleted:
    """Text proposed for deletion (shown struck through)."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class LineBreak:
    """A hard line break inside a paragraph."""


Inline = Text | Strong | Emph | Code | Link | Inserted | Deleted | LineBreak

# ---------------------------------------------------------------- block nodes


@dataclass(frozen=True)
class Heading:
    """A section heading, level 1–3. `anchor` is a plain slug usable as bookmark/id."""

    level: int
    children: tuple[Inline, ...]
    anchor: str = ""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph. `role` is a semantic variant: "" (body), "lead", "small", "cover-title",
    "cover-subtitle", "cover-meta", "caption"."""

    children: tuple[Inline, ...]
    role: str = ""


@dataclass(frozen=True)
class BulletList:
    """A list; each item is a tuple of blocks."""

    items: tuple[tuple[Block, ...], ...]
    ordered: bool = False


@dataclass(frozen=True)
class Cell:
    """A table cell: inline content plus an optional status/emphasis role ("on_track", "at_risk",
    "off_track", "no_data", "achieved", "number", ...) used by writers for colour and alignment."""

    children: tuple[Inline, ...]
    role: str = ""


@dataclass(frozen=True)
class Table:
    """A table with one header row. `widths` are relative column widths (sum need not be 1)."""

    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    caption: str = ""
    widths: tuple[float, ...] = ()
    anchor: str = ""


@dataclass(frozen=True)
class Figure:
    """A chart. `chart` is a `seguimiento.charts.ChartSpec`; `alt` states the figures in words."""

    chart: object
    alt: str
    caption: str = ""


@dataclass(frozen=True)
class Note:
    """A boxed remark: kind is "draft", "illustrative", "warning" or "info"."""

    kind: str
    children: tuple[Block, ...]


@dataclass(frozen=True)
class ReviewComment:
    """Blocks that reviewers commented on, with the comments (author, date ISO, text).
    DOCX writes real Word comments anchored on the blocks; HTML/PDF shows only the blocks."""

    children: tuple[Block, ...]
    comments: tuple[tuple[str, str, str], ...]
    anchor: str = ""


@dataclass(frozen=True)
class TableOfContents:
    """Where the table of contents goes (a field in DOCX, target-counter links in PDF)."""

    title: str


@dataclass(frozen=True)
class PageBreak:
    """Start a new page."""


Block = (
    Heading
    | Paragraph
    | BulletList
    | Table
    | Figure
    | Note
    | ReviewComment
    | TableOfContents
    | PageBreak
)


@dataclass(frozen=True)
class Meta:
    """Document metadata written into both formats."""

    title: str
    subtitle: str
    lang: str
    author: str
    subject: str
    keywords: tuple[str, ...] = ()
    date: str = ""  # ISO date of generation
    draft: bool = True
    draft_label: str = ""
    header: str = ""  # running header text
    page_label: str = "{page} / {pages}"  # footer pattern, localised
    identifier: str = (
        ""  # "seguimiento:<convention>:<report>:<period>:<lang>", read by review import
    )


@dataclass(frozen=True)
class Document:
    """A whole report: metadata and blocks."""

    meta: Meta
    blocks: tuple[Block, ...] = field(default_factory=tuple)


class UnknownNodeError(TypeError):
    """Raised by a writer that meets a node type it does not handle."""


def unknown_node(node: object, writer: str) -> UnknownNodeError:
    """The error a writer raises for a node it does not know."""
    return UnknownNodeError(f"{writer} writer does not handle {type(node).__name__}")


def plain_text(inlines: tuple[Inline, ...] | list[Inline]) -> str:
    """Concatenate the text of inline nodes (for bookmarks, alt text, tests)."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, (Text, Code)):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif isinstance(node, (Strong, Emph, Link, Inserted, Deleted)):
            parts.append(plain_text(node.children))
        else:
            raise unknown_node(node, "plain-text")
    return "".join(parts)


def _inline_dump(inlines: tuple[Inline, ...]) -> str:
    out: list[str] = []
    for node in inlines:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Code):
            out.append(f"`{node.text}`")
        elif isinstance(node, LineBreak):
            out.append("⏎")
        elif isinstance(node, Strong):
            out.append(f"**{_inline_dump(node.children)}**")
        elif isinstance(node, Emph):
            out.append(f"*{_inline_dump(node.children)}*")
        elif isinstance(node, Inserted):
            out.append(f"{{+{_inline_dump(node.children)}+}}")
        elif isinstance(node, Deleted):
            out.append(f"{{-{_inline_dump(node.children)}-}}")
        elif isinstance(node, Link):
            out.append(f"[{_inline_dump(node.children)}]({node.url})")
        else:
            raise unknown_node(node, "dump")
    return "".join(out)


def _block_dump(block: Block, indent: str, lines: list[str]) -> None:
    if isinstance(block, Heading):
        lines.append(f"{indent}H{block.level} {_inline_dump(block.children)}  #{block.anchor}")
    elif isinstance(block, Paragraph):
        role = f"[{block.role}] " if block.role else ""
        lines.append(f"{indent}P {role}{_inline_dump(block.children)}")
    elif isinstance(block, BulletList):
        for number, item in enumerate(block.items, start=1):
            mark = f"{number}." if block.ordered else "-"
            lines.append(f"{indent}{mark}")
            for sub in item:
                _block_dump(sub, indent + "    ", lines)
    elif isinstance(block, Table):
        lines.append(f"{indent}TABLE {block.caption}")
        lines.append(indent + "  | " + " | ".join(_inline_dump(c.children) for c in block.header))
        for row in block.rows:
            cells = (_inline_dump(c.children) + (f"{{{c.role}}}" if c.role else "") for c in row)
            lines.append(indent + "  | " + " | ".join(cells))
    elif isinstance(block, Figure):
        lines.append(f"{indent}FIGURE {block.caption} :: {block.alt}")
    elif isinstance(block, Note):
        lines.append(f"{indent}NOTE {block.kind}")
        for sub in block.children:
            _block_dump(sub, indent + "    ", lines)
    elif isinstance(block, ReviewComment):
        lines.append(f"{indent}COMMENTED #{block.anchor}")
        for sub in block.children:
            _block_dump(sub, indent + "    ", lines)
        for author, date, text in block.comments:
            lines.append(f"{indent}  > {author} ({date}): {text}")
    elif isinstance(block, TableOfContents):
        lines.append(f"{indent}TOC {block.title}")
    elif isinstance(block, PageBreak):
        lines.append(f"{indent}PAGEBREAK")
    else:
        raise unknown_node(block, "dump")


def dump(document: Document) -> str:
    """Render the tree as indented text, one node a line (stable, for golden tests)."""
    meta = document.meta
    lines = [f"DOCUMENT {meta.title} | {meta.subtitle} | lang={meta.lang} | draft={meta.draft}"]
    for block in document.blocks:
        _block_dump(block, "", lines)
    return "\n".join(lines) + "\n"
