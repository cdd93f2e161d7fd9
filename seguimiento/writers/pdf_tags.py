"""Tagged-PDF repairs on WeasyPrint's output (pikepdf) that need its content streams, done on
the written file; the tag tree itself was repaired before (`pdf_structure`, WeasyPrint's
finisher), which tells this module, page by page, which content left the tree (`TreeFacts`).

- **Running headers, footers and page numbers become pagination artifacts.** WeasyPrint marks the
  text of the `@page` margin boxes as `/Span <</MCID n>>` and gives those MCIDs structure
  elements that hang from no parent (so they sit in the ParentTree, not in the tag tree). Those
  marked-content sequences are rewritten as `/Artifact <</Type /Pagination /Subtype /Header>>`
  (or `/Footer`, from where they are painted); `pdf_structure` emptied their ParentTree entries:
  screen readers skip them, as they skip a printed book's running heads. Where a page needs
  nothing moved (below), this is done in its content stream's bytes (`pdf_marked`), else on its
  parsed instructions; both read and write the same.
- **A table's repeated header rows become `/Artifact <</Type /Pagination>>`**: `pdf_structure`
  made each table split over pages one Table again, with its header once.
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

`finish_tags(pdf, facts, links)` does all three on an open pikepdf document.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet

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
from seguimiento.writers.pdf_structure import TreeFacts


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


def finish_tags(
    pdf, facts: TreeFacts | None, links: Mapping[str, str] | None = None
) -> dict[str, int]:
    """Pagination artifacts and reading-order painting in the content streams, where `facts`
    (`pdf_structure.repair_tree`, run on the same PDF before it was written) says, and link
    descriptions (`links`: `pdf_links.link_texts` of the page). Returns counts: {"artifacts",
    "tables" (the table parts `repair_tree` merged), "moved", "links"}."""
    done = {"artifacts": 0, "tables": 0, "moved": 0, "links": 0}
    if facts is None or "/StructTreeRoot" not in pdf.Root:
        return done
    done["tables"] = facts.tables
    for index, page in enumerate(pdf.pages):
        marks = facts.pages.get(index)
        if marks is None:
            continue
        height = float(page.mediabox[3]) - float(page.mediabox[1])
        artifacts = _as_bytes(page, marks.margins, marks.heads, marks.rank, height)
        if artifacts is None:  # parsed: out of order, or a stream the bytes reading is unsure of
            artifacts, moved = _as_instructions(
                pdf, page, marks.margins, marks.heads, marks.rank, height
            )
            done["moved"] += moved
        done["artifacts"] += artifacts
    done["links"] = describe_links(pdf, links) if links else 0
    return done


def _as_bytes(
    page, margins: AbstractSet[int], heads: AbstractSet[int], rank: dict, height: float
) -> int | None:
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
    pdf, page, margins: AbstractSet[int], heads: AbstractSet[int], rank: dict, height: float
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
