"""HTML writer: the document tree as an HTML page, the input of the PDF writer.

`render_html` walks the tree into an HTML body and places it in `templates/page.html.j2`
(Jinja2, autoescape on). Every text that comes from the tree is escaped here: data never becomes
markup, and nothing from the data is ever rendered as a template (`{{ 7*7 }}` prints literally).
Links are kept only for http(s), mailto and `#anchor` targets; any other link becomes plain text.

The page is meant for print (WeasyPrint): the table of contents gets its page numbers from CSS
`target-counter`, and review comments are left out (the PDF is the publication).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

from seguimiento import charts, tree
from seguimiento.writers.table_fit import fitted_widths

# Tables in templates/style.css and page.typ (a test holds them together): the text width of an
# A4 page with 2 cm side margins, the font size of tables and the left + right padding of a cell.
TEXT_WIDTH = 9638  # twips (17 cm)
TABLE_FONT_PT = 8.5
CELL_PADDING = 227  # twips (2 x 2 mm)

#: `<html lang>` for the project's working languages (Guatemala writes Spanish; CLDR `es_GT`).
HTML_LANG = {"es": "es-GT", "en": "en-US"}

#: Labels of boxed notes, by language then kind.
NOTE_LABELS = {
    "es": {"draft": "Borrador", "illustrative": "Ilustrativo", "warning": "Advertencia",
           "info": "Nota"},
    "en": {"draft": "Draft", "illustrative": "Illustrative", "warning": "Warning", "info": "Note"},
}  # fmt: skip

#: Default draft mark when `Meta.draft_label` is empty.
DRAFT_LABELS = {"es": "BORRADOR", "en": "DRAFT"}

#: URL scheme of the chart images handed to the PDF writer (see `render_html`).
CHART_SCHEME = "chart"

COVER_ROLES = frozenset({"cover-title", "cover-subtitle", "cover-meta"})
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\\<>\"'`]")
_CLASS_CHARS = re.compile(r"[^a-z0-9_-]+")
_PAGE_FIELDS = re.compile(r"\{(pages|page)\}")


def render_html(
    document: tree.Document,
    templates_dir: Path,
    figures: dict[str, tuple[charts.ChartSpec, str]] | None = None,
) -> str:
    """The whole HTML page for `document`, laid out by `templates_dir/page.html.j2`.

    Charts are inline SVG (a page that stands alone), unless `figures` is given: then each chart
    is an `<img src="chart:<key>.svg">`, nothing is drawn, and the chart's (spec, alt text) goes
    into `figures` under that URL. The PDF writer lays out stand-ins of their size and draws the
    charts later (`writers.pdf_charts`), so the drawing may go on in other processes meanwhile;
    an image also lays out far faster than the same SVG inline, where every element of it
    takes part in the page's CSS cascade."""
    meta = document.meta
    language = meta.lang.split("-")[0].lower()
    body = _BodyWriter(document, language, figures).write()
    template = _environment(str(Path(templates_dir).resolve())).get_template("page.html.j2")
    return template.render(
        meta=meta,
        html_lang=meta.lang if "-" in meta.lang else HTML_LANG.get(language, meta.lang),
        draft_label=meta.draft_label or DRAFT_LABELS.get(language, DRAFT_LABELS["en"]),
        body=Markup(body),
        generator="seguimiento",
    )


def chart_url(spec: charts.ChartSpec, alt: str) -> str:
    """The `chart:` URL of a chart image in the PDF route, one per (spec, alt text)."""
    digest = hashlib.sha256(repr((spec, alt)).encode("utf-8")).hexdigest()[:20]
    return f"{CHART_SCHEME}:{digest}.svg"


def safe_url(url: str) -> str | None:
    """`url` if it may become a link (http(s) with a host, mailto, `#anchor`), else None."""
    if not url or _UNSAFE_URL_CHARS.search(url):
        return None
    if url.startswith("#"):
        return url if len(url) > 1 else None
    match = _SCHEME.match(url)
    if match is None:
        return None
    scheme = match.group(1).lower()
    if scheme in ("http", "https"):
        return url if url[match.end() :].startswith("//") and len(url) > match.end() + 2 else None
    if scheme == "mailto":
        return url if len(url) > match.end() else None
    return None


def slugify(text: str) -> str:
    """A plain ASCII slug (`"Artículo 5: Prevención"` → `"articulo-5-prevencion"`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:60].rstrip("-")
    if not slug or slug[0].isdigit():
        slug = f"sec-{slug}" if slug else "sec"
    return slug


def css_string(text: str) -> Markup:
    """`text` as a quoted CSS string, safe inside a `<style>` element (every ASCII symbol is
    hex-escaped, so no quote, backslash, newline or `</style>` can break out)."""
    out = []
    for char in text:
        if char.isalnum() or char == " " or (ord(char) > 0x9F and char.isprintable()):
            out.append(char)
        else:
            out.append(f"\\{ord(char):x} ")
    return Markup('"' + "".join(out) + '"')


def page_label_css(pattern: str) -> Markup:
    """A page pattern such as `"Página {page} de {pages}"` as CSS `content` tokens
    (`"Página " counter(page) " de " counter(pages)`)."""
    tokens = []
    for index, part in enumerate(_PAGE_FIELDS.split(pattern)):
        if index % 2:
            tokens.append(f"counter({part})")
        elif part:
            tokens.append(str(css_string(part)))
    return Markup(" ".join(tokens) or '""')


@lru_cache(maxsize=8)
def _environment(templates_dir: str):
    """A Jinja2 environment on `templates_dir`, autoescaping, strict about undefined names."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates_dir),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    env.filters["page_label_css"] = page_label_css
    return env


