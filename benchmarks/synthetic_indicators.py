"""One synthetic indicator for `generate_data.py`: its unit, baseline, target and yearly values.

Values respect the rules `check` enforces: units and their ranges, the direction of progress, a
target after the baseline, periods in order. Some indicators have half-year periods, a missing
year, a value not reported, a data gap in the report period or a women/men disaggregation, as
real data has.
"""

from __future__ import annotations

import random

from synthetic_text import QUALIFIERS, SUBJECTS

UNIT_CHOICES = [
    ("percent", 35),
    ("count", 25),
    ("days", 10),
    ("currency:GTQ", 10),
    ("index", 10),
    ("boolean", 10),
]


def _unit(rng: random.Random) -> str:
    units, weights = zip(*UNIT_CHOICES)
    return rng.choices(units, weights)[0]


def _clamp(unit: str, value: float, low: float = 0.0, high: float = 100.0) -> float | int:
    if unit == "percent":
        return round(min(100.0, max(0.0, value)), 1)
    if unit == "index":
        return round(min(high, max(low, value)), 2)
    if unit in ("count", "days"):
        return max(0, int(round(value)))
    return max(0, int(round(value, -3)))  # currency


def indicator(
    rng: random.Random,
    number: int,
    prefix: str,
    articles: list[str],
    years: list[int],
    inst: list[str],
    last_year: int,
) -> dict:
    """Indicator `number` (id `prefix`-NNN) on `articles`, with values in `years`, reported by
    one of `inst`; its target lies after `last_year`, the last year of the data."""
    unit = _unit(rng)
    subject = rng.choice(SUBJECTS)
    qualifier = rng.choice(QUALIFIERS)
    direction = rng.choice(("increase", "increase", "decrease"))
    first = years[0]
    item: dict = {
        "id": f"{prefix}-{number:03d}",
        "name": {
            "es": f"{subject[0].capitalize()} {qualifier[0]} ({number})",
            "en": f"{subject[1].capitalize()} {qualifier[1]} ({number})",
        },
    }
    if rng.random() < 0.4:
        item["description"] = {
            "es": f"Mide los **{subject[0]}** {qualifier[0]}. Fuente administrativa, anual.",
            "en": f"Measures **{subject[1]}** {qualifier[1]}. Administrative source, yearly.",
        }
    item["articles"] = articles
    item["type"] = "structural" if unit == "boolean" else rng.choice(("process", "outcome"))
    item["unit"] = unit
    low, high = 0.0, 100.0
    if unit == "index":
        low, high = 0.0, 10.0
        item["range"] = [low, high]
    item["direction"] = "increase" if unit == "boolean" else direction
    item["institution"] = rng.choice(inst)
    item["source"] = {
        "es": f"{item['institution']}, registros administrativos",
        "en": f"{item['institution']}, administrative records",
    }
    item["illustrative"] = True
    base_year = first
    target_year = rng.randint(last_year + 2, 2030)
    # value periods: yearly, or half-years for some (same count of values)
    semesters = unit != "boolean" and rng.random() < 0.05
    if semesters:
        half = (len(years) + 1) // 2
        periods = [f"{y}-S{s}" for y in years[-half:] for s in (1, 2)][-len(years) :]
        base_year = int(periods[0][:4])
    else:
        periods = [str(y) for y in years]
    if unit == "boolean":
        switch = rng.randint(1, len(periods))  # index where it becomes true (len: never)
        item["baseline"] = {"period": str(base_year), "value": False}
        item["target"] = {"period": str(target_year), "value": True}
        series: list = [index >= switch for index in range(len(periods))]
    else:
        scale = {"percent": 60, "count": 900, "days": 180, "currency:GTQ": 5e7, "index": 6}[unit]
        start = rng.uniform(0.2, 0.7) * scale
        goal_delta = rng.uniform(0.15, 0.4) * scale
        sign = 1 if item["direction"] == "increase" else -1
        baseline = _clamp(unit, start, low, high)
        target = _clamp(unit, start + sign * goal_delta, low, high)
        if target == baseline:
            target = _clamp(unit, baseline + sign * 1, low, high)
        item["baseline"] = {"period": str(base_year), "value": baseline}
        item["target"] = {"period": str(target_year), "value": target}
        drift = sign * goal_delta / (len(periods) + 2) * rng.uniform(-0.6, 1.6)
        value, series = start, []
        for _ in periods:
            series.append(_clamp(unit, value, low, high))
            value += drift + rng.gauss(0, 0.03 * scale)
    values = []
    gap = rng.random() < 0.1  # no value in the report period: a data gap
    for index, (period, value) in enumerate(zip(periods, series)):
        last_one = index == len(periods) - 1
        if gap and last_one:
            break
        if not last_one and index > 0 and rng.random() < 0.06:
            continue  # a missing year
        entry: dict = {"period": period, "value": value}
        if not last_one and rng.random() < 0.02:
            entry["value"] = None
            entry["note"] = {
                "es": "Dato no reportado por la institución",
                "en": "Value not reported by the institution",
            }
        elif rng.random() < 0.08:
            entry["note"] = {"es": "Cifra preliminar", "en": "Preliminary figure"}
        if unit == "percent" and entry["value"] is not None and rng.random() < 0.15:
            women = _clamp(unit, value * rng.uniform(0.8, 1.0))
            men = _clamp(unit, value * rng.uniform(1.0, 1.2))
            entry["disaggregation"] = {"women": women, "men": men}
        values.append(entry)
    item["values"] = values
    return item
