"""The words of the synthetic data (`generate_data.py`): bilingual phrases and sentences.

Every text comes in Spanish and English, drawn from the lists below with the generator's seeded
`random.Random`: the same draws give the same bytes. Indicator names are a subject and a qualifier;
advances and challenges are bullet lists of actions and gaps about a topic; evidence is a report
with a title, an address and a date.
"""

from __future__ import annotations

import datetime as dt
import random

# ---------------------------------------------------------------- words (es, en)

SUBJECTS = [
    ("instituciones públicas", "public institutions"),
    ("municipalidades", "municipalities"),
    ("expedientes", "case files"),
    ("funcionarios", "officials"),
    ("contratos adjudicados", "contracts awarded"),
    ("denuncias recibidas", "complaints received"),
    ("declaraciones patrimoniales", "asset declarations"),
    ("auditorías concluidas", "audits completed"),
    ("solicitudes de información", "information requests"),
    ("personas atendidas", "persons served"),
    ("centros de atención", "service centres"),
    ("procesos de compra", "procurement procedures"),
]
QUALIFIERS = [
    ("con plan de integridad aprobado", "with an approved integrity plan"),
    ("resueltos en plazo", "resolved on time"),
    ("publicados en formato abierto", "published in open format"),
    ("con seguimiento documentado", "with documented follow-up"),
    ("verificados por la Contraloría", "verified by the Comptroller's Office"),
    ("con enfoque de género", "with a gender approach"),
    ("en el área rural", "in rural areas"),
    ("con ajustes razonables", "with reasonable accommodation"),
    ("capacitados en ética pública", "trained in public ethics"),
    ("con sanción firme", "with a final sanction"),
]
ACTIONS = [
    ("Se aprobó el **reglamento** de {x}", "The **regulations** for {x} were approved"),
    ("La {i} publicó un informe sobre {x}", "{i} published a report on {x}"),
    ("Se capacitó a **{n} funcionarios** en {x}", "**{n} officials** were trained in {x}"),
    (
        "Se firmó un convenio entre la {i} y la sociedad civil sobre {x}",
        "{i} signed an agreement with civil society on {x}",
    ),
    (
        "Entró en funcionamiento el sistema electrónico de {x}",
        "The electronic system for {x} went live",
    ),
    (
        "La {i} amplió su cobertura a **{n} municipios**",
        "{i} extended its coverage to **{n} municipalities**",
    ),
]
GAPS = [
    ("Falta presupuesto para {x}", "There is no budget for {x}"),
    (
        "La {i} no publica datos desagregados sobre {x}",
        "{i} does not publish disaggregated data on {x}",
    ),
    (
        "El proyecto de ley sobre {x} sigue pendiente en el Congreso",
        "The bill on {x} is still pending in Congress",
    ),
    (
        "No hay coordinación entre la {i} y las municipalidades en {x}",
        "There is no coordination between {i} and municipalities on {x}",
    ),
    (
        "Solo el **{p} %** de los casos de {x} tiene seguimiento",
        "Only **{p} %** of {x} cases are followed up",
    ),
]
TOPICS = [
    ("la contratación pública", "public procurement"),
    ("la declaración patrimonial", "asset declarations"),
    ("la protección de denunciantes", "whistleblower protection"),
    ("el acceso a la información", "access to information"),
    ("la accesibilidad de los edificios públicos", "the accessibility of public buildings"),
    ("la educación inclusiva", "inclusive education"),
    ("el servicio civil", "the civil service"),
    ("la recuperación de activos", "asset recovery"),
    ("la participación ciudadana", "citizen participation"),
    ("la certificación de la discapacidad", "disability certification"),
]
VERBS = {
    "insert": ("Añadir", "Add"),
    "replace": ("Sustituir", "Replace"),
    "delete": ("Suprimir", "Delete"),
}
REVIEWERS = [
    "Asociación de Sordos de Guatemala",
    "Acción Ciudadana",
    "Colectivo Vida Independiente",
    "SEGEPLAN, Dirección de Políticas Públicas",
    "Defensoría de las Personas con Discapacidad, PDH",
    "Red de organizaciones de mujeres con discapacidad",
]


def _sentence(rng: random.Random, table, institutions: list[str]) -> tuple[str, str]:
    """One sentence of `table` in both languages, filled with the same topic and figures."""
    topic_es, topic_en = rng.choice(TOPICS)
    es, en = rng.choice(table)
    fill = {"i": rng.choice(institutions), "n": str(rng.randint(12, 480))}
    fill["p"] = f"{rng.uniform(5, 60):.1f}"
    return es.format(x=topic_es, **fill), en.format(x=topic_en, **fill)


def bullets(rng: random.Random, table, institutions: list[str], count: int) -> dict[str, str]:
    """`count` sentences of `table` as a Markdown bullet list, in both languages."""
    items = [_sentence(rng, table, institutions) for _ in range(count)]
    return {
        "es": "".join(f"- {es}.\n" for es, _ in items),
        "en": "".join(f"- {en}.\n" for _, en in items),
    }


def evidence(rng: random.Random, year: int) -> dict:
    """A piece of evidence: a report of `year` with its title, address and date."""
    topic_es, topic_en = rng.choice(TOPICS)
    return {
        "title": {
            "es": f"Informe anual {year} sobre {topic_es}",
            "en": f"{year} annual report on {topic_en}",
        },
        "url": f"https://www.example.gob.gt/informes/{year}/{rng.randint(100, 999)}",
        "date": dt.date(year, rng.randint(1, 12), rng.randint(1, 28)),
    }
