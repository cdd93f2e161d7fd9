"""Problems found in the data, as people read them: `file:line:col: key.path: message`.

A `Problem` is what a user can fix; `Problems` collects all of them so one run reports every problem
at once. Every module that validates data reports through this type; nothing here imports the rest
of the package.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

PathKey = tuple[str | int, ...]


def format_path(path: PathKey) -> str:
    """`('indicators', 3, 'baseline')` → `indicators[3].baseline`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text or "(file)"


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in one place. `line` and `col` are 1-based."""

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.file}:{self.line}:{self.col}: {self.path}: {prefix}{self.message}"


@dataclass
class Problems:
    """An ordered collection of problems (errors and warnings)."""

    items: list[Problem] = field(default_factory=list)
    _seen: set[Problem] = field(default_factory=set, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._seen.update(self.items)

    def add(self, problem: Problem) -> None:
        """Record a problem (the same problem twice is kept once; a set keeps this linear even for
        a hostile file with hundreds of thousands of problems)."""
        if problem not in self._seen:
            self._seen.add(problem)
            self.items.append(problem)

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems."""
        for problem in problems:
            self.add(problem)

    @property
    def errors(self) -> list[Problem]:
        """The errors, sorted by file and line."""
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        """The warnings, sorted by file and line."""
        return sorted(p for p in self.items if p.severity == "warning")

    def __bool__(self) -> bool:
        return bool(self.errors)


class DataError(Exception):
    """Raised when data has errors; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))
