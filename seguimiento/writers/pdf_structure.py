"""The tag tree repaired on WeasyPrint's own objects (pydyf), before it writes the file.

`TagTreeFinisher` is given to WeasyPrint as its `finisher` (`Document.write_pdf(finisher=...)`):
it runs on the `pydyf.PDF` that WeasyPrint has built, before the file is written, and does in
plain Python dictionaries what pikepdf did on the written file at five times the cost (0.2 s
against 0.04 s on a report of 130 pages, where pikepdf crossed into qpdf at each of some 45,000
structure nodes); and what only this side can do, leave objects unwritten. What needs the
content streams or the charts is left to `pdf_tags` (pikepdf), which gets the `TreeFacts`
found here.

- **A table is one Table.** WeasyPrint makes one Table per page of a table that runs over
  pages, each later part repeating the header row. The body rows of the later parts join the
  first part's TBody (their `/Headers` now name the first part's header cells), and the repeated
  header rows leave the tag tree (`pdf_tags` paints them as `/Artifact <</Type /Pagination>>`):
  a screen reader meets one table, with its header once. A caption left alone at the foot of a
  page is joined to its table the same way.
- **Header cells are column headers** (`/Scope /Column`: the reports have no row headers), and
  **a list item holds only `Lbl` and `LBody`** (PDF/UA): its other block children are wrapped in
  one `LBody`.
- **Text is not wrapped in a Span of its own.** WeasyPrint gives each piece of text a `/Span`
  holding its one MCID (7,430 of the M report's 17,000 objects). Where an element's kids are
  all such Spans or marked content, the MCIDs become its own kids and the Spans are not
  written (5,169 on M): the same reading, a file 7 % smaller, and a third fewer objects for
  qpdf to read and write. Spans beside elements stay (marked content beside elements is mixed
  content, which readers and checkers take badly), and so does a Span that says more (a
  language, say).
- **What the content streams need** (`TreeFacts`): per page, the MCIDs of content outside the
  tag tree (the text of the `@page` margin boxes: WeasyPrint gives it structure elements that
  hang from no parent) and of the repeated header rows, which `pdf_tags` makes pagination
  artifacts, and the reading order of the rest. Their ParentTree entries are emptied here.

pydyf's shapes: an indirect object is referred to as bytes `b"12 0 R"` (its number is its index
in `pdf.objects`), a name is a str such as `"/TH"`, keys have no slash, and a structure
element's `K` is an Array of references and MCIDs (ints).
"""

from __future__ import annotations

from dataclasses import dataclass, field

_CONTAINERS = frozenset({"/Div", "/Sect", "/Part", "/Art", "/NonStruct", "/BlockQuote"})


@dataclass(frozen=True)
class PageMarks:
    """One page's marked content as the tag tree sees it: `margins`, the MCIDs outside the tree
    (running heads, page numbers); `heads`, those of repeated table header rows; `rank`, the
    place in reading order of each MCID in the tree."""

    margins: frozenset[int]
    heads: frozenset[int]
    rank: dict[int, int]


@dataclass
class TreeFacts:
    """What `repair_tree` found and did: `pages`, each page's `PageMarks` by the page's index
    (from 0; object numbers would not survive a file saved again); `tables`, how many table
    parts joined the part before them."""

    pages: dict[int, PageMarks] = field(default_factory=dict)
    tables: int = 0


class TagTreeFinisher:
    """A WeasyPrint `finisher`: repairs the tag tree of the PDF it is given (`repair_tree`) and
    keeps what it found in `facts` (None until it has run, or for an untagged PDF)."""

    def __init__(self) -> None:
        self.facts: TreeFacts | None = None

    def __call__(self, document: object, pdf) -> None:
        self.facts = repair_tree(pdf)


def _number(reference: bytes) -> int:
    """The object number of a pydyf reference (`b"12 0 R"`)."""
    return int(reference.split(b" ", 1)[0])


