"""Charts drawn ahead, or behind WeasyPrint, on the cores a build would otherwise leave idle.

A build of one report is one job, and a job draws its charts one after the other: with
matplotlib about 45 ms an SVG, seconds for a report with a hundred indicators, while the second
core waits. `draw_ahead` takes the charts a composed document still needs (none when the chart
cache has them all), and shares their SVGs out between this process and `helpers` forked
processes. The helpers return their images, which join this process's store (the disk cache
already has them), and the writers that follow find every chart drawn. The PNGs the DOCX needs
are rasterised by Typst (`chart_raster`): by each helper for its share, unless this process has
already imported Typst (a process forked after Typst started its thread pool must never call
it); then helpers draw SVGs only, and this process rasterises the rest.

For the WeasyPrint PDF, the job's process need not wait: WeasyPrint lays out stand-ins of the
charts' size (`writers.pdf_charts`), so `draw_behind` gives all the charts to the helpers and
returns at once; the PDF writer calls its `wait()` once WeasyPrint is done (about 12 s on the M
report, while one helper draws the 136 charts in 5 to 8 s). A job that also wants the DOCX
gives it to one helper, which writes it from the charts it has drawn (half a second on M, well
within the layout; with the charts cached, the helper only writes the DOCX); else the DOCX is
written after the PDF, from the charts by then drawn. A single helper, which then has every
chart, also converts them to the vector PDF pages the PDF writer puts in place of the stand-ins
(`chart_raster.to_pdf`, 0.16 s on M, no longer after the layout but during it; `ready`), when it
may call Typst; else the PDF writer makes them.

What is written does not change: each image is the same bytes whichever process draws it
(matplotlib is deterministic with our fixed SVG hash salt). Helpers are forked, which costs
milliseconds (a spawned process would spend about a second importing matplotlib, much of what
it could save). Forking a process that has loaded system libraries is safe on Linux, not on
macOS or Windows: there, with `--jobs 1`, and when a helper fails, the charts are simply drawn
here.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import sys
from collections.abc import Callable, Iterable, Sequence

from seguimiento import chart_raster, charts, tree
from seguimiento.lifetime import pool_options
from seguimiento.writers.html import walk

LOG = logging.getLogger(__name__)
MIN_CHARTS = 8  # fewer charts than this are drawn faster than a helper starts and returns


Item = tuple[charts.ChartSpec, str]  # a chart and its alt text


def wanted(document: tree.Document, formats: Iterable[str]) -> tuple[list[Item], bool, bool]:
    """The (spec, alt) of each chart in `document`, and whether the formats need PNGs (DOCX)
    and SVGs (PDF, HTML)."""
    formats = set(formats)
    items: list[Item] = [
        (b.chart, b.alt)  # type: ignore[misc] - a Figure's chart is a ChartSpec
        for b in walk(document.blocks)
        if isinstance(b, tree.Figure)
    ]
    return list(dict.fromkeys(items)), "docx" in formats, bool(formats & {"pdf", "html"})


def _to_draw(items: list[Item], png: bool, svg: bool, helpers: int) -> tuple[list[Item], int]:
    """Of `items` (`wanted`), the charts no store holds yet, and how many helpers are worth
    forking for them (none on a platform where forking is not safe)."""
    todo = [(spec, alt) for spec, alt in items if not _stored(spec, alt, png, svg)]
    helpers = min(helpers, len(todo) // MIN_CHARTS)
    if not _may_fork():
        helpers = 0
    return todo, helpers


def draw_ahead(document: tree.Document, formats: Iterable[str], helpers: int) -> int:
    """Draw the charts the writers of `formats` will ask for, sharing them with up to `helpers`
    forked processes; returns how many charts were drawn by helpers (0: all here or none)."""
    items, png, svg = wanted(document, formats)
    todo, helpers = _to_draw(items, png, svg, helpers)
    if not (png or svg):
        return 0
    drawn = 0
    if helpers > 0:
        shares = [todo[i :: helpers + 1] for i in range(helpers + 1)]  # interleaved: alike costs
        shared_png = png and _helpers_rasterise()
        try:
            drawn = _share_out(shares, shared_png)
        except Exception as error:  # noqa: BLE001 - e.g. no children allowed: drawn here
            LOG.warning("charts not drawn ahead (%s): %s", type(error).__name__, error)
    charts.draw_all(todo, png, svg)  # what is left (PNGs, or all if nothing was shared)
    return drawn


class DrawingBehind:
    """Charts being drawn, and maybe the DOCX written, by forked helpers while this process goes
    on (`draw_behind`); a context manager that stops the helpers on the way out."""

    def __init__(
        self,
        todo: list[Item],
        png: bool,
        svg: bool,
        helpers: int,
        write_docx: Callable[[], bytes] | None = None,
        pdf_items: list[Item] | None = None,
    ) -> None:
        self.todo, self.png, self.svg = todo, png, svg
        self.pool = None
        self.futures: list = []
        self.shares: list[list[Item]] = []
        self.drawn: int | None = None
        #: the DOCX a helper wrote (after `wait`), or None: then it is for this process to write
        self.docx: bytes | None = None
        #: the charts whose Typst PDFs a helper makes, and those PDFs (after `wait`, or None)
        self.pdf_items: list[Item] | None = None
        self.pdfs: list[bytes] | None = None
        if helpers <= 0:
            return
        from concurrent.futures import ProcessPoolExecutor

        self.shares = [todo[i::helpers] for i in range(helpers)]
        typst = _helpers_rasterise()
        shared_png = png and typst
        # with the first share; a helper that may not rasterise cannot write the DOCX's PNGs
        # (a DOCX of Word charts, asked for without PNGs, needs nothing rasterised)
        writers = [write_docx if shared_png or not png else None] + [None] * (helpers - 1)
        # one helper draws every chart it does not find stored: it can make their PDFs too
        if svg and typst and helpers == 1 and pdf_items:
            self.pdf_items = list(pdf_items)
        try:
            context = multiprocessing.get_context("fork")
            self.pool = ProcessPoolExecutor(
                max_workers=helpers, mp_context=context, **pool_options()
            )
            self.futures = [
                self.pool.submit(_draw_share, share, shared_png, svg, write, self.pdf_items)
                for share, write in zip(self.shares, writers)
            ]
        except Exception as error:  # noqa: BLE001 - e.g. no children allowed: drawn here
            LOG.warning("charts not drawn behind (%s): %s", type(error).__name__, error)
            self.close()

    def wait(self) -> int:
        """Wait for the helpers, keep what they drew (and the DOCX one wrote), and draw here
        whatever is left; returns how many charts the helpers drew. Calling it again does
        nothing more."""
        if self.drawn is None:
            self.drawn = 0
            for future, share in zip(self.futures, self.shares):
                try:
                    images, docx, pdfs = future.result()
                    charts.keep(images)
                    self.drawn += len(share)
                    self.docx = docx if docx is not None else self.docx
                    self.pdfs = pdfs if pdfs is not None else self.pdfs
                except Exception as error:  # noqa: BLE001 - done here, below and after
                    LOG.warning("a helper failed (%s); its work is done here", error)
            self.close()
            charts.draw_all(self.todo, self.png, self.svg)
        return self.drawn

    def ready(self, items: Sequence[Item]) -> list[bytes] | None:
        """`wait`, then the Typst PDFs of the charts `items` (`chart_raster.to_pdf`) if a helper
        made them for exactly those charts in that order; else None: they are for this process
        to make (`writers.pdf.write_pdf` calls this once WeasyPrint is done)."""
        self.wait()
        if self.pdfs is None or self.pdf_items != list(items):
            return None
        return self.pdfs

    def close(self) -> None:
        """Stop the helpers (what they have not begun is cancelled; the rest is waited for)."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool, self.futures = None, []

    def __enter__(self) -> DrawingBehind:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def draw_behind(
    document: tree.Document,
    formats: Iterable[str],
    helpers: int,
    write_docx: Callable[[], bytes] | None = None,
) -> DrawingBehind:
    """Start drawing the charts the writers of `formats` will ask for in up to `helpers` forked
    processes, and return at once: this process goes on meanwhile (WeasyPrint lays out stand-ins
    of the charts, `writers.pdf_charts`) and calls `wait()` when it needs them. With no helper
    (few charts, `--jobs 1`, not Linux), nothing starts and `wait()` draws them all here.

    `write_docx()`, the job's DOCX, is written by the one helper that then draws every chart,
    when a helper may rasterise (this process has not loaded Typst) and the document has
    `MIN_CHARTS` charts or more, drawn or not (a DOCX that size takes longer to write than a
    helper to start); the bytes are in `.docx` after `wait()`. A DOCX of Word charts, given
    with `formats` that leave the DOCX out (it needs nothing drawn), is written by that helper
    whether or not it may rasterise."""
    items, png, svg = wanted(document, formats)
    todo, chart_helpers = _to_draw(items, png, svg, helpers)
    big = len(items) >= MIN_CHARTS
    may_write = _may_fork() and (not png or _helpers_rasterise())  # (no PNG: Word charts)
    if write_docx is not None and helpers > 0 and big and may_write:
        return DrawingBehind(todo, png, svg, 1, write_docx, items)
    return DrawingBehind(todo, png, svg, chart_helpers, pdf_items=items)


