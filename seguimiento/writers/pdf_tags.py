"""Tagged-PDF repairs on WeasyPrint's output (pikepdf): what WeasyPrint 70 leaves undone for
PDF/UA readers, done on the finished file.

- **Running headers, footers and page numbers become pagination artifacts.** WeasyPrint marks the
  text of the `@page` margin boxes as `/Span <</MCID n>>` and gives those MCIDs structure
  elements that hang from no parent (so they sit in the ParentTree, not in the tag tree). Those
  marked-content sequences are rewritten as `/Artifact <</Type /Pagination /Subtype /Header>>`
  (or `/Footer`, from where they are painted), and their ParentTree entries are emptied: screen
  readers skip them, as they skip a printed book's running heads. Where a page needs nothing moved
  (below), this is done in its content stream's bytes (`pdf_marked`), else on its parsed
  instructions; both read and write the same.
- **A table is one Table.** WeasyPrint makes one Table per page of a table that runs over
  pages, each later part repeating the header row. The body rows of the later parts join the
  first part's TBody (their `/Headers` now name the first part's header cells), and the repeated
  header rows become `/Artifact <</Type /Pagination>>`: a screen reader meets one table, with its
  header once. A caption left alone at the foot of a page is joined to its table the same way.
- **Content is painted in reading order.** WeasyPrint paints positioned and clipped boxes after
  all the in-flow text of the page (style.css keeps the charts unclipped for this reason); the
  outside list markers, positioned boxes, would come last although the tag tree reads each
  label before its item, and `weasyprint_run.markers_in_flow` has WeasyPrint paint them with
  their item instead. Whatever is still painted out of the tag-tree order (with a WeasyPrint
  whose stacking code that does not know, the labels) is moved to its logical place, with
  the graphics state it was painted with, so the page looks exactly as before (`pdf_content`).
- **Links are described** (`pdf_links`). WeasyPrint sets a link annotation's `/Contents` to the
  raw target (a URL or an anchor name); it becomes the text of the link in the HTML (and the URL,
  for an external link whose text differs from it).

`finish_tags(pdf, links)` does all four on an open pikepdf document.
"""

from __future__ import annotations

from collections.abc import Mapping

import pikepdf
from pikepdf import Name

from seguimiento.writers.pdf_content import reorder
from seguimiento.writers.pdf_gstate import (
    IDENTITY,
    make_instruction,
    mcid_of,
    multiply,
    numbers,
    op_names,
)
from seguimiento.writers.pdf_links import describe_links
from seguimiento.writers.pdf_marked import as_artifacts, marks

# ------------------------------------------------------------------------ structure tree


def _struct_order(struct_root) -> tuple[set, dict]:
    """Objgens of the structure elements reachable from the root, and per page (objgen of the
    page object) the MCIDs in tag-tree (reading) order as {mcid: rank}."""
    reachable: set = set()
    order: dict = {}
    array, dictionary = pikepdf.Array, pikepdf.Dictionary
    kind_key, kids_key, page_key = Name.Type, Name.K, Name.Pg  # made once: 40,000 nodes on M
    reference, object_reference, mcid_key = Name.MCR, Name.OBJR, Name.MCID

    def add(page, mcid: int) -> None:
        if page is not None:
            ranks = order.setdefault(page.objgen, {})
            ranks.setdefault(mcid, len(ranks))

    def walk(node, page) -> None:
        if isinstance(node, array):
            for kid in node:
                walk(kid, page)
        elif isinstance(node, int):
            add(page, node)
        elif isinstance(node, dictionary):
            kind = node.get(kind_key)
            if kind == reference:
                add(node.get(page_key, page), int(node[mcid_key]))
                return
            if kind == object_reference:
                return
            if node.is_indirect:
                if node.objgen in reachable:
                    return
                reachable.add(node.objgen)
            kids = node.get(kids_key)
            if kids is not None:
                walk(kids, node.get(page_key, page))

    walk(struct_root.get(kids_key), None)
    return reachable, order


def _page_numbers(pdf) -> dict:
    """The ParentTree's MCID arrays, keyed by the page's /StructParents number."""
    tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    if tree is None:
        return {}
    return {
        int(key): value
        for key, value in pikepdf.NumberTree(tree).items()
        if isinstance(value, pikepdf.Array)
    }


def _in_upper_half(
    instructions: list, ops: list[str], starts: list[int], height: float
) -> dict[int, bool]:
    """For each marked-content sequence starting at an index of `starts` (ascending), whether
    its text is placed in the upper half of the page. Only `q`, `Q` and `cm` before it matter
    (text is positioned with `Tm`/`Td` inside the sequence); one pass over the page."""
    ctm, stack, done = IDENTITY, [], 0
    upper: dict[int, bool] = {}
    for start in starts:
        for index in range(done, start):
            op = ops[index]
            if op == "q":
                stack.append(ctm)
            elif op == "Q" and stack:
                ctm = stack.pop()
            elif op == "cm":
                ctm = multiply(numbers(instructions[index].operands), ctm)  # type: ignore[arg-type]
        done = max(done, start)
        upper[start] = _text_above(instructions, ops, start, ctm, height)
    return upper