class _Tree:
    """The structure elements of a pydyf PDF, read through their references."""

    def __init__(self, pdf) -> None:
        import pydyf

        self.pdf = pdf
        self.objects = pdf.objects
        self.dictionary = pydyf.Dictionary
        self.array = pydyf.Array

    def resolve(self, item):
        """The dictionary `item` is or refers to, else None (an MCID, another kind of object)."""
        if isinstance(item, bytes):
            item = self.objects[_number(item)]
        return item if isinstance(item, dict) else None

    def items(self, element) -> list:
        """`element`'s `K` as a list (one kid may stand alone)."""
        kids = element.get("K")
        if kids is None:
            return []
        return kids if isinstance(kids, list) else [kids]

    def kids(self, element) -> list:
        """The structure-element children of `element`, in order."""
        out = []
        for item in self.items(element):
            kid = self.resolve(item)
            if kid is not None and kid.get("Type") not in ("/MCR", "/OBJR") and "S" in kid:
                out.append(kid)
        return out

    def child(self, element, role: str):
        """The first structure-element child of `element` in `role` (`"/THead"`...), or None."""
        return next((kid for kid in self.kids(element) if kid.get("S") == role), None)

    def header_cells(self, table) -> list:
        """The `/TH` cells of the header row of Table `table` (none without a THead)."""
        head = self.child(table, "/THead")
        row = self.child(head, "/TR") if head is not None else None
        return [] if row is None else [c for c in self.kids(row) if c.get("S") == "/TH"]

    def marked(self, element, page: bytes | None = None) -> list[tuple[int, int]]:
        """(page object number, MCID) of all marked content under `element`."""
        page = element.get("Pg", page)
        out: list[tuple[int, int]] = []
        for item in self.items(element):
            if isinstance(item, int):
                if page is not None:
                    out.append((_number(page), item))
                continue
            kid = self.resolve(item)
            if kid is None:
                continue
            if kid.get("Type") == "/MCR":
                out.append((_number(kid.get("Pg", page)), int(kid["MCID"])))
            elif "S" in kid:
                out += self.marked(kid, page)
        return out

    def continues(self, first, second) -> bool:
        """Whether Table `second` is the next-page part of Table `first`: WeasyPrint makes one
        Table per page of an HTML table; the later parts have no caption and repeat the header."""
        if first.get("S") != "/Table" or second.get("S") != "/Table":
            return False
        if self.child(second, "/Caption") is not None or "Pg" not in first or "Pg" not in second:
            return False
        if first["Pg"] == second["Pg"]:
            return False
        if [kid.get("S") for kid in self.kids(first)] == ["/Caption"]:
            return True  # the caption stayed at the foot of the previous page
        heads = self.header_cells(first), self.header_cells(second)
        return bool(heads[0]) and len(heads[0]) == len(heads[1])


def _string_key(value) -> object:
    """A header cell's `/ID` as a dictionary key (a pydyf String, or bytes)."""
    return getattr(value, "string", value)


def _merge_split_tables(tree: _Tree, struct_root) -> tuple[set[tuple[int, int]], int]:
    """Make each table that WeasyPrint split over pages one Table again: the body rows of its
    later parts join the first part's TBody (their /Headers point at the first part's header
    cells), and the later parts' repeated header rows leave the tag tree. Returns the (page
    object number, MCID) of the repeated header rows and how many parts were merged."""
    repeated: set[tuple[int, int]] = set()
    merged = [0]

    def merge(first, second) -> None:
        merged[0] += 1
        if not tree.header_cells(first):  # a caption alone: the second part is the whole table
            for kid in tree.kids(second):
                kid["P"] = first.reference
                first["K"].append(kid.reference)
            return
        ids = {}
        for old, new in zip(tree.header_cells(second), tree.header_cells(first)):
            if "ID" in old and "ID" in new:
                ids[_string_key(old["ID"])] = new["ID"]
        repeated.update(tree.marked(tree.child(second, "/THead")))
        body, more = tree.child(first, "/TBody"), tree.child(second, "/TBody")
        if more is None:
            return
        if body is None:
            first["K"].append(more.reference)
            more["P"] = first.reference
            return
        for row in tree.kids(more):
            row["P"] = body.reference
            body["K"].append(row.reference)
            for cell in tree.kids(row):
                attributes = cell.get("A")
                if isinstance(attributes, dict) and "Headers" in attributes:
                    attributes["Headers"] = tree.array(
                        [ids.get(_string_key(h), h) for h in attributes["Headers"]]
                    )

    def visit(element) -> None:
        items = element.get("K")
        if not isinstance(items, list):
            return
        kept: list = []
        for item in items:
            kid = tree.resolve(item)
            previous = tree.resolve(kept[-1]) if kept else None
            if kid is not None and previous is not None:
                if tree.continues(previous, kid):
                    merge(previous, kid)
                    continue
                if kid.get("S") in _CONTAINERS and previous.get("S") == kid.get("S"):
                    inner = tree.kids(previous), tree.kids(kid)
                    if inner[0] and inner[1] and tree.continues(inner[0][-1], inner[1][0]):
                        merge(inner[0][-1], inner[1][0])
                        gone = inner[1][0].reference
                        kid["K"] = tree.array([k for k in tree.items(kid) if k != gone])
                        if not tree.kids(kid) and not tree.marked(kid):
                            continue
            kept.append(item)
        if len(kept) != len(items):
            element["K"] = tree.array(kept)
        for item in kept:
            kid = tree.resolve(item)
            if kid is not None and "S" in kid and kid.get("S") != "/Table":
                visit(kid)

    for top in tree.kids(struct_root):
        visit(top)
    return repeated, merged[0]


def _repair_element(tree: _Tree, element) -> None:
    """`/Scope /Column` on a header cell; a list item's block children (but its label) wrapped
    in one `/LBody`, put where the first of them was."""
    role = element.get("S")
    if role == "/TH":
        attributes = element.get("A")
        if isinstance(attributes, dict):
            attributes["Scope"] = "/Column"
    elif role == "/LI" and isinstance(element.get("K"), list):
        items = element["K"]
        stray = [
            index
            for index, item in enumerate(items)
            if isinstance(item, bytes)
            and (kid := tree.resolve(item)) is not None
            and kid.get("S") not in (None, "/Lbl", "/LBody")
        ]
        if not stray:
            return
        body = tree.dictionary(
            {
                "Type": "/StructElem",
                "S": "/LBody",
                "P": element.reference,
                "K": tree.array([items[index] for index in stray]),
            }
        )
        tree.pdf.add_object(body)
        for index in stray:
            tree.resolve(items[index])["P"] = body.reference
        kept = [item for index, item in enumerate(items) if index not in stray]
        element["K"] = tree.array(kept[: stray[0]] + [body.reference] + kept[stray[0] :])


