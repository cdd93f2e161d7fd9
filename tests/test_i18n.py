"""Languages: the Spanish catalog is complete and in step with the code, and the locale formats.

The catalog tests read templates/locale/messages.pot (the template, extracted from the code and the
templates by scripts/update-catalog.sh) and templates/locale/es/LC_MESSAGES/messages.po (Spanish).
When a test here says the catalog is out of date, run `scripts/update-catalog.sh` and translate the
new entries (those with an empty msgstr) of the .po file.
"""

from __future__ import annotations

import ast
import datetime as dt
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from seguimiento import compose, i18n

REPO_ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = REPO_ROOT / "templates"
POT = TEMPLATES / "locale" / "messages.pot"
PO_ES = TEMPLATES / "locale" / "es" / "LC_MESSAGES" / "messages.po"
UPDATE = "run scripts/update-catalog.sh and translate the new entries of the Spanish .po file"

# {period}, {value:.1f} (str.format) and %(convention)s (Jinja2 / %-formatting); `%%` is a literal
# percent sign in a %-formatted string and must stay doubled in the translation.
BRACE_PLACEHOLDER = re.compile(r"\{[^{}]*\}")
PERCENT_PLACEHOLDER = re.compile(r"%\(\w+\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa]|%%")
# Markdown markup that must survive translation: bold, italics and the † of illustrative values.
MARKUP = ("**", "*", "†")


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle, locale=locale)


def _ids(catalog: Catalog) -> set[str]:
    """The msgids of a catalog (the singular of plural entries), without the header."""
    return {_singular(message.id) for message in catalog if message.id}


def _singular(msgid: str | tuple[str, ...]) -> str:
    return msgid if isinstance(msgid, str) else msgid[0]


