"""Markdown → document tree, with markdown-it-py (CommonMark, raw HTML off).

Two kinds of Markdown pass through here: the output of the report templates (trusted structure:
headings become sections) and narrative text from the data (untrusted: headings are demoted to bold
paragraphs, images are refused and shown as their description, links are kept only for http(s) and
mailto). Anything refused is reported through the `warn` callback so the secretary can fix it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlparse

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from seguimiento import tree

SAFE_SCHEMES = ("http", "https", "mailto")
ANCHOR_RE = re.compile(r"\s*\{:\s*#([a-z0-9][a-z0-9-]*)\}\s*$")
_PARSER = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
    ["table", "strikethrough"]
)
# Let every link and image reach the converter, which keeps only safe links and warns about the
# rest (markdown-it would otherwise leave refused links silently as literal text).
_PARSER.validateLink = lambda url: True

Warn = Callable[[str], None]


def _ignore(_message: str) -> None:
    return None


def safe_url(url: str) -> bool:
    """True for links a report may carry: http(s), mailto, or an anchor in the same document."""
    if url.startswith("#"):
        return bool(re.fullmatch(r"#[A-Za-z0-9_-]+", url))
    scheme = urlparse(url).scheme.lower()
    return scheme in SAFE_SCHEMES


class _Converter:
    def __init__(self, trusted: bool, warn: Warn) -> None:
        self.trusted = trusted
        self.warn = warn

    def inlines(self, node: SyntaxTreeNode) -> tuple[tree.Inline, ...]:
        out: list[tree.Inline] = []
        for child in node.children:
            kind = child.type
            if kind == "text":
                out.append(tree.Text(child.content))
            elif kind == "softbreak":
                out.append(tree.Text(" "))
            elif kind == "hardbreak":
                out.append(tree.LineBreak())
            elif kind == "code_inline":
                out.append(tree.Code(child.content))
            elif kind == "strong":
                out.append(tree.Strong(self.inlines(child)))
            elif kind == "em":
                out.append(tree.Emph(self.inlines(child)))
            elif kind == "s":
                out.append(tree.Deleted(self.inlines(child)))
            elif kind == "link":
                href = str(child.attrs.get("href", ""))
                if safe_url(href):
                    out.append(tree.Link(href, self.inlines(child)))
                else:
                    self.warn(f"link to '{href[:60]}' removed: only https, http and mailto links")
                    out.extend(self.inlines(child))
            elif kind == "image":
                alt = tree.plain_text(self.inlines(child)) or child.content
                src = str(child.attrs.get("src", ""))
                self.warn(f"image '{src[:60]}' not included: reports take no images from data")
                out.append(tree.Text(f"[{alt}]" if alt else ""))
            elif kind in ("html_inline",):
                out.append(tree.Text(child.content))
            else:
                out.append(tree.Text(child.content or ""))
        return _merge_text(out)

    def blocks(self, node: SyntaxTreeNode) -> list[tree.Block]:
        out: list[tree.Block] = []
        for child in node.children:
            out.extend(self.block(child))
        return out

    def block(self, node: SyntaxTreeNode) -> list[tree.Block]:
        kind = node.type
        if kind == "paragraph":
            return [tree.Paragraph(self.inlines(node.children[0]) if node.children else ())]
        if kind == "heading":
            inline = self.inlines(node.children[0]) if node.children else ()
            if not self.trusted:
                return [tree.Paragraph((tree.Strong(inline),))]
            level = min(3, int(node.tag[1]))
            inline, anchor = _split_anchor(inline)
            return [tree.Heading(level, inline, anchor)]
        if kind in ("bullet_list", "ordered_list"):
            items = tuple(tuple(self.blocks(item)) for item in node.children)
            return [tree.BulletList(items, ordered=kind == "ordered_list")]
        if kind == "blockquote":
            return [tree.Note("info", tuple(self.blocks(node)))]
        if kind in ("code_block", "fence"):
            return [tree.Paragraph((tree.Code(node.content.rstrip("\n")),), role="small")]
        if kind == "table":
            return [self.table(node)]
        if kind == "hr":
            return []
        if kind == "html_block":
            return [tree.Paragraph((tree.Text(node.content.strip()),))]
        return []

    def table(self, node: SyntaxTreeNode) -> tree.Table:
        header: tuple[tree.Cell, ...] = ()
        rows: list[tuple[tree.Cell, ...]] = []
        for section in node.children:
            for row in section.children:
                cells = tuple(
                    tree.Cell(self.inlines(cell.children[0]) if cell.children else ())
                    for cell in row.children
                )
                if section.type == "thead":
                    header = cells
                else:
                    rows.append(cells)
        return tree.Table(header, tuple(rows))


def _merge_text(items: list[tree.Inline]) -> tuple[tree.Inline, ...]:
    merged: list[tree.Inline] = []
    for item in items:
        if isinstance(item, tree.Text) and merged and isinstance(merged[-1], tree.Text):
            merged[-1] = tree.Text(merged[-1].text + item.text)
        elif not (isinstance(item, tree.Text) and item.text == ""):
            merged.append(item)
    return tuple(merged)


def _split_anchor(inline: tuple[tree.Inline, ...]) -> tuple[tuple[tree.Inline, ...], str]:
    if inline and isinstance(inline[-1], tree.Text):
        match = ANCHOR_RE.search(inline[-1].text)
        if match:
            rest = inline[-1].text[: match.start()]
            head = inline[:-1] + ((tree.Text(rest),) if rest else ())
            return head, match.group(1)
    return inline, ""


def parse_blocks(text: str, *, trusted: bool, warn: Warn = _ignore) -> list[tree.Block]:
    """Parse Markdown into blocks. `trusted` is for templates; data text is untrusted."""
    root = SyntaxTreeNode(_PARSER.parse(text))
    return _Converter(trusted, warn).blocks(root)


def parse_inline(text: str, *, warn: Warn = _ignore) -> tuple[tree.Inline, ...]:
    """Parse one line of untrusted Markdown into inline nodes (no blocks)."""
    blocks = parse_blocks(text, trusted=False, warn=warn)
    out: list[tree.Inline] = []
    for block in blocks:
        if isinstance(block, tree.Paragraph):
            if out:
                out.append(tree.Text(" "))
            out.extend(block.children)
    return tuple(out)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&:])")


def escape(text: str) -> str:
    """Escape text so Markdown prints it literally (every ASCII punctuation that matters)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")
