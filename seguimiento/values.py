"""Value types of the data: texts in two languages, periods, ids, and the base of every record.

Each type validates itself and says what to write instead when a value is wrong ("'2024/1' is not
a period; write a year '2024', a half-year '2024-S1' or a quarter '2024-Q3'").
"""

from __future__ import annotations

import re
from functools import total_ordering
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

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


def check_period(value: Any) -> Any:
    """The period text, or ValueError saying how to write a period."""
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
    BeforeValidator(check_period, json_schema_input_type=str | int),
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