def _text_above(instructions: list, ops: list[str], start: int, ctm, height: float) -> bool:
    """Whether the first text position in the sequence at `start` lies above `height / 2`."""
    for index in range(start, len(ops)):
        op = ops[index]
        if op == "cm":
            ctm = multiply(numbers(instructions[index].operands), ctm)  # type: ignore[arg-type]
        elif op in ("Tm", "Td", "TD"):
            x, y = numbers(instructions[index].operands)[-2:]
            return x * ctm[1] + y * ctm[3] + ctm[5] > height / 2
        elif op == "EMC":
            break
    return True


_CONTAINERS = frozenset({"/Div", "/Sect", "/Part", "/Art", "/NonStruct", "/BlockQuote"})


def _kids(element) -> list:
    """The structure-element children of `element`, in order."""
    kids = element.get("/K")
    if isinstance(kids, pikepdf.Dictionary):
        kids = [kids]
    return [
        kid
        for kid in (kids if kids is not None and not isinstance(kids, int) else [])
        if isinstance(kid, pikepdf.Dictionary)
        and kid.get("/Type") not in ("/MCR", "/OBJR")
        and "/S" in kid
    ]


def _child(element, role: str):
    return next((kid for kid in _kids(element) if kid.get("/S") == role), None)


def _header_cells(table) -> list:
    head = _child(table, "/THead")
    row = _child(head, "/TR") if head is not None else None
    return [] if row is None else [c for c in _kids(row) if c.get("/S") == "/TH"]


def _marked(element, page=None) -> list[tuple]:
    """(page objgen, MCID) of all marked content under `element`."""
    page = element.get("/Pg", page)
    out: list[tuple] = []
    kids = element.get("/K")
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        if isinstance(kid, int) and page is not None:
            out.append((page.objgen, kid))
        elif isinstance(kid, pikepdf.Dictionary):
            if kid.get("/Type") == "/MCR":
                out.append((kid.get("/Pg", page).objgen, int(kid.MCID)))
            elif "/S" in kid:
                out += _marked(kid, page)
    return out


def _continues(first, second) -> bool:
    """Whether Table `second` is the next-page part of Table `first`: WeasyPrint makes one
    Table per page of an HTML table; the later parts have no caption and repeat the header."""
    if first.get("/S") != "/Table" or second.get("/S") != "/Table":
        return False
    if _child(second, "/Caption") is not None or "/Pg" not in first or "/Pg" not in second:
        return False
    if first.Pg == second.Pg:
        return False
    if [kid.get("/S") for kid in _kids(first)] == ["/Caption"]:
        return True  # the caption stayed at the foot of the previous page
    heads = _header_cells(first), _header_cells(second)
    return bool(heads[0]) and len(heads[0]) == len(heads[1])


def merge_split_tables(struct_root) -> tuple[set[tuple], int]:
    """Make each table that WeasyPrint split over pages one Table again: the body rows of its
    later parts join the first part's TBody (their /Headers pointed at the first part's header
    cells), and the later parts' repeated header rows leave the tag tree. Returns the (page
    objgen, MCID) of the repeated header rows (to be painted as artifacts) and how many parts
    were merged."""
    repeated: set[tuple] = set()
    merged = [0]

    def merge(first, second) -> None:
        merged[0] += 1
        if not _header_cells(first):  # a caption alone: the second part is the whole table
            for kid in _kids(second):
                kid.P = first
                first.K.append(kid)
            return
        ids = {}
        for old, new in zip(_header_cells(second), _header_cells(first)):
            if "/ID" in old and "/ID" in new:
                ids[bytes(old.ID)] = new.ID
        repeated.update(_marked(_child(second, "/THead")))
        body, more = _child(first, "/TBody"), _child(second, "/TBody")
        if more is None:
            return
        if body is None:
            first.K.append(more)
            more.P = first
            return
        for row in _kids(more):
            row.P = body
            body.K.append(row)
            for cell in _kids(row):
                attributes = cell.get("/A")
                if isinstance(attributes, pikepdf.Dictionary) and "/Headers" in attributes:
                    attributes.Headers = pikepdf.Array(
                        [ids.get(bytes(h), h) for h in attributes.Headers]
                    )

    def visit(element) -> None:
        kids = element.get("/K")
        if not isinstance(kids, pikepdf.Array):
            return
        kept: list = []
        for kid in kids:
            previous = kept[-1] if kept else None
            if isinstance(kid, pikepdf.Dictionary) and isinstance(previous, pikepdf.Dictionary):
                if _continues(previous, kid):
                    merge(previous, kid)
                    continue
                if kid.get("/S") in _CONTAINERS and previous.get("/S") == kid.get("/S"):
                    inner = _kids(previous), _kids(kid)
                    if inner[0] and inner[1] and _continues(inner[0][-1], inner[1][0]):
                        merge(inner[0][-1], inner[1][0])
                        kid.K = pikepdf.Array([k for k in kid.K if k != inner[1][0]])
                        if not _kids(kid) and not _marked(kid):
                            continue
            kept.append(kid)
        if len(kept) != len(kids):
            element.K = pikepdf.Array(kept)
        for kid in kept:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid and kid.get("/S") != "/Table":
                visit(kid)

    for top in _kids(struct_root):
        visit(top)
    return repeated, merged[0]


