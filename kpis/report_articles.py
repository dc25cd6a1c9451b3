# ruff: noqa: E501  (the markup stays a line an element, as the template had it, to read against it)
"""A report's article for each indicator, built as strings.

A report shows an article per indicator with a figure: its facts, commentary, chart and the
chart's figures as a table. As a template, each article was hundreds of variable lookups and
filter calls; at 300 indicators they were most of the report's time. The markup is the
template's, character for character (``tests/test_report_articles.py`` renders both and compares).
"""

from django.utils.html import conditional_escape as escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst

from kpis.formatting import format_value
from kpis.templatetags.kpi_status import status_tag
from sct_monitor.periods import Period
from sct_monitor.reporting import render_text
from sct_monitor.table_memo import kept

PROVISIONAL = ' <strong class="govuk-tag govuk-tag--blue">Provisional</strong>'
REVISED = '<strong class="govuk-tag govuk-tag--purple">Revised</strong> '
FACT = '\n    <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">{}</dt><dd class="govuk-summary-list__value">{}</dd></div>'
CAPTION_END = (
    ". The markers' shapes give the status (cross Red, diamond Amber, circle Green, square no status); "
    "the dashed line is the target. The table gives the same figures."
)


def month_year(day) -> str:
    """As the template's ``date:"F Y"``."""
    return f"{day:%B} {day.year}"


def indicator_article(row, period: Period, pdf: bool) -> SafeString:
    """The article for ``row`` (a ``kpis.report.IndicatorRow``) in ``period``'s report; ``pdf``
    for the printed report, whose chart figures are a row table rather than a details table."""
    indicator = row.indicator
    code, title = escape(indicator.code), escape(indicator.title)
    parts = [
        f'<article class="app-report-indicator" id="indicator-{code}" aria-labelledby="indicator-heading-{code}">',
        f'\n  <h4 class="govuk-heading-s" id="indicator-heading-{code}">{code}: {title}</h4>',
        '\n  <dl class="govuk-summary-list app-report-facts">',
    ]
    actual = "Actual" + (f" ({month_year(row.month)})" if period.kind == "quarter" else "")
    value = escape(row.value_text) if row.value is not None else escape(row.missing_reason or "No value")
    if row.provisional:
        value += PROVISIONAL
    if row.trend_text:
        value += f"; over the quarter {escape(row.trend_text)}"
    parts.append(FACT.format(actual, value))
    status = status_tag(row.status)
    if row.red_run > 1:
        status += f' <span class="govuk-body-s">{escape(row.red_run_text)}</span>'
    if row.judgement_note:
        status += f'<span class="app-judgement-note">{escape(row.judgement_note)}</span>'
    parts.append(FACT.format("Status", status))
    parts.append(FACT.format("Target", escape(row.target_text or "No target")))
    word = escape(row.change_word)
    parts.append(
        FACT.format(
            "Change",
            f"On last {word}: {escape(row.on_last)}<br>On the average of the three {word}s before: "
            f"{escape(row.on_three)}",
        )
    )
    parts.append(FACT.format("Compared with", compared_with(row)))
    parts.append("\n  </dl>\n  ")
    if row.revision_note:
        revised = REVISED if row.figure_revised else ""
        parts.append(f'<p class="govuk-body app-revision-note">{revised}{escape(row.revision_note)}</p>')
    parts.append(
        '\n  <div class="app-report-commentary">\n    <h5 class="govuk-heading-s">Commentary</h5>\n    '
    )
    if row.commentary:
        parts.append(render_text(row.commentary))
    else:
        red = " was given, though it is Red" if row.status.rag == "red" else ""
        parts.append(f'<p class="govuk-body app-muted">No commentary{red}.</p>')
    parts.append("\n  </div>\n  ")
    chart = row.chart()
    if chart:
        parts.append(
            f'\n  <figure class="app-report-chart">\n    {chart}\n    <figcaption class="govuk-body-s">{title}, '
            f"the 12 months to {month_year(period.end)}{CAPTION_END}</figcaption>\n  </figure>\n  "
        )
        parts.append(chart_row_table(row) if pdf else chart_details_table(row))
        parts.append("\n  ")
    parts.append("\n</article>")
    return mark_safe("".join(parts))


def compared_with(row) -> str:
    if not row.has_comparators:
        return f"No comparator figures cover this {escape(row.indicator.period_word)}"
    out = []
    last = len(row.comparators) - 1
    for index, comparator in enumerate(row.comparators):
        if comparator.value is None:
            continue
        out.append(f"{escape(comparator.name)} average {escape(comparator.text)}")
        if comparator.judgement:
            out.append(f" ({escape(comparator.judgement)})")
        if index != last:
            out.append("; ")
    return "".join(out)


def chart_caption(row) -> str:
    return f"{escape(row.indicator.code)} by {escape(row.indicator.period_word)}, the chart's figures"


