"""Typed records of the data (pydantic v2): what a convention is and what the committee knows.

Every model forbids unknown keys, so a misspelt key is an error instead of a silently lost value.
Structural checks (types, vocabularies that never change) live here; checks that need more than one
record (an article that must exist, an institution that must be listed, a value that must fit the
indicator's unit) live in `load.py`, which knows where each value came from.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from seguimiento.values import (  # noqa: F401 - re-exported: model is the public face
    INSTITUTION_RE,
    LANGUAGES,
    PERIOD_RE,
    SLUG_RE,
    ArticleId,
    ArticleList,
    InstitutionId,
    LocalText,
    Period,
    PeriodKey,
    Slug,
    Strict,
    Text,
    period_key,
)

# ---------------------------------------------------------------- conventions/


class ArticleRecord(Strict):
    """One article of a convention."""

    id: ArticleId
    title: Text


class Part(Strict):
    """A chapter (UNCAC) or group of articles (IACAC, CRPD)."""

    id: str
    title: Text
    articles: list[ArticleRecord] = Field(min_length=1)


class Ratification(Strict):
    """When the country became party."""

    country: str
    date: dt.date
    note: Text | None = None


class ReviewDocument(Strict):
    """A document of the review mechanism about the country."""

    symbol: str
    title: Text
    date: dt.date | None = None


class Round(Strict):
    """A review round or cycle of the mechanism."""

    id: str
    name: Text
    years: str | None = None
    parts: list[str] = []
    provisions: list[str] = []
    articles: list[ArticleId] = []
    documents: list[ReviewDocument] = []
    note: Text | None = None


class ObservationParagraph(Strict):
    """A paragraph of concluding observations."""

    id: str
    articles: list[ArticleId] = []
    summary: Text


class Observations(Strict):
    """The concluding observations document and its paragraphs."""

    document: str
    paragraphs: list[ObservationParagraph]


class StatusWord(Strict):
    """An entry of a status vocabulary; `class_` groups words across conventions."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: Slug | str
    class_: str = Field(alias="class")
    label: Text


class AssessmentStatus(StatusWord):
    """Qualitative status of an article: class good | partial | poor."""

    class_: Literal["good", "partial", "poor"] = Field(alias="class")


class RecommendationStatus(StatusWord):
    """Follow-up status of a recommendation: class done | progress | pending | closed."""

    class_: Literal["done", "progress", "pending", "closed"] = Field(alias="class")


class Mechanism(Strict):
    """The convention's review mechanism and its vocabularies."""

    id: Slug
    name: Text
    short_name: Text
    round_label: Text
    rounds: list[Round] = Field(min_length=1)
    observations: Observations | None = None
    assessment_status: list[AssessmentStatus] = Field(min_length=1)
    recommendation_status: list[RecommendationStatus] = Field(min_length=1)


class SourceRef(Strict):
    """A public source cited by the convention file."""

    id: str
    title: str
    url: str | None = None


class Convention(Strict):
    """What a convention is: its parts, articles and review mechanism."""

    id: Slug
    name: Text
    short_name: Text
    adopted: dt.date
    entry_into_force: dt.date
    ratification: Ratification
    numbering: Literal["arabic", "roman"]
    parts_are: Literal["chapters", "groups"]
    parts: list[Part] = Field(min_length=1)
    mechanism: Mechanism
    sources: list[SourceRef] = []

    def articles(self) -> dict[str, tuple[Part, ArticleRecord]]:
        """Every article by id, with the part it belongs to, in convention order."""
        return {a.id: (p, a) for p in self.parts for a in p.articles}


# ---------------------------------------------------------------- indicators/<convention>/


class Institution(Strict):
    """A responsible or concerned institution."""

    id: InstitutionId
    name: Text


class ReportingRange(Strict):
    """The periods the committee reports on."""

    first: Period
    last: Period


class Committee(Strict):
    """committee.yaml: who keeps the follow-up."""

    committee: Text
    country: str = "Guatemala"
    secretariat: InstitutionId
    reporting: ReportingRange
    institutions: list[Institution] = Field(min_length=1)


Value = bool | int | float | None


class Point(Strict):
    """A baseline or target: a period and a value."""

    period: Period
    value: bool | int | float


class Observation(Strict):
    """One reported value of an indicator."""

    period: Period
    value: Value
    source: Text | None = None
    note: Text | None = None
    disaggregation: dict[str, int | float] | None = None


UNITS = ("percent", "count", "days", "index", "boolean")


