"""Data-built pieces of the reports: the functions templates call to place tables, charts, lists.

Each public method of `Blocks` returns a list of tree blocks; `compose.py` exposes them to the
templates as functions that leave a placeholder. Every string a reader sees is translated here with
the language's catalog and every number is formatted by `i18n.Formatter`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seguimiento import markdown, model, tree
from seguimiento.i18n import Formatter

if TYPE_CHECKING:
    from seguimiento.compose import Context

T = tree.Text


def builds(method):
    """Mark a method as a node builder: templates get a placeholder for its blocks."""
    method.builds_nodes = True
    return method


def _p(text: str, role: str = "") -> tree.Paragraph:
    return tree.Paragraph((T(text),), role)


def _cell(text: str, role: str = "") -> tree.Cell:
    return tree.Cell((T(text),), role)


class Blocks:
    """Builders of data-driven nodes for one report (one dataset, language and period)."""

    def __init__(self, ctx: Context, fmt: Formatter) -> None:
        self.ctx = ctx
        self.fmt = fmt
        self._ = fmt._
        self.data = ctx.dataset
        self.fig = ctx.figures
        self.lang = ctx.lang

    # ------------------------------------------------------------ words

    def text(self, value: model.LocalText | str | None) -> str:
        """A data text in the report's language (plain; the template escapes it)."""
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        return value.get(self.lang)

    def status_label(self, status: str) -> str:
        """The label of an indicator status."""
        labels = {
            "achieved": self._("Target met"),
            "on_track": self._("On track"),
            "at_risk": self._("At risk"),
            "off_track": self._("Off track"),
            "no_data": self._("No data"),
        }
        return labels[status]

    def type_label(self, kind: str) -> str:
        """The label of an indicator type (OHCHR framework)."""
        return {
            "structural": self._("Structural"),
            "process": self._("Process"),
            "outcome": self._("Outcome"),
        }[kind]

    def unit_label(self, unit: str) -> str:
        """A short label of a unit."""
        if unit.startswith("currency:"):
            return unit.split(":", 1)[1]
        return {
            "percent": "%",
            "count": self._("number"),
            "days": self._("days"),
            "index": self._("index"),
            "boolean": self._("yes/no"),
        }[unit]

    def word(self, words: list[model.StatusWord], status: str) -> str:
        """The label of a status word of the convention's vocabulary."""
        for entry in words:
            if entry.id == status:
                return entry.label.get(self.lang)
        return status

    def warn(self, where: str) -> markdown.Warn:
        """A warning callback naming the file and line of the data text: `where` is its key path
        ("assessments[3].advances"), looked up in the dataset's record of places."""
        place = self.data.where.get(where, where)
        return lambda message: self.ctx.warnings.append(f"{place}: {message}")

    def article_label(self, article: model.ArticleRecord) -> str:
        """'Artículo 9. Contratación pública…' in the report's language."""
        return self._("Article {number}. {title}").format(
            number=article.id, title=self.text(article.title)
        )

    def part_label(self, part: model.Part) -> str:
        """'Capítulo II. Medidas preventivas' or the group's title."""
        if self.data.convention.parts_are == "chapters":
            return self._("Chapter {number}. {title}").format(
                number=part.id, title=self.text(part.title)
            )
        return self.text(part.title)

    # ------------------------------------------------------------ generic pieces

    @builds
    def md(self, value: model.LocalText | None, where: str = "") -> list[tree.Block]:
        """Narrative Markdown from the data, parsed as untrusted text."""
        if value is None:
            return []
        return markdown.parse_blocks(value.get(self.lang), trusted=False, warn=self.warn(where))

    @builds
    def toc(self) -> list[tree.Block]:
        """The table of contents."""
        return [tree.TableOfContents(self._("Contents"))]

    @builds
    def pagebreak(self) -> list[tree.Block]:
        """A page break."""
        return [tree.PageBreak()]

    @builds
    def note(self, kind: str, text: str) -> list[tree.Block]:
        """A boxed note with a (template) text."""
        return [tree.Note(kind, (_p(text),))]

    @builds
    def cover(self, title: str, subtitle: str) -> list[tree.Block]:
        """The cover: convention, report, country, period, date, committee and draft status."""
        committee = self.data.committee
        lines = [
            _p(self.text(self.data.convention.name), "cover-title"),
            _p(title, "cover-subtitle"),
            _p(subtitle, "cover-subtitle"),
            _p(self._("Country: {country}").format(country=committee.country), "cover-meta"),
            _p(
                self._("Period: {period}").format(period=self.fmt.period(self.ctx.period)),
                "cover-meta",
            ),
            _p(
                self._("Committee: {committee}").format(committee=self.text(committee.committee)),
                "cover-meta",
            ),
            _p(
                self._("Generated: {date}").format(date=self.fmt.date(self.ctx.generated)),
                "cover-meta",
            ),
        ]
        if self.ctx.final:
            lines.append(_p(self._("Status: final version"), "cover-meta"))
        else:
            lines.append(_p(self._("Status: draft"), "cover-meta"))
            lines.append(
                tree.Note(
                    "draft",
                    (_p(self._("Draft for the committee's review. Not for publication.")),),
                )
            )
        if any(i.illustrative for i in self.data.indicators):
            lines.append(
                tree.Note(
                    "illustrative",
                    (
                        _p(
                            self._(
                                "Values marked † are illustrative sample values, not official "
                                "figures."
                            )
                        ),
                    ),
                )
            )
        return [*lines, tree.PageBreak()]

    @builds
    def evidence(self, items: list[model.Evidence], where: str = "") -> list[tree.Block]:
        """A list of supporting documents, linked when they have a safe address."""
        entries = []
        for item in items:
            title = self.text(item.title)
            inline: list[tree.Inline] = []
            if item.url and markdown.safe_url(item.url):
                inline.append(tree.Link(item.url, (T(title),)))
            else:
                inline.append(T(title))
            if item.date:
                inline.append(T(f" ({self.fmt.date(item.date, 'medium')})"))
            entries.append((tree.Paragraph(tuple(inline)),))
        return [tree.BulletList(tuple(entries))] if entries else []
