"""Pieces of the progress report that follow the articles: recommendation follow-up, data gaps,
sources and institutions."""

from __future__ import annotations

import math

from seguimiento import model, tree
from seguimiento.blocks import Blocks, _cell, _p, builds
from seguimiento.coverage import coverage

T = tree.Text


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


class FollowUpBlocks(Blocks):
    """Builders for recommendations, data gaps and the annexes."""

    # ------------------------------------------------------------ recommendations

    def rounds_with_recommendations(self) -> list[model.Round]:
        """Rounds of the mechanism that have recommendations in the data."""
        used = {r.round for r in self.data.recommendations}
        return [r for r in self.data.convention.mechanism.rounds if r.id in used]

    @builds
    def recommendations_table(self, round_id: str) -> list[tree.Block]:
        """The recommendations of one round with their follow-up."""
        mechanism = self.data.convention.mechanism
        round_ = next(r for r in mechanism.rounds if r.id == round_id)
        default_document = round_.documents[-1].symbol if round_.documents else "—"
        header = [
            self._("Id"),
            self._("Document and paragraph"),
            self._("Recommendation"),
            self._("Institutions"),
            self._("Status"),
            self._("Measures"),
        ]
        rows = []
        for rec in (r for r in self.data.recommendations if r.round == round_id):
            document = rec.document or default_document
            if rec.paragraph:
                document = self._("{document}, para. {paragraph}").format(
                    document=document, paragraph=rec.paragraph
                )
            index = self.data.recommendations.index(rec)
            where = f"recommendations[{index}].measures"
            measures = self.md(rec.measures, where) if rec.measures else []
            measure_inline: list[tree.Inline] = []
            for block in measures:
                if isinstance(block, tree.Paragraph):
                    measure_inline.extend(block.children)
                    measure_inline.append(T(" "))
                elif isinstance(block, tree.BulletList):
                    for item in block.items:
                        for sub in item:
                            if isinstance(sub, tree.Paragraph):
                                measure_inline.extend((T("• "), *sub.children, tree.LineBreak()))
            word_class = next(
                (w.class_ for w in mechanism.recommendation_status if w.id == rec.status), ""
            )
            role = {
                "done": "achieved",
                "progress": "on_track",
                "pending": "at_risk",
                "closed": "no_data",
            }.get(word_class, "")
            rows.append(
                (
                    tree.Cell((tree.Code(rec.id),)),
                    _cell(document),
                    _cell(self.text(rec.text)),
                    _cell(", ".join(rec.institutions)),
                    _cell(self.word(mechanism.recommendation_status, rec.status), role),
                    tree.Cell(tuple(measure_inline) or (T("—"),)),
                )
            )
        caption = self._("Recommendations: {round}").format(round=self.text(round_.name))
        widths = (9, 14, 25, 15, 14, 23)  # an 8-letter institution and status words stay whole
        return [tree.Table(tuple(_cell(h) for h in header), tuple(rows), caption, widths)]

    @builds
    def recommendation_counts(self) -> list[tree.Block]:
        """Counts of recommendations by status and round."""
        mechanism = self.data.convention.mechanism
        rounds = self.rounds_with_recommendations()
        header = [_cell(self._("Status"))]
        header += [_cell(self.text(r.name), "number") for r in rounds]
        header.append(_cell(self._("Total"), "number"))
        rows = []
        for word in mechanism.recommendation_status:
            counts = [
                sum(
                    1
                    for rec in self.data.recommendations
                    if rec.round == r.id and rec.status == word.id
                )
                for r in rounds
            ]
            rows.append(
                tuple(
                    [_cell(word.label.get(self.lang))]
                    + [_cell(str(n), "number") for n in counts]
                    + [_cell(str(sum(counts)), "number")]
                )
            )
        caption = self._("Recommendations by status")
        widths = tuple([3] + [1.5] * len(rounds) + [1])
        return [tree.Table(tuple(header), tuple(rows), caption, widths)]

    # ------------------------------------------------------------ gaps, annexes

    @builds
    def gaps(self) -> list[tree.Block]:
        """Indicators without a value this period and followed articles without assessment."""
        cov = coverage(self.data, self.ctx.period)
        out: list[tree.Block] = []
        out.append(
            tree.Paragraph(
                (
                    tree.Strong(
                        (
                            T(
                                self._("Indicators without a value for {period}").format(
                                    period=self.ctx.period
                                )
                            ),
                        )
                    ),
                )
            )
        )
        if cov.missing:
            items = []
            for indicator_id in cov.missing:
                ind = next(i for i in self.data.indicators if i.id == indicator_id)
                row = self.fig.row(indicator_id)
                last = (
                    self._("last value {value} ({period})").format(
                        value=self.fmt.value(row["latest"], ind.unit), period=row["latest_period"]
                    )
                    if not _missing(row["latest"])
                    else self._("never reported")
                )
                items.append(
                    (
                        tree.Paragraph(
                            (
                                tree.Strong((T(self.text(ind.name)),)),
                                T(
                                    f" — {self.data.institution_name(ind.institution, self.lang)} "
                                    f"({ind.institution}); {last}."
                                ),
                            )
                        ),
                    )
                )
            out.append(tree.BulletList(tuple(items)))
        else:
            out.append(_p(self._("None: every indicator has a value for this period.")))
        out.append(
            tree.Paragraph(
                (
                    tree.Strong(
                        (
                            T(
                                self._(
                                    "Articles followed without an assessment for {period}"
                                ).format(period=self.ctx.period)
                            ),
                        )
                    ),
                )
            )
        )
        if cov.unassessed:
            articles = self.data.convention.articles()
            out.append(
                tree.BulletList(
                    tuple((_p(self.article_label(articles[a][1])),) for a in cov.unassessed)
                )
            )
        else:
            out.append(_p(self._("None.")))
        return out

    @builds
    def sources_list(self) -> list[tree.Block]:
        """Sources of the indicators (each once) and of the convention reference data."""
        seen: dict[str, list[str]] = {}
        for ind in self.data.indicators:
            seen.setdefault(self.text(ind.source), []).append(ind.id)
        items = [
            (tree.Paragraph((T(f"{source}: "), *self._codes(ids))),)
            for source, ids in sorted(seen.items())
        ]
        for ref in self.data.convention.sources:
            inline = tree.Link(ref.url, (T(ref.title),)) if ref.url else T(ref.title)
            items.append((tree.Paragraph((inline,)),))
        return [tree.BulletList(tuple(items))]

    def _codes(self, ids: list[str]) -> list[tree.Inline]:
        out: list[tree.Inline] = []
        for index, indicator_id in enumerate(ids):
            if index:
                out.append(T(", "))
            out.append(tree.Code(indicator_id))
        return out

    @builds
    def institutions_list(self) -> list[tree.Block]:
        """The institutions named in the report, with their short names."""
        rows = tuple(
            (_cell(i.id), _cell(self.text(i.name))) for i in self.data.committee.institutions
        )
        header = (_cell(self._("Short name")), _cell(self._("Institution")))
        return [tree.Table(header, rows, self._("Institutions"), (1, 4))]

    @builds
    def review_items(self) -> list[tree.Block]:
        """The open review items of earlier drafts (imported with `review import`)."""
        items = self.ctx.extra.get("open_reviews", [])
        kinds = {
            "comment": self._("Comment"),
            "insertion": self._("Insertion"),
            "deletion": self._("Deletion"),
        }
        rows = tuple(
            (
                _cell(item.section or item.anchor),
                _cell(kinds.get(item.kind, item.kind)),
                _cell(f"{item.author} ({item.date})"),
                _cell(item.text),
                tree.Cell((tree.Code(item.id),)),
            )
            for item in items
        )
        header = tuple(
            _cell(h)
            for h in (
                self._("Section"),
                self._("Kind"),
                self._("Reviewer"),
                self._("Text"),
                self._("Id"),
            )
        )
        return [tree.Table(header, rows, self._("Open review items"), (25, 10, 17, 36, 12))]
