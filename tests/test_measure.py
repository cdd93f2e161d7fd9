"""Table-driven tests of progress, expected progress and status (seguimiento.measure)."""

from __future__ import annotations

import math

import pytest

from seguimiento import model
from seguimiento.measure import expected_progress, indicator_table, measure, progress, status


@pytest.mark.parametrize(
    ("baseline", "target", "latest", "direction", "expected"),
    [
        (20, 40, 30, "increase", 0.5),  # halfway up
        (20, 40, 40, "increase", 1.0),  # target reached
        (20, 40, 50, "increase", 1.5),  # target exceeded
        (20, 40, 10, "increase", -0.5),  # moved away
        (100, 50, 75, "decrease", 0.5),  # decreasing indicator halfway down
        (100, 50, 40, "decrease", 1.2),  # decreasing indicator beyond target
        (100, 50, 120, "decrease", -0.4),  # decreasing indicator got worse
        (30, 30, 30, "increase", 1.0),  # baseline equals target, met
        (30, 30, 29, "increase", 0.0),  # baseline equals target, not met
        (30, 30, 29, "decrease", 1.0),  # baseline equals target, met downwards
        (False, True, True, "increase", 1.0),  # yes/no met
        (False, True, False, "increase", 0.0),  # yes/no not met
    ],
)
def test_progress(baseline, target, latest, direction, expected):
    assert math.isclose(progress(baseline, target, latest, direction), expected)


@pytest.mark.parametrize(
    ("baseline", "target", "period", "expected"),
    [
        ("2020", "2030", "2025", 0.5),
        ("2020", "2030", "2020", 0.0),
        ("2020", "2030", "2031", 1.0),  # clamped after the target
        ("2020", "2030", "2019", 0.0),  # clamped before the baseline
        ("2024", "2026", "2025-S1", 0.25),  # half-year: six months of twenty-four
        ("2024-Q4", "2025-Q4", "2025-Q2", 0.5),
    ],
)
def test_expected_progress(baseline, target, period, expected):
    assert math.isclose(expected_progress(baseline, target, period), expected)


@pytest.mark.parametrize(
    ("prog", "expected", "in_period", "result"),
    [
        (1.0, 0.5, True, "achieved"),
        (1.3, 0.5, True, "achieved"),
        (0.5, 0.5, True, "on_track"),
        (0.45, 0.5, True, "on_track"),  # 90% of the expected path
        (0.44, 0.5, True, "at_risk"),
        (0.30, 0.5, True, "at_risk"),  # 60%
        (0.29, 0.5, True, "off_track"),
        (-0.1, 0.5, True, "off_track"),  # moving away
        (0.0, 0.0, True, "on_track"),  # no time elapsed yet
        (0.9, 0.5, False, "no_data"),  # old value only: no data this period
        (None, None, False, "no_data"),
    ],
)
def test_status(prog, expected, in_period, result):
    assert status(prog, expected, in_period) == result


def _dataset(indicators: list[dict]) -> model.Dataset:
    """A minimal dataset around the real UNCAC structure (one part, a few articles)."""
    convention = model.Convention.model_validate(
        {
            "id": "uncac",
            "name": {"es": "Convención", "en": "Convention"},
            "short_name": {"es": "CNUCC", "en": "UNCAC"},
            "adopted": "2003-10-31",
            "entry_into_force": "2005-12-14",
            "ratification": {"country": "Guatemala", "date": "2006-11-03"},
            "numbering": "arabic",
            "parts_are": "chapters",
            "parts": [{"id": "II", "title": "Medidas", "articles": [{"id": "5", "title": "X"}]}],
            "mechanism": {
                "id": "uncac-irm",
                "name": "Mecanismo",
                "short_name": "IRM",
                "round_label": "Ciclo",
                "rounds": [{"id": "1", "name": "Primer ciclo"}],
                "assessment_status": [{"id": "ok", "class": "good", "label": "Bien"}],
                "recommendation_status": [{"id": "done", "class": "done", "label": "Hecha"}],
            },
        }
    )
    committee = model.Committee.model_validate(
        {
            "committee": "Mesa",
            "secretariat": "CNC",
            "reporting": {"first": "2015", "last": "2030"},
            "institutions": [{"id": "CNC", "name": "Comisión"}],
        }
    )
    base = {
        "articles": [5],
        "type": "outcome",
        "unit": "percent",
        "institution": "CNC",
        "source": "Fuente",
    }
    return model.Dataset(
        convention=convention,
        committee=committee,
        indicators=[model.Indicator.model_validate({**base, **i}) for i in indicators],
        assessments=[],
        recommendations=[],
    )


