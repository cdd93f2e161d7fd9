"""WeasyPrint's user-agent style sheet without the rules that cannot apply to one page.

WeasyPrint tries every rule of its HTML5 user-agent (UA) sheet on every element, and keeps a
style for every element and every pseudo-element that a universal rule names. Its sheet names
six: `::marker`, and the calls and markers of footnotes and notes. On the M report that is
some 30,000 styles that are never read: a footnote or note pseudo-element is asked for only
when an element is floated as a footnote or positioned as a note, and a marker only for a
list item. With the other rules tried in vain, that was most of WeasyPrint's cascade: 0.36–0.44 s
on M, 0.13–0.15 s with the lean sheet.

`lean_ua_sheet` keeps, of WeasyPrint's own sheet and in its order, for one page:

- the selectors whose subject can be an element of the page (`dd`, `input`, `q`… go);
- the selectors whose compounds require only attributes that some element carries
  (`[dir=rtl i]` goes from a page where no element has `dir`);
- the footnote and note pseudo-elements, only if the page's CSS can make a footnote or a note;
- the universal `::marker`, written `li::marker` when the page's CSS cannot make any other
  element a list item (the UA sheet makes only `li` one).

A selector that goes could not match anything on the page, or could only give a style that
is never read, so every style WeasyPrint reads is the one it read before. The PDF stays the
same bytes (tests/writers/test_ua_sheet.py). A page whose CSS imports other CSS keeps all the
pseudo-elements; a WeasyPrint whose sheet is not where this expects it keeps its own sheet.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import weasyprint

_FOOTNOTE = ("::footnote-call", "::footnote-marker")
_NOTE = ("::note-call", "::note-marker", "::note-callback")
_COMBINATORS = (">", "+", "~")
# Raw CSS holding none of these (nor a backslash escape) cannot name a footnote, a note, a list
# item or an import: it is not tokenized.
_WORDS = ("footnote", "note(", "list-item", "@import")


@dataclass(frozen=True)
class PageFacts:
    """What decides which UA rules can apply: the page's element names and attribute names,
    and what its CSS can make (a footnote, a note, a list item other than `li`)."""

    tags: frozenset[str]
    attributes: frozenset[str]
    footnotes: bool
    notes: bool
    list_items: bool


def page_facts(root: ET.Element) -> PageFacts:
    """The facts of the page whose tree is `root` (tags without namespace, as `parsed_page`
    makes it): its CSS is the text of its `<style>` elements and its `style` attributes. Names
    are taken in lower case, as HTML reads them."""
    tags, attributes, chunks = set(), set(), []
    for element in root.iter():
        tag = element.tag.lower()
        tags.add(tag)
        if tag == "style":
            chunks.append(element.text or "")
        for name, value in element.attrib.items():
            name = name.lower()
            attributes.add(name)
            if name == "style":
                chunks.append(value)
    words: set[str] = set()
    for chunk in chunks:
        lowered = chunk.lower()
        if "\\" in chunk or any(word in lowered for word in _WORDS):
            words |= _css_words(chunk)
    everything = "@import" in words  # CSS this page does not show
    return PageFacts(
        tags=frozenset(tags),
        attributes=frozenset(attributes),
        footnotes=everything or "footnote" in words,
        notes=everything or "note(" in words,
        list_items=everything or "list-item" in words,
    )


def _css_words(css: str) -> set[str]:
    """Every identifier of `css` (unescaped, lower case), function name (with "(") and
    at-keyword (with "@"), however deep in blocks and functions."""
    import tinycss2

    words: set[str] = set()
    pending = [tinycss2.parse_component_value_list(css, skip_comments=True)]
    while pending:
        for token in pending.pop():
            kind = token.type
            if kind == "ident":
                words.add(token.lower_value)
            elif kind == "function":
                words.add(token.lower_name + "(")
                pending.append(token.arguments)
            elif kind == "at-keyword":
                words.add("@" + token.lower_value)
            elif kind in ("() block", "[] block", "{} block"):
                pending.append(token.content)
    return words


def lean_ua_sheet(root: ET.Element) -> weasyprint.CSS | None:
    """The UA sheet for the page whose tree is `root`, or None to keep WeasyPrint's own (not
    the sheet this module knows)."""
    return _lean_sheet(page_facts(root))


def uses_lean_sheet(page: weasyprint.HTML, root: ET.Element) -> None:
    """Have WeasyPrint style `page` (whose tree is `root`) with `lean_ua_sheet`; a page asked
    for with form fields keeps WeasyPrint's sheets. Nothing changes if WeasyPrint does not ask
    its pages for their UA sheets as this expects."""
    own = getattr(page, "_ua_stylesheets", None)
    if own is None or own() != [_ua_stylesheet()]:
        return
    sheet = lean_ua_sheet(root)
    if sheet is None:
        return

    def ua_stylesheets(forms: bool = False) -> list:
        return own(forms) if forms else [sheet]

    page._ua_stylesheets = ua_stylesheets


def _ua_stylesheet() -> object:
    from weasyprint import html

    return getattr(html, "UA_STYLESHEET", None)


@lru_cache(maxsize=16)
def _lean_sheet(facts: PageFacts) -> weasyprint.CSS | None:
    from weasyprint import CSS, html

    text, counter_style = getattr(html, "UA", None), getattr(html, "UA_COUNTER_STYLE", None)
    if not isinstance(text, str) or counter_style is None:
        return None
    # WeasyPrint's own sheet registered its counter styles there when it was made: the lean
    # sheet, made with the same registry, need not parse them again
    registered = "decimal" in counter_style
    lean = lean_ua_text(text, facts, counter_styles=not registered)
    return CSS(string=lean, counter_style=counter_style)


def lean_ua_text(text: str, facts: PageFacts, counter_styles: bool = True) -> str:
    """`text` (a UA style sheet) with only the selectors that can apply on a page of `facts`,
    rules and at-rules in their order (see the module docstring); without its
    `@counter-style` rules unless `counter_styles`."""
    import tinycss2

    rules = _rules(text)
    narrow_markers = not facts.list_items and _list_item_selectors(rules) == ["li"]
    out = []
    for rule in rules:
        if rule.type != "qualified-rule":
            if counter_styles or rule.lower_at_keyword != "counter-style":
                out.append(tinycss2.serialize([rule]))
            continue
        kept = []
        for selector in _split(rule.prelude):
            written = tinycss2.serialize(selector)
            if not _may_apply(selector, written, facts):
                continue
            if written == "::marker" and narrow_markers:
                written = "li::marker"
            kept.append(written)
        if kept:
            out.append(", ".join(kept) + " {" + tinycss2.serialize(rule.content) + "}")
    return "\n".join(out)


@lru_cache(maxsize=2)
def _rules(text: str) -> list:
    """The rules of a style sheet, parsed once (tinycss2; read, never changed)."""
    import tinycss2

    return tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)


def _list_item_selectors(rules: list) -> list[str]:
    """The selectors of the rules that set `display: list-item`."""
    import tinycss2

    found = []
    for rule in rules:
        if rule.type != "qualified-rule":
            continue
        for item in tinycss2.parse_blocks_contents(rule.content, skip_whitespace=True):
            if item.type == "declaration" and item.lower_name == "display":
                idents = {t.lower_value for t in item.value if t.type == "ident"}
                if "list-item" in idents:
                    found += [tinycss2.serialize(s) for s in _split(rule.prelude)]
    return found


def _may_apply(selector: list, written: str, facts: PageFacts) -> bool:
    """Whether `selector` (tokens; `written` is its text) can match on a page of `facts`."""
    if not facts.footnotes and any(name in written for name in _FOOTNOTE):
        return False
    if not facts.notes and any(name in written for name in _NOTE):
        return False
    if any(name not in facts.attributes for name in _required_attributes(selector)):
        return False
    subject = _subject_types(selector)
    return subject is None or not subject.isdisjoint(facts.tags)


def _split(tokens: list) -> list[list]:
    """A selector list's tokens cut at its top-level commas, each part without the white
    space at its ends."""
    parts: list[list] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            parts.append([])
        else:
            parts[-1].append(token)
    return [_strip(part) for part in parts]


def _strip(tokens: list) -> list:
    start, end = 0, len(tokens)
    while start < end and tokens[start].type == "whitespace":
        start += 1
    while end > start and tokens[end - 1].type == "whitespace":
        end -= 1
    return tokens[start:end]


def _required_attributes(selector: list) -> set[str]:
    """The attribute names that the selector's compounds require (an `[name…]` outside any
    pseudo-class: one inside `:is()` or `:not()` need not hold)."""
    names = set()
    for token in selector:
        if token.type == "[] block":
            first = next((t for t in token.content if t.type != "whitespace"), None)
            if first is not None and first.type == "ident":
                names.add(first.lower_value)
    return names


def _subject_types(selector: list) -> frozenset[str] | None:
    """The element names the selector's subject can have, or None if any (no type given)."""
    start = 0
    for index, token in enumerate(selector):
        if token.type == "whitespace" or (token.type == "literal" and token.value in _COMBINATORS):
            start = index + 1
    subject = selector[start:]
    if not subject:
        return None
    first = subject[0]
    if first.type == "ident":
        return frozenset((first.lower_value,))
    if (
        len(subject) > 1
        and first.type == "literal"
        and first.value == ":"
        and subject[1].type == "function"
        and subject[1].lower_name == "is"
    ):
        names = set()
        for part in _split(subject[1].arguments):
            types = _subject_types(part)
            if types is None:
                return None
            names |= types
        return frozenset(names)
    return None
