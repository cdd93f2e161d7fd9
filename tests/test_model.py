"""The small value types of `seguimiento.model`: period ordering, bilingual texts, coercions."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from seguimiento import model
from seguimiento.model import LocalText, PeriodKey, period_key

# ------------------------------------------------------------------ PeriodKey


@pytest.mark.parametrize(
    ("earlier", "later"),
    [
        ("2024", "2025"),
        ("2024-S1", "2024-S2"),
        ("2024-Q4", "2025"),
        ("2024-Q1", "2024-Q2"),
        ("2023-S2", "2024-Q1"),
        ("2024-S2", "2025-S1"),
        # same start: the shorter period comes first
        ("2024-S1", "2024"),
        ("2024-Q1", "2024-S1"),
    ],
)
def test_period_order(earlier: str, later: str):
    assert PeriodKey(earlier) < PeriodKey(later)
    assert PeriodKey(later) > PeriodKey(earlier)
    assert PeriodKey(earlier) != PeriodKey(later)


def test_periods_sort_chronologically():
    texts = ["2025", "2024-S2", "2024-Q4", "2023", "2024-S1", "2024-Q1"]
    assert sorted(texts, key=period_key) == [
        "2023",
        "2024-Q1",
        "2024-S1",
        "2024-S2",
        "2024-Q4",
        "2025",
    ]


def test_period_equality_and_hash():
    assert PeriodKey("2024") == PeriodKey("2024")
    assert hash(PeriodKey("2024-S1")) == hash(PeriodKey("2024-S1"))
    assert len({PeriodKey("2024"), PeriodKey("2024"), PeriodKey("2024-S1")}) == 2


def test_period_kind_and_span():
    year, half, quarter = PeriodKey("2024"), PeriodKey("2024-S2"), PeriodKey("2024-Q3")
    assert (year.kind, half.kind, quarter.kind) == ("Y", "S", "Q")
    assert year.end - year.start == 12
    assert half.end - half.start == 6
    assert quarter.end - quarter.start == 3
    assert half.end == year.end  # the second half-year ends with the year


@pytest.mark.parametrize("text", ["24", "2024/1", "2024-H1", "", "2024-S", "twenty"])
def test_period_key_refuses_non_periods(text: str):
    with pytest.raises(ValueError):
        PeriodKey(text)


# ------------------------------------------------------------------ LocalText


def test_local_text_falls_back_to_spanish():
    text = LocalText(es="Casos pendientes")
    assert text.get("es") == "Casos pendientes"
    assert text.get("en") == "Casos pendientes"
    assert LocalText(es="Casos", en="").get("en") == "Casos"


def test_local_text_uses_english_when_present():
    text = LocalText(es="Casos", en="Cases")
    assert text.get("en") == "Cases"
    assert text.get("es") == "Casos"


def test_plain_text_is_spanish():
    policy = model.PolicyInfo(title="Política Nacional", author="CONADI", version="2006")
    assert policy.title == LocalText(es="Política Nacional")
    assert policy.title.get("en") == "Política Nacional"


def test_spanish_is_required():
    with pytest.raises(ValidationError):
        LocalText(en="Only English")
    with pytest.raises(ValidationError):
        LocalText(es="")


def test_local_text_refuses_other_languages():
    with pytest.raises(ValidationError):
        LocalText(es="Hola", fr="Bonjour")


# ------------------------------------------------------------------ coercions


def _assessment(**changes):
    values = {"article": "9", "period": "2025", "status": "implemented"}
    values.update(changes)
    return model.Assessment.model_validate(values)


def test_article_number_becomes_text():
    assert _assessment(article=9).article == "9"
    assert _assessment(article="III").article == "III"


def test_period_number_becomes_text():
    assert _assessment(period=2025).period == "2025"
    assert model.Point(period=2020, value=3).period == "2020"


def test_round_and_paragraph_numbers_become_text():
    rec = model.Recommendation.model_validate(
        {
            "id": "irm-c2-1",
            "mechanism": "uncac-irm",
            "round": 2,
            "paragraph": 12,
            "articles": 9,
            "text": "Publicar los contratos.",
            "institutions": ["MINFIN"],
            "status": "not_implemented",
        }
    )
    assert rec.round == "2"
    assert rec.paragraph == "12"
    assert rec.articles == ["9"]  # a single article is read as a list of one


def test_article_lists_mix_numbers_and_texts():
    ind = model.Indicator.model_validate(
        {
            "id": "x",
            "name": "X",
            "articles": [5, "6", "III"],
            "type": "process",
            "unit": "count",
            "institution": "CNC",
            "source": "CNC",
            "baseline": {"period": "2020", "value": 1},
            "target": {"period": 2028, "value": 2},
        }
    )
    assert ind.articles == ["5", "6", "III"]
    assert ind.target.period == "2028"


def test_true_is_not_an_article_or_period():
    with pytest.raises(ValidationError):
        _assessment(article=True)
    with pytest.raises(ValidationError):
        _assessment(period=True)


@pytest.mark.parametrize("text", ["2024-S3", "2024-Q5", "24", "2024/1", 24])
def test_bad_periods_are_refused(text):
    with pytest.raises(ValidationError):
        _assessment(period=text)


@pytest.mark.parametrize("text", ["2024", "2024-S1", "2024-S2", "2024-Q1", "2024-Q4"])
def test_good_periods_are_kept(text: str):
    assert _assessment(period=text).period == text
