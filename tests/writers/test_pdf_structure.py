"""The tag tree repaired on WeasyPrint's objects before it writes the file (`pdf_structure`), on
small trees made by hand with pydyf, then written and read back with pikepdf."""

from __future__ import annotations

import io
import re

import pikepdf
import pydyf
from pikepdf import Name

from seguimiento.writers.pdf_structure import TagTreeFinisher, repair_tree


class Maker:
    """A pydyf PDF of `pages` pages with a structure tree root and a ParentTree, as WeasyPrint
    makes them; `element` adds structure elements, `mark` maps an MCID to its element."""

    def __init__(self, pages: int = 2) -> None:
        self.pdf = pydyf.PDF()
        self.parents: list[pydyf.Array] = []
        nums = pydyf.Array()
        for index in range(pages):
            page = pydyf.Dictionary({"Type": "/Page", "StructParents": index})
            self.pdf.add_page(page)
            self.parents.append(pydyf.Array())
            nums += [index, self.parents[-1]]
        tree = pydyf.Dictionary({"Nums": nums})
        self.pdf.add_object(tree)
        self.root = pydyf.Dictionary({"Type": "/StructTreeRoot", "ParentTree": tree.reference})
        self.pdf.add_object(self.root)
        self.pdf.catalog["StructTreeRoot"] = self.root.reference
        self.document = self.element("/Document", self.root)
        self.root["K"] = pydyf.Array([self.document.reference])

    def page(self, index: int) -> bytes:
        return self.pdf.page_references[index]

    def element(self, role: str, parent, page: int | None = None, **extra) -> pydyf.Dictionary:
        element = pydyf.Dictionary(
            {"Type": "/StructElem", "S": role, "K": pydyf.Array(), "P": parent.reference, **extra}
        )
        if page is not None:
            element["Pg"] = self.page(page)
        self.pdf.add_object(element)
        if parent is not self.root:
            parent["K"].append(element.reference)
        return element

    def mark(self, element, page: int) -> int:
        """Give `element` the next MCID of `page`; returns it."""
        mcid = len(self.parents[page])
        element["K"].append(mcid)
        self.parents[page].append(element.reference)
        return mcid

    def table_part(self, parent, page: int, header_id: str, caption: bool) -> dict:
        table = self.element("/Table", parent, page)
        if caption:
            self.mark(self.element("/Caption", table, page), page)
        head_row = self.element("/TR", self.element("/THead", table, page), page)
        header = self.element("/TH", head_row, page, A=pydyf.Dictionary({"O": "/Table"}))
        header["ID"] = pydyf.String(header_id)
        row = self.element("/TR", self.element("/TBody", table, page), page)
        cell = self.element("/TD", row, page)
        cell["A"] = pydyf.Dictionary({"O": "/Table", "Headers": pydyf.Array([header["ID"]])})
        return {"table": table, "head": self.mark(header, page), "cell": self.mark(cell, page)}

    def written(self) -> pikepdf.Pdf:
        buffer = io.BytesIO()
        self.pdf.write(buffer)
        return pikepdf.open(io.BytesIO(buffer.getvalue()))


def test_an_untagged_pdf_is_left_alone() -> None:
    pdf = pydyf.PDF()
    pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
    finisher = TagTreeFinisher()
    finisher(None, pdf)
    assert finisher.facts is None and repair_tree(pdf) is None


def test_a_table_over_two_pages_becomes_one() -> None:
    made = Maker()
    first = made.table_part(made.document, 0, "t1-0-0", caption=True)
    second = made.table_part(made.document, 1, "t2-0-0", caption=False)
    running_head = made.element("/Span", made.document, 1)  # hangs from no parent
    made.document["K"].remove(running_head.reference)
    margin = made.mark(running_head, 1)

    facts = repair_tree(made.pdf)

    assert facts is not None and facts.tables == 1
    assert facts.pages[0].heads == frozenset() and facts.pages[0].margins == frozenset()
    assert facts.pages[1].heads == {second["head"]} and facts.pages[1].margins == {margin}
    # page 1 reads its body cell only: its repeated head and running head left the tree
    assert facts.pages[1].rank == {second["cell"]: 0}
    assert list(facts.pages[0].rank) == [0, first["head"], first["cell"]]  # caption first
    with made.written() as pdf:
        document = pdf.Root.StructTreeRoot.K[0]
        assert len(document.K) == 1  # the second part left the document
        table = document.K[0]
        body = table.K[2]
        assert [str(k.S) for k in table.K] == ["/Caption", "/THead", "/TBody"]
        assert len(body.K) == 2 and all(body == row.P for row in body.K)
        moved_cell = body.K[1].K[0]
        assert [bytes(h) for h in moved_cell.A.Headers] == [b"t1-0-0"]
        assert table.K[1].K[0].K[0].A.Scope == Name.Column  # header cells are column headers
        page_map = pdf.Root.StructTreeRoot.ParentTree.Nums[3]
        assert page_map[second["head"]] is None and page_map[margin] is None
        assert page_map[second["cell"]] == moved_cell


