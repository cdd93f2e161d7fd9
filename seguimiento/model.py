"""Typed records of the data (pydantic v2): what a convention is and what the committee knows.

Every model forbids unknown keys, so a misspelt key is an error instead of a silently lost value.
Structural checks (types, vocabularies that never change) live here; checks that need more than one
record (an article that must exist, an institution that must be listed, a value that must fit the
indicator's unit) live in `load.py`, which knows where each value came from.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import total_ordering
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
PERIOD_RE = re.compile(r"^(?P<year>\d{4})(?:-(?P<kind>[SQ])(?P<part>\d))?$")
INSTITUTION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
LANGUAGES = ("es", "en")


class Strict(BaseModel):
    """Base of every record: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


# ---------------------------------------------------------------- small value types


def _to_text_mapping(value: Any) -> Any:
    """A plain string is Spanish text; a mapping is {es, en}."""
    if isinstance(value, str):
        return {"es": value}
    return value


class LocalText(Strict):
    """A text in Spanish (required) and English (optional; falls back to Spanish)."""

    es: str = Field(min_length=1)
    en: str | None = None

    def get(self, lang: str) -> str:
        """The text in `lang`, or the Spanish text when that language is missing."""
        if lang == "en" and self.en:
            return self.en
        return self.es


Text = Annotated[
    LocalText, BeforeValidator(_to_text_mapping, json_schema_input_type=str | LocalText)
]


def _to_str(value: Any) -> Any:
    """Numbers typed without quotes (2024, 5) are read as their text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    return value


def _check_period(value: Any) -> Any:
    value = _to_str(value)
    if isinstance(value, str):
        match = PERIOD_RE.match(value)
        if not match:
            raise ValueError(
                f"'{value}' is not a period; write a year '2024', a half-year '2024-S1' "
                "or a quarter '2024-Q3'"
            )
        kind, part = match["kind"], match["part"]
        if kind == "S" and part not in "12":
            raise ValueError(f"'{value}': a half-year is S1 or S2")
        if kind == "Q" and part not in "1234":
            raise ValueError(f"'{value}': a quarter is Q1 to Q4")
    return value


def _check_slug(value: Any) -> Any:
    value = _to_str(value)
    if isinstance(value, str) and not SLUG_RE.match(value):
        raise ValueError(
            f"'{value}' is not a valid id; use lowercase letters, digits and hyphens "
            "(at most 64, no spaces, slashes or accents)"
        )
    return value


def _check_institution(value: Any) -> Any:
    if isinstance(value, str) and not INSTITUTION_RE.match(value):
        raise ValueError(
            f"'{value}' is not a valid institution id; use its short name (letters, digits, "
            "'-', '_' or '.'), as listed in committee.yaml"
        )
    return value


def _to_list(value: Any) -> Any:
    """A single value where a list is expected is read as a list of one."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        return [value]
    return value


Period = Annotated[
    str,
    BeforeValidator(_check_period, json_schema_input_type=str | int),
    Field(pattern=r"^\d{4}(-S[12]|-Q[1-4])?$"),
]
Slug = Annotated[str, BeforeValidator(_check_slug), Field(pattern=SLUG_RE.pattern)]
ArticleId = Annotated[str, BeforeValidator(_to_str, json_schema_input_type=str | int)]
InstitutionId = Annotated[str, BeforeValidator(_check_institution)]
ArticleList = Annotated[
    list[ArticleId],
    BeforeValidator(_to_list, json_schema_input_type=list[str | int] | str | int),
    Field(min_length=1),
]


@total_ordering
class PeriodKey:
    """A comparable period: '2024' < '2024-S2' ends later; ordered by start, then by length."""

    def __init__(self, text: str) -> None:
        match = PERIOD_RE.match(text)
        if not match:
            raise ValueError(f"not a period: {text!r}")
        self.text = text
        year = int(match["year"])
        kind = match["kind"] or "Y"
        part = int(match["part"] or 1)
        months = {"Y": 12, "S": 6, "Q": 3}[kind]
        self.kind = kind
        self.start = year * 12 + (part - 1) * months
        self.end = self.start + months

    def _tuple(self) -> tuple[int, int]:
        return (self.start, self.end)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PeriodKey) and self._tuple() == other._tuple()

    def __lt__(self, other: PeriodKey) -> bool:
        return self._tuple() < other._tuple()

    def __hash__(self) -> int:
        return hash(self._tuple())

    def __repr__(self) -> str:
        return f"PeriodKey({self.text!r})"


def period_key(text: str) -> PeriodKey:
    """The comparable form of a period text."""
    return PeriodKey(text)


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


class Dataset(BaseModel):
    """Everything known about one convention, validated and cross-checked."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    convention: Convention
    committee: Committee
    indicators: list[Indicator]
    assessments: list[Assessment]
    recommendations: list[Recommendation]
    policy_review: PolicyReview | None = None
    files: tuple[str, ...] = ()

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
