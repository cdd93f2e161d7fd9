"""Marked content found and re-marked in a WeasyPrint page's content stream as bytes, for
`pdf_tags`, where parsing every instruction with pikepdf is not needed.

Running heads become artifacts by rewriting a handful of `BDC` instructions a page, while
pikepdf's parse of a whole page into instruction objects, and writing it back, took about half a
second on the M report's 130 pages. pydyf, under WeasyPrint, writes one instruction a line, and a
marked-content sequence as three (`/Span`, `<</MCID 7>>`, `BDC`); `marks` finds the sequences
with an MCID and, for those, the lines that place text on the page (`q`, `Q`, `cm`, `Tm`, `Td`,
`TD`, `EMC`) with one regular expression, and `as_artifacts` splices the new `BDC` in.

Whatever this reading could get wrong is left to the pikepdf way (`marks` returns None): a
literal string or a comment (either may hold a line that looks like an instruction), a CR line
end, an inline image, an MCID outside the three-line form, a number Python does not read where
it is needed. `pdf_tags` also parses a page whose content is not one stream, or must be put in
reading order. Both ways give the same instructions; tests compare the two readings on every page
of the sample reports, and the two ways' pages, instruction by instruction and pixel by pixel.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from seguimiento.writers.pdf_gstate import IDENTITY, Matrix, multiply

# The lines that matter, each a whole line: a BDC with an MCID (pydyf's three lines), q, Q,
# EMC, and the operators with numbers that move text or the coordinate system.
_LINES = re.compile(
    rb"^(?:/[^\s/<>\[\]()%{}]+\n<</MCID (?P<mcid>\d+)>>\nBDC"
    rb"|(?P<op>q|Q|EMC)|(?P<numbers>[^\n]*) (?P<with>cm|Tm|Td|TD))$",
    re.MULTILINE,
)
# What could make a line look like an instruction it is not part of: a literal string or a
# comment (either may hold one), a CR line end, an inline image (binary data): then parsed.
_UNSURE = (b"(", b"%", b"\r", b"\nBI")
_ANY_MCID = b"/MCID"

# A transformation as the `cm` lines in force, newest first: (numbers, earlier) or None; made
# into a matrix only for a sequence whose side of the page is asked for.
_Chain = tuple[bytes, "_Chain"] | None


@dataclass(frozen=True)
class Mark:
    """A marked-content sequence with an MCID: its BDC's three lines at `start`..`end` of the
    stream's bytes, and whether its first text position lies in the upper half of the page
    (True unless asked for, `marks`)."""

    mcid: int
    start: int
    end: int
    upper: bool


def marks(data: bytes, height: float, placed: Collection[int] = ()) -> list[Mark] | None:
    """The marked-content sequences with an MCID of a page's content `data`, in painting order;
    None when the stream is not one this reading is sure of (module docstring).

    For the sequences whose MCID is in `placed`, whether they are in the upper half of the page
    (`height` high): whether the first text position (`Tm`, `Td` or `TD`, under the
    transformation in force at the BDC and the `cm` after it) lies above the middle; a sequence
    that ends (any EMC) before placing text counts as upper. This is `pdf_tags`' reading of the
    parsed instructions, line for line."""
    if data.startswith(b"BI") or any(sign in data for sign in _UNSURE):
        return None
    found: list[list] = []  # [mcid, start, end, upper]
    pending: list[tuple[list, _Chain]] = []  # placed sequences whose text position is to come
    ctm: _Chain = None
    stack: list[_Chain] = []
    try:
        for line in _LINES.finditer(data):
            op, name = line["op"], line["with"]
            if line["mcid"] is not None:
                mcid = int(line["mcid"])
                found.append([mcid, line.start(), line.end(), True])
                if mcid in placed:
                    pending.append((found[-1], ctm))
            elif op == b"q":
                stack.append(ctm)
            elif op == b"Q":
                if stack:
                    ctm = stack.pop()
            elif op == b"EMC":
                pending = []  # no text placed in them: upper, as they are
            elif name == b"cm":
                ctm = (line["numbers"], ctm)
                pending = [(mark, (line["numbers"], chain)) for mark, chain in pending]
            elif pending:  # Tm, Td, TD
                x, y = _numbers(line["numbers"], 6 if name == b"Tm" else 2)[-2:]
                for mark, chain in pending:
                    m = _matrix(chain)
                    mark[3] = x * m[1] + y * m[3] + m[5] > height / 2
                pending = []
    except ValueError:
        return None
    if len(found) != data.count(_ANY_MCID):
        return None  # an MCID this reading did not see: not sure of the stream
    return [Mark(*mark) for mark in found]


def _matrix(chain: _Chain) -> Matrix:
    """The transformation the `cm` lines of `chain` make, the oldest applied first."""
    lines = []
    while chain is not None:
        lines.append(chain[0])
        chain = chain[1]
    ctm = IDENTITY
    for numbers in reversed(lines):
        ctm = multiply(_numbers(numbers, 6), ctm)  # type: ignore[arg-type]
    return ctm


def _numbers(text: bytes, count: int) -> tuple[float, ...]:
    values = tuple(float(value) for value in text.split())
    if len(values) != count:
        raise ValueError(f"{count} numbers expected: {text[:80]!r}")
    return values


def as_artifacts(
    data: bytes, found: list[Mark], margins: Collection[int], heads: Collection[int]
) -> tuple[bytes, int]:
    """`data` with the BDC of each sequence whose MCID is in `margins` made a pagination artifact
    (a header in the upper half of the page, else a footer), and of each in `heads` a pagination
    artifact (a repeated table header); returns the new bytes and how many were changed."""
    out: list[bytes] = []
    resume = changed = 0
    for mark in found:
        if mark.mcid in margins:
            side = b"Header" if mark.upper else b"Footer"
            new = b"/Artifact\n<</Type /Pagination /Subtype /" + side + b">>\nBDC"
        elif mark.mcid in heads:
            new = b"/Artifact\n<</Type /Pagination>>\nBDC"
        else:
            continue
        out += [data[resume : mark.start], new]
        resume = mark.end
        changed += 1
    out.append(data[resume:])
    return b"".join(out), changed