def chart_row_table(row) -> str:
    """The printed report's chart figures: one row of months, one of values, one of statuses."""
    indicator = row.indicator
    unit, places = indicator.unit, indicator.decimal_places
    months = "".join(f'<th scope="col">{point.month:%b %y}</th>' for point in row.points)
    values = "".join(
        f"<td>{escape(format_value(point.value, unit, places) or '–')}</td>" for point in row.points
    )
    statuses = "".join(
        f"<td>{escape(point.rag.label) if point.value is not None else ''}</td>" for point in row.points
    )
    return (
        f'\n  <table class="app-report-chart-row">\n    <caption class="govuk-visually-hidden">{chart_caption(row)}'
        f'</caption>\n    <thead><tr><th scope="col">{escape(capfirst(indicator.period_word))}</th>{months}</tr>'
        f'</thead>\n    <tbody><tr><th scope="row">Value</th>{values}</tr>\n    <tr><th scope="row">Status</th>'
        f"{statuses}</tr></tbody>\n  </table>\n  "
    )


def chart_details_table(row) -> str:
    """The page's chart figures: a table inside a details element, shut until asked for."""
    return (
        '\n  <details class="govuk-details app-report-chart-details">\n    <summary class="govuk-details__summary">'
        '<span class="govuk-details__summary-text">The chart\'s figures as a table</span></summary>\n    '
        '<div class="govuk-details__text">\n  <table class="govuk-table app-table--compact app-report-chart-table">'
        f'\n    <caption class="govuk-table__caption govuk-table__caption--s">{chart_caption(row)}</caption>'
        '\n    <thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" '
        f'class="govuk-table__header">{escape(capfirst(row.indicator.period_word))}</th><th scope="col" '
        'class="govuk-table__header govuk-table__header--numeric">Value</th><th scope="col" '
        'class="govuk-table__header">Status</th></tr></thead>'
        f'\n    <tbody class="govuk-table__body">{row.chart_table_rows}</tbody>\n  </table>\n    </div>\n  </details>\n  '
    )


def indicator_link(row) -> str:
    code = escape(row.indicator.code)
    return f'<a class="govuk-link" href="#indicator-{code}">{code}: {escape(row.indicator.title)}</a>'


def glance_row(row, word: str) -> str:
    """The row of "The indicators at a glance" table for ``row``, as the loop's body wrote it."""
    value = escape(row.value_text) if row.value is not None else escape(row.missing_reason or "No value")
    if row.provisional:
        value += PROVISIONAL
    if row.figure_revised:
        value += ' <strong class="govuk-tag govuk-tag--purple">Revised</strong>'
    return (
        f'\n    <tr class="govuk-table__row">\n      <th scope="row" class="govuk-table__header">{indicator_link(row)}</th>'
        f'\n      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Actual">{value}</td>'
        f'\n      <td class="govuk-table__cell" data-label="Status">{status_tag(row.status)}</td>'
        f'\n      <td class="govuk-table__cell" data-label="Target">{escape(row.target_text or "No target")}</td>'
        f'\n      <td class="govuk-table__cell" data-label="Change on last {escape(word)}">{escape(row.on_last)}</td>'
        "\n    </tr>\n    "
    )


def red_item(row) -> str:
    """A Red indicator in the summary's list."""
    run = f", {escape(row.red_run_text)}" if row.red_run > 1 else ""
    return f"<li>{indicator_link(row)}: {escape(row.value_text)} ({escape(row.status.basis)}){run}</li>"


def worsening_item(row) -> str:
    """An indicator worsening three periods running, in the summary's list."""
    return f"<li>{indicator_link(row)}: {escape(row.value_text)}, {escape(row.worsening_text)}</li>"


def failure_row(row) -> str:
    """A Red indicator's row of the performance failures table, as the loop's body wrote it."""
    return (
        f'\n    <tr class="govuk-table__row">\n      <th scope="row" class="govuk-table__header">{indicator_link(row)}</th>'
        f'\n      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Actual">{escape(row.value_text)}</td>'
        f'\n      <td class="govuk-table__cell" data-label="Judged against">{escape(row.status.basis)}</td>'
        f'\n      <td class="govuk-table__cell" data-label="Red for">{escape(capfirst(row.red_run_length))}</td>'
        "\n    </tr>"
    )


# A row's pieces, each built once: a report row is remembered while its indicator is unchanged.
PIECES = {
    "article": indicator_article,
    "glance": glance_row,
    "red": red_item,
    "worsening": worsening_item,
    "failure": failure_row,
}


def row_piece(row, piece: str, *args) -> SafeString:
    """``piece`` of PIECES for ``row`` (with ``args``), kept on the row once built."""
    return kept(row, (piece, *args), lambda: PIECES[piece](row, *args))
