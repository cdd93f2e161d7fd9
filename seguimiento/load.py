"""Load conventions/ and indicators/ into validated `Dataset`s, reporting every problem at once.

Flow: each file is read by `yamlsource.read_yaml` (positions kept), validated against its pydantic
record (`model.py`), then the records are cross-checked (`checks.py`). All problems of all files are
collected; `load_project` raises `DataError` with the whole list, never a traceback.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from seguimiento import model
from seguimiento.checks import check_dataset
from seguimiento.problems import Problem, Problems
from seguimiento.project import CONVENTIONS, find_root  # noqa: F401 - re-exported
from seguimiento.yamlsource import Source, read_yaml

# file name in indicators/<convention>/ → (record type, required)
DATA_FILES: dict[str, tuple[type[BaseModel], bool]] = {
    "committee.yaml": (model.Committee, True),
    "indicators.yaml": (model.IndicatorsFile, True),
    "assessments.yaml": (model.AssessmentsFile, True),
    "recommendations.yaml": (model.RecommendationsFile, True),
    "policy-review.yaml": (model.PolicyReview, False),
}


def _all_field_names() -> set[str]:
    names: set[str] = set()
    for value in vars(model).values():
        if isinstance(value, type) and issubclass(value, BaseModel):
            for name, info in value.model_fields.items():
                names.add(info.alias or name)
    return names


_FIELD_NAMES = _all_field_names()
# What pydantic appends to a location to say which member of a union failed (`value: int | float`).
_UNION_TAGS = {"bool", "int", "float", "str", "none"} - _FIELD_NAMES


def _unwrap(annotation: Any) -> Any:
    """The model or list inside `Annotated[...]` and `X | None`."""
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            members = [a for a in get_args(annotation) if a is not type(None)]
            structured = [a for a in members if get_origin(a) is list or _is_model(a)]
            annotation = (structured or members)[0]
        else:
            return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _keys_at(record: type[BaseModel], loc: tuple[Any, ...]) -> list[str] | None:
    """The keys allowed in the block at `loc` of a `record` file, or None when unknown."""
    current: Any = record
    for part in loc:
        current = _unwrap(current)
        if isinstance(part, int) and get_origin(current) is list:
            current = get_args(current)[0]
        elif _is_model(current):
            fields = {info.alias or name: info for name, info in current.model_fields.items()}
            if part not in fields:
                return None
            current = fields[part].annotation
        else:
            return None
    current = _unwrap(current)
    if not _is_model(current):
        return None
    return [info.alias or name for name, info in current.model_fields.items()]


def _unknown_key(key: str, allowed: list[str] | None) -> tuple[str, str | None]:
    """The message for an unknown key, and the key it probably stands for."""
    close = difflib.get_close_matches(key, allowed or sorted(_FIELD_NAMES), n=1)
    if close:
        return f"unknown key '{key}'; did you mean '{close[0]}'?", close[0]
    if allowed:
        return f"unknown key '{key}'; remove it or use one of: {', '.join(allowed)}", None
    return f"unknown key '{key}'; remove it or fix its spelling", None


def _message(error: dict[str, Any], kinds: set[str]) -> str:
    """A readable message for one pydantic error; `kinds` are the error types at the same place
    (several when a value fits none of the members of a union such as `bool | int | float`)."""
    kind = error["type"]
    loc = error["loc"]
    got = error.get("input")
    if kind == "missing":
        return f"required key '{loc[-1]}' is missing; add it"
    text = str(error["msg"])
    text = text.removeprefix("Value error, ")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        text = f"expected a date written YYYY-MM-DD, got {got!r}"
    elif any(k.startswith(("float", "int")) for k in kinds):
        extra = (
            " (or true/false for a boolean indicator)" if any("bool" in k for k in kinds) else ""
        )
        text = f"expected a number{extra}, got {got!r}"
    elif kind in ("model_type", "dict_type"):
        text = "expected a block of 'key: value' lines here"
    elif kind == "list_type":
        text = "expected a list ('- item' lines or [a, b])"
    elif kind in ("string_type",):
        text = f"expected text, got {got!r}"
    elif kind == "literal_error":
        text = text.replace("Input should be", "must be") + f" (got {got!r})"
    elif kind == "too_short":
        text = "must not be empty"
    elif kind == "bool_type" or kind == "bool_parsing":
        text = f"expected true or false, got {got!r}"
    return text[:1].lower() + text[1:]


def _describe(data: Any) -> str:
    if isinstance(data, list):
        return "a list"
    if isinstance(data, str):
        return "a plain text"
    if isinstance(data, bool):
        return "true/false"
    return "a number" if isinstance(data, (int, float)) else "a single value"


_TAG_RE = re.compile(r"[a-z][a-z0-9_-]*\[.*\]")


def _clean_loc(loc: tuple[Any, ...]) -> tuple[Any, ...]:
    # pydantic adds validator tags such as "function-before[...]" to locations; data keys (which may
    # contain any character, even "[") are kept.
    parts = [p for p in loc if not (isinstance(p, str) and _TAG_RE.fullmatch(p))]
    while len(parts) > 1 and parts[-1] in _UNION_TAGS:
        parts.pop()
    return tuple(parts)


def validate(source: Source, record: type[BaseModel]) -> BaseModel | None:
    """Validate parsed data against a record type; problems go to `source.problems`."""
    if source.problems:
        return None
    if not isinstance(source.data, dict):
        first = next(iter(record.model_fields))
        message = (
            f"expected 'key: value' lines at the top of the file, starting with '{first}:'; "
            f"found {_describe(source.data)}; see docs/data-format.md for the layout"
        )
        source.problems.append(source.problem((), message))
        return None
    try:
        return record.model_validate(source.data)
    except ValidationError as error:
        errors = error.errors()
    by_loc: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for item in errors:
        by_loc.setdefault(_clean_loc(item["loc"]), []).append(item)
    meant: set[tuple[Any, ...]] = set()  # keys that an unknown key probably misspells
    found: list[tuple[tuple[Any, ...], str, bool]] = []
    for loc, items in by_loc.items():
        if items[0]["type"] == "extra_forbidden":
            message, close = _unknown_key(str(loc[-1]), _keys_at(record, loc[:-1]))
            if close:
                meant.add(loc[:-1] + (close,))
            found.append((loc, message, True))
        else:
            found.append((loc, _message(items[0], {i["type"] for i in items}), False))
    for loc, message, on_key in found:
        if loc in meant and by_loc[loc][0]["type"] == "missing":
            continue
        source.problems.append(source.problem(loc, message, key=on_key))
    return None


@dataclass
class Project:
    """Where the data lives: `root` holds conventions/ and indicators/."""

    root: Path
    sources: dict[str, Source] = field(default_factory=dict)

    def display(self, path: Path) -> str:
        """The path as shown in messages (relative to the current folder when possible)."""
        try:
            return str(path.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            return str(path)

    def read(self, path: Path) -> Source:
        """Read and remember one file."""
        source = read_yaml(path, self.display(path))
        self.sources[source.display] = source
        return source


def load_convention(
    project: Project, convention_id: str, problems: Problems
) -> model.Dataset | None:
    """Load and check one convention's files; None when any of them has errors."""
    root = project.root
    convention_path = root / "conventions" / f"{convention_id}.yaml"
    if not convention_path.exists():
        problems.add(Problem(project.display(convention_path), 1, 1, "(file)", "file not found"))
        return None
    convention_source = project.read(convention_path)
    convention = validate(convention_source, model.Convention)
    records: dict[str, Any] = {}
    sources: dict[str, Source] = {}
    folder = root / "indicators" / convention_id
    for name, (record_type, required) in DATA_FILES.items():
        path = folder / name
        if not path.exists():
            if required:
                problems.add(
                    Problem(
                        project.display(path),
                        1,
                        1,
                        "(file)",
                        "file not found; create it (see docs/data-format.md)",
                    )
                )
            continue
        source = project.read(path)
        sources[name] = source
        records[name] = validate(source, record_type)
    reviews: list[model.ReviewRecord] = []
    review_files = sorted((folder / "reviews").glob("*.yaml")) if folder.is_dir() else []
    for path in review_files:
        source = project.read(path)
        sources[f"reviews/{path.name}"] = source
        parsed = validate(source, model.ReviewsFile)
        records[f"reviews/{path.name}"] = parsed
        if parsed is not None:
            reviews.extend(parsed.items)
    for source in [convention_source, *sources.values()]:
        problems.extend(source.problems)
    if (
        convention is None
        or any(records.get(name) is None for name in sources)
        or any(required and name not in sources for name, (_, required) in DATA_FILES.items())
    ):
        return None
    dataset = model.Dataset(
        convention=convention,
        committee=records["committee.yaml"],
        indicators=records["indicators.yaml"].indicators,
        assessments=records["assessments.yaml"].assessments,
        recommendations=records["recommendations.yaml"].recommendations,
        policy_review=records.get("policy-review.yaml"),
        reviews=reviews,
        files=tuple(sorted(str(p) for p in [convention_path, *(folder / n for n in sources)])),
        where=_narrative_places(sources),
    )
    found = check_dataset(dataset, convention_source, sources)
    problems.extend(found)
    if any(p.severity == "error" for p in found):
        return None
    return dataset


NARRATIVE = {"description", "advances", "challenges", "measures", "current_policy", "gap"}
NARRATIVE |= {"justification"}


def _narrative_places(sources: dict[str, Source]) -> dict[str, str]:
    """'assessments[3].advances' → 'file:line:col' for every narrative (Markdown) text."""
    from seguimiento.problems import format_path

    places: dict[str, str] = {}
    for source in sources.values():
        for path, (line, col) in source.values.items():
            if path and path[-1] in NARRATIVE:
                places[format_path(path)] = f"{source.display}:{line}:{col}"
    return places


def load_project(
    root: Path, conventions: list[str] | None = None
) -> tuple[dict[str, model.Dataset], Problems]:
    """Load the given conventions (all by default): the datasets without errors, and every
    problem found (errors and warnings) in all files."""
    project = Project(root)
    problems = Problems()
    datasets: dict[str, model.Dataset] = {}
    for convention_id in conventions or list(CONVENTIONS):
        dataset = load_convention(project, convention_id, problems)
        if dataset is not None:
            datasets[convention_id] = dataset
    return datasets, problems
