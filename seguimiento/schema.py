"""JSON Schemas of the data files, for editors (VS Code's YAML extension, any yaml-language-server).

`python generate.py schema` writes one schema per file kind into schemas/; docs/data-format.md and
the README show how to point an editor at them. The schemas come from the same pydantic records
that validate the data, so they cannot drift from it.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from seguimiento import model

SCHEMAS: dict[str, type[BaseModel]] = {
    "committee": model.Committee,
    "indicators": model.IndicatorsFile,
    "assessments": model.AssessmentsFile,
    "recommendations": model.RecommendationsFile,
    "policy-review": model.PolicyReview,
    "convention": model.Convention,
}


def schema_for(record: type[BaseModel], name: str) -> dict:
    """The JSON Schema (draft 2020-12) of one record type, titled for the file it describes."""
    schema = record.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"seguimiento {name}.yaml"
    return schema


def write_schemas(folder: Path) -> list[Path]:
    """Write every schema as `<name>.schema.json` into `folder`; returns the paths written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, record in SCHEMAS.items():
        path = folder / f"{name}.schema.json"
        text = json.dumps(schema_for(record, name), ensure_ascii=False, indent=2) + "\n"
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written