def walk(blocks: Iterable[tree.Block]) -> Iterator[tree.Block]:
    """Every block, depth first in document order (the order the writers write them)."""
    for block in blocks:
        yield block
        if isinstance(block, (tree.Note, tree.ReviewComment)):
            yield from walk(block.children)
        elif isinstance(block, tree.BulletList):
            for item in block.items:
                yield from walk(item)


def heading_anchors(blocks: Sequence[tree.Block]) -> list[str]:
    """The anchor of every heading, in order: its own, or a slug of its text made unique. Both
    PDF engines use these ids, so `#anchor` links mean the same in each."""
    used = {b.anchor for b in walk(blocks) if getattr(b, "anchor", "")}
    anchors = []
    for heading in (b for b in walk(blocks) if isinstance(b, tree.Heading)):
        anchor = heading.anchor
        if not anchor:
            base = slugify(tree.plain_text(heading.children))
            anchor, number = base, 2
            while anchor in used:
                anchor, number = f"{base}-{number}", number + 1
            used.add(anchor)
        anchors.append(anchor)
    return anchors


class _BodyWriter:
    """Writes the body of one document; holds the heading ids shared by headings and the TOC."""

    def __init__(
        self,
        document: tree.Document,
        language: str,
        figures: dict[str, tuple[charts.ChartSpec, str]] | None = None,
    ) -> None:
        self.document = document
        self.figures = figures
        self.labels = NOTE_LABELS.get(language, NOTE_LABELS["en"])
        headings = [b for b in walk(document.blocks) if isinstance(b, tree.Heading)]
        self.heading_ids: list[str] = heading_anchors(document.blocks)
        self.toc_entries = [
            (h.level, tree.plain_text(h.children), anchor)
            for h, anchor in zip(headings, self.heading_ids)
            if h.level <= 2
        ]
        self.next_heading = 0

    def write(self) -> str:
        """The body HTML; leading cover paragraphs and the notes right after them are grouped into
        a `<section class="cover">`."""
        out: list[str] = []
        blocks = self.document.blocks
        count = cover_length(blocks)
        if count:
            out.append('<section class="cover">')
            self.blocks(blocks[:count], out)
            out.append("</section>")
        self.blocks(blocks[count:], out)
        return "\n".join(out)

    def blocks(self, blocks: Sequence[tree.Block], out: list[str]) -> None:
        """Append the HTML of each block to `out`."""
        for block in blocks:
            self.block(block, out)

    def block(self, node: tree.Block, out: list[str]) -> None:
        """Append the HTML of one block to `out`."""
        if isinstance(node, tree.Heading):
            if node.level not in (1, 2, 3):
                raise ValueError(f"heading level must be 1-3, not {node.level}")
            anchor = self.heading_ids[self.next_heading]
            self.next_heading += 1
            tag = f"h{node.level}"
            out.append(f'<{tag} id="{escape(anchor)}">{self.inlines(node.children)}</{tag}>')
        elif isinstance(node, tree.Paragraph):
            out.append(f"<p{_class(node.role)}>{self.inlines(node.children)}</p>")
        elif isinstance(node, tree.BulletList):
            tag = "ol" if node.ordered else "ul"
            out.append(f"<{tag}>")
            for item in node.items:
                out.append("<li>")
                self.blocks(item, out)
                out.append("</li>")
            out.append(f"</{tag}>")
        elif isinstance(node, tree.Table):
            self.table(node, out)
        elif isinstance(node, tree.Figure):
            if self.figures is not None:
                url = chart_url(node.chart, node.alt)
                self.figures[url] = (node.chart, node.alt)
                image = f'<img src="{url}" alt="{escape(node.alt)}" />'
            else:  # matplotlib escapes all chart text
                image = charts.render_svg(node.chart, node.alt)
            caption = f"<figcaption>{escape(node.caption)}</figcaption>" if node.caption else ""
            out.append(f'<figure class="chart">{image}{caption}</figure>')
        elif isinstance(node, tree.Note):
            if node.kind not in self.labels:
                raise ValueError(f"unknown note kind {node.kind!r}")
            out.append(f'<aside class="note note-{node.kind}">')
            out.append(f'<p class="note-label">{escape(self.labels[node.kind])}</p>')
            self.blocks(node.children, out)
            out.append("</aside>")
        elif isinstance(node, tree.ReviewComment):
            anchor = f' id="{escape(node.anchor)}"' if node.anchor else ""
            out.append(f'<div class="reviewed"{anchor}>')
            self.blocks(node.children, out)
            out.append("</div>")
        elif isinstance(node, tree.TableOfContents):
            self.toc(node, out)
        elif isinstance(node, tree.PageBreak):
            out.append('<div class="page-break"></div>')
        else:
            raise tree.unknown_node(node, "html")

    def table(self, node: tree.Table, out: list[str]) -> None:
        """A table: caption, column widths in %, a header row of `th scope=col`, role classes.

        A table with widths is laid out with `table-layout: fixed` (class `fixed`): the widths
        are then taken as given instead of measuring every cell's content first, which made
        up most of WeasyPrint's table layout time. They are first fitted to the longest word of
        each column (`table_fit`), in the type and padding of style.css."""
        anchor = f' id="{escape(node.anchor)}"' if node.anchor else ""
        kind = "data fixed" if node.widths else "data"
        out.append(f'<table class="{kind}"{anchor}>')
        if node.caption:
            out.append(f"<caption>{escape(node.caption)}</caption>")
        if node.widths:
            if len(node.widths) != len(node.header) or min(node.widths) <= 0:
                raise ValueError(
                    f"table {node.caption!r}: {len(node.header)} columns need as many "
                    f"positive widths, got {node.widths!r}"
                )
            total = sum(node.widths)
            twips = [round(TEXT_WIDTH * w / total) for w in node.widths]
            twips = fitted_widths(twips, node, TABLE_FONT_PT, CELL_PADDING)
            cols = "".join(f'<col style="width: {100 * w / TEXT_WIDTH:.2f}%" />' for w in twips)
            out.append(f"<colgroup>{cols}</colgroup>")
        header = "".join(
            f'<th scope="col"{_class(cell.role)}>{self.inlines(cell.children)}</th>'
            for cell in node.header
        )
        out.append(f"<thead><tr>{header}</tr></thead>")
        out.append("<tbody>")
        for row in node.rows:
            cells = "".join(
                f"<td{_class(cell.role)}>{self.inlines(cell.children)}</td>" for cell in row
            )
            out.append(f"<tr>{cells}</tr>")
        out.append("</tbody></table>")

    def toc(self, node: tree.TableOfContents, out: list[str]) -> None:
        """Nested list of links to every h1/h2; page numbers come from CSS target-counter."""
        out.append('<nav class="toc">')
        out.append(f'<h1 class="toc-title">{escape(node.title)}</h1>')
        out.append("<ul>")
        top_level = 0  # level of the open top-level item, 0 when none is open
        open_sublist = False
        for level, text, anchor in self.toc_entries:
            link = f'<a href="#{escape(anchor)}">{escape(text)}</a>'
            if level == 2 and top_level == 1:
                if not open_sublist:
                    out.append("<ul>")
                    open_sublist = True
                out.append(f'<li class="toc-2">{link}</li>')
                continue
            if open_sublist:
                out.append("</ul>")
                open_sublist = False
            if top_level:
                out.append("</li>")
            out.append(f'<li class="toc-{level}">{link}')
            top_level = level
        if open_sublist:
            out.append("</ul>")
        if top_level:
            out.append("</li>")
        out.append("</ul></nav>")

    def inlines(self, nodes: Iterable[tree.Inline]) -> str:
        """The HTML of inline nodes, every text escaped."""
        return "".join(self.inline(node) for node in nodes)

    def inline(self, node: tree.Inline) -> str:
        """The HTML of one inline node."""
        if isinstance(node, tree.Text):
            return str(escape(node.text))
        if isinstance(node, tree.Strong):
            return f"<strong>{self.inlines(node.children)}</strong>"
        if isinstance(node, tree.Emph):
            return f"<em>{self.inlines(node.children)}</em>"
        if isinstance(node, tree.Code):
            return f"<code>{escape(node.text)}</code>"
        if isinstance(node, tree.Inserted):
            return f"<ins>{self.inlines(node.children)}</ins>"
        if isinstance(node, tree.Deleted):
            return f"<del>{self.inlines(node.children)}</del>"
        if isinstance(node, tree.LineBreak):
            return "<br />"
        if isinstance(node, tree.Link):
            url = safe_url(node.url)
            if url is None:
                return self.inlines(node.children)
            return f'<a href="{escape(url)}">{self.inlines(node.children)}</a>'
        raise tree.unknown_node(node, "html")


def cover_length(blocks: Sequence[tree.Block]) -> int:
    """How many blocks at the start make the cover: the cover paragraphs, then the notes right
    after them (draft, illustrative values), which stay on the cover."""
    count = 0
    while count < len(blocks) and _is_cover(blocks[count]):
        count += 1
    while count and count < len(blocks) and isinstance(blocks[count], tree.Note):
        count += 1
    return count


def _is_cover(block: tree.Block) -> bool:
    return isinstance(block, tree.Paragraph) and block.role in COVER_ROLES


def _class(role: str) -> str:
    """` class="role"` for a role made class-safe, or "" when there is no role."""
    name = _CLASS_CHARS.sub("-", role.lower()).strip("-")
    return f' class="{name}"' if name else ""
