"""Figures from the data (pandas, no I/O): progress to target, status, change, roll-ups.

How the figures are computed (the report's methodology annex says the same in words):

- latest value: the last value reported in a period that ends no later than the report period ends;
- progress = (latest − baseline) / (target − baseline). Baseline and target fix the direction, so
  the formula is the same for increasing and decreasing indicators: moving towards the target is
  positive. When baseline equals target, progress is 100 % if the latest value is at or beyond
  the target in the indicator's direction, else 0 %. A yes/no indicator has 100 % when it equals
  its target;
- expected progress: the share of the time from the baseline period to the target period that has
  passed by the latest value's period (a straight line to the target);
- status, with the thresholds in `THRESHOLDS`: "achieved" once progress reaches 100 %; "on_track"
  when progress is at least 90 % of the expected progress; "at_risk" from 60 %; "off_track" below
  that or when moving away from the target; "no_data" when no value was reported in the report
  period (a status, never a zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from seguimiento import model
from seguimiento.coverage import overlaps
from seguimiento.model import period_key

STATUSES = ("achieved", "on_track", "at_risk", "off_track", "no_data")
# Share of the expected progress an indicator must reach to be on track / at risk.
THRESHOLDS = {"on_track": 0.9, "at_risk": 0.6}


def observations_frame(dataset: model.Dataset) -> pd.DataFrame:
    """Every reported value, one row each: indicator, period, start, end, value, note."""
    rows = [
        {
            "indicator": ind.id,
            "period": obs.period,
            "start": period_key(obs.period).start,
            "end": period_key(obs.period).end,
            "value": obs.value,
            "has_note": obs.note is not None,
        }
        for ind in dataset.indicators
        for obs in ind.values
    ]
    columns = ["indicator", "period", "start", "end", "value", "has_note"]
    return pd.DataFrame(rows, columns=columns)


def progress(baseline: float, target: float, latest: float, direction: str) -> float:
    """Progress from baseline to target (1.0 = target reached; negative = moved away)."""
    if isinstance(target, bool) or isinstance(latest, bool):
        return 1.0 if latest == target else 0.0
    if target == baseline:
        met = latest >= target if direction == "increase" else latest <= target
        return 1.0 if met else 0.0
    return (float(latest) - float(baseline)) / (float(target) - float(baseline))


def expected_progress(baseline_period: str, target_period: str, period: str) -> float:
    """Share of the baseline→target time elapsed at the end of `period`, between 0 and 1."""
    start = period_key(baseline_period).end
    end = period_key(target_period).end
    now = period_key(period).end
    if end <= start:
        return 1.0
    return min(1.0, max(0.0, (now - start) / (end - start)))


def status(progress_value: float | None, expected: float | None, in_period: bool) -> str:
    """The status word for a progress figure (see the module docstring for the rule)."""
    if not in_period or progress_value is None or expected is None:
        return "no_data"
    if progress_value >= 1.0 - 1e-9:
        return "achieved"
    if progress_value < 0:
        return "off_track"
    if expected <= 0:
        return "on_track"
    ratio = progress_value / expected
    if ratio >= THRESHOLDS["on_track"]:
        return "on_track"
    if ratio >= THRESHOLDS["at_risk"]:
        return "at_risk"
    return "off_track"


def indicator_table(dataset: model.Dataset, period: str) -> pd.DataFrame:
    """One row per indicator with its figures for the report period."""
    frame = observations_frame(dataset)
    limit = period_key(period).end
    known = frame[frame["value"].notna() & (frame["end"] <= limit)].sort_values(["start", "end"])
    # Each indicator's rows at once (in the order above), not a scan of every row per indicator.
    known_of = {key: rows for key, rows in known.groupby("indicator", sort=False)}
    counts = frame.groupby("indicator", sort=False)["value"].count()
    no_rows = known.iloc[0:0]
    rows = []
    for ind in dataset.indicators:
        own = known_of.get(ind.id, no_rows)
        latest = own.iloc[-1] if len(own) else None
        previous = own.iloc[-2] if len(own) > 1 else None
        in_period = latest is not None and overlaps(str(latest["period"]), period)
        prog = exp = change = None
        if latest is not None:
            value = latest["value"]
            prog = progress(ind.baseline.value, ind.target.value, value, ind.direction)
            exp = expected_progress(ind.baseline.period, ind.target.period, str(latest["period"]))
            if previous is not None and ind.unit != "boolean":
                change = float(value) - float(previous["value"])
        rows.append(
            {
                "id": ind.id,
                "part": _part_of(dataset, ind.articles[0]),
                "article": ind.articles[0],
                "articles": list(ind.articles),
                "type": ind.type,
                "unit": ind.unit,
                "direction": ind.direction,
                "institution": ind.institution,
                "illustrative": ind.illustrative,
                "baseline": ind.baseline.value,
                "baseline_period": ind.baseline.period,
                "target": ind.target.value,
                "target_period": ind.target.period,
                "latest": None if latest is None else latest["value"],
                "latest_period": None if latest is None else str(latest["period"]),
                "previous": None if previous is None else previous["value"],
                "previous_period": None if previous is None else str(previous["period"]),
                "change": change,
                "progress": prog,
                "expected": exp,
                "status": status(prog, exp, in_period),
                "observations": int(counts.get(ind.id, 0)),
            }
        )
    return pd.DataFrame(rows, dtype=object)


def _part_of(dataset: model.Dataset, article_id: str) -> str:
    return dataset.convention.articles()[article_id][0].id


@dataclass
class Figures:
    """Everything computed for one convention and period."""

    period: str
    indicators: pd.DataFrame
    status_counts: dict[str, int]
    recommendation_counts: dict[str, int]
    recommendation_classes: dict[str, int]
    assessed_articles: list[str]
    by_part: pd.DataFrame
    by_institution: pd.DataFrame
    proposal_counts: dict[str, int] = field(default_factory=dict)
    proposal_groups: dict[str, int] = field(default_factory=dict)
    _positions: dict[str, int] | None = field(default=None, init=False, repr=False, compare=False)

    def row(self, indicator_id: str) -> dict:
        """The figures of one indicator as a dict (IndexError for an id not in the table). The
        row's place is looked up, not searched for in the whole table at every call."""
        if self._positions is None:
            self._positions = {}
            for position, key in enumerate(self.indicators["id"]):
                self._positions.setdefault(key, position)  # the first, as a search finds
        position = self._positions.get(indicator_id)
        if position is None:
            raise IndexError(f"no figures for indicator {indicator_id!r}")
        return self.indicators.iloc[position].to_dict()

    def as_json(self) -> dict:
        """The figures as plain JSON-ready data (for open-data export and attachments)."""
        table = self.indicators.drop(columns=["articles"]).astype(object)
        table = table.where(pd.notna(table), None)
        return {
            "period": self.period,
            "indicators": table.to_dict("records"),
            "status_counts": self.status_counts,
            "recommendations_by_status": self.recommendation_counts,
            "assessed_articles": self.assessed_articles,
        }


