"""The disk cache of drawn charts (`charts.use_disk_cache`, `chart_cache`): a rebuild draws only
what changed; a damaged, renamed or hostile file in the cache folder is never used."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from seguimiento import chart_cache, chart_raster, charts
from seguimiento.atomic import TEMP_PREFIX
from seguimiento.charts import ChartSpec, Series

ALT = "Tendencia del indicador: de 10 en 2020 a 14 en 2023."


def spec(last: float = 14.0) -> ChartSpec:
    return ChartSpec(
        "line",
        ("2020", "2021", "2022", "2023"),
        (Series("Valor reportado", (10.0, 12.0, 11.0, last)),),
        y_label="%",
        target=20.0,
        target_label="Meta (2027)",
    )


def new_process() -> None:
    """What a rebuild starts with: nothing in memory (the disk cache stays)."""
    charts.clear_memory_cache()


def entries(folder: Path, fmt: str) -> list[Path]:
    return sorted(folder.glob(f"*.{fmt}"))


def svg_entry(folder: Path, chart: ChartSpec, alt: str) -> Path:
    return folder / f"{charts._key(chart, 'svg', alt=alt)}.svg"


def test_off_by_default_and_off_again(draws, tmp_path: Path):
    charts.render_png(spec(), alt=ALT)
    charts.use_disk_cache(tmp_path / "cache")
    charts.use_disk_cache(None)
    charts.render_png(spec(15.0), alt=ALT)
    assert not (tmp_path / "cache").exists()
    assert len(draws) == 2


def test_a_rebuild_draws_only_the_charts_that_changed(draws, tmp_path: Path):
    folder = tmp_path / "out" / ".cache" / "charts"
    charts.use_disk_cache(folder)
    first = [charts.render_png(spec(v), alt=ALT) for v in (14.0, 15.0)]
    svgs = [charts.render_svg(spec(v), ALT) for v in (14.0, 15.0)]
    assert len(draws) == 2  # the SVGs came from the PNGs' figures
    assert len(entries(folder, "png")) == 2 and len(entries(folder, "svg")) == 2

    new_process()
    assert [charts.render_png(spec(v), alt=ALT) for v in (14.0, 15.0)] == first
    assert [charts.render_svg(spec(v), ALT) for v in (14.0, 15.0)] == svgs
    assert len(draws) == 2  # nothing drawn again

    new_process()
    charts.render_png(spec(16.0), alt=ALT)  # one chart's data changed
    charts.render_png(spec(15.0), alt=ALT)
    assert draws[2:] == [spec(16.0)]
    new_process()
    charts.render_svg(spec(14.0), "Otro texto alternativo")  # the SVG holds the alt text
    assert draws[3:] == [spec(14.0)]


def test_the_key_covers_resolution_style_versions_and_code(draws, tmp_path, monkeypatch):
    charts.use_disk_cache(tmp_path)
    rasterised = _counting_rasteriser(monkeypatch)
    charts.render_png(spec())
    new_process()
    charts.render_png(spec(), dpi=100)  # the same SVG, rasterised at another resolution
    assert (len(draws), rasterised) == (1, [1, 1])
    monkeypatch.setattr(charts, "CHART_STYLE_VERSION", charts.CHART_STYLE_VERSION + 1)
    new_process()
    charts.render_png(spec())
    monkeypatch.setattr(chart_cache, "_renderer_versions", lambda: "0.0.0")
    new_process()
    charts.render_png(spec())
    monkeypatch.setattr(chart_cache, "_drawing_code", lambda: "charts.py edited")
    new_process()
    charts.render_png(spec())
    assert (len(draws), len(rasterised)) == (4, 5)


def _counting_rasteriser(monkeypatch) -> list[int]:
    """Replace `chart_raster.rasterise` by one that lists how many SVGs each call rasterises."""
    calls: list[int] = []
    real = chart_raster.rasterise

    def counting(svgs, dpi):
        calls.append(len(svgs))
        return real(svgs, dpi)

    monkeypatch.setattr(chart_raster, "rasterise", counting)
    return calls


def test_the_drawing_code_digest_is_of_the_chart_modules() -> None:
    folder = Path(charts.__file__).parent
    names = ("charts.py", "chart_layout.py", "chart_svg.py", "chart_raster.py")
    source = b"".join((folder / name).read_bytes() for name in names)
    assert chart_cache._drawing_code() == hashlib.sha256(source).hexdigest()
    # each of them draws: a change to any of them must draw every chart again
    assert charts.text_size.__module__ == "seguimiento.chart_layout"
    assert charts.inline_svg.__module__ == "seguimiento.chart_svg"
    assert charts.chart_raster.__name__ == "seguimiento.chart_raster"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # a partial write
        lambda data: data[:-1] + bytes([data[-1] ^ 1]),  # one bit flipped
        lambda data: b"",
        lambda data: data.split(b"\n", 1)[1],  # the bare image, no header
        lambda data: b"SGCHART1 x y\n" + data.split(b"\n", 1)[1],
    ],
    ids=["truncated", "bit flipped", "empty", "no header", "bad header"],
)
def test_a_damaged_file_is_drawn_again_and_replaced(draws, tmp_path: Path, damage):
    charts.use_disk_cache(tmp_path)
    png, svg = charts.render_png(spec(), alt=ALT), charts.render_svg(spec(), ALT)
    for path in entries(tmp_path, "png") + entries(tmp_path, "svg"):
        path.write_bytes(damage(path.read_bytes()))
    new_process()
    assert charts.render_png(spec(), alt=ALT) == png
    assert charts.render_svg(spec(), ALT) == svg
    assert len(draws) == 2
    new_process()  # and the files were written anew
    charts.render_png(spec(), alt=ALT), charts.render_svg(spec(), ALT)
    assert len(draws) == 2


def test_an_edited_svg_fails_its_checksum(draws, tmp_path: Path):
    """A change that leaves a well-formed SVG (here, its alt text) is caught by the checksum."""
    charts.use_disk_cache(tmp_path)
    svg = charts.render_svg(spec(), ALT)
    path = svg_entry(tmp_path, spec(), ALT)
    path.write_bytes(path.read_bytes().replace(b"Tendencia", b"Tendenzia"))
    assert chart_cache.valid_svg(path.read_bytes().split(b"\n", 1)[1])
    new_process()
    assert charts.render_svg(spec(), ALT) == svg
    assert len(draws) == 2


def test_a_file_under_another_charts_name_is_not_used(draws, tmp_path: Path):
    charts.use_disk_cache(tmp_path)
    charts.render_svg(spec(99.0), ALT)
    wrong = svg_entry(tmp_path, spec(99.0), ALT).read_bytes()
    svg_entry(tmp_path, spec(), ALT).write_bytes(wrong)  # a valid entry, of another chart
    new_process()
    assert "99" in charts.render_svg(spec(99.0), ALT)
    assert ">99<" not in charts.render_svg(spec(), ALT)
    assert draws == [spec(99.0), spec()]


NS = 'xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
HOSTILE = {
    "script": f"<svg {NS}><script>alert(1)</script></svg>",
    "handler": f'<svg {NS} onload="alert(1)"><g/></svg>',
    "style url": f'<svg {NS}><g style="fill:url(https://x.example/a)"/></svg>',
    "external use": f'<svg {NS}><use xlink:href="https://x.example/a.svg#b"/></svg>',
    "foreignObject": f"<svg {NS}><foreignObject><p>x</p></foreignObject></svg>",
    "html after svg": f"<svg {NS}><title>x</title></svg><script>alert(1)</script>",
    "comment breakout": f"<svg {NS}><!--</svg><img src=x onerror=alert(1)>--></svg>",
    "cdata": f"<svg {NS}><text><![CDATA[</svg><script>alert(1)</script>]]></text></svg>",
    "entity": f'<!DOCTYPE svg [<!ENTITY x "alert(1)">]><svg {NS}>&x;</svg>',
    "not svg": '<html><body onload="alert(1)"></body></html>',
    "style import": f"<svg {NS}><style>@import url(https://x.example/a.css)</style></svg>",
}


@pytest.mark.parametrize("name", HOSTILE)
def test_a_hostile_svg_in_the_cache_is_refused_even_with_a_forged_checksum(draws, tmp_path, name):
    """Someone who can write the cache folder and knows its format (so the checksum is right)
    still cannot get a script or an outside reference into the HTML: the SVG must be one that
    matplotlib could have written."""
    charts.use_disk_cache(tmp_path)
    cache = chart_cache.DiskCache(tmp_path)
    key = charts._key(spec(), "svg", alt=ALT)
    cache.put(key, "svg", HOSTILE[name].encode())
    assert cache.get(key, "svg", lambda data: True) == HOSTILE[name].encode()  # forged: passes
    assert not chart_cache.valid_svg(HOSTILE[name].encode())
    svg = charts.render_svg(spec(), ALT)
    assert draws == [spec()]  # refused, drawn again
    assert "alert" not in svg and "x.example" not in svg
    assert svg.startswith("<svg") and f"<title>{ALT}</title>" in svg
    assert chart_cache.valid_svg(svg.encode())


def test_a_forged_png_must_be_a_whole_png_of_the_right_width(draws, tmp_path: Path, monkeypatch):
    charts.use_disk_cache(tmp_path)
    rasterised = _counting_rasteriser(monkeypatch)
    good = charts.render_png(spec())
    cache, key = chart_cache.DiskCache(tmp_path), charts._key(spec(), "png", dpi=charts.PNG_DPI)
    for forged in (b"<svg onload=alert(1)>", good[:-12], good.replace(b"IHDR", b"IHDX", 1)):
        cache.put(key, "png", forged)
        new_process()
        assert charts.render_png(spec()) == good
    assert len(draws) == 1  # each time, the cached SVG is rasterised again
    assert rasterised == [1, 1, 1, 1]
    assert not chart_cache.valid_png(good, width=500)


def test_links_pipes_and_huge_files_are_not_read(draws, tmp_path: Path):
    charts.use_disk_cache(tmp_path / "cache")
    svg = charts.render_svg(spec(), ALT)
    path = svg_entry(tmp_path / "cache", spec(), ALT)
    outside = tmp_path / "outside.svg"
    os.replace(path, outside)  # a valid entry, reached through a link: not followed
    path.symlink_to(outside)
    new_process()
    assert charts.render_svg(spec(), ALT) == svg
    path.unlink()
    os.mkfifo(path)  # reading a pipe would wait for ever
    new_process()
    started = time.monotonic()
    assert charts.render_svg(spec(), ALT) == svg
    assert time.monotonic() - started < 30
    assert len(draws) == 3
    assert outside.read_bytes().split(b"\n", 1)[1] == svg.encode()  # untouched


def test_the_folder_stays_under_its_limit_least_recently_used_first(tmp_path: Path):
    cache = chart_cache.DiskCache(tmp_path, max_bytes=10_000)
    keys = [hashlib.sha256(str(n).encode()).hexdigest() for n in range(30)]
    old = time.time() - 1000
    for n, key in enumerate(keys):
        cache.put(key, "svg", b"<svg>" + b" " * 900 + b"</svg>")
        os.utime(tmp_path / f"{key}.svg", (old + n, old + n))
        if n == 5:
            assert cache.get(keys[0], "svg", lambda data: True)  # read: now the most recent
    total = sum(p.stat().st_size for p in tmp_path.iterdir())
    assert total <= 10_000
    assert (tmp_path / f"{keys[0]}.svg").exists()  # read recently
    assert not (tmp_path / f"{keys[1]}.svg").exists()  # the oldest went first
    assert (tmp_path / f"{keys[-1]}.svg").exists()


def test_writes_are_atomic_and_leave_no_temporary_files(draws, tmp_path: Path):
    stale = tmp_path / f"{TEMP_PREFIX}left-by-a-killed-build"
    stale.write_bytes(b"half")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    cache = chart_cache.DiskCache(tmp_path, max_bytes=1)  # every write prunes
    cache.put("a" * 64, "svg", b"<svg/>")
    assert not list(tmp_path.glob(f"{TEMP_PREFIX}*"))


def test_a_cache_that_cannot_be_written_does_not_fail_the_build(draws, tmp_path: Path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    charts.use_disk_cache(blocked / "charts")
    assert charts.render_png(spec()).startswith(b"\x89PNG")


def test_a_rebuild_from_a_warm_cache_does_not_import_matplotlib(tmp_path: Path):
    code = f"""
import sys
from pathlib import Path
from seguimiento import charts
from seguimiento.charts import ChartSpec, Series
charts.use_disk_cache(Path({str(tmp_path)!r}))
for n in range(3):
    spec = ChartSpec("hbar", ("a", "b"), (Series("s", (1.0, float(n))),), y_label="x")
    assert charts.render_png(spec, alt="t").startswith(b"\\x89PNG")
    assert charts.render_svg(spec, "t").startswith("<svg")
print("matplotlib" in sys.modules)
"""
    runs = [
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
        )
        for _ in range(2)
    ]
    assert [run.stdout.strip() for run in runs] == ["True", "False"], runs[-1].stderr
