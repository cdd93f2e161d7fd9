"""Languages: gettext catalogs for every fixed string, and locale formats for numbers and dates.

Fixed strings are written in English in the code and templates and translated by the catalogs in
templates/locale/<lang>/LC_MESSAGES/messages.po (compiled in memory when loaded, so no binary .mo
file can go stale). A third language is one more catalog: `available_languages()` finds it.
Numbers, percentages, money and dates follow the locale of the language (Babel): Guatemala writes
a decimal point, so Spanish uses es_GT ("1,037.7", "46%", "5 de marzo de 2024"). A negative
number is written with the minus sign (U+2212, "−1.2"), in every language, as are the signed
changes ("−0.7 pp") and the charts' axes: the hyphen CLDR gives es and en is shorter than the
plus sign, so a column of changes would not line up, and one table row could show both. The
open-data exports keep plain numbers.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import (
    format_compact_currency,
    format_compact_decimal,
    format_currency,
    format_decimal,
    format_percent,
    get_currency_symbol,
    get_minus_sign_symbol,
)
from babel.support import NullTranslations, Translations

LOCALES = {"es": "es_GT", "en": "en_US"}
COMPACT_FROM = 1_000_000  # a compact value is written in millions (or more) from here on
SOURCE_LANGUAGE = "en"  # the language of msgids
MINUS = "\u2212"  # the minus sign of every negative number a report shows (module docstring)


def locale_for(lang: str) -> str:
    """The Babel locale used to format numbers and dates in `lang`."""
    return LOCALES.get(lang, lang)


def available_languages(templates: Path) -> list[str]:
    """Languages that have a catalog (plus English, the language of the source strings)."""
    found = {p.parent.parent.name for p in (templates / "locale").glob("*/LC_MESSAGES/*.po")}
    return sorted(found | {SOURCE_LANGUAGE}, key=lambda lang: (lang != "es", lang))


@lru_cache(maxsize=8)
def translations(templates: Path, lang: str) -> NullTranslations:
    """The gettext translations of `lang`, compiled from its .po catalog."""
    po_path = templates / "locale" / lang / "LC_MESSAGES" / "messages.po"
    if lang == SOURCE_LANGUAGE or not po_path.exists():
        return NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@dataclass(frozen=True)
class Formatter:
    """Locale-aware formatting of the values a report shows."""

    lang: str
    gettext: object  # callable(str) -> str

    @property
    def locale(self) -> str:
        """The Babel locale name."""
        return locale_for(self.lang)

    def _(self, text: str) -> str:
        return self.gettext(text)  # type: ignore[operator]

    def _minus(self, text: str) -> str:
        """`text`, a number Babel formatted, with the locale's minus sign made `MINUS`."""
        return text.replace(_locale_minus(self.locale), MINUS)

    def number(self, value: float, decimals: int = 1) -> str:
        """A number with up to `decimals` decimals: 1,037.7."""
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "")
        return self._minus(format_decimal(value, format=pattern, locale=self.locale))

    def percent(self, share: float, decimals: int = 0) -> str:
        """A share (0.46) as a percentage: 46%."""
        pattern = "#,##0" + ("." + "#" * decimals if decimals else "") + "%"
        return self._minus(format_percent(share, format=pattern, locale=self.locale))

    def signed(self, value: float, unit: str, compact: bool = False) -> str:
        """A change with its sign: +1.5, −2 (percentage points for percent units); `compact`
        writes one of a million or more in millions: +45.8 M."""
        if value == 0:
            return "0"
        sign = "+" if value > 0 else MINUS
        if compact and unit != "percent" and abs(value) >= COMPACT_FROM:
            return sign + self._compact(abs(value))
        text = self.number(abs(value), 2 if abs(value) < 1 else 1)
        if unit == "percent":
            return self._("{value} pp").format(value=sign + text)
        return sign + text

    def value(self, value: object, unit: str, compact: bool = False) -> str:
        """A value in its unit: 46.5%, Q1,200,000, 35 días, Sí. `compact` is for table cells,
        where a long number would break inside a narrow column: a value of a million or more in
        the language's short form, to two decimals (Q84.35 M, 1.2 M), and a currency code set
        apart from the number, so that a line may break after it (GTQ 84.35M, in English)."""
        if value is None:
            return self._("no data")
        if unit == "boolean" or isinstance(value, bool):
            return self._("Yes") if value else self._("No")
        number = float(value)  # type: ignore[arg-type]
        if unit == "percent":
            return self.percent(number / 100, 1)
        currency = unit.split(":", 1)[1] if unit.startswith("currency:") else None
        if compact and currency is not None:
            return self._money_in_cell(number, currency)
        if compact and unit != "days" and abs(number) >= COMPACT_FROM:
            return self._compact(number)
        if currency is not None:
            return self._money(number, currency)
        if unit == "count":
            return self.number(number, 0)
        if unit == "days":
            return self._("{value} days").format(value=self.number(number, 1))
        return self.number(number, 2)

    def _compact(self, number: float) -> str:
        """`number` (a million or more) in the locale's short form, with up to two decimals."""
        return self._minus(format_compact_decimal(number, locale=self.locale, fraction_digits=2))

    def _money_in_cell(self, number: float, currency: str) -> str:
        """An amount for a table cell: compact from a million on; a currency written as its
        code (GTQ, where the language has no symbol for it) is set apart by a breakable space."""
        big = abs(number) >= COMPACT_FROM
        symbol = get_currency_symbol(currency, locale=self.locale)
        if len(symbol) > 1 and symbol.isalpha():
            digits = self._compact(abs(number)) if big else self.number(abs(number), 0)
            return f"{MINUS if number < 0 else ''}{symbol} {digits}"
        if big:
            return self._minus(
                format_compact_currency(number, currency, locale=self.locale, fraction_digits=2)
            )
        return self._money(number, currency)

    def _money(self, number: float, currency: str) -> str:
        """An amount in whole units with the locale's symbol: Q1,200,000."""
        return self._minus(
            format_currency(
                number, currency, format="¤#,##0", locale=self.locale, currency_digits=False
            )
        )

    def date(self, value: dt.date | str, style: str = "long") -> str:
        """A date: 5 de marzo de 2024 / March 5, 2024."""
        if isinstance(value, str):
            value = dt.date.fromisoformat(value)
        return format_date(value, format=style, locale=self.locale)

    def period(self, text: str) -> str:
        """A period in words: 2024, primer semestre de 2024, tercer trimestre de 2024."""
        if "-S" in text:
            year, part = text.split("-S")
            name = self._("first half") if part == "1" else self._("second half")
            return self._("{part} of {year}").format(part=name, year=year)
        if "-Q" in text:
            year, part = text.split("-Q")
            names = [self._("first quarter"), self._("second quarter")]
            names += [self._("third quarter"), self._("fourth quarter")]
            return self._("{part} of {year}").format(part=names[int(part) - 1], year=year)
        return text

    def language_name(self) -> str:
        """The language's own name (español, English)."""
        return Locale.parse(self.locale).language_name or self.lang


@lru_cache(maxsize=8)
def _locale_minus(locale: str) -> str:
    """The minus sign CLDR gives `locale`, looked up once: a report formats thousands of numbers."""
    return get_minus_sign_symbol(locale)


def formatter(templates: Path, lang: str) -> Formatter:
    """A Formatter for `lang` using its catalog."""
    return Formatter(lang, translations(templates, lang).gettext)
