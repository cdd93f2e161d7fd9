"""Render one report job into bytes per format: measure → compose → writers.

Nothing is written to disk here (that is `build.py`'s job): each format comes back as bytes. The
PDF carries the data behind it as attachments: the indicator values used (CSV) and the computed
figures (JSON), so the published numbers can be reused.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import TYPE_CHECKING

from seguimiento.compose import Context, compose
from seguimiento.measure import measure

if TYPE_CHECKING:
    from seguimiento.build import Job
    from seguimiento.model import Dataset


def data_attachments(dataset: Dataset, figures) -> list:
    """CSV of the values used and JSON of the figures, as PDF attachments."""
    from seguimiento.export import values_frame
    from seguimiento.writers.pdf import Attachment

    csv_bytes = values_frame(dataset, figures.period).to_csv(index=False).encode("utf-8")
    figures_json = json.dumps(figures.as_json(), ensure_ascii=False, indent=1, default=str)
    convention = dataset.convention.id
    return [
        Attachment(
            f"{convention}-values.csv",
            csv_bytes,
            "text/csv",
            "Indicator values used by this report",
        ),
        Attachment(
            f"{convention}-figures-{figures.period}.json",
            figures_json.encode("utf-8"),
            "application/json",
            "Figures computed for this report",
        ),
    ]


def render_job(
    root: Path, dataset: Dataset, job: Job, chart_helpers: int = 0
) -> tuple[dict[str, bytes], list[str]]:
    """Every requested format of one job, and the warnings met while composing; with
    `chart_helpers`, that many more processes draw its charts (see `chart_batch`): behind
    WeasyPrint's layout when the job has a WeasyPrint PDF (then written first; the DOCX by a
    helper meanwhile, or after the PDF from the charts by then drawn), ahead of the writers
    otherwise."""
    from seguimiento.writers.weasyprint_run import fewer_collections

    with fewer_collections(layout=False):  # what a previous job's layout left is collected first
        return _render(root, dataset, job, chart_helpers)


def _render(
    root: Path, dataset: Dataset, job: Job, chart_helpers: int
) -> tuple[dict[str, bytes], list[str]]:
    templates = root / "templates"
    figures = measure(dataset, job.period)
    if job.report == "data":
        from seguimiento.export import export_files, formats_of

        return export_files(dataset, figures, formats_of(job.formats), job.generated), []
    ctx = Context(
        dataset=dataset,
        figures=figures,
        report=job.report,
        lang=job.lang,
        period=job.period,
        templates=templates,
        final=job.final,
        generated=dt.date.fromisoformat(job.generated),
        extra={
            "open_reviews": []
            if job.final
            else [r for r in dataset.reviews if r.status == "open" and r.report == job.report]
        },
    )
    document = compose(ctx)
    from seguimiento.chart_batch import draw_ahead, draw_behind

    reference = templates / "reference.docx"
    outputs: dict[str, bytes] = {}
    # the charts drawn for the writers: a DOCX of Word charts needs none drawn
    chart_formats = [f for f in job.formats if f != "docx" or job.docx_charts == "picture"]
    docx_behind = None  # the DOCX if a helper wrote it
    if "pdf" in job.formats and job.pdf_engine != "typst":
        # WeasyPrint needs only the charts' size: helpers draw them meanwhile (chart_batch),
        # and one may write the DOCX from them
        docx = None
        if "docx" in job.formats:
            from seguimiento.writers.docx import write_docx

            docx = functools.partial(write_docx, document, reference, job.docx_charts)
        with draw_behind(document, chart_formats, chart_helpers, docx) as drawing:
            from seguimiento.writers.html import render_html
            from seguimiento.writers.pdf import write_pdf

            chart_images: dict = {}  # chart URL -> (spec, alt): drawn behind
            html = render_html(document, templates, chart_images)
            attachments = data_attachments(dataset, figures)
            outputs["pdf"] = write_pdf(html, templates, attachments, chart_images, drawing.ready)
            drawing.wait()  # done by the writer already; the DOCX below relies on it
            docx_behind = drawing.docx
    else:  # also with no helper: PNGs rasterised together
        draw_ahead(document, chart_formats, chart_helpers)
    if "docx" in job.formats:
        from seguimiento.writers.docx import write_docx

        outputs["docx"] = docx_behind or write_docx(document, reference, job.docx_charts)
    if "html" in job.formats:  # a page that stands alone: charts inline
        from seguimiento.writers.html import render_html

        outputs["html"] = render_html(document, templates).encode("utf-8")
    if "pdf" in job.formats and job.pdf_engine == "typst":
        from seguimiento.writers.typst import write_pdf_typst

        attachments = data_attachments(dataset, figures)
        outputs["pdf"] = write_pdf_typst(document, templates, attachments)
    ordered = {fmt: outputs[fmt] for fmt in ("docx", "html", "pdf") if fmt in outputs}
    return ordered, sorted(set(ctx.warnings))