def _draw_share(
    items: list[Item],
    png: bool,
    svg: bool,
    write_docx: Callable[[], bytes] | None,
    pdf_items: list[Item] | None = None,
) -> tuple[dict[str, bytes], bytes | None, list[bytes] | None]:
    """In a helper: draw `items` (`charts.draw_all`), make the Typst PDFs of the charts
    `pdf_items` if given (drawn or stored by then), then write the DOCX if given one (every
    chart it shows is then drawn or stored); returns the new images, the DOCX and the PDFs.
    PDFs Typst refuses are left to the job's process, which reports the error."""
    images = charts.draw_all(items, png, svg)
    pdfs = None
    if pdf_items:
        try:
            pdfs = chart_raster.to_pdf([charts.render_svg(spec, alt) for spec, alt in pdf_items])
        except chart_raster.ChartRasterError:
            pdfs = None
    docx = write_docx() if write_docx is not None else None
    _give_back_free_memory()
    return images, docx, pdfs


def _give_back_free_memory() -> None:
    """Return the C heap's free pages to the system (glibc's `malloc_trim`; elsewhere nothing).
    A helper done with Typst kept some 40 MB of them (freed, not returned) while it idled until
    the job's process, at its own peak, collected its work: the build's peak was that much
    higher (measured with the M report: 475 → 510 MB over all processes without this)."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _may_fork() -> bool:
    return sys.platform.startswith("linux")  # fork: safe on Linux only


def _helpers_rasterise() -> bool:
    """Whether helpers forked now may call Typst: not once this process has loaded it."""
    return "typst" not in sys.modules


def _stored(spec: charts.ChartSpec, alt: str, png: bool, svg: bool) -> bool:
    return (not png or charts.stored(spec, alt, True)) and (
        not svg or charts.stored(spec, alt, False)
    )


def _share_out(shares: Sequence[list[Item]], png: bool) -> int:
    """Shares 1.. go to forked helpers while this process draws share 0: their SVGs, and their
    PNGs if `png` (this process rasterises too: by then the helpers are forked)."""
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context("fork")
    drawn = 0
    with ProcessPoolExecutor(
        max_workers=len(shares) - 1, mp_context=context, **pool_options()
    ) as pool:
        futures = [pool.submit(charts.draw_all, share, png, True) for share in shares[1:]]
        charts.draw_all(shares[0], png, True)
        for future, share in zip(futures, shares[1:]):
            try:
                charts.keep(future.result())
                drawn += len(share)
            except Exception as error:  # noqa: BLE001 - drawn here, after
                LOG.warning("a chart helper failed (%s); drawing its charts here", error)
    return drawn