def test_indicator_table_handles_missing_periods_and_no_data():
    dataset = _dataset(
        [
            {
                "id": "gap",
                "name": "Con hueco",
                "baseline": {"period": "2020", "value": 10},
                "target": {"period": "2030", "value": 30},
                # 2022 and 2023 missing; the latest value before 2025 is from 2024
                "values": [{"period": "2021", "value": 12}, {"period": "2024", "value": 20}],
            },
            {
                "id": "never",
                "name": "Sin datos",
                "baseline": {"period": "2020", "value": 10},
                "target": {"period": "2030", "value": 30},
            },
            {
                "id": "down",
                "name": "Decreciente",
                "direction": "decrease",
                "baseline": {"period": "2020", "value": 40},
                "target": {"period": "2030", "value": 20},
                "values": [
                    {"period": "2024", "value": 35},
                    {"period": "2025", "value": 30, "note": "x"},
                ],
            },
            {
                "id": "null",
                "name": "Valor nulo",
                "baseline": {"period": "2020", "value": 10},
                "target": {"period": "2030", "value": 30},
                "values": [
                    {"period": "2024", "value": 15},
                    {"period": "2025", "value": None, "note": "no reportado"},
                ],
            },
        ]
    )
    table = indicator_table(dataset, "2025").set_index("id")
    # A gap year: the 2024 value is the latest, but nothing was reported for 2025.
    assert table.loc["gap", "latest"] == 20
    assert table.loc["gap", "latest_period"] == "2024"
    assert table.loc["gap", "status"] == "no_data"
    assert math.isclose(table.loc["gap", "change"], 8)
    # Never reported: no value, no progress, never a zero.
    assert table.loc["never", "latest"] is None
    assert table.loc["never", "progress"] is None
    assert table.loc["never", "status"] == "no_data"
    # Decreasing: 40 → 30 of 40 → 20 is half the way in half the time.
    assert math.isclose(table.loc["down", "progress"], 0.5)
    assert table.loc["down", "status"] == "on_track"
    assert math.isclose(table.loc["down", "change"], -5)
    # An explicit null for 2025 does not hide the 2024 value but the status is no data.
    assert table.loc["null", "latest_period"] == "2024"
    assert table.loc["null", "status"] == "no_data"
    # Values reported, each indicator its own (an explicit null is not one).
    assert table["observations"].to_dict() == {"gap": 2, "never": 0, "down": 2, "null": 1}
    figures = measure(dataset, "2025")
    for position, indicator_id in enumerate(figures.indicators["id"]):  # each its own row
        assert figures.row(indicator_id) == figures.indicators.iloc[position].to_dict()
    assert figures.row("down")["latest_period"] == "2025"
    assert figures.row("null")["latest_period"] == "2024"
    with pytest.raises(IndexError):
        figures.row("no-such-indicator")


def test_earlier_report_period_ignores_later_values():
    dataset = _dataset(
        [
            {
                "id": "rise",
                "name": "Sube",
                "baseline": {"period": "2020", "value": 0},
                "target": {"period": "2030", "value": 100},
                "values": [{"period": "2022", "value": 20}, {"period": "2025", "value": 90}],
            }
        ]
    )
    table = indicator_table(dataset, "2022").set_index("id")
    assert table.loc["rise", "latest"] == 20
    assert table.loc["rise", "status"] == "on_track"  # 20% at 20% of the time
    later = indicator_table(dataset, "2025").set_index("id")
    assert math.isclose(later.loc["rise", "progress"], 0.9)
    assert later.loc["rise", "status"] == "on_track"
