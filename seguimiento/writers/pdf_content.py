"""Content-stream surgery for `pdf_tags` (pikepdf): follow the graphics state through a page's
instructions, and move marked-content sequences into the tag tree's reading order while every
page paints exactly as before.

A sequence painted out of order is moved to its logical place: it is wrapped in `q ... Q`
together with the graphics state it was painted with (transformation, clipping paths, colours,
line and text state, ExtGState), and at its old place only its state changes are kept, so what
follows paints as before too. A sequence is left where it is when it is not self-contained
(unbalanced `q`/`Q`, begun inside a text object) or when no place near its logical one can take
it: inside a clip it was not painted in, or under ExtGState parameters it does not set alike.
"""

from __future__ import annotations

import bisect

from seguimiento.writers.pdf_gstate import (
    GState,
    Sequence,
    make_instruction,
    neutralise,
    op_name,
    paints,
    replay,
    scan,
)

# ------------------------------------------------------------------------ ordering


def longest_increasing(ranks: list[int]) -> set[int]:
    """Positions (into `ranks`) of one longest strictly increasing subsequence."""
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
        if index == 0 or paints(op_name(instructions[index - 1])):
            break
        index -= 1
    index = place
    while 0 <= index < len(instructions) and not paints(op_name(instructions[index])):
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


def reorder(
    instructions: list,
    rank: dict[int, int],
    ext: dict | None = None,
    ops: list[str] | None = None,
) -> tuple[list, int]:
    """`instructions` with every MCID sequence moved to its place in the tag-tree order given
    by `rank` (MCID → position); returns the new instructions and how many sequences moved.
    `ext` maps the page's ExtGState names to their dictionaries; `ops` are the operator names
    of `instructions` when the caller has them already."""
    scanned = scan(instructions, ops)
    sequences, states, _ = scanned
    ranked = [s for s in sequences if s.mcid in rank]
    keep = longest_increasing([rank[s.mcid] for s in ranked])
    anchors = [s for n, s in enumerate(ranked) if n in keep]  # they stay; ranks increase
    anchor_ranks = [rank[a.mcid] for a in anchors]
    inserts: dict[int, list[Sequence]] = {}
    moved: dict[int, Sequence] = {}
    for n, sequence in enumerate(ranked):
        if n in keep or not sequence.movable:
            continue
        after = bisect.bisect_right(anchor_ranks, rank[sequence.mcid])  # first anchor after it
        place = anchors[after].start if after < len(anchors) else anchors[-1].end + 1
        place = _place(place, sequence.state, scanned, instructions, ext or {})  # type: ignore[arg-type]
        if place < 0:
            continue
        inserts.setdefault(place, []).append(sequence)
        moved[sequence.start] = sequence
    if not moved:
        return instructions, 0
    for sequences in inserts.values():
        sequences.sort(key=lambda s: rank[s.mcid])
    out: list = []
    index = 0
    while index <= len(instructions):
        for sequence in inserts.get(index, ()):
            out.append(make_instruction("q"))
            out += replay(sequence.state, states[index])  # type: ignore[arg-type]
            out += instructions[sequence.start : sequence.end + 1]
            out.append(make_instruction("Q"))
        sequence = moved.get(index)
        if sequence is not None:
            out += neutralise(instructions[sequence.start : sequence.end + 1])
            index = sequence.end + 1
            continue
        if index < len(instructions):
            out.append(instructions[index])
        index += 1
    return out, len(moved)
