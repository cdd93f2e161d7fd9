"""Composition: golden text dumps of the document tree, and data that must stay data.

Golden files live in tests/golden/. After an intended change of structure, regenerate them with
`UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_compose.py` and review the diff.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
import yaml

from seguimiento import tree
from seguimiento.compose import Context, compose
from seguimiento.load import load_project
from seguimiento.measure import measure

GOLDEN = Path(__file__).resolve().parent / "golden"
GENERATED = dt.date(2026, 1, 15)


def _compose(root: Path, convention: str, report: str, lang: str, period: str = "2025"):
    datasets, problems = load_project(root, [convention])
    assert not problems.errors, problems.errors
    dataset = datasets[convention]
    ctx = Context(
        dataset=dataset,
        figures=measure(dataset, period),
        report=report,
        lang=lang,
        period=period,
        templates=root / "templates",
        generated=GENERATED,
    )
    return compose(ctx), ctx


@pytest.mark.parametrize(
    ("convention", "report", "lang"),
    [
        ("uncac", "progress", "es"),
        ("iacac", "progress", "en"),
        ("crpd", "policy-review", "es"),
    ],
)
def test_golden_dump(small_project, convention, report, lang):
    document, ctx = _compose(small_project, convention, report, lang)
    text = tree.dump(document)
    golden = GOLDEN / f"{report}.{convention}.{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"missing {golden}; run with UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8")
    assert ctx.warnings == []


def _edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_data_is_never_rendered_as_template_or_markup(small_project):
    hostile = (
        "{{ 7*7 }} {% include 'progress.md.j2' %} <script>alert(1)</script>\n\n"
        "# Not a heading\n\n[click](javascript:alert(1)) ![x](file:///etc/passwd) "
        "![y](http://127.0.0.1:9/x.png) [ok](https://example.org)"
    )
    path = small_project / "indicators" / "uncac" / "assessments.yaml"

    def change(data):
        data["assessments"][0]["advances"] = {"es": hostile, "en": hostile}
        data["assessments"][0]["period"] = "2025"

    _edit(path, change)
    document, ctx = _compose(small_project, "uncac", "progress", "es")
    text = tree.dump(document)
    assert "{{ 7*7 }}" in text and "49" not in text.split("{{ 7*7 }}")[1][:5]
    assert "{% include 'progress.md.j2' %}" in text
    assert "<script>alert(1)</script>" in text
    assert "H1 Not a heading" not in text and "H2 Not a heading" not in text
    assert "**Not a heading**" in text  # demoted to a bold paragraph
    assert "(javascript:" not in text and "file:///" not in text and "127.0.0.1" not in text
    assert "[ok](https://example.org)" in text
    joined = " | ".join(ctx.warnings)
    assert "javascript:alert(1)" in joined
    assert "file:///etc/passwd" in joined and "127.0.0.1" in joined


def test_names_from_data_cannot_inject_structure(small_project):
    path = small_project / "indicators" / "uncac" / "indicators.yaml"

    def change(data):
        data["indicators"][0]["name"] = {"es": "# Título *falso* | x", "en": "x"}

    _edit(path, change)
    document, _ = _compose(small_project, "uncac", "progress", "es")
    text = tree.dump(document)
    assert "# Título *falso* | x" in text
    assert not any(
        isinstance(b, tree.Heading) and "falso" in tree.plain_text(b.children)
        for b in document.blocks
    )


@pytest.mark.parametrize(("lang", "label"), [("es", "Último valor"), ("en", "Latest value")])
def test_template_markdown_is_kept_while_values_are_escaped(small_project, lang, label):
    """Translated template text is trusted Markdown (bold stays bold), values are not."""
    document, _ = _compose(small_project, "uncac", "progress", lang)
    strong: list[str] = []

    def walk(blocks):
        for block in blocks:
            if isinstance(block, tree.BulletList):
                for item in block.items:
                    walk(item)
            elif isinstance(block, tree.Paragraph):
                strong.extend(
                    tree.plain_text(c.children)
                    for c in block.children
                    if isinstance(c, tree.Strong)
                )

    walk(document.blocks)
    assert label in strong
    assert "**" not in tree.plain_text(
        next(b for b in document.blocks if isinstance(b, tree.Paragraph) and b.role == "").children
    )
