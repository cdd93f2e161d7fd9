"""Pieces of the progress report: key figures, indicator tables, trend charts, assessments,
recommendation follow-up and data gaps."""

from __future__ import annotations

from seguimiento import model, tree
from seguimiento.blocks import _cell, _p, builds
from seguimiento.blocks_followup import FollowUpBlocks, _missing
from seguimiento.charts import ChartSpec, Series
from seguimiento.coverage import coverage
from seguimiento.measure import STATUSES
from seguimiento.model import period_key

T = tree.Text
# Bar colours of the statuses, in STATUSES order (dark enough for contrast on white).
STATUS_COLOURS = ("#1b7837", "#0b5394", "#b8860b", "#b2182b", "#7f7f7f")


class ProgressBlocks(FollowUpBlocks):
    """Builders for the progress report."""

    # ------------------------------------------------------------ queries (no nodes)

    def followed_articles(self, part: model.Part) -> list[model.ArticleRecord]:
        """Articles of `part` with indicators, an assessment or recommendations."""
        followed = {a for i in self.data.indicators for a in i.articles}
        followed |= {a.article for a in self.data.assessments}
        followed |= {a for r in self.data.recommendations for a in r.articles}
        return [a for a in part.articles if a.id in followed]

    def indicators_of(self, article_id: str) -> list[model.Indicator]:
        """Indicators linked to an article."""
        return [i for i in self.data.indicators if article_id in i.articles]

    def assessment_of(self, article_id: str) -> model.Assessment | None:
        """The assessment of an article for the report period."""
        for item in self.data.assessments:
            if item.article == article_id and item.period == self.ctx.period:
                return item
        return None

    def count(self, key: str) -> int:
        """A status count of the indicators (achieved, on_track, …)."""
        return self.fig.status_counts.get(key, 0)

    # ------------------------------------------------------------ executive summary

    @builds
    def key_figures(self) -> list[tree.Block]:
        """The key figures table and the status chart, all computed from the data."""
        cov = coverage(self.data, self.ctx.period)
        total = cov.indicators or 1
        rows = [
            (self._("Indicators followed"), self.fmt.number(cov.indicators, 0), ""),
            (
                self._("Indicators with a value this period"),
                f"{cov.reported} ({self.fmt.percent(cov.reported / total)})",
                "",
            ),
        ]
        for status in STATUSES:
            n = self.count(status)
            rows.append((self.status_label(status), f"{n} ({self.fmt.percent(n / total)})", status))
        words = self.data.convention.mechanism.recommendation_status
        for word in words:
            n = self.fig.recommendation_counts.get(word.id, 0)
            label = self._("Recommendations: {status}").format(status=word.label.get(self.lang))
            rows.append((label, self.fmt.number(n, 0), ""))
        rows.append(
            (
                self._("Articles with an assessment this period"),
                f"{len(self.fig.assessed_articles)} / {cov.articles_total}",
                "",
            )
        )
        table = tree.Table(
            (_cell(self._("Figure")), _cell(self._("Value"), "number")),
            tuple((_cell(label), _cell(value, role or "number")) for label, value, role in rows),
            caption=self._("Key figures for {period}").format(period=self.ctx.period),
            widths=(3, 1),
        )
        labels = tuple(self.status_label(s) for s in STATUSES)
        values = tuple(float(self.count(s)) for s in STATUSES)
        words_alt = "; ".join(f"{label}: {int(v)}" for label, v in zip(labels, values))
        chart = ChartSpec(
            "hbar",
            labels,
            (Series(self._("Indicators"), values),),
            y_label=self._("Indicators"),
            colours=STATUS_COLOURS,
        )
        alt = self._("Indicators by status in {period}: {figures}.").format(
            period=self.ctx.period, figures=words_alt
        )
        return [table, tree.Figure(chart, alt, self._("Indicators by status"))]

    # ------------------------------------------------------------ per article

    def _value(self, row: dict, key: str, unit: str) -> str:
        value = row[key]
        if _missing(value):
            return self._("no data")
        return self.fmt.value(value, unit, compact=True)

    @builds
    def indicator_table(self, article_id: str) -> list[tree.Block]:
        """The indicators of an article with their figures."""
        indicators = self.indicators_of(article_id)
        if not indicators:
            return []
        header = [
            self._("Indicator (type · unit)"),
            self._("Baseline"),
            self._("Latest value"),
            self._("Target"),
            self._("Progress"),
            self._("Status"),
            self._("Change"),
            self._("Inst."),  # the responsible institution; full names in the annex
        ]
        rows = []
        for ind in indicators:
            row = self.fig.row(ind.id)
            mark = " †" if ind.illustrative else ""
            latest = self._value(row, "latest", ind.unit)
            if not _missing(row["latest"]):
                latest += f" ({row['latest_period']})"
            baseline = self.fmt.value(ind.baseline.value, ind.unit, compact=True)
            target = self.fmt.value(ind.target.value, ind.unit, compact=True)
            progress = "—" if _missing(row["progress"]) else self.fmt.percent(row["progress"])
            change = "—"
            if not _missing(row["change"]):
                change = self.fmt.signed(row["change"], ind.unit, compact=True)
                change += " " + self._("(vs {period})").format(period=row["previous_period"])
            rows.append(
                (
                    tree.Cell(
                        (
                            T(self.text(ind.name) + mark),
                            tree.LineBreak(),
                            tree.Emph(
                                (T(f"{self.type_label(ind.type)} · {self.unit_label(ind.unit)}"),)
                            ),
                        )
                    ),
                    _cell(f"{baseline} ({ind.baseline.period})", "number"),
                    _cell(latest, "number"),
                    _cell(f"{target} ({ind.target.period})", "number"),
                    _cell(progress, "number"),
                    _cell(self.status_label(row["status"]), row["status"]),
                    _cell(change, "number"),
                    _cell(ind.institution),
                )
            )
        caption = self._("Indicators of article {article}").format(article=article_id)
        # Hints: the writers widen a column to its longest word (`writers/table_fit`); values
        # are written for cells (`Formatter.value(compact=True)`: Q84.35 M, GTQ 950,000).
        widths = (19, 11, 11, 10, 10, 14, 12, 13)
        return [tree.Table(tuple(_cell(h) for h in header), tuple(rows), caption, widths)]

    @builds
    def trend_charts(self, article_id: str) -> list[tree.Block]:
        """A trend chart for every quantitative indicator with at least two values (drawn under
        the indicator's first article only)."""
        out: list[tree.Block] = []
        for ind in self.indicators_of(article_id):
            if ind.articles[0] != article_id:
                continue
            points = [
                o
                for o in ind.values
                if o.value is not None
                and period_key(o.period).end <= period_key(self.ctx.period).end
            ]
            if ind.unit == "boolean" or len(points) < 2:
                continue
            categories = tuple(o.period for o in points)
            values = tuple(float(o.value) for o in points)
            chart = ChartSpec(
                "line",
                categories,
                (Series(self._("Reported value"), values),),
                y_label=self.unit_label(ind.unit),
                baseline=float(ind.baseline.value),
                baseline_label=self._("Baseline ({period})").format(period=ind.baseline.period),
                target=float(ind.target.value),
                target_label=self._("Target ({period})").format(period=ind.target.period),
            )
            alt = self._trend_alt(ind, points)
            caption = self._("Trend: {name}").format(name=self.text(ind.name))
            out.append(tree.Figure(chart, alt, caption))
        return out

    def _trend_alt(self, ind: model.Indicator, points: list[model.Observation]) -> str:
        """The figures of a trend chart in words: first and last value, lowest and highest,
        baseline and target (every value is also in the indicator table next to the chart)."""
        value = lambda v: self.fmt.value(v, ind.unit)  # noqa: E731 - local shorthand
        low = min(points, key=lambda o: float(o.value))
        high = max(points, key=lambda o: float(o.value))
        return self._(
            "{name}: it went from {first} in {first_period} to {last} in {last_period}, over "
            "{count} reported values; the lowest was {low} in {low_period} and the highest "
            "{high} in {high_period}. The baseline is {baseline} in {baseline_period} and the "
            "target {target} by {target_period}. Every value is in the indicator table."
        ).format(
            name=self.text(ind.name),
            first=value(points[0].value),
            first_period=points[0].period,
            last=value(points[-1].value),
            last_period=points[-1].period,
            count=len(points),
            low=value(low.value),
            low_period=low.period,
            high=value(high.value),
            high_period=high.period,
            baseline=value(ind.baseline.value),
            baseline_period=ind.baseline.period,
            target=value(ind.target.value),
            target_period=ind.target.period,
        )

    @builds
    def assessment(self, article_id: str) -> list[tree.Block]:
        """The committee's qualitative assessment of an article for the period."""
        item = self.assessment_of(article_id)
        if item is None:
            return [
                tree.Note(
                    "warning",
                    (
                        _p(
                            self._(
                                "No assessment recorded for this period. See the data gaps section."
                            )
                        ),
                    ),
                )
            ]
        words = self.data.convention.mechanism.assessment_status
        index = self.data.assessments.index(item)
        out: list[tree.Block] = [
            tree.Paragraph(
                (tree.Strong((T(self._("Assessment") + ": "),)), T(self.word(words, item.status)))
            ),
        ]
        for label, key, text in (
            (self._("Advances"), "advances", item.advances),
            (self._("Challenges"), "challenges", item.challenges),
        ):
            if text is not None:
                out.append(tree.Paragraph((tree.Strong((T(label),)),)))
                out.extend(self.md(text, f"assessments[{index}].{key}"))
        if item.evidence:
            out.append(tree.Paragraph((tree.Strong((T(self._("Evidence")),)),)))
            out.extend(self.evidence(item.evidence))
        if item.validated_by:
            validated = self._("Validated by: {who}").format(who=self.text(item.validated_by))
            out.append(_p(validated, "small"))
        return out
