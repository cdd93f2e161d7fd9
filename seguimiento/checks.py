"""Cross-checks between records: what no single record can know about itself.

Articles must exist in the convention, ids must be unique, institutions listed in committee.yaml,
status words taken from the convention's mechanism, values must fit the unit, periods must be in
order and inside the reporting range. Each problem is located in the file and line it comes from.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable
from urllib.parse import urlparse

from seguimiento import model
from seguimiento.model import period_key
from seguimiento.problems import PathKey, Problem
from seguimiento.yamlsource import Source

_ROMAN = ((50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


def _roman(number: int) -> str:
    """`28` → `XXVIII` (enough for article numbers)."""
    text = ""
    for value, letters in _ROMAN:
        while number >= value:
            text += letters
            number -= value
    return text


class _Checker:
    """Collects problems for one dataset."""

    def __init__(self, dataset: model.Dataset, convention: Source, sources: dict[str, Source]):
        self.data = dataset
        self.convention_source = convention
        self.sources = sources
        self.problems: list[Problem] = []
        self.articles = dataset.convention.articles()
        self.institutions = [i.id for i in dataset.committee.institutions]
        self.indicator_ids = {i.id for i in dataset.indicators}
        reporting = dataset.committee.reporting
        self.first = period_key(reporting.first)
        self.last = period_key(reporting.last)

    def error(self, file: str, path: PathKey, message: str) -> None:
        self.problems.append(self.sources[file].problem(path, message))

    def warn(self, file: str, path: PathKey, message: str) -> None:
        self.problems.append(self.sources[file].problem(path, message, warning=True))

    # ------------------------------------------------------------ shared checks

    def line(self, file: str, path: PathKey) -> int:
        """The line where `path` stands in `file`."""
        return self.sources[file].where(path)[0]

    def article(self, file: str, path: PathKey, article_id: str) -> None:
        if article_id in self.articles:
            return
        conv = self.data.convention
        name = conv.short_name.en
        # the same number in the other numbering: '3' → 'III' (IACAC), 'V' → '5' (UNCAC, CRPD)
        if conv.numbering == "roman":
            other, kind = {str(n): _roman(n) for n in range(1, 90)}, "Roman"
        else:
            other = {_roman(int(a)): a for a in self.articles if a.isdecimal()}
            kind = "Arabic"
        fix = other.get(article_id.upper(), article_id.upper())
        if fix in self.articles:
            hint = f"{name} articles are written in {kind} numerals: write '{fix}'"
        else:
            ids = list(self.articles)
            hint = f"{name} has articles {ids[0]} to {ids[-1]} (see conventions/{conv.id}.yaml)"
        self.error(file, path, f"article '{article_id}' does not exist in {name}; {hint}")

    def institution(self, file: str, path: PathKey, institution_id: str) -> None:
        if institution_id not in self.institutions:
            self.error(
                file,
                path,
                f"institution '{institution_id}' is not listed under 'institutions' in "
                f"committee.yaml; add it there or use one of: {', '.join(self.institutions)}",
            )

    def period(self, file: str, path: PathKey, text: str) -> None:
        key = period_key(text)
        if key.start < self.first.start or key.end > self.last.end:
            reporting = self.data.committee.reporting
            self.error(
                file,
                path,
                f"period '{text}' is outside the reporting range {reporting.first}–"
                f"{reporting.last} set in committee.yaml; correct the period or widen the range",
            )

    def indicator_ref(self, file: str, path: PathKey, indicator_id: str) -> None:
        if indicator_id not in self.indicator_ids:
            close = difflib.get_close_matches(indicator_id, sorted(self.indicator_ids), n=1)
            hint = f"did you mean '{close[0]}'?" if close else "check its id there"
            self.error(
                file, path, f"indicator '{indicator_id}' does not exist in indicators.yaml; {hint}"
            )

    def evidence(self, file: str, path: PathKey, items: Iterable[model.Evidence]) -> None:
        for index, item in enumerate(items):
            if item.url and urlparse(item.url).scheme not in ("http", "https"):
                self.error(
                    file,
                    path + (index, "url"),
                    f"link '{item.url[:60]}' must start with https:// or http://",
                )

    def unique(self, file: str, path: PathKey, ids: list[str], what: str) -> None:
        first: dict[str, int] = {}
        for index, value in enumerate(ids):
            if value in first:
                line = self.line(file, path + (first[value], "id"))
                self.error(
                    file,
                    path + (index, "id"),
                    f"duplicate {what} '{value}' (first used at line {line}); ids must be unique: "
                    "rename one",
                )
            else:
                first[value] = index

    def status(self, file: str, path: PathKey, value: str, words: list[model.StatusWord]) -> None:
        allowed = [w.id for w in words]
        if value not in allowed:
            self.error(
                file,
                path,
                f"status '{value}' is not in the vocabulary of "
                f"{self.data.convention.mechanism.id}; use one of: {', '.join(allowed)}",
            )

    def english(self, file: str, path: PathKey, text: model.LocalText | None) -> int:
        return 1 if text is not None and not text.en else 0

    # ------------------------------------------------------------ per file

    def committee(self) -> None:
        file = "committee.yaml"
        committee = self.data.committee
        self.unique(file, ("institutions",), [i.id for i in committee.institutions], "institution")
        self.institution(file, ("secretariat",), committee.secretariat)
        if self.first > self.last:
            self.error(file, ("reporting", "last"), "the last period comes before the first")

    def value(self, path: PathKey, indicator: model.Indicator, value: object) -> None:
        file = "indicators.yaml"
        unit = indicator.unit
        if value is None:
            return
        if unit == "boolean":
            if not isinstance(value, bool):
                self.error(file, path, f"unit is boolean: write true or false, not {value!r}")
            return
        if isinstance(value, bool):
            word = str(value).lower()
            self.error(
                file,
                path,
                f"unit is {unit}: write a number, not {word} (yes/no and on/off also mean "
                "true/false in YAML)",
            )
            return
        number = float(value)  # type: ignore[arg-type]
        if not math.isfinite(number):
            self.error(file, path, f"{value} (.inf or .nan) is not a figure; write the number")
            return
        if unit == "percent" and not 0 <= number <= 100:
            self.error(file, path, f"{value} is not a percentage; unit percent takes 0 to 100")
        elif unit == "count" and (number < 0 or number != int(number)):
            self.error(file, path, f"{value} is not a count; unit count takes whole numbers ≥ 0")
        elif (unit in ("days",) or unit.startswith("currency:")) and number < 0:
            self.error(file, path, f"{value} is negative; unit {unit} takes 0 or more")
        elif indicator.range and not indicator.range[0] <= number <= indicator.range[1]:
            low, high = indicator.range
            self.error(file, path, f"{value} is outside the indicator's range {low:g} to {high:g}")

    def indicators(self) -> None:
        file = "indicators.yaml"
        self.unique(file, ("indicators",), [i.id for i in self.data.indicators], "indicator id")
        for index, ind in enumerate(self.data.indicators):
            here: PathKey = ("indicators", index)
            for position, article in enumerate(ind.articles):
                self.article(file, here + ("articles", position), article)
            self.institution(file, here + ("institution",), ind.institution)
            if ind.range and ind.range[0] >= ind.range[1]:
                self.error(file, here + ("range",), "range must be [lowest, highest]")
            for name, point in (("baseline", ind.baseline), ("target", ind.target)):
                self.period(file, here + (name, "period"), point.period)
                self.value(here + (name, "value"), ind, point.value)
            if period_key(ind.baseline.period) >= period_key(ind.target.period):
                self.error(
                    file,
                    here + ("target", "period"),
                    f"target period '{ind.target.period}' must come after the baseline period "
                    f"'{ind.baseline.period}'; correct one of them",
                )
            self.direction(here, ind)
            previous: model.Observation | None = None
            for position, obs in enumerate(ind.values):
                at = here + ("values", position)
                self.period(file, at + ("period",), obs.period)
                self.value(at + ("value",), ind, obs.value)
                if previous is not None:
                    before, now = period_key(previous.period), period_key(obs.period)
                    if now.kind != before.kind:
                        self.error(
                            file,
                            at + ("period",),
                            f"period '{obs.period}' mixes kinds with '{previous.period}'; use "
                            "years, half-years or quarters throughout one indicator",
                        )
                    elif now == before:
                        line = self.line(file, at[:-1] + (position - 1, "period"))
                        self.error(
                            file,
                            at + ("period",),
                            f"period '{obs.period}' already has a value (line {line}); keep one",
                        )
                    elif now < before:
                        self.error(
                            file,
                            at + ("period",),
                            f"period '{obs.period}' is listed after '{previous.period}'; keep "
                            "values in chronological order, oldest first",
                        )
                previous = obs
                if obs.value is None and obs.note is None:
                    self.warn(
                        file, at + ("value",), "no value and no note; say why the value is missing"
                    )

    def direction(self, here: PathKey, ind: model.Indicator) -> None:
        base, goal = ind.baseline.value, ind.target.value
        if isinstance(base, bool) or isinstance(goal, bool) or ind.unit == "boolean":
            return
        if (ind.direction == "increase" and goal < base) or (
            ind.direction == "decrease" and goal > base
        ):
            self.error(
                "indicators.yaml",
                here + ("direction",),
                f"direction is {ind.direction} but the target ({goal:g}) is on the other side of "
                f"the baseline ({base:g}); fix the direction or the target",
            )

    def assessments(self) -> None:
        file = "assessments.yaml"
        words = self.data.convention.mechanism.assessment_status
        seen: dict[tuple[str, str], int] = {}
        for index, item in enumerate(self.data.assessments):
            here: PathKey = ("assessments", index)
            self.article(file, here + ("article",), item.article)
            self.period(file, here + ("period",), item.period)
            self.status(file, here + ("status",), item.status, words)
            self.evidence(file, here + ("evidence",), item.evidence)
            key = (item.article, item.period)
            if key in seen:
                self.error(
                    file,
                    here + ("article",),
                    f"article {item.article} already has an assessment for {item.period} "
                    f"(line {self.line(file, ('assessments', seen[key]))}); merge them",
                )
            seen[key] = index

    def recommendations(self) -> None:
        file = "recommendations.yaml"
        mechanism = self.data.convention.mechanism
        rounds = {r.id for r in mechanism.rounds}
        items = self.data.recommendations
        self.unique(file, ("recommendations",), [r.id for r in items], "recommendation id")
        for index, rec in enumerate(items):
            here: PathKey = ("recommendations", index)
            if rec.mechanism != mechanism.id:
                self.error(
                    file,
                    here + ("mechanism",),
                    f"mechanism '{rec.mechanism}' is not this convention's; use '{mechanism.id}'",
                )
            if rec.round not in rounds:
                self.error(
                    file,
                    here + ("round",),
                    f"round '{rec.round}' does not exist; use one of: {', '.join(sorted(rounds))}",
                )
            for position, article in enumerate(rec.articles):
                self.article(file, here + ("articles", position), article)
            for position, institution in enumerate(rec.institutions):
                self.institution(file, here + ("institutions", position), institution)
            for position, indicator in enumerate(rec.indicators):
                self.indicator_ref(file, here + ("indicators", position), indicator)
            self.status(file, here + ("status",), rec.status, mechanism.recommendation_status)
            self.evidence(file, here + ("evidence",), rec.evidence)

    def policy_review(self) -> None:
        review = self.data.policy_review
        if review is None:
            return
        file = "policy-review.yaml"
        observations = self.data.convention.mechanism.observations
        listed = observations.paragraphs if observations else []
        paragraphs = {p.id for p in listed}
        seen: dict[str, int] = {}
        for index, proposal in enumerate(review.proposals):
            here: PathKey = ("proposals", index)
            self.article(file, here + ("article",), proposal.article)
            if proposal.article in seen:
                self.error(
                    file,
                    here + ("article",),
                    f"article {proposal.article} already has a proposal (line "
                    f"{self.line(file, ('proposals', seen[proposal.article]))}); merge them",
                )
            seen[proposal.article] = index
            for position, paragraph in enumerate(proposal.observations):
                if paragraph not in paragraphs:
                    document = observations.document if observations else "concluding observations"
                    near = [p.id for p in listed if proposal.article in p.articles]
                    hint = f" (on article {proposal.article}: {', '.join(near)})" if near else ""
                    self.error(
                        file,
                        here + ("observations", position),
                        f"paragraph '{paragraph}' of {document} is not listed in "
                        f"conventions/{self.data.convention.id}.yaml; use a listed paragraph{hint}",
                    )
            for position, indicator in enumerate(proposal.indicators):
                self.indicator_ref(file, here + ("indicators", position), indicator)
            for position, institution in enumerate(proposal.institutions):
                self.institution(file, here + ("institutions", position), institution)
            self.institution(file, here + ("lead",), proposal.lead)
            change = proposal.change
            needs = {
                "insert": ("text",),
                "replace": ("current_text", "text"),
                "delete": ("current_text",),
            }
            for key in needs[change.action]:
                if getattr(change, key) is None:
                    self.error(
                        file,
                        here + ("change",),
                        f"a '{change.action}' change needs '{key}' ({_NEEDS[key]}); add it",
                    )

    def convention(self) -> list[Problem]:
        source = self.convention_source
        conv = self.data.convention
        found: list[Problem] = []
        seen: set[str] = set()
        for p_index, part in enumerate(conv.parts):
            for a_index, article in enumerate(part.articles):
                if article.id in seen:
                    path = ("parts", p_index, "articles", a_index, "id")
                    found.append(source.problem(path, f"article '{article.id}' is listed twice"))
                seen.add(article.id)
        part_ids = {p.id for p in conv.parts}
        for r_index, round_ in enumerate(conv.mechanism.rounds):
            for position, part in enumerate(round_.parts):
                if part not in part_ids:
                    path = ("mechanism", "rounds", r_index, "parts", position)
                    found.append(source.problem(path, f"part '{part}' does not exist"))
            for position, article in enumerate(round_.articles):
                if article not in seen:
                    path = ("mechanism", "rounds", r_index, "articles", position)
                    found.append(source.problem(path, f"article '{article}' does not exist"))
        return found


_NEEDS = {"current_text": "the policy text it changes", "text": "the new text"}


def check_dataset(
    dataset: model.Dataset, convention: Source, sources: dict[str, Source]
) -> list[Problem]:
    """Every cross-record problem of one convention's data (errors and warnings)."""
    checker = _Checker(dataset, convention, sources)
    found = checker.convention()
    checker.committee()
    checker.indicators()
    checker.assessments()
    checker.recommendations()
    checker.policy_review()
    return found + checker.problems