def _rollup(table: pd.DataFrame, key: str) -> pd.DataFrame:
    counts = pd.crosstab(table[key], table["status"]).reindex(columns=list(STATUSES), fill_value=0)
    counts["total"] = counts.sum(axis=1)
    return counts.reset_index()


def measure(dataset: model.Dataset, period: str) -> Figures:
    """All figures for `dataset` in the report `period`."""
    table = indicator_table(dataset, period)
    counts = {s: int((table["status"] == s).sum()) for s in STATUSES} if len(table) else {}
    mechanism = dataset.convention.mechanism
    recs = pd.Series([r.status for r in dataset.recommendations], dtype="object")
    rec_counts = {w.id: int((recs == w.id).sum()) for w in mechanism.recommendation_status}
    classes: dict[str, int] = {}
    for word in mechanism.recommendation_status:
        classes[word.class_] = classes.get(word.class_, 0) + rec_counts[word.id]
    assessed = sorted(
        {a.article for a in dataset.assessments if overlaps(a.period, period)},
        key=list(dataset.convention.articles()).index,
    )
    figures = Figures(
        period=period,
        indicators=table,
        status_counts=counts,
        recommendation_counts=rec_counts,
        recommendation_classes=classes,
        assessed_articles=assessed,
        by_part=_rollup(table, "part") if len(table) else pd.DataFrame(),
        by_institution=_rollup(table, "institution") if len(table) else pd.DataFrame(),
    )
    if dataset.policy_review:
        proposals = dataset.policy_review.proposals
        figures.proposal_counts = {
            s: sum(p.status == s for p in proposals)
            for s in ("draft", "under_review", "agreed", "rejected")
        }
        for proposal in proposals:
            part = _part_of(dataset, proposal.article)
            figures.proposal_groups[part] = figures.proposal_groups.get(part, 0) + 1
    return figures


__all__ = ["Figures", "measure", "progress", "expected_progress", "status"]