def finish_tags(pdf, links: Mapping[str, str] | None = None) -> dict[str, int]:
    """Pagination artifacts, one Table per table, reading-order painting and link descriptions
    (module docstring; `links`: `pdf_links.link_texts` of the page). Returns counts:
    {"artifacts", "tables", "moved", "links"}."""
    done = {"artifacts": 0, "tables": 0, "moved": 0, "links": 0}
    struct_root = pdf.Root.get("/StructTreeRoot")
    if struct_root is None:
        return done
    repeated, done["tables"] = merge_split_tables(struct_root)
    in_tree, order = _struct_order(struct_root)
    parents = _page_numbers(pdf)
    heads_of: dict[tuple, set[int]] = {}  # page objgen → MCIDs of its repeated table heads
    for objgen, mcid in repeated:
        heads_of.setdefault(objgen, set()).add(mcid)
    for page in pdf.pages:
        key = page.obj.get(Name.StructParents)
        mcids = parents.get(int(key)) if key is not None else None
        if mcids is None:
            continue
        heads = heads_of.get(page.obj.objgen, set())
        margins = {  # content of elements outside the tree, but the repeated table heads
            mcid
            for mcid, element in enumerate(mcids)
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in in_tree
        } - heads
        rank = order.get(page.obj.objgen, {})
        height = float(page.mediabox[3]) - float(page.mediabox[1])
        artifacts = _as_bytes(page, margins, heads, rank, height)
        if artifacts is None:  # parsed: out of order, or a stream the bytes reading is unsure of
            artifacts, moved = _as_instructions(pdf, page, margins, heads, rank, height)
            done["moved"] += moved
        done["artifacts"] += artifacts
        for mcid in margins | heads:
            if mcid < len(mcids):
                mcids[mcid] = None  # the ParentTree no longer maps it
    done["links"] = describe_links(pdf, links) if links else 0
    return done


def _as_bytes(page, margins: set[int], heads: set[int], rank: dict, height: float) -> int | None:
    """The page's artifacts made in its content stream's bytes (`pdf_marked`), when the stream
    is one stream that reading is sure of and its content is painted in tag-tree order already;
    returns how many were made, or None (then nothing has changed)."""
    contents = page.obj.get(Name.Contents)
    if not isinstance(contents, pikepdf.Stream):
        return None
    data = contents.read_bytes()
    found = marks(data, height, margins)
    if found is None:
        return None
    if not _in_order([rank[mark.mcid] for mark in found if mark.mcid in rank]):
        return None  # sequences to move: the parsed way
    data, changed = as_artifacts(data, found, margins, heads)
    if changed:
        contents.write(data)  # qpdf compresses it on saving
    return changed


def _as_instructions(
    pdf, page, margins: set[int], heads: set[int], rank: dict, height: float
) -> tuple[int, int]:
    """The page's artifacts made, and its content put in tag-tree order (`pdf_content.reorder`),
    on its parsed instructions; returns how many artifacts were made and sequences moved."""
    instructions = list(pikepdf.parse_content_stream(page))
    ops = op_names(instructions)
    marks_at = [(i, mcid_of(instructions[i])) for i, op in enumerate(ops) if op == "BDC"]
    upper = _in_upper_half(instructions, ops, [i for i, m in marks_at if m in margins], height)
    artifacts = 0
    for index, mcid in marks_at:
        if mcid in margins:
            subtype = Name.Header if upper[index] else Name.Footer
            properties = pikepdf.Dictionary(Type=Name.Pagination, Subtype=subtype)
        elif mcid in heads:
            properties = pikepdf.Dictionary(Type=Name.Pagination)
        else:
            continue
        instructions[index] = make_instruction("BDC", Name.Artifact, properties)
        artifacts += 1
    moved = 0
    if not _in_order([rank[mcid] for _, mcid in marks_at if mcid in rank]):
        resources = page.obj.get("/Resources", {})
        ext = {str(k): dict(v.items()) for k, v in resources.get("/ExtGState", {}).items()}
        instructions, moved = reorder(instructions, rank, ext, ops)
    if artifacts or moved:
        data = pikepdf.unparse_content_stream(instructions)  # qpdf compresses it on saving
        contents = page.obj.Contents
        if isinstance(contents, pikepdf.Stream):  # rewritten in place: no stream left over
            contents.write(data)
        else:
            page.obj.Contents = pdf.make_stream(data)
    return artifacts, moved


def _in_order(ranks: list[int]) -> bool:
    """Whether the sequences of a page, ranked in tag-tree order, are painted in that order."""
    return all(a <= b for a, b in zip(ranks, ranks[1:]))
