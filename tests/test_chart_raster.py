"""PNG charts from their SVG (chart_raster): the size and resolution the DOCX needs, clear
errors, and memory that does not grow with every batch."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from PIL import Image

from seguimiento import chart_raster, charts
from seguimiento.charts import ChartSpec, Series


def _spec(n: int) -> ChartSpec:
    values = tuple(float(n + (3 * i) % 7) for i in range(5))
    series = (Series("Valor", values),)
    return ChartSpec("line", ("2019", "2020", "2021", "2022", "2023"), series, target=n + 9.0)


def test_each_svg_becomes_a_png_of_its_size_at_the_resolution_asked(draws):
    svgs = [charts.render_svg(_spec(n), "a") for n in range(3)]
    pngs = chart_raster.rasterise(svgs, 100)
    assert len(pngs) == 3
    for png in pngs:
        image = Image.open(io.BytesIO(png))
        assert image.size == (630, 270)  # 6.3 x 2.7 in at 100 dpi
        assert round(image.info["dpi"][0]) == 100  # the pHYs chunk we add
        image.load()  # every chunk readable: the inserted one has a right CRC
    assert len(set(pngs)) == 3


def test_an_svg_without_a_size_in_points_is_refused():
    with pytest.raises(chart_raster.ChartRasterError, match="no width and height"):
        chart_raster.rasterise(['<svg xmlns="http://www.w3.org/2000/svg"/>'], 160)


def test_several_charts_end_with_the_compiles_that_let_typst_forget_them(draws, monkeypatch):
    import typst

    calls: list[int] = []
    real = typst.compile

    def counting(source, **options):
        calls.append(len(options.get("sys_inputs") or {}))
        return real(source, **options)

    monkeypatch.setattr(typst, "compile", counting)
    svgs = [charts.render_svg(_spec(n), "a") for n in range(10)]
    chart_raster.rasterise(svgs, 100)
    chunks = -(-10 // chart_raster.CHUNK)
    assert sum(calls[:chunks]) == 10  # charts, chunk by chunk
    assert all(0 < count <= chart_raster.CHUNK for count in calls[:chunks])
    assert calls[chunks:] == [0] * chart_raster._FORGET_AFTER  # then empty ones
    calls.clear()
    chart_raster.rasterise(svgs[:1], 100)
    assert calls == [1]  # one chart: nothing to forget worth the time


def test_memory_stays_low_over_many_charts_and_batches():
    """In a fresh process, Typst and its fonts loaded: three rounds of 40 new charts each. Typst
    keeps what its last ten compiles computed (about 2 MB a chart): with eight charts a compile
    the peak grew by about 75 MB; with one, and the forgetting compiles, it stays near 20 MB."""
    code = """
import resource
from seguimiento import chart_raster, charts
from seguimiento.charts import ChartSpec, Series
def peak():  # MB (Linux counts kB); the peak, steadier than the resident size
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
rounds = [
    [charts.render_svg(ChartSpec("line", ("2020", "2021", "2022"),
                                 (Series("s", (1.0, n, r)),)), "a") for n in range(40)]
    for r in range(3)
]  # drawn first: only Typst's memory is measured
chart_raster.rasterise(rounds[0][:1], 160)  # Typst and its fonts loaded
start = peak()
for svgs in rounds:
    chart_raster.rasterise(svgs, 160)
print(peak() - start)
"""
    if not sys.platform.startswith("linux"):
        pytest.skip("ru_maxrss is in kB on Linux only")
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout.strip()) < 40  # MB
