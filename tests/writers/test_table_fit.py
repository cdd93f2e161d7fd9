"""Table column widths fitted to their words: the arithmetic, the measuring, both writers, and
what LibreOffice and WeasyPrint then print (no word broken inside a column that could hold it)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import docx
import pytest

from seguimiento import tree
from seguimiento.writers import arial_widths, docx_parts, html, table_fit
from seguimiento.writers.docx import write_docx

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "templates" / "reference.docx"
T = tree.Text
# Words that broke in the sample reports' narrow columns before the widths were fitted.
WORDS = ("CONGRESO", "Municipalidades", "Recomendaciones", "Q84.35\u00a0M")


def _cell(text: str, role: str = "") -> tree.Cell:
    return tree.Cell((T(text),), role)


def _table() -> tree.Table:
    """Eight columns as the indicator table has them, each body cell one long word; the header
    gives the narrow columns long words too."""
    header = tuple(_cell(h) for h in ("Indicador", "Línea base", "Último", "Meta", "Avance"))
    header += (_cell("Estado"), _cell("Variación"), _cell("Recomendaciones"))
    row = (_cell("Municipalidades con oficina"), _cell("Q84.35\u00a0M (2021)", "number"))
    row += (_cell("1"), _cell("2"), _cell("3"), _cell("Encaminado"), _cell("4"))
    row += (_cell("CONGRESO"),)
    return tree.Table(header, (row,), "Indicadores", (19, 11, 11, 10, 10, 14, 12, 13))


def test_fit_keeps_widths_whose_words_fit_and_the_total_always() -> None:
    assert table_fit.fit([300, 300, 400], [100, 100, 100]) == [300, 300, 400]
    widened = table_fit.fit([500, 100, 400], [100, 250, 100])
    assert widened[1] == 250 and sum(widened) == 1000
    assert widened[0] / widened[2] == pytest.approx(500 / 400, rel=0.01)  # in proportion
    # a column that giving up room would leave short of its own word keeps its word
    tight = table_fit.fit([450, 100, 450], [440, 300, 100])
    assert tight[0] >= 440 and tight[1] >= 300 and sum(tight) == 1000
    # words that cannot all fit: the column of the widest word gives way, the others keep theirs
    assert table_fit.fit([500, 500], [900, 300]) == [700, 300]
    assert table_fit.fit([300, 300, 400], [600, 500, 100]) == [400, 500, 100]
    # and when giving way would leave a column under 60 % of its word, all share in proportion
    assert table_fit.fit([100, 100], [400, 200]) == [133, 67]


def test_fit_on_random_tables_keeps_the_total_and_every_need_that_fits() -> None:
    import random

    chance = random.Random(6)
    for _ in range(3000):
        columns = chance.randint(1, 9)
        widths = [chance.randint(1, 3000) for _ in range(columns)]
        needed = [chance.randint(0, 3000) for _ in range(columns)]
        fitted = table_fit.fit(list(widths), needed)
        assert sum(fitted) == sum(widths) and min(fitted) >= 0, (widths, needed)
        if sum(needed) <= sum(widths):
            assert all(w >= n - 1 for w, n in zip(fitted, needed)), (widths, needed)


def test_words_end_at_spaces_hyphens_dashes_and_slashes_not_at_no_break_spaces() -> None:
    regular = dict(zip(arial_widths.CHARS, arial_widths.REGULAR, strict=True))
    congreso = sum(regular[c] for c in "CONGRESO")
    assert table_fit.longest_word((T("CONGRESO, MP"),), bold=False) == congreso + regular[","]
    assert table_fit.longest_word((T("uncac-c1-CONGRESO"),), bold=False) == congreso
    assert table_fit.longest_word((T("SG/CONGRESO/doc"),), bold=False) == congreso + regular["/"]
    joined = table_fit.longest_word((T("84.35\u00a0CONGRESO"),), bold=False)
    assert joined > congreso  # a no-break space holds the words together
    plain = table_fit.longest_word((T("Recomendaciones"),), bold=False)
    assert table_fit.longest_word((T("Recomendaciones"),), bold=True) > plain
    strong = tree.Strong((T("Recomendaciones"),))
    assert table_fit.longest_word((tree.Emph((strong,)),), bold=False) > plain
    assert table_fit.longest_word((tree.Code("abcdefghij"),), bold=False) == 6000  # 0.6 em each
    assert table_fit.longest_word((T("日本"),), bold=False) == 2000  # unknown: 1 em each


def test_the_table_text_size_and_margins_come_from_the_reference() -> None:
    styles = docx.Document(str(REFERENCE)).styles.element
    assert docx_parts.table_text_metrics(styles, "TableText", "SeguimientoTable") == (9.5, 114)
    for sz in styles.iter(docx_parts.qn("w:sz")):
        sz.set(docx_parts.qn("w:val"), "24")
    for side in styles.iter(docx_parts.qn("w:left")):
        side.set(docx_parts.qn("w:w"), "200")
    assert docx_parts.table_text_metrics(styles, "TableText", "SeguimientoTable")[0] == 12.0
    size, margins = docx_parts.table_text_metrics(styles, "NoSuchStyle", "NoSuchTable")
    assert margins == 2 * docx_parts.DEFAULT_MARGIN


def _document() -> tree.Document:
    meta = tree.Meta(title="t", subtitle="", author="a", subject="s", lang="es", date="2026-01-15")
    return tree.Document(meta=meta, blocks=(tree.Heading(1, (T("Tabla"),)), _table()))


def test_the_docx_columns_hold_their_longest_words() -> None:
    table = docx.Document(io.BytesIO(write_docx(_document(), REFERENCE))).tables[0]
    grid = [int(col.get(docx_parts.qn("w:w"))) for col in table._tbl.tblGrid]
    assert sum(grid) == 9072
    size, margins = 9.5, 114
    for index, word in ((7, "CONGRESO"), (0, "Municipalidades"), (1, "Q84.35\u00a0M")):
        em = table_fit.longest_word((T(word),), bold=False)
        assert grid[index] >= em * size * 20 / 1000 + margins, word
    header = table_fit.longest_word((T("Recomendaciones"),), bold=True)
    assert grid[7] >= header * size * 20 / 1000 + margins


def test_the_html_columns_hold_their_longest_words() -> None:
    page = html.render_html(_document(), ROOT / "templates")
    shares = [float(s) for s in re.findall(r'<col style="width: ([0-9.]+)%"', page)]
    assert len(shares) == 8
    assert sum(shares) == pytest.approx(100, abs=0.05)
    needed = table_fit.longest_word((T("Recomendaciones"),), bold=True) * 8.5 * 20 / 1000
    assert shares[7] / 100 * html.TEXT_WIDTH >= needed + html.CELL_PADDING - 1


def test_the_html_measures_match_style_css() -> None:
    css = (ROOT / "templates" / "style.css").read_text(encoding="utf-8")
    page = re.search(r"@page \{[^}]*margin: [0-9.]+cm ([0-9.]+)cm", css)
    assert page and 2 * (21 - 2 * float(page[1])) / 2.54 * 1440 / 2 == pytest.approx(
        html.TEXT_WIDTH, abs=2
    )
    data = re.search(r"table\.data \{[^}]*font-size: ([0-9.]+)pt", css)
    assert data and float(data[1]) == html.TABLE_FONT_PT
    for cell in ("th", "td"):
        padding = re.search(rf"\n{cell} \{{[^}}]*padding: [0-9.]+mm ([0-9.]+)mm;", css)
        assert padding, cell
        assert 2 * float(padding[1]) / 25.4 * 1440 == pytest.approx(html.CELL_PADDING, abs=1)


def _whole(text: str) -> list[str]:
    flat = " ".join(text.replace("\u00a0", " ").split())
    return [word for word in WORDS if word.replace("\u00a0", " ") not in flat]


def test_libreoffice_prints_every_word_whole(tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not on PATH; cannot check how it breaks the words")
    source = tmp_path / "tabla.docx"
    source.write_bytes(write_docx(_document(), REFERENCE))
    profile = (tmp_path / "lo-profile").as_uri()
    command = [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    subprocess.run(
        [*command, "--outdir", str(tmp_path), str(source)], check=True, capture_output=True
    )
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(str(tmp_path / "tabla.pdf")).pages)
    assert _whole(text) == [], text


def test_weasyprint_prints_every_word_whole() -> None:
    from pypdf import PdfReader

    from seguimiento.writers.pdf import write_pdf

    data = write_pdf(html.render_html(_document(), ROOT / "templates"), ROOT / "templates")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert _whole(text) == [], text


def test_typst_prints_every_word_whole_with_the_measures_of_page_typ() -> None:
    from pypdf import PdfReader

    from seguimiento.writers.typst import write_pdf_typst

    typ = (ROOT / "templates" / "page.typ").read_text(encoding="utf-8")
    assert "margin: (top: 3.3cm, bottom: 3.3cm, x: 2cm)" in typ  # 17 cm of text, as in CSS
    table = typ[typ.index("#let sg-table(") :]
    assert "set text(size: 8.5pt)" in table and table.count("(x: 2mm,") == 2
    data = write_pdf_typst(_document(), ROOT / "templates")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert _whole(text) == [], text


@pytest.mark.skipif(
    not Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf").exists(),
    reason="fonts-liberation2 is not installed (make test installs it); cannot compare widths",
)
def test_the_widths_are_those_of_the_fonts() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    import arial_widths as script

    module = Path(arial_widths.__file__).read_text(encoding="utf-8")
    assert script.module(module) == module
