"""Compose a report: run its Jinja2 template (Markdown out), parse it into the document tree.

Templates are trusted files in templates/; data never is. Every `{{ value }}` a template prints is
escaped for Markdown by the environment's `finalize` hook, so data prints literally ("{{ 7*7 }}",
"<script>", "# title" stay text). Data-built pieces (tables, charts, narrative Markdown from the
data) are made by the helpers in `blocks.py`; a helper returns a placeholder line that is swapped
for its nodes after parsing, so the Markdown parser never sees data as structure.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from seguimiento import i18n, markdown, model, tree
from seguimiento.blocks import Blocks
from seguimiento.blocks_policy import PolicyBlocks
from seguimiento.measure import Figures


class Placeholder(str):
    """Template output that is already Markdown (not escaped): a placeholder line."""


@dataclass
class Context:
    """What a report is made from and for."""

    dataset: model.Dataset
    figures: Figures
    report: str
    lang: str
    period: str
    templates: Path
    final: bool = False
    generated: dt.date = field(default_factory=dt.date.today)
    warnings: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)


class _Slots:
    """Holds the nodes behind each placeholder of one composition."""

    def __init__(self) -> None:
        self.token = "SLOT" + secrets.token_hex(6)
        self.nodes: dict[str, list[tree.Block]] = {}

    def put(self, blocks: list[tree.Block]) -> Placeholder:
        key = f"{self.token}X{len(self.nodes)}"
        self.nodes[key] = blocks
        return Placeholder(f"\n\n{key}\n\n")

    def expand(self, blocks: list[tree.Block]) -> list[tree.Block]:
        out: list[tree.Block] = []
        for block in blocks:
            if isinstance(block, tree.Paragraph) and len(block.children) == 1:
                text = tree.plain_text(block.children).strip()
                if text in self.nodes:
                    out.extend(self.nodes[text])
                    continue
            if isinstance(block, tree.BulletList):
                items = tuple(tuple(self.expand(list(item))) for item in block.items)
                block = tree.BulletList(items, block.ordered)
            out.append(block)
        return out


class _Trusted(str):
    """A translated template string: trusted Markdown. Formatting it with `%` (Jinja's newstyle
    gettext does, for `{% trans %}` variables and `_("...", name=value)`) escapes every variable for
    Markdown and gives a Placeholder, so the template's own markup (bold, lists) is kept while the
    values, which may come from the data, print literally."""

    def __mod__(self, values: object) -> Placeholder:  # type: ignore[override]
        if isinstance(values, dict):
            safe = {key: _finalize(value) for key, value in values.items()}
            return Placeholder(str.__mod__(self, safe))
        return Placeholder(str.__mod__(self, values))


def _finalize(value: object) -> str:
    if isinstance(value, Placeholder):
        return value
    if value is None:
        return ""
    return markdown.escape(str(value))


def environment(templates: Path, lang: str) -> jinja2.Environment:
    """The Jinja2 environment for report templates: i18n, StrictUndefined, Markdown escaping."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        extensions=["jinja2.ext.i18n"],
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    translations = i18n.translations(templates, lang)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda text: _Trusted(translations.gettext(text)),
        ngettext=lambda one, many, n: _Trusted(translations.ngettext(one, many, n)),
        newstyle=True,
    )
    return env


def _helpers(ctx: Context, slots: _Slots, blocks: Blocks) -> dict[str, Callable]:
    """Functions the templates call; each returns a placeholder for data-built nodes."""

    def wrap(build: Callable) -> Callable:
        def call(*args, **kwargs) -> Placeholder:
            return slots.put(list(build(*args, **kwargs)))

        return call

    exported: dict[str, Callable] = {}
    for name in dir(blocks):
        if name.startswith("_"):
            continue
        member = getattr(blocks, name)
        if not callable(member):
            continue
        exported[name] = wrap(member) if getattr(member, "builds_nodes", False) else member
    exported["t"] = blocks.text
    return exported


def compose(ctx: Context) -> tree.Document:
    """Run the report's template and return the document tree.

    The template sets `title`, `subtitle` and `subject` with `{% set %}`; they become the
    document's metadata."""
    slots = _Slots()
    fmt = i18n.formatter(ctx.templates, ctx.lang)
    blocks = PolicyBlocks(ctx, fmt)
    env = environment(ctx.templates, ctx.lang)
    template = env.get_template(f"{ctx.report}.md.j2")
    values = {
        "data": ctx.dataset,
        "conv": ctx.dataset.convention,
        "committee": ctx.dataset.committee,
        "fig": ctx.figures,
        "period": ctx.period,
        "lang": ctx.lang,
        "fmt": fmt,
        "final": ctx.final,
        "generated": ctx.generated,
        "open_reviews": [],
        **ctx.extra,
        **_helpers(ctx, slots, blocks),
    }
    module = template.make_module(values)
    text = str(module)
    meta = _meta(ctx, fmt, module)
    parsed = markdown.parse_blocks(text, trusted=True, warn=ctx.warnings.append)
    document_blocks = slots.expand(parsed)
    _check_anchors(document_blocks)
    return tree.Document(meta, tuple(document_blocks))


def _meta(ctx: Context, fmt: i18n.Formatter, module: object) -> tree.Meta:
    convention = ctx.dataset.convention
    title = f"{getattr(module, 'title', ctx.report)}: {convention.short_name.get(ctx.lang)}"
    return tree.Meta(
        title=f"{title} ({ctx.period})",
        subtitle=str(getattr(module, "subtitle", "")),
        lang=ctx.lang,
        author=ctx.dataset.committee.committee.get(ctx.lang),
        subject=str(getattr(module, "subject", "")),
        keywords=(
            convention.short_name.get(ctx.lang),
            ctx.dataset.committee.country,
            ctx.period,
            convention.mechanism.short_name.get(ctx.lang),
        ),
        date=ctx.generated.isoformat(),
        draft=not ctx.final,
        draft_label=fmt._("DRAFT"),
        header=f"{convention.short_name.get(ctx.lang)} · {getattr(module, 'title', ctx.report)} · "
        f"{ctx.period}",
        page_label=fmt._("Page {page} of {pages}"),
        identifier=f"seguimiento:{convention.id}:{ctx.report}:{ctx.period}:{ctx.lang}",
    )


def _check_anchors(blocks: list[tree.Block]) -> None:
    """Give every heading a unique anchor (a slug of its text when the template gave none)."""
    seen: set[str] = set()
    for index, block in enumerate(blocks):
        if isinstance(block, tree.Heading):
            anchor = block.anchor or _slug(tree.plain_text(block.children))
            base, number = anchor, 2
            while anchor in seen:
                anchor, number = f"{base}-{number}", number + 1
            seen.add(anchor)
            blocks[index] = tree.Heading(block.level, block.children, anchor)


def _slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = "".join(c.lower() if c.isalnum() else "-" for c in ascii_text).split("-")
    return ("-".join(w for w in words if w) or "section")[:48].rstrip("-")
