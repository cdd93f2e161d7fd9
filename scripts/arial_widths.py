"""Rewrite the widths in seguimiento/writers/arial_widths.py from the fonts: Arial's metrics.

Liberation Sans has Arial's metrics (the Debian package fonts-liberation2, which the Makefile
installs); the DOCX writer measures the words of table cells with them (`writers/docx_fit.py`).
The characters are the module's `CHARS` (change them there, then run this script from the
repository folder): `.venv/bin/python scripts/arial_widths.py`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools.ttLib import TTFont

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from seguimiento.writers.arial_widths import CHARS  # noqa: E402 - after the path is set

FONTS = Path("/usr/share/fonts/truetype/liberation2")
TARGET = Path(__file__).resolve().parents[1] / "seguimiento" / "writers" / "arial_widths.py"


def widths(path: Path) -> list[int]:
    """The advance width of each of `CHARS` in 1/1000 em."""
    font = TTFont(path, lazy=True)
    cmap, metrics, units = font.getBestCmap(), font["hmtx"], font["head"].unitsPerEm
    return [round(metrics[cmap[ord(char)]][0] * 1000 / units) for char in CHARS]


def _rows(values: list[int]) -> str:
    lines = [", ".join(str(v) for v in values[i : i + 16]) for i in range(0, len(values), 16)]
    return "".join(f"    {line},\n" for line in lines)


def module(text: str) -> str:
    """`text` (the module) with its REGULAR and BOLD tuples measured again."""
    head = text[: text.index("REGULAR = (")]
    regular = widths(FONTS / "LiberationSans-Regular.ttf")
    bold = widths(FONTS / "LiberationSans-Bold.ttf")
    return f"{head}REGULAR = (\n{_rows(regular)})\nBOLD = (\n{_rows(bold)})\n"


if __name__ == "__main__":
    TARGET.write_text(module(TARGET.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"wrote {TARGET}")
