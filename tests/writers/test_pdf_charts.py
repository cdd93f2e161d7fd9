"""Charts in the WeasyPrint PDF (writers/pdf_charts): stand-ins of the chart's size laid out by
WeasyPrint, then swapped for the chart drawn by Typst. Read back: no stand-in is left, each chart
is a form painted where the stand-in was, with its text, inside the Figure of its alt text, and
the page looks as when WeasyPrint drew the SVG itself."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pikepdf
import pypdf
import pytest
from pikepdf import Name
from PIL import Image

from seguimiento import chart_raster, charts, tree
from seguimiento.writers import pdf as writer
from seguimiento.writers import pdf_charts
from seguimiento.writers.html import render_html

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
ALTS = ("Casos resueltos: 40 en 2020 y 58 en 2024.", "Sanciones: 3; denuncias: 9, en 2024.")


def chart_document() -> tree.Document:
    """Two different charts, the first shown twice (same image, two places)."""
    years = ("2020", "2021", "2022", "2023", "2024")
    first = charts.ChartSpec(
        "line", years, (charts.Series("Casos resueltos", (40.0, 45.5, None, 52.0, 58.3)),),
        target=75.0, target_label="Meta",
    )  # fmt: skip
    second = charts.ChartSpec(
        "hbar", ("Sanciones", "Denuncias"), (charts.Series("2024", (3.0, 9.0)),)
    )
    meta = tree.Meta(
        title="Gráficas",
        subtitle="CNUCC",
        lang="es",
        author="Secretaría",
        subject="CNUCC",
        date="2024-06-30",
    )
    blocks = (
        tree.Heading(1, (tree.Text("Tendencias"),)),
        tree.Figure(first, ALTS[0], "Gráfica 1"),
        tree.Figure(second, ALTS[1], "Gráfica 2"),
        tree.Figure(first, ALTS[0], "Gráfica 1, otra vez"),
    )
    return tree.Document(meta, blocks)


@pytest.fixture(scope="module")
def built() -> tuple[bytes, dict[str, bytes]]:
    """The PDF as the build writes it (charts as images), and the chart SVGs by URL."""
    figures: dict = {}
    html = render_html(chart_document(), TEMPLATES, figures)
    images = {url: charts.render_svg(*figure).encode() for url, figure in figures.items()}
    return writer.write_pdf(html, TEMPLATES, (), figures), images


def xobjects(pdf: pikepdf.Pdf) -> list[tuple[int, str, pikepdf.Object]]:
    """(page number, resource name, XObject) for every XObject a page paints."""
    return [
        (number, str(name), obj)
        for number, page in enumerate(pdf.pages)
        for name, obj in (page.obj.Resources.get("/XObject") or {}).items()
    ]


def image(pdf: pikepdf.Pdf, pixels: bytes, width: int) -> pikepdf.Stream:
    """An RGB image XObject one pixel high."""
    return pikepdf.Stream(
        pdf, pixels, Type=Name.XObject, Subtype=Name.Image, Width=width, Height=1,
        ColorSpace=Name.DeviceRGB, BitsPerComponent=8,
    )  # fmt: skip


def test_stand_ins_have_the_chart_size_and_a_marker_each() -> None:
    served = pdf_charts.stand_ins({"chart:a.svg": ("453.6", "180"), "chart:b.svg": ("100", "50.5")})
    assert set(served) == {"chart:a.svg", "chart:a.marker.png", "chart:b.svg", "chart:b.marker.png"}
    stand_in = served["chart:b.svg"].decode()
    assert 'width="100pt" height="50.5pt" viewBox="0 0 100 50.5"' in stand_in
    assert 'href="chart:b.marker.png"' in stand_in and 'preserveAspectRatio="none"' in stand_in
    marker = Image.open(io.BytesIO(served["chart:b.marker.png"]))
    assert marker.size == (2, 1) and marker.mode == "RGB"
    assert marker.tobytes() == pdf_charts.MARKER + (1).to_bytes(3, "big")


def test_a_chart_size_is_known_before_it_is_drawn() -> None:
    """`charts.chart_size` (the stand-in's size) is the size the drawn SVG has, for line charts
    and for bar charts of one to many categories, long labels wrapped."""
    long = "Instituciones con un plan de integridad aprobado y publicado en su portal de datos"
    specs = [
        charts.ChartSpec("line", ("2020", "2021"), (charts.Series("s", (1.0, 2.0)),)),
        charts.ChartSpec("hbar", ("a",), (charts.Series("s", (1.0,)),)),
        charts.ChartSpec("hbar", tuple("abcdefghij"), (charts.Series("s", (1.0,) * 10),)),
        charts.ChartSpec("hbar", (long, "b", long + " y más"), (charts.Series("s", (1, 2, 3)),)),
    ]
    sizes = [charts.chart_size(spec) for spec in specs]
    assert len(set(sizes)) == 4
    for spec, size in zip(specs, sizes, strict=True):
        assert chart_raster.chart_size(charts.render_svg(spec, "alt")) == size


def test_short_labels_are_sized_without_matplotlib() -> None:
    """A bar chart of short plain labels (the status chart) is sized from their length alone:
    each `_NARROW` character is measured no wider than the bound, a label of the longest length
    allowed is not wrapped, and sizing such a chart does not import matplotlib."""
    from seguimiento.chart_layout import FONT_SIZE, text_size, wrap

    for char in sorted(charts._NARROW):
        assert text_size(char * 20, FONT_SIZE)[0] / 20 <= charts._MAX_EM * FONT_SIZE, repr(char)
    longest = int((charts._CATEGORY_MAX_WIDTH - 1) / (charts._MAX_EM * FONT_SIZE))
    for label in ("Œ" * longest, "W" * longest, "—" * longest, "Meta alcanzada"):
        assert charts._fits_unmeasured(label)
        assert wrap(label, FONT_SIZE, charts._CATEGORY_MAX_WIDTH) == label
    assert not charts._fits_unmeasured("Œ" * (longest + 1))
    assert not charts._fits_unmeasured("数据")
    code = (
        "import sys; from seguimiento import charts; "
        "spec = charts.ChartSpec('hbar', ('Meta alcanzada', 'En riesgo', 'Sin dato'), "
        "(charts.Series('s', (1, 2, 3)),)); "
        "print(charts.chart_size(spec), 'matplotlib' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    ).stdout
    assert out.split() == ["('453.6',", "'125.28')", "False"]
    spec = charts.ChartSpec("hbar", ("Meta alcanzada", "En riesgo", "Sin dato"), ())
    assert charts._short_pt(charts._hbar_height_in(charts._hbar_labels(spec))) == "125.28"


def test_a_chart_drawn_at_another_size_than_laid_out_is_an_error() -> None:
    svg = charts.render_svg(chart_document().blocks[1].chart, "alt")
    with pytest.raises(writer.PdfRenderError, match=r"chart 0 was laid out at .* and drawn at"):
        writer.chart_pdfs([svg], [("453.6", "100")])


def test_no_stand_in_is_left_and_each_chart_is_a_form_of_its_own(built) -> None:
    data, images = built
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == Name.Image:
                assert pdf_charts.marker_index(obj) is None
        forms = [obj for _, _, obj in xobjects(pdf) if obj.get("/Subtype") == Name.Form]
        assert len({form.objgen for form in forms}) == len(images) == 2  # shown twice, kept once
        for form in forms:
            x0, y0, x1, y1 = (float(v) for v in form.BBox)
            assert [float(v) for v in form.Matrix] == pytest.approx(
                [1 / (x1 - x0), 0, 0, 1 / (y1 - y0), 0, 0]
            )  # the chart onto the unit square the marker image filled
            assert "/Font" in form.Resources  # the chart's text is text


def test_each_chart_is_painted_inside_its_figure(built) -> None:
    data, _ = built
    with pikepdf.open(io.BytesIO(data)) as pdf:
        figures = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Dictionary) and obj.get("/S") == Name.Figure
        ]
        assert sorted(str(figure.Alt) for figure in figures) == sorted(ALTS + ALTS[:1])
        painted = 0
        for page in pdf.pages:
            forms = {
                str(name)
                for name, obj in (page.obj.Resources.get("/XObject") or {}).items()
                if obj.get("/Subtype") == Name.Form
            }
            open_tags: list[str] = []
            for operands, operator in pikepdf.parse_content_stream(page):
                if str(operator) in ("BDC", "BMC"):
                    open_tags.append(str(operands[0]))
                elif str(operator) == "EMC":
                    open_tags.pop()
                elif str(operator) == "Do" and str(operands[0]) in forms:
                    assert open_tags and open_tags[-1] == "/Figure"
                    painted += 1
        assert painted == 3


def test_the_chart_text_can_be_read_from_the_page(built) -> None:
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(built[0])).pages)
    for label in ("Casos resueltos", "Meta", "Sanciones", "Denuncias", "2022"):
        assert label in text


def test_the_page_looks_as_when_weasyprint_drew_the_svg(built) -> None:
    pymupdf = pytest.importorskip("pymupdf", reason="PyMuPDF (comes with outloud) renders pages")
    inline = writer.write_pdf(render_html(chart_document(), TEMPLATES), TEMPLATES)
    ours, theirs = pymupdf.open(stream=built[0]), pymupdf.open(stream=inline)
    assert len(ours) == len(theirs)
    for number in range(len(ours)):
        a, b = (
            Image.frombytes("L", (pix.width, pix.height), pix.samples)
            for pix in (
                doc[number].get_pixmap(dpi=50, colorspace=pymupdf.csGRAY) for doc in (ours, theirs)
            )
        )
        assert a.size == b.size
        differ = sum(1 for x, y in zip(a.tobytes(), b.tobytes(), strict=True) if abs(x - y) > 64)
        assert differ < 0.005 * a.size[0] * a.size[1]  # anti-aliasing only
        assert len(set(a.tobytes())) > 2  # and not blank


def test_a_marker_for_a_chart_that_is_not_there_is_an_error(built) -> None:
    data, images = built
    one_chart = chart_raster.to_pdf([images[next(iter(images))].decode()])
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        marker = image(pdf, pdf_charts.MARKER + (5).to_bytes(3, "big"), 2)
        page.obj.Resources.XObject[Name("/Stray")] = pdf.make_indirect(marker)
        with pytest.raises(pdf_charts.ChartSwapError, match="chart 5, of 1 charts"):
            pdf_charts.swap_charts(pdf, one_chart)


def test_resources_shared_by_pages_are_looked_at_once() -> None:
    """WeasyPrint gives every page one Resources dictionary: its XObjects are gone through once,
    and those of a form painted from it once too, however many pages share them."""
    pdf = pikepdf.new()
    form = pdf.make_stream(b"", Type=Name.XObject, Subtype=Name.Form, BBox=[0, 0, 1, 1])
    form.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(M=image(pdf, b"\0" * 6, 2)))
    shared = pdf.make_indirect(pikepdf.Dictionary(XObject=pikepdf.Dictionary(F=form)))
    for _ in range(3):
        pdf.add_blank_page()
        pdf.pages[-1].obj.Resources = shared
    found = pdf_charts._resource_dicts(pdf)
    assert len(found) == 2 and {tuple(d.keys()) for d in found} == {("/F",), ("/M",)}


def test_other_images_are_not_taken_for_markers() -> None:
    pdf = pikepdf.new()
    assert pdf_charts.marker_index(image(pdf, b"\x00" * 6, 2)) is None
    assert pdf_charts.marker_index(image(pdf, pdf_charts.MARKER * 4, 4)) is None
    assert (
        pdf_charts.marker_index(image(pdf, pdf_charts.MARKER + (300).to_bytes(3, "big"), 2)) == 300
    )


def test_typst_gives_one_untagged_page_per_chart_of_its_size(monkeypatch) -> None:
    spec = charts.ChartSpec("hbar", ("a", "b"), (charts.Series("s", (1.0, 2.0)),))
    svgs = [charts.render_svg(spec, "uno"), charts.render_svg(spec, "dos")] * 2
    monkeypatch.setattr(chart_raster, "PDF_CHUNK", 3)
    documents = chart_raster.to_pdf(svgs)
    assert len(documents) == 2  # 3 + 1 pages
    sizes = []
    for data in documents:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            assert "/StructTreeRoot" not in pdf.Root
            for page in pdf.pages:
                assert b"BDC" not in page.obj.Contents.read_bytes()
                sizes.append(tuple(round(float(v), 1) for v in page.mediabox[2:]))
    expected = [
        tuple(float(v) for v in re.search(r'width="([\d.]+)pt" height="([\d.]+)pt"', s).groups())
        for s in svgs
    ]
    assert sizes == expected
