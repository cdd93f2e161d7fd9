"""Property tests (hypothesis, bounded): the loader only ever reports located problems, and any
Markdown text from the data can be written by both writers."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seguimiento import tree
from seguimiento.load import load_project
from seguimiento.markdown import parse_blocks
from seguimiento.writers.docx import write_docx
from seguimiento.writers.html import render_html

REPO = Path(__file__).resolve().parents[2]
FIELDS = [
    "indicators", "id", "name", "es", "en", "articles", "type", "unit", "direction",
    "institution", "source", "baseline", "target", "period", "value", "values", "range",
    "illustrative", "note", "disaggregation", "structural", "percent", "2024", "2024-S1",
]  # fmt: skip
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(FIELDS),
)
keys = st.one_of(st.sampled_from(FIELDS), st.text(max_size=8))
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=25,
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


_PROJECTS: dict[str, Path] = {}


def _project(tmp_path_factory) -> Path:
    """One copy of the small project per test function (each example overwrites one file)."""
    import inspect

    name = inspect.stack()[1].function
    if name not in _PROJECTS:
        root = tmp_path_factory.mktemp("fuzz")
        shutil.copytree(REPO / "tests" / "data" / "small" / "indicators", root / "indicators")
        shutil.copytree(REPO / "conventions", root / "conventions")
        _PROJECTS[name] = root
    return _PROJECTS[name]


@FUZZ
@given(data=st.dictionaries(st.just("indicators"), documents, min_size=1) | documents)
def test_loader_reports_located_problems_only(tmp_path_factory, data):
    root = _project(tmp_path_factory)
    path = root / "indicators" / "uncac" / "indicators.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    datasets, problems = load_project(root, ["uncac"])  # never raises
    for problem in problems.errors:
        assert problem.line >= 1 and problem.col >= 1 and problem.message
        assert problem.file.endswith(".yaml")
    assert bool(problems.errors) != ("uncac" in datasets)


@FUZZ
@given(raw=st.binary(max_size=300) | st.text(max_size=300).map(str.encode))
def test_loader_survives_arbitrary_bytes(tmp_path_factory, raw):
    root = _project(tmp_path_factory)
    (root / "indicators" / "uncac" / "assessments.yaml").write_bytes(raw)
    _, problems = load_project(root, ["uncac"])
    assert all(str(p).count(":") >= 3 for p in problems.errors)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=st.text(max_size=400))
def test_any_markdown_from_data_is_written_by_both_writers(text):
    warnings: list[str] = []
    blocks = parse_blocks(text, trusted=False, warn=warnings.append)
    assert not any(isinstance(b, tree.Heading) for b in blocks)
    meta = tree.Meta("T", "S", "es", "A", "Sub")
    document = tree.Document(meta, tuple(blocks))
    assert write_docx(document, REPO / "templates" / "reference.docx")[:2] == b"PK"
    assert "<html" in render_html(document, REPO / "templates")
