"""What the data covers and what it lacks, in plain Python (no pandas: `check` must answer fast).

Used by `check` for its summary and by the reports for the data-gaps section: the period a report
is about, which indicators have no value for it, which articles have indicators or
recommendations but no assessment.
"""

from __future__ import annotations

from dataclasses import dataclass

from seguimiento import model
from seguimiento.model import period_key


def report_period(dataset: model.Dataset) -> str | None:
    """The default period of a report: the latest year with any value or assessment."""
    periods = dataset.periods()
    if not periods:
        return None
    return str(max(period_key(p).start // 12 for p in periods))


def within(period: str, report: str) -> bool:
    """True when `period` ends no later than the report period ends."""
    return period_key(period).end <= period_key(report).end


def overlaps(period: str, report: str) -> bool:
    """True when `period` falls inside the report period (a 2025-S2 value counts for 2025)."""
    inner, outer = period_key(period), period_key(report)
    return outer.start <= inner.start and inner.end <= outer.end


def value_in(indicator: model.Indicator, report: str) -> model.Observation | None:
    """The latest observation with a value that falls inside the report period, if any."""
    found = [o for o in indicator.values if o.value is not None and overlaps(o.period, report)]
    return found[-1] if found else None


@dataclass(frozen=True)
class Coverage:
    """Counts for a convention and a report period."""

    period: str | None
    periods: list[str]
    indicators: int
    by_type: dict[str, int]
    reported: int
    missing: list[str]
    articles_total: int
    articles_with_indicators: int
    articles_assessed: int
    unassessed: list[str]
    recommendations: int
    proposals: int


def coverage(dataset: model.Dataset, period: str | None = None) -> Coverage:
    """Coverage of `dataset` for `period` (the default report period when None)."""
    period = period or report_period(dataset)
    by_type: dict[str, int] = {"structural": 0, "process": 0, "outcome": 0}
    for indicator in dataset.indicators:
        by_type[indicator.type] += 1
    missing = [i.id for i in dataset.indicators if period is None or value_in(i, period) is None]
    articles = dataset.convention.articles()
    with_indicators = {a for i in dataset.indicators for a in i.articles}
    followed = with_indicators | {a for r in dataset.recommendations for a in r.articles}
    assessed_now = {
        a.article for a in dataset.assessments if period is not None and a.period == period
    }
    unassessed = [a for a in articles if a in followed and a not in assessed_now]
    return Coverage(
        period=period,
        periods=dataset.periods(),
        indicators=len(dataset.indicators),
        by_type=by_type,
        reported=len(dataset.indicators) - len(missing),
        missing=missing,
        articles_total=len(articles),
        articles_with_indicators=len(with_indicators),
        articles_assessed=len(assessed_now),
        unassessed=unassessed,
        recommendations=len(dataset.recommendations),
        proposals=len(dataset.policy_review.proposals) if dataset.policy_review else 0,
    )
