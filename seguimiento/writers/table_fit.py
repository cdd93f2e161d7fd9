"""Column widths of a table fitted to its words, so that no word breaks inside a column that could
hold it (the DOCX, HTML and Typst writers).

Word, LibreOffice and WeasyPrint break a word wider than its column anywhere (CONGRES|O,
Municipalidade|s), and a report's relative column widths cannot know the data. So the widths
are hints: a column too narrow for its longest word is widened to it, and the others give up
the room in proportion to their widths, never below their own longest word. When the longest
words of all the columns cannot fit side by side, the columns with the widest words give way,
as few of them as can, so that words break in those columns only. A table whose words all fit
keeps the widths as given.

Words are measured with Arial's metrics (`arial_widths`: the DOCX reference's Arial and the PDF's
Liberation Sans have the same) at the table's font size, plus the cell margins, which each writer
gives (the DOCX writer reads them from reference.docx). A word ends at a space or after a hyphen,
dash or slash, where the layout programs break a line; a no-break space joins. Code (ids) is set
in a monospace font, 0.6 em a character; header cells are bold; a character missing from the
metrics counts as 1 em.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from seguimiento import tree
from seguimiento.writers.arial_widths import BOLD, CHARS, REGULAR

SLACK = 20  # twips (1 pt) more than the word: rounding in the layout programs
GIVE_WAY = 0.6  # a column too narrow for its word keeps at least this share of the word's width
_MONO_EM = 600
_UNKNOWN_EM = 1000
_WORD_END = re.compile(r"(?<=[-–—/])|[ \t\n\r]+")  # after a hyphen, dash or slash, or a space
_REGULAR = dict(zip(CHARS, REGULAR, strict=True))
_BOLD = dict(zip(CHARS, BOLD, strict=True))


@functools.lru_cache(maxsize=4096)
def word_width(word: str, bold: bool) -> int:
    """The width of `word` in 1/1000 em (Arial, bold or regular)."""
    widths = _BOLD if bold else _REGULAR
    return sum(widths.get(char, _UNKNOWN_EM) for char in word)


def longest_word(inlines: Iterable[tree.Inline], bold: bool) -> int:
    """The width in 1/1000 em of the widest word of a cell's content."""
    widest = 0
    for node in inlines:
        if isinstance(node, tree.Text):
            words = _WORD_END.split(node.text)
            widest = max(widest, *(word_width(word, bold) for word in words))
        elif isinstance(node, tree.Code):
            widest = max(widest, *(len(word) * _MONO_EM for word in _WORD_END.split(node.text)))
        elif isinstance(node, tree.Strong):
            widest = max(widest, longest_word(node.children, True))
        elif not isinstance(node, tree.LineBreak):  # Emph, Link, Inserted, Deleted
            widest = max(widest, longest_word(node.children, bold))
    return widest


def fitted_widths(
    widths: Sequence[int], table: tree.Table, size_pt: float, margins: int
) -> list[int]:
    """`widths` (twips, one per column) fitted to the words of `table` set in `size_pt` with
    `margins` twips of cell margin (left + right); the sum stays the same."""
    columns = len(widths)
    least = [0] * columns
    for row, bold in ((table.header, True), *((cells, False) for cells in table.rows)):
        for index, cell in enumerate(row[:columns]):
            least[index] = max(least[index], longest_word(cell.children, bold))
    needed = [round(em * size_pt * 20 / 1000) + margins + SLACK for em in least]
    return fit(list(widths), needed)


def fit(widths: list[int], needed: list[int]) -> list[int]:
    """`widths` with every column at least its `needed` width, the room taken from the others in
    proportion to their widths; the total is kept. When the needs do not all fit, see
    `_fewest_broken`."""
    total = sum(widths)
    if all(w >= n for w, n in zip(widths, needed)):
        return widths
    if sum(needed) > total:
        return _fewest_broken(needed, total)
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(widths)) if i not in fixed]
        room = total - sum(fixed.values())
        weight = sum(widths[i] for i in free) or len(free)
        share = {i: room * (widths[i] or 1) / weight for i in free}
        short = [i for i in free if share[i] < needed[i]]
        if not short or len(short) == len(free):  # all short: only by rounding, as needs fit
            break
        fixed.update((i, needed[i]) for i in short)
    result = [fixed[i] if i in fixed else int(share[i]) for i in range(len(widths))]
    result[free[-1]] += total - sum(result)
    return result


def _fewest_broken(needed: list[int], total: int) -> list[int]:
    """Widths for needs that exceed `total`: the columns with the widest words give way, as few
    as can, each keeping at least `GIVE_WAY` of its need (their words break there, and only
    there); when even that is too much, every column gets its need's share of `total`."""
    by_need = sorted(range(len(needed)), key=lambda i: needed[i], reverse=True)
    for count in range(1, len(needed) + 1):
        giving = by_need[:count]
        room = total - sum(n for i, n in enumerate(needed) if i not in giving)
        wanted = sum(needed[i] for i in giving)
        if room >= GIVE_WAY * wanted:
            result = list(needed)
            for i in giving:
                result[i] = int(room * needed[i] / wanted)
            result[giving[-1]] += total - sum(result)
            return result
    result = [int(total * n / sum(needed)) for n in needed]
    result[-1] += total - sum(result)
    return result
