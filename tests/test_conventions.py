"""conventions/*.yaml: the structure of each convention, its titles and its review vocabularies.

Titles are compared with the shared reference (../shared/reference/<convention>.yaml, next to the
repository) wherever the reference gives a title; a null there means "not verified", not "no title".
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from seguimiento import model
from seguimiento.load import validate
from seguimiento.yamlsource import read_yaml

REPO = Path(__file__).resolve().parent.parent
REFERENCE = REPO.parent / "shared" / "reference"
CONVENTIONS = ("uncac", "iacac", "crpd")
# fmt: off
ROMAN_1_TO_28 = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
    "XV", "XVI", "XVII", "XVIII", "XIX", "XX", "XXI", "XXII", "XXIII", "XXIV", "XXV", "XXVI",
    "XXVII", "XXVIII",
]
# fmt: on


def _load(convention_id: str) -> model.Convention:
    path = REPO / "conventions" / f"{convention_id}.yaml"
    source = read_yaml(path, f"conventions/{convention_id}.yaml")
    convention = validate(source, model.Convention)
    assert not source.problems, "\n".join(str(p) for p in source.problems)
    assert isinstance(convention, model.Convention)
    return convention


@pytest.fixture(scope="module", params=CONVENTIONS)
def convention(request) -> model.Convention:
    return _load(request.param)


def _reference(convention_id: str) -> dict:
    path = REFERENCE / f"{convention_id}.yaml"
    if not REFERENCE.is_dir():
        pytest.skip(f"shared reference folder {REFERENCE} is missing; title checks need it")
    if not path.exists():
        pytest.skip(f"reference file {path} is missing")
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------ structure


def test_uncac_has_8_chapters_and_71_articles():
    conv = _load("uncac")
    assert conv.parts_are == "chapters"
    assert conv.numbering == "arabic"
    assert [p.id for p in conv.parts] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    assert list(conv.articles()) == [str(n) for n in range(1, 72)]


def test_iacac_has_28_articles_in_roman_numerals():
    conv = _load("iacac")
    assert conv.numbering == "roman"
    assert list(conv.articles()) == ROMAN_1_TO_28


def test_crpd_has_50_articles_in_four_groups():
    conv = _load("crpd")
    assert conv.numbering == "arabic"
    assert list(conv.articles()) == [str(n) for n in range(1, 51)]
    groups = {p.id: [a.id for a in p.articles] for p in conv.parts}
    assert groups == {
        "general": [str(n) for n in range(1, 5)],
        "substantive": [str(n) for n in range(5, 31)],
        "implementation": [str(n) for n in range(31, 41)],
        "final": [str(n) for n in range(41, 51)],
    }


def test_every_part_and_article_has_both_titles(convention: model.Convention):
    for part in convention.parts:
        assert part.title.es.strip() and part.title.en and part.title.en.strip(), part.id
        for article in part.articles:
            title = article.title
            assert title.es.strip() and title.en and title.en.strip(), article.id


def test_article_ids_are_unique(convention: model.Convention):
    ids = [a.id for p in convention.parts for a in p.articles]
    assert len(ids) == len(set(ids))


# ------------------------------------------------------------------ titles against the reference


def _compare(where: str, ours: model.LocalText, ref: dict, found: list[str]) -> None:
    for lang, mine in (("en", ours.en), ("es", ours.es)):
        theirs = ref.get(f"title_{lang}")
        if theirs is None:
            continue
        if (mine or "").strip() != str(theirs).strip():
            found.append(f"{where} title_{lang}: ours {mine!r}, reference {theirs!r}")


@pytest.mark.parametrize("convention_id", CONVENTIONS)
def test_article_titles_agree_with_reference(convention_id: str):
    reference = _reference(convention_id)
    articles = _load(convention_id).articles()
    found: list[str] = []
    assert len(reference["articles"]) == len(articles)
    for entry in reference["articles"]:
        number = str(entry["number"])
        assert number in articles, f"article {number} of the reference is missing"
        _compare(f"article {number}", articles[number][1].title, entry, found)
    assert not found, "\n".join(found)


def test_uncac_chapters_agree_with_reference():
    reference = _reference("uncac")
    parts = {p.id: p for p in _load("uncac").parts}
    found: list[str] = []
    for chapter in reference["chapters"]:
        part = parts[str(chapter["number"])]
        _compare(f"chapter {chapter['number']}", part.title, chapter, found)
        low, high = chapter["article_range"]
        assert [a.id for a in part.articles] == [str(n) for n in range(low, high + 1)]
    assert not found, "\n".join(found)


def test_crpd_groups_agree_with_reference():
    reference = _reference("crpd")
    parts = {p.id: p for p in _load("crpd").parts}
    ours = {"general": "general", "substantive_rights": "substantive"}
    ours |= {"implementation_monitoring": "implementation", "final": "final"}
    for category, entry in reference["categories"].items():
        part = parts[ours[category]]
        low, high = entry["articles"]
        assert [a.id for a in part.articles] == [str(n) for n in range(low, high + 1)]
        if entry.get("label_en"):
            assert part.title.en.strip() == entry["label_en"].strip()


# ------------------------------------------------------------------ review mechanism


EXPECTED_MECHANISMS = {"uncac": "uncac-irm", "iacac": "mesicic", "crpd": "crpd-committee"}


def test_mechanism_ids():
    for convention_id, mechanism_id in EXPECTED_MECHANISMS.items():
        assert _load(convention_id).mechanism.id == mechanism_id


def test_status_vocabularies_are_complete(convention: model.Convention):
    mechanism = convention.mechanism
    for words in (mechanism.assessment_status, mechanism.recommendation_status):
        ids = [w.id for w in words]
        assert ids and len(ids) == len(set(ids))
        for word in words:
            assert word.label.es.strip() and word.label.en, word.id
    assert {w.class_ for w in mechanism.assessment_status} == {"good", "partial", "poor"}
    assert {w.class_ for w in mechanism.recommendation_status} == {
        "done",
        "progress",
        "pending",
        "closed",
    }


def test_known_status_words():
    uncac, iacac, crpd = (_load(c).mechanism for c in CONVENTIONS)
    assert {"implemented", "partially_implemented", "not_implemented"} <= {
        w.id for w in uncac.assessment_status
    }
    assert "requires_additional_attention" in {w.id for w in iacac.recommendation_status}
    assert {"progress", "limited_progress", "no_progress"} <= {w.id for w in crpd.assessment_status}


def test_rounds_refer_to_existing_articles_and_parts(convention: model.Convention):
    articles = convention.articles()
    parts = {p.id for p in convention.parts}
    assert convention.mechanism.rounds
    for round_ in convention.mechanism.rounds:
        assert round_.id and round_.name.es
        assert set(round_.articles) <= set(articles), round_.id
        assert set(round_.parts) <= parts, round_.id


def test_crpd_observation_paragraphs():
    observations = _load("crpd").mechanism.observations
    assert observations is not None
    assert observations.document == "CRPD/C/GTM/CO/1"
    ids = [p.id for p in observations.paragraphs]
    assert len(ids) == len(set(ids))
    assert {"23", "24"} <= set(ids)
    articles = _load("crpd").articles()
    for paragraph in observations.paragraphs:
        assert set(paragraph.articles) <= set(articles), paragraph.id
