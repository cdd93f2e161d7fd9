"""Tagged-PDF repairs on WeasyPrint's output (pikepdf): what WeasyPrint 70 leaves undone for
PDF/UA readers, done on the finished file.

- **Running headers, footers and page numbers become pagination artifacts.** WeasyPrint marks the
  text of the `@page` margin boxes as `/Span <</MCID n>>` and gives those MCIDs structure
  elements that hang from no parent (so they sit in the ParentTree, not in the tag tree). Those
  marked-content sequences are rewritten as `/Artifact <</Type /Pagination /Subtype /Header>>`
  (or `/Footer`, from where they are painted), and their ParentTree entries are emptied: screen
  readers skip them, as they skip a printed book's running heads.
- **Content is painted in reading order.** WeasyPrint paints positioned boxes (the outside list
  markers, for instance) after all the in-flow text of the page, so on a page with a list the
  labels come last in the content stream although the tag tree reads each label before its item.
  A marked-content sequence painted out of the tag-tree order is moved to its logical place: it is
  wrapped in `q ... Q` together with the graphics state it was painted with (transformation,
  clipping, colours, line and text state, ExtGState), so it paints exactly as before; at its old
  place only its state changes are kept, so what follows paints as before too. Sequences that
  are not self-contained (unbalanced `q`/`Q`, or inside a text object) are left where they are.
- **Links are described.** WeasyPrint sets a link annotation's `/Contents` to the raw target
  (a URL or an anchor name); it becomes the text of the link in the HTML (and the URL, for an
  external link whose text differs from it).

`finish_tags(pdf, html)` does all three on an open pikepdf document.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

Matrix = tuple[float, float, float, float, float, float]

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

# Content-stream operators by what they do to the graphics state.
_PATH_BUILD = frozenset({"m", "l", "c", "v", "y", "h", "re"})
_PATH_PAINT = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "n"})
_FILL_SPACE_RESET = frozenset({"rg", "g", "k"})
_STROKE_SPACE_RESET = frozenset({"RG", "G", "K"})
_PARAMS = frozenset({"w", "J", "j", "M", "d", "ri", "i", "Tc", "Tw", "Tz", "TL", "Tf", "Tr", "Ts"})
_SHOW = frozenset({"Tj", "TJ", "'", '"', "Do", "sh", "BI", "INLINE IMAGE"})
_MARKS = frozenset({"BDC", "BMC", "EMC", "MP", "DP"})
#: Initial values of the graphics-state parameters (ISO 32000-1, 8.4.1 and 9.3.1); `Tf` has none.
_DEFAULTS: dict[str, tuple] = {
    "w": (1,), "J": (0,), "j": (0,), "M": (10,), "i": (0,), "Tc": (0,), "Tw": (0,),
    "Tz": (100,), "TL": (0,), "Tr": (0,), "Ts": (0,),
}  # fmt: skip


# ------------------------------------------------------------------------ matrices


def multiply(m1: Matrix, m2: Matrix) -> Matrix:
    """`m1 × m2` in PDF's row-vector convention (`cm m` makes the CTM `m × CTM`)."""
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2,
        a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2,
        c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2,
        e1 * b2 + f1 * d2 + f2,
    )


