"""The reviewers' round-trip: import a reviewed DOCX draft into
indicators/<convention>/reviews/<period>.yaml, and list the open review items.

Import adds every comment and tracked change not imported before (ids are stable hashes, so a
second import of the same file adds nothing), keeps what the secretary already wrote in the file
(ruamel.yaml round-trip: comments, key order and statuses stay), keeps a backup of the previous
version (`<period>.yaml.bak`) and replaces the file atomically. No other data file is touched.
Comments that the draft carried from the data itself (reviewers' comments of the policy review,
written into the draft as Word comments) are not imported again.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from seguimiento.atomic import write_atomic
from seguimiento.model import PERIOD_RE, SLUG_RE
from seguimiento.review_docx import ReviewFileError, ReviewItem, read_reviewed_docx
from seguimiento.yamlsource import read_yaml

HEADER = (
    "Review items imported from reviewed DOCX drafts (python generate.py review import).\n"
    "Set 'status: resolved' when an item has been handled; add 'response:' to record the answer.\n"
)


def reviews_path(root: Path, convention: str, period: str) -> Path:
    """Where the review items of a convention and period are kept."""
    if not SLUG_RE.match(convention) or not PERIOD_RE.match(period):
        raise ReviewFileError(f"invalid convention or period: {convention!r}, {period!r}")
    return root / "indicators" / convention / "reviews" / f"{period}.yaml"


def _data_comments(root: Path, convention: str) -> set[tuple[str, str]]:
    """(author, text) of the comments kept in the data, which drafts carry as Word comments."""
    path = root / "indicators" / convention / "policy-review.yaml"
    if not path.exists():
        return set()
    source = read_yaml(path, str(path))
    found: set[tuple[str, str]] = set()
    data = source.data if isinstance(source.data, dict) else {}
    for proposal in data.get("proposals") or []:
        for comment in (proposal or {}).get("comments") or []:
            if isinstance(comment, dict):
                found.add((str(comment.get("author", "")), str(comment.get("text", "")).strip()))
    return found


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 100
    yaml.allow_duplicate_keys = False
    return yaml


@dataclass
class ImportResult:
    """What an import did."""

    path: Path
    added: list[ReviewItem] = field(default_factory=list)
    already: int = 0
    from_data: int = 0
    backup: Path | None = None


def import_review(
    root: Path, docx: Path, convention: str | None = None, period: str | None = None
) -> ImportResult:
    """Import the comments and tracked changes of `docx` into the reviews file."""
    draft = read_reviewed_docx(docx)
    report, lang = "progress", "es"
    if draft.identifier:
        conv_id, report, doc_period, lang = draft.parts()
        convention = convention or conv_id
        period = period or doc_period
    if not convention or not period:
        draft.parts()  # raises the explanatory error
    assert convention is not None and period is not None
    path = reviews_path(root, convention, period)
    if not (root / "indicators" / convention).is_dir():
        raise ReviewFileError(f"no folder indicators/{convention}; check --convention")
    yaml = _yaml()
    document: CommentedMap
    if path.exists():
        document = yaml.load(path.read_text(encoding="utf-8")) or CommentedMap()
    else:
        document = CommentedMap()
        document.yaml_set_start_comment(HEADER)
    items = document.setdefault("items", CommentedSeq())
    known = {str(entry.get("id")) for entry in items if isinstance(entry, dict)}
    from_data = _data_comments(root, convention)
    result = ImportResult(path)
    today = dt.date.today().isoformat()
    for item in draft.items:
        if item.kind == "comment" and (item.author, item.text.strip()) in from_data:
            result.from_data += 1
            continue
        if item.id in known:
            result.already += 1
            continue
        known.add(item.id)
        entry = CommentedMap()
        for key, value in (
            ("id", item.id),
            ("kind", item.kind),
            ("status", "open"),
            ("report", report),
            ("lang", lang),
            ("anchor", item.anchor),
            ("section", item.section),
            ("author", item.author),
            ("date", item.date),
            ("text", item.text),
            ("context", item.context),
            ("imported", today),
            ("source", docx.name),
        ):
            if value != "" or key in ("id", "kind", "status"):
                entry[key] = value
        items.append(entry)
        result.added.append(item)
    if not result.added:
        return result
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    if path.exists():
        result.backup = path.with_name(path.name + ".bak")
        shutil.copy2(path, result.backup)
    write_atomic(path, buffer.getvalue().encode("utf-8"))
    return result


@dataclass(frozen=True)
class OpenItem:
    """An open review item, as listed by `review list` and the drafts' annex."""

    file: str
    id: str
    kind: str
    report: str
    anchor: str
    section: str
    author: str
    date: str
    text: str


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def open_items(root: Path, conventions: list[str]) -> list[OpenItem]:
    """Every review item whose status is still open, in the given conventions."""
    found: list[OpenItem] = []
    for convention in conventions:
        folder = root / "indicators" / convention / "reviews"
        for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
            source = read_yaml(path, _display(path))
            data = source.data if isinstance(source.data, dict) else {}
            for entry in data.get("items") or []:
                if not isinstance(entry, dict) or entry.get("status", "open") != "open":
                    continue
                found.append(
                    OpenItem(
                        file=_display(path),
                        **{
                            key: str(entry.get(key, ""))
                            for key in ("id", "kind", "report", "anchor", "section", "author")
                        },
                        date=str(entry.get("date", "")),
                        text=str(entry.get("text", "")),
                    )
                )
    return found
