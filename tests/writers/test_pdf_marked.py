"""Marked content read and re-marked in content-stream bytes (`writers.pdf_marked`): the same
reading as pikepdf's parsed instructions on every page of the sample reports, the same pages
after the post-processing, and the parsed way for every stream it is not sure of."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Name
from test_pdf_tags import in_flow as in_flow  # noqa: F401 - the fixture, shared
from test_pdf_tags import raw as raw  # noqa: F401
from test_pdf_tags import weasyprint_output

from seguimiento.writers import pdf as writer
from seguimiento.writers import pdf_marked, pdf_tags
from seguimiento.writers.pdf_gstate import mcid_of, op_names


def parsed_reading(page) -> list[tuple[int, bool]]:
    """(MCID, upper half) of each BDC with an MCID, from pikepdf's parse (`pdf_tags`' way)."""
    instructions = list(pikepdf.parse_content_stream(page))
    ops = op_names(instructions)
    at = [(i, mcid_of(instructions[i])) for i, op in enumerate(ops) if op == "BDC"]
    at = [(i, mcid) for i, mcid in at if mcid is not None]
    height = float(page.mediabox[3]) - float(page.mediabox[1])
    upper = pdf_tags._in_upper_half(instructions, ops, [i for i, _ in at], height)
    return [(mcid, upper[i]) for i, mcid in at]


def bytes_reading(page) -> list[tuple[int, bool]] | None:
    height = float(page.mediabox[3]) - float(page.mediabox[1])
    data = page.obj.Contents.read_bytes()
    found = pdf_marked.marks(data, height, placed=range(1 << 30))
    return None if found is None else [(mark.mcid, mark.upper) for mark in found]


def test_the_bytes_read_as_the_parsed_instructions_on_every_sample_report(sample_reports):
    out, code, _ = sample_reports
    assert code == 0
    pages = headers = footers = 0
    for path in sorted(Path(out).rglob("*.pdf")):
        with pikepdf.open(path) as pdf:
            for number, page in enumerate(pdf.pages, start=1):
                expected = parsed_reading(page)
                assert bytes_reading(page) == expected, f"{path.name} page {number}"
                pages += 1
        with pikepdf.open(path) as pdf:  # and what it made of the running heads
            for page in pdf.pages[1:]:
                kinds = [
                    str(ops[1].get("/Subtype"))
                    for ops, _ in pikepdf.parse_content_stream(page, "BDC")
                    if str(ops[0]) == "/Artifact" and isinstance(ops[1], pikepdf.Dictionary)
                ]
                headers += kinds.count("/Header")
                footers += kinds.count("/Footer")
    assert pages > 200 and headers > pages and footers > pages / 2


def finished_both_ways(output, monkeypatch) -> tuple[bytes, bytes, list]:
    """`_finish` of `output` the default way and with every page parsed; and the pages the
    default way parsed."""
    parsed_pages: list = []
    real = pdf_tags._as_instructions

    def spy(pdf, page, *args):
        parsed_pages.append(page.index)
        return real(pdf, page, *args)

    monkeypatch.setattr(pdf_tags, "_as_instructions", spy)
    default = writer._finish(*output)
    seen = list(parsed_pages)
    monkeypatch.setattr(pdf_tags, "_as_bytes", lambda *args: None)
    parsed = writer._finish(*output)
    return default, parsed, seen


def same_pages(one: bytes, other: bytes) -> None:
    """Every page paints the same instructions, and looks the same."""
    with pikepdf.open(io.BytesIO(one)) as a, pikepdf.open(io.BytesIO(other)) as b:
        assert len(a.pages) == len(b.pages) >= 3
        for number, (x, y) in enumerate(zip(a.pages, b.pages), start=1):
            xs = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(x))
            ys = pikepdf.unparse_content_stream(pikepdf.parse_content_stream(y))
            assert xs == ys, f"page {number}"
    pymupdf = pytest.importorskip("pymupdf", reason="PyMuPDF (comes with outloud) compares pages")
    before, after = pymupdf.open(stream=one), pymupdf.open(stream=other)
    for number in range(len(before)):
        old, new = before[number].get_pixmap(dpi=72), after[number].get_pixmap(dpi=72)
        assert old.samples == new.samples, f"page {number + 1}"


def test_pages_in_order_take_the_bytes_way_with_the_same_result(in_flow, monkeypatch):  # noqa: F811
    default, parsed, seen = finished_both_ways(in_flow, monkeypatch)
    assert seen == []  # no page parsed: the list labels are painted in order
    same_pages(default, parsed)
    assert default != parsed  # the bytes way kept WeasyPrint's lines: another file, same pages


def test_pages_out_of_order_are_parsed_and_moved(raw, monkeypatch):  # noqa: F811
    """With the list labels painted last (WeasyPrint without `markers_in_flow`), the pages with
    a list are parsed and put in order; the others take the bytes way; the pages are the same."""
    default, parsed, seen = finished_both_ways(raw, monkeypatch)
    with pikepdf.open(io.BytesIO(default)) as pdf:
        pages = len(pdf.pages)
        lists = {
            pdf.pages.index(pikepdf.Page(element.Pg))
            for element in pdf.objects
            if isinstance(element, pikepdf.Dictionary) and element.get("/S") == Name.Lbl
        }
    assert lists and set(seen) == lists and len(seen) < pages
    same_pages(default, parsed)


# ------------------------------------------------------------------ on small streams

PAGE = 100.0


def test_header_footer_and_table_head() -> None:
    data = (
        b"1 0 0 -1 0 100 cm\nq\n/Span\n<</MCID 0>>\nBDC\nBT\n1 0 0 -1 5 10 Tm\n[<01>] TJ\nET\n"
        b"EMC\nQ\n/P\n<</MCID 1>>\nBDC\nq\n1 0 0 1 0 20 cm\nBT\n1 0 0 -1 5 40 Tm\nET\nQ\nEMC\n"
        b"/TH\n<</MCID 2>>\nBDC\nEMC"
    )
    found = pdf_marked.marks(data, PAGE, placed={0, 1, 2})
    assert [(m.mcid, m.upper) for m in found] == [(0, True), (1, False), (2, True)]
    assert all(m.upper for m in pdf_marked.marks(data, PAGE, placed={0}))  # 1 not asked for
    assert data[found[1].start : found[1].end] == b"/P\n<</MCID 1>>\nBDC"
    out, changed = pdf_marked.as_artifacts(data, found, margins={0, 1}, heads={2})
    assert changed == 3
    assert out.count(b"/Artifact\n<</Type /Pagination /Subtype /Header>>\nBDC") == 1
    assert out.count(b"/Artifact\n<</Type /Pagination /Subtype /Footer>>\nBDC") == 1
    assert out.count(b"/Artifact\n<</Type /Pagination>>\nBDC") == 1
    assert b"MCID" not in out and out.endswith(b"EMC")
    assert pdf_marked.as_artifacts(data, found, margins=(), heads=()) == (data, 0)


@pytest.mark.parametrize(
    "data",
    [
        b"/P\n<</MCID 0>>\nBDC\n(x) Tj\nEMC",  # a literal string
        b"% a comment\n/P\n<</MCID 0>>\nBDC\nEMC",
        b"/P\n<</MCID 0>>\nBDC\r\nEMC",  # a CR line end
        b"BI /W 1 /H 1 ID x EI\n/P\n<</MCID 0>>\nBDC\nEMC",  # an inline image
        b"/P <</MCID 0>> BDC\nEMC",  # an MCID not in pydyf's three lines
        b"/P\n<< /MCID 0 >>\nBDC\nEMC",
        b"1 0 0 1 x 0 cm\n/P\n<</MCID 0>>\nBDC\nBT\n1 0 0 1 0 0 Tm\nEMC",  # not a number
        b"1 0 0 1 0 cm\n/P\n<</MCID 0>>\nBDC\nBT\n1 0 0 1 0 0 Tm\nEMC",  # five for six
        b"/P\n<</MCID 0>>\nBDC\nBT\n0 0 0 Td\nEMC",  # three for two
    ],
)
def test_streams_it_is_not_sure_of_are_left_to_the_parsed_way(data: bytes) -> None:
    assert pdf_marked.marks(data, PAGE, placed={0}) is None


def test_a_page_of_another_stream_form_is_parsed(monkeypatch) -> None:
    """A page whose content is an array of streams goes the parsed way."""
    data, mimes, facts, links = weasyprint_output(stand_ins=True, in_flow=True)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[1]
        page.obj.Contents = pikepdf.Array([page.obj.Contents])
        buffer = io.BytesIO()
        pdf.save(buffer)
    _, _, seen = finished_both_ways((buffer.getvalue(), mimes, facts, links), monkeypatch)
    assert seen == [1]