_SPAN_KEYS = frozenset({"Type", "S", "K", "Pg", "P"})


def _fold_spans(tree: _Tree, element, folded: dict[int, bytes]) -> None:
    """When every kid of `element` is marked content, or a bare `/Span` holding one MCID on the
    element's page (WeasyPrint wraps each piece of text in one), the MCIDs become the element's
    own kids and the Spans go: their objects are freed (pydyf writes no object marked free) and
    `folded` maps each Span's number to `element`'s reference, for the ParentTree. An element
    with element kids keeps its Spans: marked content beside elements is mixed content."""
    items = element.get("K")
    if not isinstance(items, list) or not items:
        return
    page = element.get("Pg")
    mcids, spans = [], []
    for item in items:
        if isinstance(item, int):
            mcids.append(item)
            continue
        span = tree.resolve(item) if isinstance(item, bytes) else None
        if (
            span is None
            or span.get("S") != "/Span"
            or not _SPAN_KEYS.issuperset(span)
            or span.get("Pg") != page
            or not isinstance(span.get("K"), list)
            or len(span["K"]) != 1
            or not isinstance(span["K"][0], int)
        ):
            return
        mcids.append(span["K"][0])
        spans.append(span)
    if not spans:
        return
    element["K"] = tree.array(mcids)
    for span in spans:
        span.free = "f"
        folded[span.number] = element.reference


def _walk_tree(
    tree: _Tree, struct_root, folded: dict[int, bytes]
) -> tuple[set[int], dict[int, dict[int, int]]]:
    """Each structure element reachable from the root repaired (`_repair_element`) and its
    Spans folded in (`_fold_spans`, into `folded`), once; returns their object numbers and, per
    page object number, the MCIDs in tag-tree (reading) order as {mcid: rank}."""
    reachable: set[int] = set()
    order: dict[int, dict[int, int]] = {}

    def add(page: bytes | None, mcid: int) -> None:
        if page is not None:
            ranks = order.setdefault(_number(page), {})
            ranks.setdefault(mcid, len(ranks))

    def walk(items: list, page: bytes | None) -> None:
        for item in items:
            if isinstance(item, int):
                add(page, item)
                continue
            node = tree.resolve(item)
            if node is None:
                continue
            kind = node.get("Type")
            if kind == "/MCR":
                add(node.get("Pg", page), int(node["MCID"]))
                continue
            if kind == "/OBJR":
                continue
            if isinstance(item, bytes):
                if node.number in reachable:
                    continue
                reachable.add(node.number)
            _repair_element(tree, node)
            _fold_spans(tree, node, folded)
            walk(tree.items(node), node.get("Pg", page))

    walk(tree.items(struct_root), None)
    return reachable, order


def repair_tree(pdf) -> TreeFacts | None:
    """Repair the tag tree of `pdf` (a `pydyf.PDF` as WeasyPrint leaves it to its finisher; see
    the module docstring) and empty the ParentTree entries of content that leaves it; returns
    each page's `PageMarks`, or None for an untagged PDF."""
    root_reference = pdf.catalog.get("StructTreeRoot")
    if root_reference is None:
        return None
    tree = _Tree(pdf)
    struct_root = tree.resolve(root_reference)
    repeated, tables = _merge_split_tables(tree, struct_root)
    folded: dict[int, bytes] = {}  # Span object number → the element it was folded into
    reachable, order = _walk_tree(tree, struct_root, folded)

    parent_tree = tree.resolve(struct_root.get("ParentTree")) or {}
    pairs = parent_tree.get("Nums", [])
    parents = {key: value for key, value in zip(pairs[::2], pairs[1::2]) if isinstance(value, list)}
    heads_of: dict[int, set[int]] = {}
    for page, mcid in repeated:
        heads_of.setdefault(page, set()).add(mcid)

    facts = TreeFacts(tables=tables)
    for index, page_number in enumerate(pdf.pages["Kids"][::3]):
        mcids = parents.get(tree.objects[page_number].get("StructParents"))
        if mcids is None:
            continue
        for mcid, element in enumerate(mcids):
            if isinstance(element, bytes) and _number(element) in folded:
                mcids[mcid] = folded[_number(element)]
        heads = heads_of.get(page_number, set())
        margins = {
            mcid
            for mcid, element in enumerate(mcids)
            if isinstance(element, bytes) and _number(element) not in reachable
        } - heads
        for mcid in margins | heads:
            if mcid < len(mcids):
                mcids[mcid] = b"null"  # the ParentTree no longer maps it
        facts.pages[index] = PageMarks(
            frozenset(margins), frozenset(heads), order.get(page_number, {})
        )
    return facts
