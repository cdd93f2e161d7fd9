"""The data of a Word chart (`docx_charts`): the chart spec as python-pptx's chart data, the
number formats Word shows it with, and the workbook embedded with the chart ("Edit Data").

The workbook is written here with XlsxWriter, not by python-pptx: python-pptx's writer stamps
the clock's time into it, where this one stamps the report's date, so that the same document
gives the same bytes. Its layout is the one python-pptx's cell references point to: categories in
column A from row 2, one column per series, its name in row 1.

Word shows chart numbers with the reader's system separators, as in every Word chart; the number
format fixes the decimals and writes a negative number after the minus sign U+2212, as the report
does everywhere.
"""

from __future__ import annotations

import datetime as dt
import io

from seguimiento.charts import ChartSpec

_MAX_DECIMALS = 3
_GROUPED_FROM = 10_000  # axis numbers this large are grouped (smaller: Word's General format)


def decimals(values: list[float]) -> int:
    """The decimals the numbers need to be shown exactly (up to `_MAX_DECIMALS`)."""
    needed = 0
    for value in values:
        for places in range(needed, _MAX_DECIMALS + 1):
            if abs(value - round(value, places)) < 1e-9:
                needed = places
                break
        else:
            needed = _MAX_DECIMALS
    return needed


def number_format(values: list[float]) -> str:
    """The number format of a chart's values and labels: grouped thousands, the decimals
    needed, the minus sign."""
    places = decimals(values)
    return _with_minus("#,##0" + ("." + "0" * places if places else ""))


def _with_minus(fmt: str) -> str:
    """`fmt` for positive numbers, and for negative ones after the minus sign U+2212, as the
    report writes every negative number (`i18n.MINUS`), where Word would put a hyphen."""
    return f'{fmt};"\u2212"{fmt}'


def axis_format(values: list[float]) -> str:
    """The tick labels' format: Word's General (10, 12.5: the steps Word chooses may need
    decimals the data has not), grouped when the numbers are large (whole steps then)."""
    large = max(map(abs, values), default=0) >= _GROUPED_FROM
    return _with_minus("#,##0" if large else "General")


def spec_values(spec: ChartSpec) -> list[float]:
    """Every number a chart shows: its values, baseline and target."""
    found = [v for series in spec.series for v in series.values if v is not None]
    return found + [v for v in (spec.baseline, spec.target) if v is not None]


def chart_data(spec: ChartSpec):  # noqa: ANN201 - python-pptx's CategoryChartData
    """The chart's data as python-pptx holds it: the categories, each series with a point
    (matplotlib draws it: at least one value), then the baseline and target as level series."""
    from pptx.chart.data import CategoryChartData

    fmt = number_format(spec_values(spec))
    data = CategoryChartData(number_format=fmt)
    data.categories = list(spec.categories)
    if spec.kind == "hbar":
        data.add_series(spec.series[0].label, [v or 0 for v in spec.series[0].values])
        return data
    for series in spec.series:
        if any(v is not None for v in series.values):
            data.add_series(series.label, list(series.values))
    for value, label in ((spec.baseline, spec.baseline_label), (spec.target, spec.target_label)):
        if value is not None:
            data.add_series(label, [value] * len(spec.categories))
    return data


def workbook(data, created: dt.datetime | None) -> bytes:  # noqa: ANN001 - `chart_data`'s
    """A chart's `data` (`chart_data`) as an XLSX in python-pptx's layout (what its cell
    references name), dated `created` (the report's date) or, without one, now."""
    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties({"created": created or dt.datetime.now(dt.UTC).replace(tzinfo=None)})
    sheet = book.add_worksheet()  # Sheet1
    number = book.add_format({"num_format": data.number_format})
    sheet.write_column(1, 0, [category.label for category in data.categories])
    for column, series in enumerate(data, start=1):
        sheet.write(0, column, series.name)
        for row, value in enumerate(series.values, start=1):
            if value is not None:
                sheet.write_number(row, column, value, number)
    book.close()
    return buffer.getvalue()
