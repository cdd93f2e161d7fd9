"""DOCX writer: the document tree → Word bytes, styled only by templates/reference.docx.

The reference document is opened with python-docx, its body is cleared, and every block of the tree
is appended as WordprocessingML naming the reference's styles (headings, lists, captions, the
"Seguimiento Table" table style...). Direct formatting is used only where it carries meaning: status
colours of table cells, note boxes, inserted/deleted text and the draft mark. Inline content is
written as run markup and each paragraph or table parsed at once (`docx_xml`, `docx_tables`), not
built through python-docx's proxies, which would be several times slower.

A node type the writer does not know raises `tree.UnknownNodeError`, so formats cannot drift apart.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import TYPE_CHECKING

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.shared import Cm
from docx.text.paragraph import Paragraph as DocxParagraph
from docx.text.run import Run

from seguimiento import charts, tree
from seguimiento.packages import stamp_entries
from seguimiento.project import DOCX_CHART_STYLES as CHART_STYLES
from seguimiento.writers import docx_charts, docx_tables
from seguimiento.writers import docx_parts as P
from seguimiento.writers import docx_xml as X
from seguimiento.writers.docx_xml import Element, Fmt, qn

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

_KEYS = ("toc", "draft", "illustrative", "warning", "info", "columns", "draft_mark")
LABELS = {
    "es": dict(zip(_KEYS, ("Actualice el índice (F9)", "Borrador", "Ejemplo ilustrativo",
                           "Advertencia", "Nota", "Columnas", "BORRADOR"))),
    "en": dict(zip(_KEYS, ("Update the table of contents (F9)", "Draft", "Illustrative example",
                           "Warning", "Note", "Columns", "DRAFT"))),
}  # fmt: skip
ROLE_STYLES = {"": "Normal", "lead": "Lead", "small": "Small", "caption": "Caption"}
ROLE_STYLES |= {"cover-title": "Title", "cover-subtitle": "Subtitle", "cover-meta": "Cover Meta"}
REQUIRED_STYLES = [
    *ROLE_STYLES.values(),
    *(f"{base} {n}" for base in ("Heading", "TOC") for n in (1, 2, 3)),
    *(f"List {kind}{n}" for kind in ("Bullet", "Number", "Continue") for n in ("", " 2", " 3")),
    *("TOC Heading", "Figure", "Table Text", "Seguimiento Table", "Header", "Footer"),
    *("Hyperlink", "Code", "CommentText", "CommentReference"),
]
FIGURE_WIDTH = Cm(16)
FMT = Fmt()


def _when(iso: str) -> dt.datetime:
    """An ISO date or date-time as an aware datetime (UTC when no offset is given)."""
    try:
        value = dt.datetime.fromisoformat(iso)
    except ValueError as error:
        raise ValueError(f"docx writer: not an ISO date: {iso!r}") from error
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def _headings(blocks: tuple[tree.Block, ...]) -> list[tree.Heading]:
    """All headings in document order, including those inside lists, notes and comments."""
    found: list[tree.Heading] = []
    for block in blocks:
        if isinstance(block, tree.Heading):
            found.append(block)
        elif isinstance(block, (tree.Note, tree.ReviewComment)):
            found.extend(_headings(block.children))
        elif isinstance(block, tree.BulletList):
            for item in block.items:
                found.extend(_headings(item))
    return found


def _levels(headings: list[tree.Heading]) -> dict[int, int]:
    """Word heading levels (1-3) by `id()` of each heading: the tree's levels, except that a
    heading never goes more than one level deeper than the one before it (the first is at most
    level 1), so assistive technology meets no skipped level."""
    levels: dict[int, int] = {}
    previous = 0
    for heading in headings:
        previous = levels[id(heading)] = min(max(heading.level, 1), 3, previous + 1)
    return levels


class _Writer:
    """Walks the tree once, producing the body elements of one python-docx document."""

    def __init__(
        self, document: DocxDocument, meta: tree.Meta, chart_style: str = CHART_STYLES[0]
    ) -> None:
        if chart_style not in CHART_STYLES:
            raise ValueError(f"docx writer: unknown chart style {chart_style!r}")
        self.doc, self.part, self.meta = document, document.part, meta
        self.chart_style = chart_style
        self.lang = "en-US" if meta.lang.lower().startswith("en") else "es-GT"
        self.labels = LABELS[self.lang[:2]]
        self.ids = P.style_ids(document.styles.element)
        missing = [name for name in REQUIRED_STYLES if self._key(name) not in self.ids]
        if missing:
            raise ValueError(f"reference.docx lacks the styles: {', '.join(missing)}")
        section = document.sections[-1]
        usable = section.page_width - section.left_margin - section.right_margin
        self.text_width = int(usable / 635)  # EMU → twips
        self.figure_width = min(FIGURE_WIDTH, usable)
        self.counters = {"bookmark": 0, "drawing": 0}
        self.pictures = P.Pictures(self.part)
        created = _when(meta.date) if meta.date else None
        self.charts = docx_charts.Charts(self.part, created, self.lang)
        self.rpr_cache: dict[Fmt, str] = {}
        table_style, text_style = self.style("Seguimiento Table"), self.style("Table Text")
        text = P.table_text_metrics(document.styles.element, text_style, table_style)
        self.header_tabs = P.tab_stops(document.styles.element, self.style("Header"))
        self.tables = docx_tables.Tables(table_style, text_style, self.text_width, text)
        self.used: set[str] = set()
        self.toc: list[tuple[tree.Heading, str]] = []
        self.levels: dict[int, int] = {}
        self.handlers = {
            tree.Heading: self.heading,
            tree.Paragraph: self.paragraph,
            tree.BulletList: self.bullets,
            tree.Table: self.table,
            tree.Figure: self.figure,
            tree.Note: self.note,
            tree.ReviewComment: self.review,
            tree.TableOfContents: self.contents,
            tree.PageBreak: self.page_break,
        }

    @staticmethod
    def _key(name: str) -> str:
        return name.replace(" ", "").lower()

    def style(self, name: str) -> str:
        """The id of a reference style, looked up by name or id."""
        return self.ids[self._key(name)]

    def rpr(self, fmt: Fmt) -> str:
        """The w:rPr markup of `fmt`, made once per formatting."""
        props = self.rpr_cache.get(fmt)
        if props is None:
            props = self.rpr_cache[fmt] = X.rpr_xml(fmt)
        return props

    def bookmark(self, p: Element, name: str) -> None:
        self.counters["bookmark"] += 1
        X.add_bookmark(p, name, self.counters["bookmark"])

    def anchor_name(self, anchor: str) -> str:
        """A fresh bookmark name for `anchor` ("" when empty or already used)."""
        name = X.bookmark_name(anchor) if anchor else ""
        if name in self.used:
            return ""
        self.used.add(name)
        return name

    def para(
        self, style: str, inlines: tuple[tree.Inline, ...], keep_next: bool = False
    ) -> Element:
        """A paragraph of reference style `style` (a name or id) holding `inlines`."""
        return X.paragraph(self.style(style), self.inlines(inlines, FMT), keep_next)

    # ---------------------------------------------------------------- inline

    def inlines(self, nodes: tuple[tree.Inline, ...], fmt: Fmt) -> str:
        """Run (and hyperlink) markup for inline nodes under the formatting `fmt`."""
        out: list[str] = []
        for node in nodes:
            if isinstance(node, tree.Text):
                out.append(X.run_xml(node.text, self.rpr(fmt)))
            elif isinstance(node, tree.Strong):
                out.append(self.inlines(node.children, fmt._replace(bold=True)))
            elif isinstance(node, tree.Emph):
                out.append(self.inlines(node.children, fmt._replace(italic=True)))
            elif isinstance(node, tree.Code):
                out.append(X.run_xml(node.text, self.rpr(fmt._replace(style=self.style("Code")))))
            elif isinstance(node, tree.Inserted):
                marks = fmt._replace(underline=True, color=X.INSERTED_COLOUR)
                out.append(self.inlines(node.children, marks))
            elif isinstance(node, tree.Deleted):
                marks = fmt._replace(strike=True, color=X.DELETED_COLOUR)
                out.append(self.inlines(node.children, marks))
            elif isinstance(node, tree.LineBreak):
                out.append(X.break_xml())
            elif isinstance(node, tree.Link):
                out.append(self.link(node, fmt))
            else:
                raise tree.unknown_node(node, "docx")
        return "".join(out)

    def link(self, node: tree.Link, fmt: Fmt) -> str:
        """A real hyperlink; a URL other than http(s), mailto or #anchor stays plain text."""
        runs = self.inlines(node.children, fmt._replace(style=fmt.style or self.style("Hyperlink")))
        if node.url.startswith("#"):
            return X.hyperlink_xml(runs, anchor=X.bookmark_name(node.url[1:]))
        if re.match(r"(?i)(https?://|mailto:)", node.url):
            rel_id = self.part.relate_to(node.url, RT.HYPERLINK, is_external=True)
            return X.hyperlink_xml(runs, rel_id=rel_id)
        return self.inlines(node.children, fmt)

    # ---------------------------------------------------------------- blocks

    def blocks(self, nodes: tuple[tree.Block, ...], out: list[Element], depth: int = 0) -> None:
        """Append the elements of `nodes` to `out` (`depth` is the list nesting level)."""
        for node in nodes:
            handler = self.handlers.get(type(node))
            if handler is None:
                raise tree.unknown_node(node, "docx")
            handler(node, out, depth)

    def heading(self, node: tree.Heading, out: list[Element], _depth: int) -> None:
        p = self.para(f"Heading {self.levels[id(node)]}", node.children)
        self.bookmark(p, next(self.heading_names))
        out.append(p)

    def paragraph(self, node: tree.Paragraph, out: list[Element], _depth: int) -> None:
        if node.role not in ROLE_STYLES:
            raise ValueError(f"docx writer: unknown paragraph role {node.role!r}")
        out.append(self.para(ROLE_STYLES[node.role], node.children))

    def page_break(self, _node: tree.PageBreak, out: list[Element], _depth: int) -> None:
        out.append(X.paragraph(self.style("Normal"), X.break_xml("page")))

    def bullets(self, node: tree.BulletList, out: list[Element], depth: int) -> None:
        """List paragraphs: List Bullet/Number (2, 3 when nested); later paragraphs of an item
        use List Continue; ordered lists restart at 1."""
        suffix = "" if depth == 0 else f" {min(depth + 1, 3)}"
        style = self.style(f"List {'Number' if node.ordered else 'Bullet'}{suffix}")
        num_id = P.style_num_id(self.doc.styles.element, style) if node.ordered else ""
        if num_id:
            num_id = P.restart_numbering(self.part.numbering_part.element, num_id)
        for item in node.items:
            for index, block in enumerate(item):
                if not isinstance(block, tree.Paragraph):
                    self.blocks((block,), out, depth + 1)
                    continue
                p = self.para(style if index == 0 else f"List Continue{suffix}", block.children)
                if index == 0 and num_id:
                    P.set_numbering(p, num_id)
                out.append(p)

    def table(self, node: tree.Table, out: list[Element], _depth: int = 0) -> None:
        """Caption paragraph, then the table (`docx_tables`), then a spacer paragraph."""
        heads = "; ".join(tree.plain_text(cell.children) for cell in node.header)
        description = f"{node.caption} {self.labels['columns']}: {heads}".strip()
        anchor = self.anchor_name(node.anchor)
        if node.caption:
            out.append(self.para("Caption", (tree.Text(node.caption),), keep_next=True))
        tbl = self.tables.element(node, description, self.inlines)
        if anchor:
            self.bookmark(out[-1] if node.caption else docx_tables.first_paragraph(tbl), anchor)
        out += [tbl, X.spacer(self.style("Normal"))]

    def figure(self, node: tree.Figure, out: list[Element], _depth: int = 0) -> None:
        """A Word chart (`docx_charts`) or the PDF's drawing as a picture, then its caption."""
        self.counters["drawing"] += 1
        shape_id = self.counters["drawing"]
        if self.chart_style == "native":
            inline = self.charts.inline(node.chart, self.figure_width, shape_id)  # type: ignore[arg-type]
        else:
            png = charts.render_png(node.chart, alt=node.alt)  # type: ignore[arg-type] - the SVG's alt
            inline = self.pictures.inline(png, self.figure_width, shape_id)
        p = X.paragraph(self.style("Figure"))
        title = node.caption or node.alt[:120]
        X.picture(p, inline, shape_id, node.alt, title)
        out.append(p)
        if node.caption:
            out.append(self.para("Caption", (tree.Text(node.caption),)))

    def note(self, node: tree.Note, out: list[Element], _depth: int = 0) -> None:
        """A bold label, then the note's blocks, their paragraphs framed and shaded alike (Word
        and LibreOffice draw one box around them). Paragraph borders rather than a one-cell
        table: a screen reader then reads a note as text, not as a "table, one column"."""
        if node.kind not in X.NOTE_COLOURS:
            raise ValueError(f"docx writer: unknown note kind {node.kind!r}")
        fill, border, ink = X.NOTE_COLOURS[node.kind]
        title = X.run_xml(self.labels[node.kind], self.rpr(FMT._replace(bold=True, color=ink)))
        label = X.paragraph(self.style("Normal"), title, keep_next=True)
        inner: list[Element] = [label]
        self.blocks(node.children, inner)
        for element in inner:
            if element.tag == qn("w:p"):
                X.note_frame(element, fill, border)
        out += [*inner, X.spacer(self.style("Normal"))]

    def review(self, node: tree.ReviewComment, out: list[Element], depth: int) -> None:
        """The blocks, then real Word comments anchored on the first paragraph among them."""
        start = len(out)
        self.blocks(node.children, out, depth)
        first = next((p for e in out[start:] for p in e.iter(qn("w:p"))), None)
        if first is None:
            first = X.paragraph(self.style("Normal"))
            out.append(first)
        anchor = self.anchor_name(node.anchor)
        if anchor:
            self.bookmark(first, anchor)
        runs = first.findall(qn("w:r")) or [X.sub(first, "w:r")]
        holder = DocxParagraph(first, self.part)
        for author, date_iso, text in node.comments:
            initials = "".join(word[0] for word in author.split()[:3]).upper()
            anchor_runs = [Run(runs[0], holder), Run(runs[-1], holder)]
            comment = self.doc.add_comment(anchor_runs, text, author=author, initials=initials)
            when = _when(date_iso).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            X.set_comment_date(comment.part.element, comment.comment_id, when)
            X.span_comment(first, comment.comment_id)

    def contents(self, node: tree.TableOfContents, out: list[Element], _depth: int = 0) -> None:
        """A TOC field whose cached result already lists the headings (as links, without page
        numbers), so viewers that do not refresh fields, like LibreOffice, still show the
        contents; Word rebuilds it with page numbers on opening (settings' updateFields)."""
        out.append(self.para("TOC Heading", (tree.Text(node.title),)))
        styles, contents = ["TOC 1"], [X.run_xml(self.labels["toc"])]  # the placeholder text
        if self.toc:
            styles = [f"TOC {self.levels[id(heading)]}" for heading, _name in self.toc]
            contents = [
                X.hyperlink_xml(X.run_xml(tree.plain_text(heading.children)), anchor=name)
                for heading, name in self.toc
            ]
        contents[0] = X.field_start_xml(r'TOC \o "1-3" \h \z \u') + contents[0]
        contents[-1] += X.FIELD_END_XML
        out.extend(X.paragraph(self.style(s), c) for s, c in zip(styles, contents, strict=True))

    # ---------------------------------------------------------------- document

    def write(self, blocks: tuple[tree.Block, ...]) -> None:
        """Replace the reference's body with the elements of `blocks`."""
        headings = _headings(blocks)
        self.levels = _levels(headings)
        names = [self.anchor_name(h.anchor) or f"_Toc{n:08d}" for n, h in enumerate(headings, 1)]
        self.toc = list(zip(headings, names))
        self.heading_names = iter(names)
        out: list[Element] = []
        self.blocks(blocks, out)
        X.replace_children(self.doc.element.body, out, keep="w:sectPr")

    def furniture(self) -> None:
        """Running header (with the draft mark) and footer page numbers, in every section."""
        meta = self.meta
        for section in self.doc.sections:
            section.header.is_linked_to_previous = False
            section.footer.is_linked_to_previous = False
            runs = X.run_xml(meta.header) if meta.header else ""
            if meta.draft:
                mark = meta.draft_label or self.labels["draft_mark"]
                props = self.rpr(FMT._replace(bold=True, color=X.DRAFT_COLOUR))
                runs += X.TAB_XML + X.run_xml(mark, props)
            header = X.paragraph(self.style("Header"), runs)
            if meta.draft:  # at the right margin, on the title's line however long the title
                header[0].append(X.right_tab_only(self.header_tabs, self.text_width))
            footer = X.paragraph(
                self.style("Footer"), X.TAB_XML + X.page_number_xml(meta.page_label)
            )
            X.replace_children(section.header.part.element, [header])
            X.replace_children(section.footer.part.element, [footer])

    def metadata(self) -> None:
        """Core properties, document language and the refresh-fields-on-open flag."""
        meta, core = self.meta, self.doc.core_properties
        core.title, core.subject, core.author = meta.title, meta.subject, meta.author
        core.keywords = ", ".join(meta.keywords)
        core.identifier = meta.identifier
        core.language, core.last_modified_by, core.comments = self.lang, meta.author, meta.subtitle
        core.content_status = (meta.draft_label or self.labels["draft"]) if meta.draft else ""
        core.created = _when(meta.date) if meta.date else dt.datetime.now(dt.UTC)
        core.modified, core.revision = core.created, 1
        settings = self.doc.settings.element
        P.set_language(self.doc.styles.element, settings, self.lang)
        P.set_update_fields(settings)


def write_docx(
    document: tree.Document, reference: Path, chart_style: str = CHART_STYLES[0]
) -> bytes:
    """Write `document` as DOCX bytes, every style taken from the `reference` .docx. A chart is
    a Word chart with its data (`chart_style` "native", `docx_charts`: nothing drawn), or
    ("picture") its SVG, the PDF's, with the figure's alt text, rasterised: a PDF of the same
    job draws nothing more.

    With a date in the document's metadata, the same document gives the same bytes (the zip's
    entries carry that date, not the clock's).

    Raises `tree.UnknownNodeError` for a node type this writer does not know, and `ValueError` for
    a reference that lacks a needed style, an unknown paragraph role or note kind, a table row of
    the wrong length, or a comment date that is not ISO 8601.
    """
    import docx

    writer = _Writer(docx.Document(str(reference)), document.meta, chart_style)
    writer.write(document.blocks)
    writer.furniture()
    writer.metadata()
    buffer = io.BytesIO()
    writer.doc.save(buffer)
    if not document.meta.date:
        return buffer.getvalue()
    return stamp_entries(buffer.getvalue(), _when(document.meta.date))
