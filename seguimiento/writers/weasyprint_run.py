"""What surrounds a WeasyPrint run in this process: the garbage collector run less often, the
errors WeasyPrint logs collected, and pydyf's page references remembered. Each is a context
manager that `writers.pdf.write_pdf` holds over the run and that leaves things as they were.

pydyf is imported inside `remembered_page_references`: importing this module is cheap.
"""

from __future__ import annotations

import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager

LOG = logging.getLogger(__name__)

# Python's cyclic collector runs every 700 net allocations, and a full run walks every object.
# Laying out a report allocates millions (boxes, then pikepdf objects): collecting less often
# and once at the end saves about a tenth of the PDF's time, same peak memory (measured on M).
GC_THRESHOLDS = (20_000, 20, 20)

#: Harmless WeasyPrint warnings: matplotlib SVGs use properties WeasyPrint does not know.
_IGNORED_WARNINGS = ("unknown property",)

_garbage_left = False  # a layout in this process left garbage, frozen, not collected yet


@contextmanager
def fewer_collections(layout: bool = True) -> Iterator[None]:
    """Run the cyclic garbage collector less often meanwhile (`GC_THRESHOLDS`), then as before.

    What a layout leaves (WeasyPrint's boxes refer to each other: about half a million objects
    on M, 40 MB) is collected when the next one begins, not when it ends: a process that builds
    one report exits without walking it (`cli.run`), and one that builds more starts each layout
    from the same memory as the first. Meanwhile it is frozen (`gc.freeze`): else, with the
    thresholds back to normal, the next allocations would set off that very collection. It
    stays after the peak: it was there during the post-processing already. `render.render_job`
    holds this over a whole job (with `layout=False`: what runs inside it may lay out a PDF, or
    not), so the DOCX written after the PDF does not set off that collection either."""
    global _garbage_left
    if _garbage_left:
        _garbage_left = False
        gc.unfreeze()
        gc.collect()
    saved = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        if layout or _garbage_left:
            gc.freeze()  # out of the collector's way until the next layout begins
            _garbage_left = True
        gc.set_threshold(*saved)


@contextmanager
def weasyprint_errors() -> Iterator[list[str]]:
    """Collect WeasyPrint's ERROR messages; pass its other warnings (minus the SVG noise) on to
    this module's logger. WeasyPrint's own records do not reach the root logger meanwhile."""
    errors: list[str] = []

    class Collector(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            message = record.getMessage()
            if record.levelno >= logging.ERROR:
                errors.append(message)
            elif not any(noise in message for noise in _IGNORED_WARNINGS):
                LOG.warning("WeasyPrint: %s", message)

    logger = logging.getLogger("weasyprint")
    handler = Collector(logging.WARNING)
    saved = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    try:
        yield errors
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved[0])
        logger.propagate = saved[1]


@contextmanager
def remembered_page_references() -> Iterator[None]:
    """pydyf's `PDF.page_references` made once while the page list stays the same, then as before.

    pydyf builds that tuple (a reference to every page) anew each time it is read, and
    WeasyPrint 70 reads it once for each structure element it tags: 16,289 times on the M
    report's 130 pages, 0.4 s of its `write_pdf` (a tenth) spent making the same tuple, a cost
    that grows with pages × elements. Meanwhile each PDF keeps the tuple with the page list it
    was made from, and makes it again once a page is added: the same references, from the same
    pages. A run that finds the memo in place (another thread's) leaves it to that run."""
    import pydyf

    made_by = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(made_by, property) or made_by.fget is None or _is_memo(made_by):
        yield  # not pydyf's property as known (another version), or remembered already
        return
    build = made_by.fget

    def page_references(pdf) -> tuple[bytes, ...]:
        kids = pdf.pages["Kids"]
        key = (id(kids), len(kids))
        memo = pdf.__dict__.get("_seguimiento_page_references")
        if memo is None or memo[0] != key:
            memo = (key, build(pdf))
            pdf.__dict__["_seguimiento_page_references"] = memo
        return memo[1]

    page_references.remembers = True  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references, doc=made_by.__doc__)
    try:
        yield
    finally:
        pydyf.PDF.page_references = made_by


def _is_memo(prop: property) -> bool:
    """Whether `prop` is the memo `remembered_page_references` puts in place."""
    return bool(getattr(prop.fget, "remembers", False))
