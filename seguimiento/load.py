"""Load conventions/ and indicators/ into validated `Dataset`s, reporting every problem at once.

Flow: each file is read by `yamlsource.read_yaml` (positions kept), validated against its pydantic
record (`model.py`), then the records are cross-checked (`checks.py`). All problems of all files are
collected; `load_project` raises `DataError` with the whole list, never a traceback.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from seguimiento import model
from seguimiento.checks import check_dataset
from seguimiento.problems import Problem, Problems
from seguimiento.yamlsource import Source, read_yaml

CONVENTIONS = ("uncac", "iacac", "crpd")

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


def _message(error: dict[str, Any]) -> tuple[str, bool]:
    """A readable message for one pydantic error, and whether it concerns the key itself."""
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        close = difflib.get_close_matches(key, _FIELD_NAMES, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else "; remove it or fix its spelling"
        return f"unknown key '{key}'{hint}", True
    if kind == "missing":
        return f"required key '{loc[-1]}' is missing; add it", False
    text = str(error["msg"])
    text = text.removeprefix("Value error, ")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        text = "expected a date written YYYY-MM-DD"
    elif kind.startswith(("float", "int")):
        text = f"expected a number, got {error.get('input')!r}"
    elif kind in ("model_type", "dict_type"):
        text = "expected a block of 'key: value' lines here"
    elif kind == "list_type":
        text = "expected a list ('- item' lines or [a, b])"
    elif kind in ("string_type",):
        text = f"expected text, got {error.get('input')!r}"
    elif kind == "literal_error":
        text = text.replace("Input should be", "must be") + f" (got {error.get('input')!r})"
    elif kind == "too_short":
        text = "must not be empty"
    elif kind == "bool_type":
        text = f"expected true or false, got {error.get('input')!r}"
    return text[:1].lower() + text[1:], False


def validate(source: Source, record: type[BaseModel]) -> BaseModel | None:
    """Validate parsed data against a record type; problems go to `source.problems`."""
    if source.problems:
        return None
    if not isinstance(source.data, dict):
        source.problems.append(
            source.problem((), "expected 'key: value' lines at the top of the file")
        )
        return None
    try:
        return record.model_validate(source.data)
    except ValidationError as error:
        seen: set[tuple[Any, ...]] = set()
        for item in error.errors():
            loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and "[" in p))
            if loc in seen:
                continue
            seen.add(loc)
            message, on_key = _message(item)
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
        files=tuple(sorted(str(p) for p in [convention_path, *(folder / n for n in sources)])),
    )
    found = check_dataset(dataset, convention_source, sources)
    problems.extend(found)
    if any(p.severity == "error" for p in found):
        return None
    return dataset


def find_root(start: Path | None = None) -> Path:
    """The project folder: the first of `start`, the current folder and the code's folder that
    holds a conventions/ folder."""
    candidates = [start] if start else []
    candidates += [Path.cwd(), Path(__file__).resolve().parent.parent]
    for candidate in candidates:
        if candidate and (candidate / "conventions").is_dir():
            return candidate
    return candidates[0] if candidates else Path.cwd()


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
