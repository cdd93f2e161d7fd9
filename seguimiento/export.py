"""Open data: the indicator values and the computed figures of a convention and period, as CSV,
JSON and XLSX, described by a Frictionless Data Package (datapackage.json).

Nothing is written here: `export_files` returns file names and bytes, and `build.py` writes them to
reports/<convention>/<period>/data/. The CSV files are UTF-8 with a header row; the descriptor
declares every field's type so `frictionless validate datapackage.json` checks the files.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd

from seguimiento import model
from seguimiento.measure import Figures
from seguimiento.packages import repack

_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)([^<]*)(</dcterms:)")

INDICATOR_FIELDS = [
    ("id", "string", "Indicator id"),
    ("name_es", "string", "Name in Spanish"),
    ("name_en", "string", "Name in English"),
    ("articles", "string", "Articles of the convention, separated by ';'"),
    ("type", "string", "structural, process or outcome (OHCHR framework)"),
    ("unit", "string", "percent, count, currency:XXX, days, index or boolean"),
    ("direction", "string", "increase or decrease: which way is better"),
    ("institution", "string", "Responsible institution (short name)"),
    ("illustrative", "boolean", "True for illustrative sample values, not official figures"),
    ("baseline_period", "string", "Period of the baseline"),
    ("baseline", "number", "Baseline value (1/0 for yes/no indicators)"),
    ("target_period", "string", "Period of the target"),
    ("target", "number", "Target value"),
    ("latest_period", "string", "Period of the latest value up to the report period"),
    ("latest", "number", "Latest value"),
    ("progress", "number", "Progress to target, as a share (1 = target reached)"),
    ("expected", "number", "Expected progress on a straight line to the target, as a share"),
    ("status", "string", "achieved, on_track, at_risk, off_track or no_data"),
    ("change", "number", "Change since the previous value"),
    ("source", "string", "Source of the data"),
]
VALUE_FIELDS = [
    ("indicator", "string", "Indicator id"),
    ("period", "string", "Period: 2024, 2024-S1 or 2024-Q3"),
    ("value", "number", "Reported value (empty: reported as missing; 1/0 for yes/no)"),
    ("note", "string", "Note on the value, in Spanish"),
    ("source", "string", "Source of this value when it differs from the indicator's"),
]


def _number(value: object) -> object:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    if isinstance(value, bool):
        return int(value)
    return value


def indicators_frame(dataset: model.Dataset, figures: Figures) -> pd.DataFrame:
    """One row per indicator: its definition and its figures for the period."""
    rows = []
    for ind in dataset.indicators:
        row = figures.row(ind.id)
        rows.append(
            {
                "id": ind.id,
                "name_es": ind.name.es,
                "name_en": ind.name.get("en"),
                "articles": ";".join(ind.articles),
                "type": ind.type,
                "unit": ind.unit,
                "direction": ind.direction,
                "institution": ind.institution,
                "illustrative": ind.illustrative,
                "baseline_period": ind.baseline.period,
                "baseline": _number(ind.baseline.value),
                "target_period": ind.target.period,
                "target": _number(ind.target.value),
                "latest_period": row["latest_period"],
                "latest": _number(row["latest"]),
                "progress": _number(row["progress"]),
                "expected": _number(row["expected"]),
                "status": row["status"],
                "change": _number(row["change"]),
                "source": ind.source.es,
            }
        )
    return pd.DataFrame(rows, columns=[f[0] for f in INDICATOR_FIELDS], dtype=object)


def values_frame(dataset: model.Dataset, period: str) -> pd.DataFrame:
    """Every value reported up to the end of the report period."""
    from seguimiento.coverage import within

    rows = [
        {
            "indicator": ind.id,
            "period": obs.period,
            "value": _number(obs.value),
            "note": obs.note.es if obs.note else None,
            "source": obs.source.es if obs.source else None,
        }
        for ind in dataset.indicators
        for obs in ind.values
        if within(obs.period, period)
    ]
    return pd.DataFrame(rows, columns=[f[0] for f in VALUE_FIELDS], dtype=object)


def _csv(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode("utf-8")


def _schema(fields: list[tuple[str, str, str]]) -> dict:
    return {
        "fields": [
            {"name": name, "type": kind, "description": description}
            for name, kind, description in fields
        ]
    }


def datapackage(dataset: model.Dataset, period: str, names: dict[str, str]) -> dict:
    """The Frictionless Data Package descriptor of the exported files."""
    convention = dataset.convention
    return {
        "profile": "tabular-data-package",
        "name": f"seguimiento-{convention.id}-{period.lower()}",
        "title": f"{convention.short_name.es} / {convention.short_name.get('en')} — "
        f"{dataset.committee.country}, {period}",
        "description": (
            f"Indicator values and computed figures of the follow-up of the "
            f"{convention.name.get('en')} in {dataset.committee.country}, period {period}."
        ),
        "contributors": [{"title": dataset.committee.committee.es, "role": "author"}],
        "resources": [
            {
                "name": "indicators",
                "path": names["indicators"],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {**_schema(INDICATOR_FIELDS), "primaryKey": ["id"]},
            },
            {
                "name": "values",
                "path": names["values"],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    **_schema(VALUE_FIELDS),
                    "primaryKey": ["indicator", "period"],
                    "foreignKeys": [
                        {
                            "fields": ["indicator"],
                            "reference": {"resource": "indicators", "fields": ["id"]},
                        }
                    ],
                },
            },
        ],
    }


def export_names(convention: str, period: str, formats: list[str]) -> tuple[str, ...]:
    """The file names `export_files` writes for these formats (known before building)."""
    names: list[str] = []
    if "csv" in formats:
        names += ["indicators.csv", "values.csv", "datapackage.json"]
    if "json" in formats:
        names.append("figures.json")
    if "xlsx" in formats:
        names.append(f"{convention}-{period.lower()}.xlsx")
    return tuple(names)


def formats_of(names: tuple[str, ...]) -> list[str]:
    """The export formats that produce these file names (the inverse of `export_names`)."""
    kinds = {"datapackage.json": "csv", "figures.json": "json"}
    return sorted({kinds.get(name, name.rsplit(".", 1)[-1]) for name in names})


def export_files(
    dataset: model.Dataset, figures: Figures, formats: list[str], generated: str = ""
) -> dict[str, bytes]:
    """File name → bytes for the open-data formats asked (csv, json, xlsx). With the ISO date
    `generated`, the workbook is dated that day, so the same data give the same bytes."""
    period = figures.period
    indicators = indicators_frame(dataset, figures)
    values = values_frame(dataset, period)
    names = {"indicators": "indicators.csv", "values": "values.csv"}
    files: dict[str, bytes] = {}
    if "csv" in formats:
        files[names["indicators"]] = _csv(indicators)
        files[names["values"]] = _csv(values)
        package = datapackage(dataset, period, names)
        files["datapackage.json"] = (
            json.dumps(package, ensure_ascii=False, indent=2) + "\n"
        ).encode("utf-8")
    if "json" in formats:
        data = {
            "convention": dataset.convention.id,
            "period": period,
            "figures": figures.as_json(),
            "values": values.astype(object).where(values.notna(), None).to_dict("records"),
        }
        files["figures.json"] = (
            json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n"
        ).encode("utf-8")
    if "xlsx" in formats:
        buffer = io.BytesIO()
        with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
            indicators.to_excel(writer, sheet_name="indicators", index=False)
            values.to_excel(writer, sheet_name="values", index=False)
        workbook = buffer.getvalue()
        if generated:
            workbook = _dated(workbook, dt.datetime.fromisoformat(generated))
        files[f"{dataset.convention.id}-{period.lower()}.xlsx"] = workbook
    return files


def _dated(workbook: bytes, when: dt.datetime) -> bytes:
    """The workbook with its created and modified properties and its zip entries dated `when`
    (openpyxl writes the clock's time in all three)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")

    def change(name: str, content: bytes) -> bytes:
        if name != "docProps/core.xml":
            return content
        return _CORE_DATE.sub(lambda m: m.group(1) + stamp + m.group(3), content)

    return repack(workbook, when, change)
