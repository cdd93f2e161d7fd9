"""The graphics state followed through a page's content stream (pikepdf instructions), for
`pdf_content`, which moves marked-content sequences, and `pdf_tags`: matrices, the state a
sequence was painted with (`scan`), the instructions that recreate it elsewhere (`replay`), and a
sequence reduced to its state changes (`neutralise`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import pikepdf

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


_INSTRUCTION = pikepdf.ContentStreamInstruction
_MCID = pikepdf.Name.MCID


def op_name(instruction) -> str:
    """The operator of a parsed content-stream instruction (`"INLINE IMAGE"` for one)."""
    if type(instruction) is _INSTRUCTION:
        return str(instruction.operator)
    operator = getattr(instruction, "operator", None)
    return "INLINE IMAGE" if operator is None else str(operator)


def op_names(instructions: Iterable) -> list[str]:
    """`op_name` of each instruction of a page (the common case inlined: pages have thousands)."""
    return [str(i.operator) if type(i) is _INSTRUCTION else op_name(i) for i in instructions]


def numbers(operands: Iterable) -> tuple[float, ...]:
    return tuple(float(x) for x in operands)


def mcid_of(instruction) -> int | None:
    """The MCID of a BDC instruction with a property dictionary, else None."""
    operands = instruction.operands
    if len(operands) == 2:
        properties = operands[1]
        if isinstance(properties, pikepdf.Dictionary):
            value = properties.get(_MCID)
            if value is not None:
                return int(value)
    return None


def scan(
    instructions: list, ops: list[str] | None = None
) -> tuple[list[Sequence], list[GState], list[bool]]:
    """Walk a page's instructions; return its top-level MCID sequences, the graphics state before
    every instruction (and after the last), and whether each of those places is one where a
    sequence may be inserted (outside text objects, marked content and path construction).
    `ops` are the instructions' operator names when the caller has them already."""
    if ops is None:
        ops = op_names(instructions)
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
    for index, (instruction, op) in enumerate(zip(instructions, ops)):
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
            state.ctm = multiply(numbers(instruction.operands), state.ctm)  # type: ignore[arg-type]
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
            state.fill = (*[i for i in state.fill if op_name(i) == "cs"], instruction)
        elif op in _STROKE_SPACE_RESET or op == "CS":
            state = state.copy()
            state.stroke = (instruction,)
        elif op in ("SC", "SCN"):
            state = state.copy()
            state.stroke = (*[i for i in state.stroke if op_name(i) == "CS"], instruction)
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
            mcid = mcid_of(instruction) if op == "BDC" else None
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
    word, char = instruction.operands[0], instruction.operands[1]
    return (
        pikepdf.ContentStreamInstruction([word], pikepdf.Operator("Tw")),
        pikepdf.ContentStreamInstruction([char], pikepdf.Operator("Tc")),
    )


def make_instruction(op: str, *operands):
    return pikepdf.ContentStreamInstruction(list(operands), pikepdf.Operator(op))


def _cm(matrix: Matrix):
    return make_instruction("cm", *(round(value, 6) for value in matrix))


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
        out += [*path, make_instruction(clip_op), make_instruction("n")]
    if source.ctm != current:
        out.append(_cm(multiply(source.ctm, invert(current))))
    out += list(source.ext.values())
    out += list(source.fill) or ([make_instruction("g", 0)] if target.fill else [])
    out += list(source.stroke) or ([make_instruction("G", 0)] if target.stroke else [])
    defaults = {**_DEFAULTS, "d": (pikepdf.Array(), 0), "ri": (pikepdf.Name.RelativeColorimetric,)}
    for op in target.params:
        if op not in source.params and op in defaults:
            out.append(make_instruction(op, *defaults[op]))
    out += list(source.params.values())
    return out


def neutralise(instructions: list) -> list:
    """A sequence's instructions with nothing painted and no marked content: what is left
    changes the graphics state exactly as the sequence did (paths are ended with `n`)."""
    out = []
    for instruction in instructions:
        op = op_name(instruction)
        if op in _MARKS:
            continue
        if op in _SHOW:
            if op == "'":
                out.append(make_instruction("T*"))
            elif op == '"':
                out += [*_spacing(instruction), make_instruction("T*")]
            continue
        if op in _PATH_PAINT and op != "n":
            out.append(make_instruction("n"))
            continue
        out.append(instruction)
    return out


def paints(op: str) -> bool:
    """Whether an operator paints (shows text or an image, paints a path) or marks content."""
    return op in _SHOW or op in _MARKS or (op in _PATH_PAINT and op != "n")