def invert(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if abs(det) < 1e-12:
        raise ZeroDivisionError("singular matrix")
    return (d / det, -b / det, -c / det, a / det, (c * f - d * e) / det, (b * e - a * f) / det)


# ------------------------------------------------------------------------ graphics state


@dataclass
class GState:
    """The part of the graphics state a moved sequence needs replayed (see module docstring)."""

    ctm: Matrix = IDENTITY
    clips: tuple = ()  # (ctm, path instructions, "W" | "W*")
    ext: dict = field(default_factory=dict)  # ExtGState name → its gs instruction, by last use
    fill: tuple = ()  # instructions that set the fill colour (space, then colour)
    stroke: tuple = ()
    params: dict = field(default_factory=dict)  # operator → its instruction (w, Tf, Tc...)

    def copy(self) -> GState:
        ext, params = dict(self.ext), dict(self.params)
        return GState(self.ctm, self.clips, ext, self.fill, self.stroke, params)


@dataclass
class Sequence:
    """A top-level marked-content sequence with an MCID: instructions `start`..`end` (BDC..EMC)."""

    mcid: int
    start: int
    end: int = -1
    state: GState | None = None  # the state its BDC was painted with
    movable: bool = True


def _op(instruction) -> str:
    return str(instruction.operator) if hasattr(instruction, "operator") else "INLINE IMAGE"


def _numbers(operands: Iterable) -> tuple[float, ...]:
    return tuple(float(x) for x in operands)


def _mcid(instruction) -> int | None:
    """The MCID of a BDC instruction with a property dictionary, else None."""
    import pikepdf

    operands = instruction.operands
    if len(operands) == 2 and isinstance(operands[1], pikepdf.Dictionary):
        value = operands[1].get("/MCID")
        if value is not None:
            return int(value)
    return None


def scan(instructions: list) -> tuple[list[Sequence], list[GState], list[bool]]:
    """Walk a page's instructions; return its top-level MCID sequences, the graphics state before
    every instruction (and after the last), and whether each of those places is one where a
    sequence may be inserted (outside text objects, marked content and path construction)."""
    state = GState()
    stack: list[GState] = []
    path: list = []
    pending_clip = ""
    in_text = False
    marks: list[Sequence | None] = []  # open marked content: its Sequence when top-level MCID
    sequences: list[Sequence] = []
    states: list[GState] = []
    open_places: list[bool] = []
    q_depth: list[int] = []  # q depth at each open top-level sequence
    depth = 0
    for index, instruction in enumerate(instructions):
        op = _op(instruction)
        states.append(state)
        open_places.append(not in_text and not marks and not path and not pending_clip)
        if op == "q":
            stack.append(state)
            state = state.copy()
            depth += 1
        elif op == "Q":
            if stack:
                state = stack.pop()
            depth -= 1
        elif op == "cm":
            state = state.copy()
            state.ctm = multiply(_numbers(instruction.operands), state.ctm)  # type: ignore[arg-type]
        elif op in _PATH_BUILD:
            path.append(instruction)
        elif op in ("W", "W*"):
            pending_clip = op
        elif op in _PATH_PAINT:
            if pending_clip:
                state = state.copy()
                state.clips = (*state.clips, (state.ctm, tuple(path), pending_clip))
            path, pending_clip = [], ""
        elif op == "gs":
            state = state.copy()
            name = str(instruction.operands[0])
            state.ext.pop(name, None)
            state.ext[name] = instruction
        elif op in _FILL_SPACE_RESET or op == "cs":
            state = state.copy()
            state.fill = (instruction,)
        elif op in ("sc", "scn"):
            state = state.copy()
            state.fill = (*[i for i in state.fill if _op(i) == "cs"], instruction)
        elif op in _STROKE_SPACE_RESET or op == "CS":
            state = state.copy()
            state.stroke = (instruction,)
        elif op in ("SC", "SCN"):
            state = state.copy()
            state.stroke = (*[i for i in state.stroke if _op(i) == "CS"], instruction)
        elif op in _PARAMS:
            state = state.copy()
            state.params[op] = instruction
        elif op == '"':
            state = state.copy()
            state.params["Tw"], state.params["Tc"] = _spacing(instruction)
        elif op == "BT":
            in_text = True
        elif op == "ET":
            in_text = False
        elif op in ("BDC", "BMC"):
            mcid = _mcid(instruction) if op == "BDC" else None
            if mcid is not None and not any(marks):
                sequence = Sequence(mcid, index, state=state, movable=not in_text and not marks)
                sequences.append(sequence)
                marks.append(sequence)
                q_depth.append(depth)
            else:
                marks.append(None)
        elif op == "EMC" and marks:
            sequence = marks.pop()
            if sequence is not None:
                sequence.end = index
                if q_depth.pop() != depth or in_text:
                    sequence.movable = False
    states.append(state)  # after the last instruction: a place to insert at the end
    open_places.append(not in_text and not marks and not path and not pending_clip)
    for sequence in sequences:
        if sequence.end < 0:
            sequence.movable = False
    return sequences, states, open_places


def _spacing(instruction) -> tuple:
    """The `Tw` and `Tc` instructions equivalent to the spacing set by a `"` instruction."""
    import pikepdf

    word, char = instruction.operands[0], instruction.operands[1]
    return (
        pikepdf.ContentStreamInstruction([word], pikepdf.Operator("Tw")),
        pikepdf.ContentStreamInstruction([char], pikepdf.Operator("Tc")),
    )


def _instruction(op: str, *operands):
    import pikepdf

    return pikepdf.ContentStreamInstruction(list(operands), pikepdf.Operator(op))


def _cm(matrix: Matrix):
    return _instruction("cm", *(round(value, 6) for value in matrix))


def replay(source: GState, target: GState) -> list:
    """Instructions that, painted where the state is `target` (inside a fresh `q`), recreate
    the state `source`: clipping paths first (each under its own transformation), then the
    transformation, ExtGStates, colours and line/text parameters."""
    out: list = []
    current = target.ctm
    shared = 0
    while (
        shared < min(len(source.clips), len(target.clips))
        and source.clips[shared] is target.clips[shared]
    ):
        shared += 1
    for ctm, path, clip_op in source.clips[shared:]:
        if ctm != current:
            out.append(_cm(multiply(ctm, invert(current))))
            current = ctm
        out += [*path, _instruction(clip_op), _instruction("n")]
    if source.ctm != current:
        out.append(_cm(multiply(source.ctm, invert(current))))
    out += list(source.ext.values())
    out += list(source.fill) or ([_instruction("g", 0)] if target.fill else [])
    out += list(source.stroke) or ([_instruction("G", 0)] if target.stroke else [])
    import pikepdf

    defaults = {**_DEFAULTS, "d": (pikepdf.Array(), 0), "ri": (pikepdf.Name.RelativeColorimetric,)}
    for op in target.params:
        if op not in source.params and op in defaults:
            out.append(_instruction(op, *defaults[op]))
    out += list(source.params.values())
    return out


def neutralise(instructions: list) -> list:
    """A sequence's instructions with nothing painted and no marked content: what is left
    changes the graphics state exactly as the sequence did (paths are ended with `n`)."""
    out = []
    for instruction in instructions:
        op = _op(instruction)
        if op in _MARKS:
            continue
        if op in _SHOW:
            if op == "'":
                out.append(_instruction("T*"))
            elif op == '"':
                out += [*_spacing(instruction), _instruction("T*")]
            continue
        if op in _PATH_PAINT and op != "n":
            out.append(_instruction("n"))
            continue
        out.append(instruction)
    return out


# ------------------------------------------------------------------------ ordering


def longest_increasing(ranks: list[int]) -> set[int]:
    """Positions (into `ranks`) of one longest strictly increasing subsequence."""
    import bisect

    tails: list[int] = []  # rank at the end of the best subsequence of each length
    tail_at: list[int] = []  # position of that rank
    previous: list[int] = [-1] * len(ranks)
    for position, rank in enumerate(ranks):
        length = bisect.bisect_left(tails, rank)
        if length == len(tails):
            tails.append(rank)
            tail_at.append(position)
        else:
            tails[length] = rank
            tail_at[length] = position
        previous[position] = tail_at[length - 1] if length else -1
    keep: set[int] = set()
    position = tail_at[-1] if tail_at else -1
    while position >= 0:
        keep.add(position)
        position = previous[position]
    return keep


def _painting(op: str) -> bool:
    return op in _SHOW or op in _MARKS or (op in _PATH_PAINT and op != "n")


#: Initial values of ExtGState parameters, as `_text` gives them.
_EXT_DEFAULTS = {"/CA": "1", "/ca": "1", "/BM": "/Normal", "/SMask": "/None", "/AIS": "False",
                 "/OP": "False", "/op": "False", "/OPM": "0", "/SA": "False"}  # fmt: skip


def _place(place: int, source: GState, scanned: tuple, instructions: list, ext: dict) -> int:
    """Where, near `place` and with nothing painted in between, a sequence painted in state
    `source` can be inserted and paint the same; -1 when there is no such place.

    The place must be outside text objects, marked content and path construction; the clipping
    paths in force there must all be among the source's (a clip cannot be undone); and every
    ExtGState parameter set there must be set the same way by the source's. Looked for first
    backwards from `place` (over `q`, `cm`, clipping and the like), then forwards."""
    _, states, open_places = scanned

    def fits(index: int) -> bool:
        target = states[index]
        clips = target.clips
        if not open_places[index] or len(clips) > len(source.clips):
            return False
        if not all(a is b for a, b in zip(clips, source.clips)):
            return False
        mine, theirs = _ext_values(source, ext), _ext_values(target, ext)
        return all(mine.get(k) == v for k, v in theirs.items())

    index = place
    while 0 <= index <= len(instructions):
        if fits(index):
            return index
        if index == 0 or _painting(_op(instructions[index - 1])):
            break
        index -= 1
    index = place
    while 0 <= index < len(instructions) and not _painting(_op(instructions[index])):
        index += 1
        if fits(index):
            return index
    return -1


def _ext_values(state: GState, ext: dict) -> dict:
    """The ExtGState parameters in force in `state` (key → value as text; initial values left
    out, so a parameter set back to its initial value equals one never set)."""
    values: dict = {}
    for name in state.ext:
        for key, value in ext.get(name, {}).items():
            if key != "/Type":
                values[key] = _text(value)
    return {k: v for k, v in values.items() if _EXT_DEFAULTS.get(k) != v}


def _text(value) -> str:
    if isinstance(value, bool):
        return str(value)
    try:
        return f"{float(value):g}"
    except (TypeError, ValueError):
        return str(value)


def reorder(instructions: list, rank: dict[int, int], ext: dict | None = None) -> tuple[list, int]:
    """`instructions` with every MCID sequence moved to its place in the tag-tree order given
    by `rank` (MCID → position); returns the new instructions and how many sequences moved.
    `ext` maps the page's ExtGState names to their dictionaries."""
    scanned = scan(instructions)
    sequences, states, _ = scanned
    ranked = [s for s in sequences if s.mcid in rank]
    keep = longest_increasing([rank[s.mcid] for s in ranked])
    anchors = [s for n, s in enumerate(ranked) if n in keep]
    inserts: dict[int, list[Sequence]] = {}
    moved: dict[int, Sequence] = {}
    for n, sequence in enumerate(ranked):
        if n in keep or not sequence.movable:
            continue
        later = [a for a in anchors if rank[a.mcid] > rank[sequence.mcid]]
        place = later[0].start if later else anchors[-1].end + 1 if anchors else -1
        place = _place(place, sequence.state, scanned, instructions, ext or {})  # type: ignore[arg-type]
        if place < 0:
            continue
        inserts.setdefault(place, []).append(sequence)
        moved[sequence.start] = sequence
    if not moved:
        return instructions, 0
    out: list = []
    index = 0
    while index <= len(instructions):
        for sequence in sorted(inserts.get(index, ()), key=lambda s: rank[s.mcid]):
            out.append(_instruction("q"))
            out += replay(sequence.state, states[index])  # type: ignore[arg-type]
            out += instructions[sequence.start : sequence.end + 1]
            out.append(_instruction("Q"))
        sequence = moved.get(index)
        if sequence is not None:
            out += neutralise(instructions[sequence.start : sequence.end + 1])
            index = sequence.end + 1
            continue
        if index < len(instructions):
            out.append(instructions[index])
        index += 1
    return out, len(moved)


# ------------------------------------------------------------------------ structure tree


def _struct_order(struct_root) -> tuple[set, dict]:
    """Objgens of the structure elements reachable from the root, and per page (objgen of the
    page object) the MCIDs in tag-tree (reading) order as {mcid: rank}."""
    import pikepdf
    from pikepdf import Name

    reachable: set = set()
    order: dict = {}

    def add(page, mcid: int) -> None:
        if page is not None:
            ranks = order.setdefault(page.objgen, {})
            ranks.setdefault(mcid, len(ranks))

    def walk(node, page) -> None:
        if isinstance(node, pikepdf.Array):
            for kid in node:
                walk(kid, page)
        elif isinstance(node, int):
            add(page, node)
        elif isinstance(node, pikepdf.Dictionary):
            kind = node.get("/Type")
            if kind == Name.MCR:
                add(node.get("/Pg", page), int(node.MCID))
                return
            if kind == Name.OBJR:
                return
            if node.is_indirect:
                if node.objgen in reachable:
                    return
                reachable.add(node.objgen)
            if "/K" in node:
                walk(node.K, node.get("/Pg", page))

    walk(struct_root.get("/K"), None)
    return reachable, order


def _page_numbers(pdf) -> dict:
    """The ParentTree's MCID arrays, keyed by the page's /StructParents number."""
    import pikepdf

    tree = pdf.Root.StructTreeRoot.get("/ParentTree")
    if tree is None:
        return {}
    return {
        int(key): value
        for key, value in pikepdf.NumberTree(tree).items()
        if isinstance(value, pikepdf.Array)
    }


def _painted_at_top(instructions: list, mcid: int, states: list, height: float) -> bool:
    """Whether the text of sequence `mcid` is placed in the upper half of the page."""
    inside = False
    for index, instruction in enumerate(instructions):
        op = _op(instruction)
        if op == "BDC" and _mcid(instruction) == mcid:
            inside = True
        elif inside and op in ("Tm", "Td", "TD"):
            x, y = _numbers(instruction.operands)[-2:]
            ctm = states[index].ctm
            return x * ctm[1] + y * ctm[3] + ctm[5] > height / 2
        elif inside and op == "EMC":
            break
    return True


_CONTAINERS = frozenset({"/Div", "/Sect", "/Part", "/Art", "/NonStruct", "/BlockQuote"})


def _kids(element) -> list:
    """The structure-element children of `element`, in order."""
    import pikepdf

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
    import pikepdf

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
    import pikepdf

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


def finish_tags(pdf, html: str = "") -> dict[str, int]:
    """Pagination artifacts, one Table per table, reading-order painting and link descriptions
    (module docstring). Returns counts: {"artifacts", "tables", "moved", "links"}."""
    import pikepdf
    from pikepdf import Name

    done = {"artifacts": 0, "tables": 0, "moved": 0, "links": 0}
    struct_root = pdf.Root.get("/StructTreeRoot")
    if struct_root is None:
        return done
    in_tree, _ = _struct_order(struct_root)
    repeated, done["tables"] = merge_split_tables(struct_root)
    _, order = _struct_order(struct_root)
    numbers = _page_numbers(pdf)
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        mcids = numbers.get(int(key)) if key is not None else None
        if mcids is None:
            continue
        margins = {
            mcid
            for mcid, element in enumerate(mcids)
            if isinstance(element, pikepdf.Dictionary) and element.objgen not in in_tree
        }
        heads = {mcid for objgen, mcid in repeated if objgen == page.obj.objgen}
        instructions = list(pikepdf.parse_content_stream(page))
        changed = False
        if margins or heads:
            _, states, _ = scan(instructions)
            height = float(page.mediabox[3]) - float(page.mediabox[1])
            for index, instruction in enumerate(instructions):
                mcid = _mcid(instruction) if _op(instruction) == "BDC" else None
                if mcid in margins:
                    top = _painted_at_top(instructions[index:], mcid, states[index:], height)
                    subtype = Name.Header if top else Name.Footer
                    properties = pikepdf.Dictionary(Type=Name.Pagination, Subtype=subtype)
                elif mcid in heads:
                    properties = pikepdf.Dictionary(Type=Name.Pagination)
                else:
                    continue
                instructions[index] = _instruction("BDC", Name.Artifact, properties)
                done["artifacts"] += 1
                changed = True
            for mcid in margins | heads:
                if mcid < len(mcids):
                    mcids[mcid] = None  # the ParentTree no longer maps it
        resources = page.obj.get("/Resources", {})
        ext = {str(k): dict(v.items()) for k, v in resources.get("/ExtGState", {}).items()}
        instructions, moved = reorder(instructions, order.get(page.obj.objgen, {}), ext)
        done["moved"] += moved
        if changed or moved:
            data = pikepdf.unparse_content_stream(instructions)
            page.obj.Contents = pdf.make_stream(zlib.compress(data), Filter=Name.FlateDecode)
    done["links"] = describe_links(pdf, link_texts(html)) if html else 0
    return done


# ------------------------------------------------------------------------ links


class _LinkCollector(HTMLParser):
    """Collects the text of every `<a href>` (by target) and of every heading with an id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: dict[str, list[str]] = {}
        self.headings: dict[str, str] = {}
        self.open: list[tuple[str, str, list[str]]] = []  # (tag, key, text parts)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        values = dict(attrs)
        if tag == "a" and values.get("href"):
            self.open.append(("a", values["href"], []))
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") and values.get("id"):
            self.open.append((tag, values["id"], []))

    def handle_endtag(self, tag: str) -> None:
        if self.open and self.open[-1][0] == tag:
            _, key, parts = self.open.pop()
            text = re.sub(r"\s+", " ", "".join(parts)).strip()
            if tag == "a":
                self.links.setdefault(key, []).append(text)
            else:
                self.headings[key] = text

    def handle_data(self, data: str) -> None:
        for _, _, parts in self.open:
            parts.append(data)


def link_texts(html: str) -> dict[str, str]:
    """Target (URL or `#anchor`) → a description of the links to it in `html`: for an anchor,
    the text of the heading it points to (else of the first link to it); for a URL, the link's
    text with the URL, or the URL alone when links with different texts point to it."""
    collector = _LinkCollector()
    collector.feed(html)
    collector.close()
    out: dict[str, str] = {}
    for href, texts in collector.links.items():
        named = [t for t in texts if t]
        if href.startswith("#"):
            text = collector.headings.get(href[1:]) or (named[0] if named else "")
        elif len(set(named)) == 1 and href not in named[0]:
            text = f"{named[0]} ({href})"
        else:
            text = named[0] if len(set(named)) == 1 else href
        if text:
            out[href] = text
    return out


def describe_links(pdf, texts: dict[str, str]) -> int:
    """Set each link annotation's /Contents to a description of the link; returns how many."""
    import pikepdf
    from pikepdf import Name

    count = 0
    for page in pdf.pages:
        for annotation in page.obj.get("/Annots", ()):
            if annotation.get("/Subtype") != Name.Link:
                continue
            action = annotation.get("/A")
            if isinstance(action, pikepdf.Dictionary) and action.get("/S") == Name.URI:
                url = str(action.URI)
                description = texts.get(url, url)
            else:
                target = annotation.get("/Dest")
                if target is None and isinstance(action, pikepdf.Dictionary):
                    target = action.get("/D")
                if not isinstance(target, pikepdf.String | pikepdf.Name):
                    continue
                description = texts.get("#" + str(target).lstrip("/"), "")
            if description:
                annotation.Contents = pikepdf.String(description)
                count += 1
    return count