def _forms(value: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _placeholders(text: str) -> Counter[str]:
    return Counter(BRACE_PLACEHOLDER.findall(text) + PERCENT_PLACEHOLDER.findall(text))


def _markup(text: str) -> Counter[str]:
    counts = Counter({"**": text.count("**"), "†": text.count("†")})
    counts["*"] = text.count("*") - 2 * counts["**"]
    return +counts


@pytest.fixture(scope="module")
def pot() -> Catalog:
    return _read(POT)


@pytest.fixture(scope="module")
def po_es() -> Catalog:
    return _read(PO_ES, locale="es")


# --- the Spanish catalog --------------------------------------------------------------------------


def test_spanish_catalog_header(po_es: Catalog) -> None:
    assert str(po_es.locale) == "es"
    assert po_es.charset.lower() == "utf-8"
    assert po_es.num_plurals == 2
    assert po_es.plural_expr.replace(" ", "") == "(n!=1)"


def test_every_msgid_has_a_spanish_translation(pot: Catalog, po_es: Catalog) -> None:
    problems = []
    for template in pot:
        if not template.id:
            continue
        message = po_es.get(template.id, template.context)
        if message is None:
            problems.append(f"missing from the .po: {_singular(template.id)!r}")
        elif message.fuzzy:
            problems.append(f"fuzzy: {_singular(template.id)!r}")
        elif not all(form.strip() for form in _forms(message.string)) or not message.string:
            problems.append(f"not translated: {_singular(template.id)!r}")
    assert not problems, f"{len(problems)} Spanish entries to fix ({UPDATE}):\n" + "\n".join(
        problems
    )


def test_no_fuzzy_entries(po_es: Catalog) -> None:
    fuzzy = [_singular(message.id) for message in po_es if message.id and message.fuzzy]
    assert not fuzzy, f"fuzzy entries in the Spanish catalog: {fuzzy}"


def test_translations_keep_placeholders_and_markup(po_es: Catalog) -> None:
    problems = []
    for message in po_es:
        if not message.id or not message.string:
            continue
        source = _forms(message.id)[0]
        for translation in _forms(message.string):
            if _placeholders(translation) != _placeholders(source):
                problems.append(
                    f"{source!r}: placeholders {sorted(_placeholders(source).elements())} "
                    f"became {sorted(_placeholders(translation).elements())}"
                )
            if _markup(translation) != _markup(source):
                problems.append(
                    f"{source!r}: Markdown markup {dict(_markup(source))} "
                    f"became {dict(_markup(translation))}"
                )
    assert not problems, "\n".join(problems)


# --- the catalog follows the code -----------------------------------------------------------------


def test_catalog_is_up_to_date_with_the_code(tmp_path: Path, pot: Catalog, po_es: Catalog) -> None:
    fresh = tmp_path / "messages.pot"
    result = subprocess.run(
        [sys.executable, "-m", "babel.messages.frontend", "extract", "-F", "babel.cfg",
         "-o", str(fresh), "--no-location", "--sort-output", "."],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    extracted, committed = _ids(_read(fresh)), _ids(pot)
    new, gone = sorted(extracted - committed), sorted(committed - extracted)
    assert not new and not gone, (
        f"templates/locale/messages.pot is out of date with the code ({UPDATE}).\n"
        f"New strings: {new}\nStrings no longer used: {gone}"
    )
    in_po = _ids(po_es)
    assert in_po == committed, (
        f"the Spanish .po does not follow messages.pot ({UPDATE}).\n"
        f"Missing from the .po: {sorted(committed - in_po)}\n"
        f"Only in the .po: {sorted(in_po - committed)}"
    )


def _gettext_literals(path: Path) -> list[tuple[int, str]]:
    """The string literals passed to `_()` / `gettext()` in a Python file, with their lines."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        first = node.args[0]
        if (
            name in {"_", "gettext"}
            and isinstance(first, ast.Constant)
            and type(first.value) is str
        ):
            found.append((node.lineno, first.value))
    return found


def test_every_gettext_call_in_the_code_is_in_the_catalog(pot: Catalog) -> None:
    """Also the calls that babel's extractor cannot see, such as `_()` inside an f-string
    (not extracted on Python 3.11): move those calls out of the f-string."""
    committed = _ids(pot)
    missing = [
        f"{path.relative_to(REPO_ROOT)}:{line}: {text!r}"
        for path in sorted((REPO_ROOT / "seguimiento").rglob("*.py"))
        for line, text in _gettext_literals(path)
        if text not in committed
    ]
    assert not missing, (
        f"{len(missing)} translatable strings are not in the catalog, so the reports show them in "
        "English (a `_()` inside an f-string is not extracted: compute it before the f-string; "
        f"then {UPDATE}):\n" + "\n".join(missing)
    )


def test_templates_look_up_the_extracted_msgids(pot: Catalog) -> None:
    """The msgids the templates ask for at run time (newstyle gettext, as compose.environment
    installs it) are those in the catalog: with newstyle gettext a literal % in a {% trans %}
    block is looked up as %%, so babel.cfg must extract with `newstyle_gettext = true`."""
    env = compose.environment(TEMPLATES, "en")
    committed = {form for message in pot if message.id for form in _forms(message.id)}
    missing = []
    for path in sorted(TEMPLATES.glob("*.j2")):
        for line, _function, message in env.extract_translations(path.read_text("utf-8")):
            for text in _forms(message):
                if text and text not in committed:
                    missing.append(f"templates/{path.name}:{line}: {text!r}")
    assert not missing, (
        "the templates look up msgids that are not in the catalog, so the reports show them in "
        "English (for a literal % in {% trans %}: set `newstyle_gettext = true` under "
        f"[jinja2: ...] in babel.cfg; then {UPDATE}):\n" + "\n".join(missing)
    )


# --- translations at run time and locale formats --------------------------------------------------


def test_spanish_formatter_translates() -> None:
    fmt = i18n.formatter(TEMPLATES, "es")
    assert fmt._("DRAFT") == "BORRADOR"
    assert fmt._("Page {page} of {pages}").format(page=2, pages=9) == "Página 2 de 9"
    assert fmt.period("2024-S1") == "primer semestre de 2024"
    assert fmt.period("2024-Q3") == "tercer trimestre de 2024"
    assert fmt.value(None, "percent") == "sin dato"
    assert fmt.value(True, "boolean") == "Sí"
    assert fmt.value(35, "days") == "35 días"


def test_english_formatter_uses_the_source_strings() -> None:
    fmt = i18n.formatter(TEMPLATES, "en")
    assert fmt._("DRAFT") == "DRAFT"
    assert fmt.period("2024-S1") == "first half of 2024"


def test_spanish_formats_follow_guatemala() -> None:
    fmt = i18n.formatter(TEMPLATES, "es")
    assert fmt.locale == "es_GT"
    assert fmt.number(1037.7) == "1,037.7"
    assert fmt.number(1037.74) == "1,037.7"
    assert fmt.percent(0.46) == "46%"
    assert fmt.date(dt.date(2024, 3, 5)) == "5 de marzo de 2024"
    assert fmt.date("2024-03-05") == "5 de marzo de 2024"


def test_english_formats() -> None:
    fmt = i18n.formatter(TEMPLATES, "en")
    assert fmt.number(1037.7) == "1,037.7"
    assert fmt.percent(0.46) == "46%"
    assert fmt.date(dt.date(2024, 3, 5)) == "March 5, 2024"


def test_negative_numbers_have_the_minus_sign_in_both_languages() -> None:
    """Every negative number a report shows has U+2212, as the signed changes: one sign, the
    width of "+", whatever Babel writes for the locale ("-")."""
    for lang in ("es", "en"):
        fmt = i18n.formatter(TEMPLATES, lang)
        shown = [
            fmt.number(-1.21, 2),
            fmt.percent(-0.05),
            fmt.value(-1.5, "percent"),
            fmt.value(-12, "days"),
            fmt.value(-950, "currency:GTQ"),
            fmt.value(-2_500_000, "currency:GTQ", compact=True),
            fmt.value(-3_000_000, "count", compact=True),
            fmt.signed(-0.7, "percent"),
            fmt.signed(-45_800_000, "count", compact=True),
        ]
        assert all(i18n.MINUS in text and "-" not in text for text in shown), shown
    es = i18n.formatter(TEMPLATES, "es")
    assert es.number(-1037.74) == "\u22121,037.7" and es.signed(-0.7, "percent") == "\u22120.7 p.p."


def test_available_languages() -> None:
    languages = i18n.available_languages(TEMPLATES)
    assert "es" in languages
    assert "en" in languages
    assert languages[0] == "es"


def test_values_in_table_cells_are_compact_and_break_only_between_words() -> None:
    """A table cell gets millions in the language's short form (a narrow column never breaks
    inside a number) and a currency code apart from its number; prose keeps every digit."""
    es = i18n.formatter(TEMPLATES, "es")
    assert es.value(84_350_000, "currency:GTQ") == "Q84,350,000"
    assert es.value(84_350_000, "currency:GTQ", compact=True) == "Q84.35\u00a0M"
    assert es.value(950_000, "currency:GTQ", compact=True) == "Q950,000"
    assert es.value(1_234_567, "count", compact=True) == "1.23\u00a0M"
    assert es.value(46.5, "percent", compact=True) == "46.5%"
    assert es.signed(45_800_000, "currency:GTQ", compact=True) == "+45.8\u00a0M"
    assert es.signed(12.5, "count", compact=True) == "+12.5"
    en = i18n.formatter(TEMPLATES, "en")
    assert en.value(84_350_000, "currency:GTQ") == "GTQ84,350,000"
    assert en.value(84_350_000, "currency:GTQ", compact=True) == "GTQ 84.35M"
    assert en.value(950_000, "currency:GTQ", compact=True) == "GTQ 950,000"
    assert en.value(-2_500_000, "currency:GTQ", compact=True) == "\u2212GTQ 2.5M"
    assert en.value(1_250_000_000, "count", compact=True) == "1.25B"
