"""WeasyPrint's user-agent sheet made lean for one page: every style WeasyPrint reads is the one
its own sheet gives, on every sample report, and the PDF is the same bytes; what a page's CSS
can make (footnotes, notes, list items) keeps the rules it needs."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
import weasyprint
from test_pdf import CSV, TEMPLATES, sample_document
from test_weasyprint_run import _sample_pages
from weasyprint.css import get_all_computed_styles
from weasyprint.css.properties import INITIAL_VALUES
from weasyprint.html import UA

from seguimiento.writers import pdf as writer
from seguimiento.writers import ua_sheet
from seguimiento.writers import weasyprint_run as run
from seguimiento.writers.html import render_html

_PSEUDO = (None, "before", "after", "first-line", "first-letter")


def _styles(page: str, lean: bool) -> list[dict]:
    """Every style WeasyPrint reads of `page`'s elements, in tree order: each element's own,
    its ::before, ::after, ::first-line and ::first-letter, and a list item's ::marker."""
    parsed = run.parsed_page(page, str(TEMPLATES), None)
    assert parsed.etree_element is not None
    if not lean:
        del parsed._ua_stylesheets  # WeasyPrint's own method again
    style_for = get_all_computed_styles(parsed)
    found = []
    for element in parsed.etree_element.iter():
        kinds = _PSEUDO + (("marker",) if element.tag == "li" else ())
        for kind in kinds:
            style = style_for(element, kind)
            found.append(None if style is None else {name: style[name] for name in INITIAL_VALUES})
    return found


def test_every_sample_report_gets_the_styles_weasyprints_own_sheet_gives() -> None:
    pages = _sample_pages()
    assert len(pages) == 16
    for name, page in pages:
        lean = _styles(page, lean=True)
        assert lean == _styles(page, lean=False), name
        assert sum(style is not None for style in lean) > 100, name


def test_the_sample_pdf_is_the_same_bytes_and_its_cascade_is_shorter(monkeypatch) -> None:
    """The sample (a table over pages, a list, links, a chart) with the lean sheet and with
    WeasyPrint's own; the lean sheet is in use (its rules are fewer)."""
    figures: dict = {}
    html = render_html(sample_document(), TEMPLATES, figures)
    attachments = (writer.Attachment("datos.csv", CSV, "text/csv", "Datos"),)
    installed = []
    real = ua_sheet.uses_lean_sheet

    def recorded(page, root) -> None:
        real(page, root)
        installed.append("_ua_stylesheets" in vars(page))

    monkeypatch.setattr(ua_sheet, "uses_lean_sheet", recorded)
    lean = writer.write_pdf(html, TEMPLATES, attachments, figures)
    assert installed == [True]
    monkeypatch.setattr(ua_sheet, "uses_lean_sheet", lambda *a: None)
    assert writer.write_pdf(html, TEMPLATES, attachments, figures) == lean
    tree = run._xml_tree(html)
    assert tree is not None
    lean_rules = ua_sheet.lean_ua_text(UA, ua_sheet.page_facts(tree)).count("{")
    assert lean_rules < UA.count("{") * 0.8


PAGE = (
    '<html lang="es"><head><title>t</title><style>{css}</style></head><body>'
    '<p>Uno<span class="n">Nota al pie</span> dos</p><div class="i">Punto</div>'
    "<ul><li>tres</li></ul></body></html>"
)


def _facts(css: str, body: str = "") -> ua_sheet.PageFacts:
    page = PAGE.format(css=css).replace("</body>", body + "</body>")
    return ua_sheet.page_facts(ET.fromstring(page))


@pytest.mark.parametrize(
    ("css", "footnotes", "notes", "list_items"),
    [
        (".n { color: red } .note { color: blue }", False, False, False),
        (".n { float: footnote }", True, False, False),
        (r".n { fl\6f at: f\6f otnote }", True, False, False),  # escaped: still read
        (".n { position: note(side) }", False, True, False),
        (".i { display: list-item }", False, False, True),
        ('@import "other.css"; p { color: red }', True, True, True),  # unseen CSS
    ],
)
def test_what_the_pages_css_can_make_is_read_from_its_tokens(
    css: str, footnotes: bool, notes: bool, list_items: bool
) -> None:
    facts = _facts(css)
    assert (facts.footnotes, facts.notes, facts.list_items) == (footnotes, notes, list_items)
    lean = ua_sheet.lean_ua_text(UA, facts)
    assert ("::footnote-call" in lean) is footnotes
    assert ("::note-call" in lean) is notes
    assert ("li::marker" in lean) is not list_items
    assert "::marker" in lean


def test_a_style_attribute_counts_as_the_pages_css() -> None:
    facts = _facts("", '<p style="float: footnote">x</p>')
    assert facts.footnotes and "style" in facts.attributes


def test_names_are_read_as_html_reads_them() -> None:
    facts = _facts("", '<H3 DIR="rtl">x</H3><P STYLE="float: footnote">y</P>')
    assert "h3" in facts.tags and "dir" in facts.attributes and facts.footnotes
    assert _facts("", "<STYLE>.n { float: footnote }</STYLE>").footnotes


def test_rules_go_by_the_pages_elements_and_attributes() -> None:
    plain = ua_sheet.lean_ua_text(UA, _facts(""))
    assert "dd {" not in plain and "input" not in plain and "[dir" not in plain
    assert "h3 {" not in plain and "[hidden]" not in plain
    assert "li { display: list-item }" in plain and "ul {" in plain
    assert "@page" in plain and "@counter-style decimal" in plain
    counters = ua_sheet.lean_ua_text(UA, _facts(""), counter_styles=False)
    assert "@counter-style" not in counters and "li { display: list-item }" in counters
    richer = ua_sheet.lean_ua_text(UA, _facts("", '<h3 dir="rtl" hidden="">x</h3>'))
    assert "h3 {" in richer and "[dir=rtl i] { direction: rtl }" in richer
    assert "[hidden], head" in richer


@pytest.mark.parametrize(
    "css",
    [
        ".n { float: footnote; color: #a4261d } @page { @footnote { border-top: 1px solid } }",
        # the UA's marker style: not uppercase (a marker without it inherits "A." here)
        ".i { display: list-item; list-style: lower-alpha inside; text-transform: uppercase }",
    ],
)
def test_a_page_that_makes_footnotes_or_list_items_lays_out_as_with_weasyprints_sheet(
    monkeypatch, css: str
) -> None:
    page = PAGE.format(css=css)
    outputs = []
    for use in (True, False):
        if not use:
            monkeypatch.setattr(ua_sheet, "uses_lean_sheet", lambda *a: None)
        parsed = run.parsed_page(page, str(TEMPLATES), None)
        assert ("_ua_stylesheets" in vars(parsed)) is use
        document = parsed.render()
        outputs.append(
            [
                (box.element_tag, getattr(box, "text", None), box.position_x, box.position_y)
                for page_ in document.pages
                for box in page_._page_box.descendants()
            ]
        )
    assert outputs[0] == outputs[1] and len(outputs[0]) > 10


def test_the_lean_sheet_is_made_once_for_pages_alike() -> None:
    first = ua_sheet.lean_ua_sheet(ET.fromstring(PAGE.format(css="")))
    assert isinstance(first, weasyprint.CSS)
    assert ua_sheet.lean_ua_sheet(ET.fromstring(PAGE.format(css="p { color: red }"))) is first
    assert (
        ua_sheet.lean_ua_sheet(ET.fromstring(PAGE.format(css=".i { float: footnote }")))
        is not first
    )
