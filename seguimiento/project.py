"""Where a project lives and which conventions it follows: the few facts the command line needs
before it loads anything (no heavy imports here, so `--help` and usage errors answer at once)."""

from __future__ import annotations

from pathlib import Path

CONVENTIONS = ("uncac", "iacac", "crpd")
#: PDF engines: WeasyPrint (the default, for publication) and Typst (lays out ~15× faster).
PDF_ENGINES = ("weasyprint", "typst")
DOCX_CHART_STYLES = ("native", "picture")  # a DOCX chart: a Word chart, or the PDF's drawing


def find_root(start: Path | None = None) -> Path:
    """The project folder: the first of `start`, the current folder and the code's folder that
    holds a conventions/ folder."""
    candidates = [start] if start else []
    candidates += [Path.cwd(), Path(__file__).resolve().parent.parent]
    for candidate in candidates:
        if candidate and (candidate / "conventions").is_dir():
            return candidate
    return candidates[0] if candidates else Path.cwd()