class Indicator(Strict):
    """A quantitative indicator (structural, process or outcome, after the OHCHR framework)."""

    id: Slug
    name: Text
    description: Text | None = None
    articles: ArticleList
    type: Literal["structural", "process", "outcome"]
    unit: str
    range: tuple[float, float] | None = None
    direction: Literal["increase", "decrease"] = "increase"
    institution: InstitutionId
    source: Text
    illustrative: bool = False
    baseline: Point
    target: Point
    values: list[Observation] = []

    @field_validator("unit")
    @classmethod
    def _unit(cls, value: str) -> str:
        if value in UNITS or re.fullmatch(r"currency:[A-Z]{3}", value):
            return value
        raise ValueError(
            f"unknown unit '{value}'; use one of percent, count, currency:GTQ, days, index, boolean"
        )


class Evidence(Strict):
    """A document that supports an assessment or a measure."""

    title: Text
    url: str | None = None
    date: dt.date | None = None


class Assessment(Strict):
    """The committee's qualitative judgement of one article in one period."""

    article: ArticleId
    period: Period
    status: str
    advances: Text | None = None
    challenges: Text | None = None
    evidence: list[Evidence] = []
    validated_by: Text | None = None


class Recommendation(Strict):
    """A recommendation of the review mechanism and its follow-up."""

    id: Slug
    mechanism: str
    round: ArticleId
    document: str | None = None
    paragraph: ArticleId | None = None
    articles: ArticleList
    text: Text
    institutions: list[InstitutionId] = Field(min_length=1)
    status: str
    measures: Text | None = None
    evidence: list[Evidence] = []
    indicators: list[Slug] = []


class Change(Strict):
    """A proposed modification of the policy text."""

    action: Literal["insert", "replace", "delete"]
    current_text: Text | None = None
    text: Text | None = None
    summary: Text


class Comment(Strict):
    """A reviewer's comment on a proposal."""

    author: str = Field(min_length=1)
    date: dt.date
    text: str = Field(min_length=1)


class Proposal(Strict):
    """The review of one CRPD article against the national disability policy."""

    article: ArticleId
    current_policy: Text
    gap: Text
    change: Change
    justification: Text
    observations: list[ArticleId] = []
    indicators: list[Slug] = []
    institutions: list[InstitutionId] = Field(min_length=1)
    lead: InstitutionId
    status: Literal["draft", "under_review", "agreed", "rejected"]
    comments: list[Comment] = []


class PolicyInfo(Strict):
    """The policy under review."""

    title: Text
    author: str
    version: Text


class PolicyReview(Strict):
    """policy-review.yaml: the article-by-article review of the national disability policy."""

    policy: PolicyInfo
    proposals: list[Proposal] = Field(min_length=1)


class IndicatorsFile(Strict):
    """indicators.yaml."""

    indicators: list[Indicator] = []


class AssessmentsFile(Strict):
    """assessments.yaml."""

    assessments: list[Assessment] = []


class RecommendationsFile(Strict):
    """recommendations.yaml."""

    recommendations: list[Recommendation] = []


class ReviewRecord(Strict):
    """A reviewer's comment or tracked change imported from a DOCX draft (`review import`)."""

    id: str
    kind: Literal["comment", "insertion", "deletion"]
    status: Literal["open", "resolved"] = "open"
    report: str = "progress"
    lang: str = "es"
    anchor: str = ""
    section: str = ""
    author: str = ""
    date: dt.date | str = ""
    text: str = ""
    context: str = ""
    imported: dt.date | str = ""
    source: str = ""
    response: str | None = None


class ReviewsFile(Strict):
    """reviews/<period>.yaml: what reviewers said about the drafts of a period."""

    items: list[ReviewRecord] = []


class Dataset(BaseModel):
    """Everything known about one convention, validated and cross-checked."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    convention: Convention
    committee: Committee
    indicators: list[Indicator]
    assessments: list[Assessment]
    recommendations: list[Recommendation]
    policy_review: PolicyReview | None = None
    reviews: list[ReviewRecord] = []
    files: tuple[str, ...] = ()
    # Where narrative texts come from ("assessments[3].advances" → "path/file.yaml:41:5"), so
    # warnings about their content can name the file and line.
    where: dict[str, str] = {}

    def periods(self) -> list[str]:
        """Every period that has a value or an assessment, oldest first."""
        found = {o.period for i in self.indicators for o in i.values if o.value is not None}
        found |= {a.period for a in self.assessments}
        return sorted(found, key=period_key)

    def institution_name(self, institution_id: str, lang: str) -> str:
        """The full name of an institution in `lang`."""
        for institution in self.committee.institutions:
            if institution.id == institution_id:
                return institution.name.get(lang)
        return institution_id