def test_a_caption_left_at_the_foot_of_a_page_joins_its_table() -> None:
    made = Maker()
    caption_only = made.element("/Table", made.document, 0)
    made.mark(made.element("/Caption", caption_only, 0), 0)
    rest = made.table_part(made.document, 1, "t-0-0", caption=False)

    facts = repair_tree(made.pdf)

    assert facts is not None and facts.tables == 1 and facts.pages[1].heads == frozenset()
    assert made.document["K"] == [caption_only.reference]
    assert [made.pdf.objects[int(k.split()[0])]["S"] for k in caption_only["K"]] == [
        "/Caption",
        "/THead",
        "/TBody",
    ]
    assert facts.pages[1].rank == {rest["head"]: 0, rest["cell"]: 1}


def test_parts_in_sections_of_their_own_page_are_joined_too() -> None:
    made = Maker()
    sections = [made.element("/Sect", made.document, page) for page in (0, 1)]
    made.table_part(sections[0], 0, "a", caption=True)
    made.table_part(sections[1], 1, "b", caption=False)

    facts = repair_tree(made.pdf)

    assert facts is not None and facts.tables == 1
    # the second section held nothing else: it left the tree with the table part
    assert made.document["K"] == [sections[0].reference]


def test_a_list_items_paragraphs_are_wrapped_in_one_lbody() -> None:
    made = Maker(pages=1)
    items = made.element("/L", made.document, 0)
    item = made.element("/LI", items, 0)
    label = made.element("/Lbl", item, 0)
    paragraphs = [made.element("/P", item, 0) for _ in range(2)]
    marks = [made.mark(element, 0) for element in (label, *paragraphs)]

    facts = repair_tree(made.pdf)

    assert facts is not None and list(facts.pages[0].rank) == marks
    with made.written() as pdf:
        (li,) = [o for o in pdf.objects if o.get("/S") == Name.LI]
        assert [str(k.S) for k in li.K] == ["/Lbl", "/LBody"]
        body = li.K[1]
        assert li == body.P and [str(k.S) for k in body.K] == ["/P", "/P"]
        assert all(body == p.P for p in body.K)


def spans(made: Maker, parent, page: int, count: int) -> list[pydyf.Dictionary]:
    """`count` Spans of one MCID each under `parent`, as WeasyPrint wraps each piece of text."""
    out = [made.element("/Span", parent, page) for _ in range(count)]
    for span in out:
        made.mark(span, page)
    return out


def test_text_spans_are_folded_into_their_paragraph() -> None:
    made = Maker(pages=1)
    paragraph = made.element("/P", made.document, 0)
    pieces = spans(made, paragraph, 0, 3)

    facts = repair_tree(made.pdf)

    assert facts is not None and facts.pages[0].rank == {0: 0, 1: 1, 2: 2}
    assert paragraph["K"] == [0, 1, 2] and all(span.free == "f" for span in pieces)
    with made.written() as pdf:
        assert not [o for o in pdf.objects if o.get("/S") == Name.Span]  # not written
        (written,) = pdf.Root.StructTreeRoot.K[0].K
        assert list(written.K) == [0, 1, 2] and written.Pg == pdf.pages[0].obj
        assert list(pdf.Root.StructTreeRoot.ParentTree.Nums[1]) == [written] * 3


def test_spans_stay_beside_elements_on_another_page_or_with_more_to_say() -> None:
    made = Maker()
    mixed = made.element("/P", made.document, 0)
    spans(made, mixed, 0, 1)
    made.mark(made.element("/Link", mixed, 0), 0)  # a Span beside an element: mixed content
    elsewhere = made.element("/P", made.document, 0)
    spans(made, elsewhere, 1, 1)  # the Span's MCID is on another page than its parent's
    said = made.element("/P", made.document, 0)
    spans(made, said, 0, 1)[0]["Lang"] = pydyf.String("en")  # a Span that says something

    repair_tree(made.pdf)

    for element in (mixed, elsewhere, said):
        kids = [made.pdf.objects[int(k.split()[0])] for k in element["K"]]
        assert kids[0]["S"] == "/Span" and kids[0].free == "n"


def test_nothing_written_refers_to_a_folded_span() -> None:
    """On the sample, as WeasyPrint writes it with the finisher: Spans were folded (free in the
    cross-reference table) and no object left refers to one (qpdf would make such a reference
    null without a word)."""
    from test_pdf_tags import weasyprint_output

    data = weasyprint_output(stand_ins=True, in_flow=True)[0]
    body, xref = data.rsplit(b"\nxref\n", 1)
    lines = xref.split(b"\n")
    count = int(lines[0].split()[1])
    free = {n for n, line in enumerate(lines[1 : 1 + count]) if line.rstrip().endswith(b"f")}
    free.discard(0)
    assert len(free) > 10
    referred = {int(number) for number in re.findall(rb"(\d+) 0 R", body)}
    assert not free & referred
    with pikepdf.open(io.BytesIO(data)) as pdf:
        roles = [o.get("/S") for o in pdf.objects if isinstance(o, pikepdf.Dictionary)]
        assert Name.P in roles and Name.Table in roles  # the tree is there, read back
