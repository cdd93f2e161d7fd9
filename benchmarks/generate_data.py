"""Synthetic data sets in the real data format, for the benchmarks (`benchmarks/run.py`).

    python benchmarks/generate_data.py M /tmp/bench-m
    python generate.py --root /tmp/bench-m check

Each data set is a complete project folder: `conventions/` and `templates/` copied from this
repository, `indicators/<convention>/` written here. Sizes:

- **S**: the shipped sample (`indicators/` copied as it is).
- **M**: UNCAC at scale — all 71 articles assessed (report period and the one before), 150
  indicators with 8 yearly periods (2018–2025), 60 recommendations. IACAC and CRPD are the shipped
  sample, so the folder is a whole project that `check` and `all` accept.
- **L**: all three conventions at M scale, with 10 periods (2016–2025): 150 indicators, 60
  recommendations and every article assessed each; CRPD also gets a policy review of 30 proposals
  with reviewers' comments.
- **T**: tiny (all three conventions, a handful of records each), for the test of the benchmark.

Everything is derived from a seeded `random.Random`, so the same size gives the same bytes. Values
respect the rules `check` enforces (units, ranges, directions, periods in order, ids that exist).
The words come from `synthetic_text.py`, each indicator from `synthetic_indicators.py`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from synthetic_indicators import indicator
from synthetic_text import ACTIONS, GAPS, REVIEWERS, TOPICS, VERBS, bullets, evidence

REPO = Path(__file__).resolve().parent.parent
CONVENTIONS = ("uncac", "iacac", "crpd")
SEED = 20251127


@dataclass(frozen=True)
class Scale:
    """How much data one generated convention gets."""

    indicators: int
    periods: int  # yearly periods ending in LAST_YEAR
    recommendations: int
    assessed_periods: int  # every article is assessed in this many latest periods
    proposals: int  # CRPD policy review (0: none)
    assessed_articles: int | None = None  # how many articles are assessed (None: every one)


LAST_YEAR = 2025
M_SCALE = Scale(indicators=150, periods=8, recommendations=60, assessed_periods=2, proposals=0)
L_SCALE = Scale(indicators=150, periods=10, recommendations=60, assessed_periods=2, proposals=30)
T_SCALE = Scale(
    indicators=6, periods=3, recommendations=4, assessed_periods=1, proposals=3, assessed_articles=4
)

# which conventions are generated (the others are copied from the sample)
SIZES: dict[str, dict[str, Scale]] = {
    "S": {},
    "M": {"uncac": M_SCALE},
    "L": {c: L_SCALE for c in CONVENTIONS},
    "T": {c: T_SCALE for c in CONVENTIONS},
}

# ---------------------------------------------------------------- one convention


def _convention_facts(convention: str) -> dict:
    data = yaml.safe_load((REPO / "conventions" / f"{convention}.yaml").read_text(encoding="utf-8"))
    mechanism = data["mechanism"]
    return {
        "articles": [str(a["id"]) for p in data["parts"] for a in p["articles"]],
        "mechanism": mechanism["id"],
        "rounds": [str(r["id"]) for r in mechanism["rounds"]],
        "assessment": [s["id"] for s in mechanism["assessment_status"]],
        "recommendation": [s["id"] for s in mechanism["recommendation_status"]],
        "paragraphs": [
            (str(p["id"]), [str(a) for a in p.get("articles", [])])
            for p in (mechanism.get("observations") or {}).get("paragraphs", [])
        ],
    }


def _institutions(convention: str) -> list[str]:
    path = REPO / "indicators" / convention / "committee.yaml"
    committee = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [i["id"] for i in committee["institutions"]]


def generate_convention(convention: str, scale: Scale, seed: int = SEED) -> dict[str, dict]:
    """The data files (name → content) of one convention at `scale`."""
    rng = random.Random(f"{seed}-{convention}")
    facts = _convention_facts(convention)
    inst = _institutions(convention)
    articles = facts["articles"]
    years = list(range(LAST_YEAR - scale.periods + 1, LAST_YEAR + 1))
    prefix = {"uncac": "un", "iacac": "ia", "crpd": "dp"}[convention]

    indicators = []
    for number in range(1, scale.indicators + 1):
        first = articles[(number - 1) % len(articles)]  # every article gets indicators
        linked = [first]
        if rng.random() < 0.2:
            other = rng.choice(articles)
            if other != first:
                linked.append(other)
        indicators.append(indicator(rng, number, prefix, linked, years, inst, LAST_YEAR))
    ids = [i["id"] for i in indicators]

    assessments = []
    for article in articles[: scale.assessed_articles]:
        for year in years[-scale.assessed_periods :]:
            session = rng.randint(1, 6)
            assessments.append(
                {
                    "article": article,
                    "period": str(year),
                    "status": rng.choice(facts["assessment"]),
                    "advances": bullets(rng, ACTIONS, inst, rng.randint(1, 3)),
                    "challenges": bullets(rng, GAPS, inst, rng.randint(1, 3)),
                    "evidence": [evidence(rng, year) for _ in range(rng.randint(1, 2))],
                    "validated_by": {
                        "es": f"Sesión {session}-{year} de la mesa técnica",
                        "en": f"Committee session {session}-{year}",
                    },
                }
            )

    recommendations = []
    for number in range(1, scale.recommendations + 1):
        round_id = facts["rounds"][(number - 1) * len(facts["rounds"]) // scale.recommendations]
        topic_es, topic_en = rng.choice(TOPICS)
        item = {
            "id": f"{prefix}-rec-{number:03d}",
            "mechanism": facts["mechanism"],
            "round": round_id,
            "paragraph": str(rng.randint(1, 120)),
            "articles": sorted(set(rng.sample(articles, rng.randint(1, 2))), key=articles.index),
            "text": {
                "es": f"Fortalecer {topic_es} con recursos, metas medibles y participación.",
                "en": f"Strengthen {topic_en} with resources, measurable goals and participation.",
            },
            "institutions": sorted(rng.sample(inst, rng.randint(1, 3))),
            "status": rng.choice(facts["recommendation"]),
            "measures": bullets(rng, ACTIONS, inst, rng.randint(1, 3)),
            "evidence": [evidence(rng, LAST_YEAR - 1) for _ in range(rng.randint(0, 2))],
            "indicators": sorted(rng.sample(ids, rng.randint(0, 2))),
        }
        recommendations.append(item)

    files: dict[str, dict] = {
        "indicators.yaml": {"indicators": indicators},
        "assessments.yaml": {"assessments": assessments},
        "recommendations.yaml": {"recommendations": recommendations},
    }
    if scale.proposals and facts["paragraphs"]:
        files["policy-review.yaml"] = _policy_review(rng, facts, inst, ids, scale.proposals)
    return files


def _policy_review(rng, facts: dict, inst: list[str], ids: list[str], count: int) -> dict:
    with_paragraphs = [a for a in facts["articles"] if any(a in p for _, p in facts["paragraphs"])]
    others = [a for a in facts["articles"] if a not in with_paragraphs]
    chosen = (with_paragraphs + others)[:count]
    chosen.sort(key=facts["articles"].index)
    proposals = []
    for article in chosen:
        topic_es, topic_en = rng.choice(TOPICS)
        action = rng.choice(("insert", "replace", "replace", "delete"))
        change: dict = {"action": action}
        if action in ("replace", "delete"):
            change["current_text"] = {
                "es": f"La atención en {topic_es} se brindará según los recursos disponibles.",
                "en": f"Care in {topic_en} shall be provided as resources allow.",
            }
        if action in ("insert", "replace"):
            change["text"] = {
                "es": f"El Estado garantizará {topic_es} a las personas con discapacidad, en "
                "igualdad de condiciones con las demás, con ajustes razonables y apoyos.",
                "en": f"The State shall guarantee {topic_en} to persons with disabilities, on an "
                "equal basis with others, with reasonable accommodation and support.",
            }
        verb_es, verb_en = VERBS[action]
        change["summary"] = {
            "es": f"{verb_es} el lineamiento sobre {topic_es}.",
            "en": f"{verb_en} the guideline on {topic_en}.",
        }
        paragraphs = [pid for pid, arts in facts["paragraphs"] if article in arts][:2]
        lead = rng.choice(inst)
        proposals.append(
            {
                "article": article,
                "current_policy": {
                    "es": f"La Política trata {topic_es} desde un enfoque **asistencial**.\n",
                    "en": f"The Policy treats {topic_en} from a **welfare** approach.\n",
                },
                "gap": bullets(rng, GAPS, inst, 2),
                "change": change,
                "justification": {
                    "es": f"El artículo {article} exige un enfoque de derechos en {topic_es}.\n",
                    "en": f"Article {article} requires a rights-based approach to {topic_en}.\n",
                },
                "observations": paragraphs,
                "indicators": sorted(rng.sample(ids, rng.randint(0, 2))),
                "institutions": sorted({lead, *rng.sample(inst, rng.randint(0, 2))}),
                "lead": lead,
                "status": rng.choice(("draft", "under_review", "agreed", "rejected")),
                "comments": [
                    {
                        "author": rng.choice(REVIEWERS),
                        "date": dt.date(LAST_YEAR, rng.randint(1, 12), rng.randint(1, 28)),
                        "text": f"Proponemos precisar plazos y responsables para {topic_es}.",
                    }
                    for _ in range(rng.randint(1, 4))
                ],
            }
        )
    return {
        "policy": {
            "title": {
                "es": "Política Nacional en Discapacidad",
                "en": "National Disability Policy",
            },
            "author": "CONADI",
            "version": {"es": "Versión final, junio de 2006", "en": "Final version, June 2006"},
        },
        "proposals": proposals,
    }


# ---------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    """Multi-line texts as literal blocks (`|`), the way people write Markdown in the data."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(data: dict) -> str:
    """YAML text of one data file."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=110)


def generate(size: str, dest: Path, seed: int = SEED) -> Path:
    """Write the data set `size` (S, M, L or T) as a project folder `dest` (replaced)."""
    size = size.upper()
    if size not in SIZES:
        raise ValueError(f"unknown size {size!r}; use one of {', '.join(SIZES)}")
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    shutil.copytree(REPO / "conventions", dest / "conventions")
    shutil.copytree(REPO / "templates", dest / "templates")
    shutil.copytree(REPO / "indicators", dest / "indicators")  # the sample, replaced below
    for convention, scale in SIZES[size].items():
        folder = dest / "indicators" / convention
        files = generate_convention(convention, scale, seed)
        for name, content in files.items():
            (folder / name).write_text(dump(content), encoding="utf-8")
        if "policy-review.yaml" not in files:
            (folder / "policy-review.yaml").unlink(missing_ok=True)
    return dest


def data_size(root: Path, conventions: tuple[str, ...] = CONVENTIONS) -> dict[str, int]:
    """Size of a data set: bytes of its indicators/ YAML and counts of records."""
    counts = {"bytes": 0, "indicators": 0, "values": 0, "assessments": 0, "recommendations": 0}
    counts["proposals"] = 0
    for convention in conventions:
        for path in sorted((root / "indicators" / convention).glob("*.yaml")):
            counts["bytes"] += path.stat().st_size
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
            for item in data.get("indicators", []):
                counts["indicators"] += 1
                counts["values"] += len(item.get("values", []))
            counts["assessments"] += len(data.get("assessments", []))
            counts["recommendations"] += len(data.get("recommendations", []))
            counts["proposals"] += len(data.get("proposals", []))
    return counts


def main(argv: list[str] | None = None) -> int:
    """The command line: write one data set (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size", choices=sorted(SIZES), type=str.upper, help="data set size")
    parser.add_argument("dest", type=Path, help="project folder to create (replaced if present)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    root = generate(args.size, args.dest, args.seed)
    print(f"wrote {root} ({data_size(root)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
