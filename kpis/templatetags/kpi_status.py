from decimal import Decimal

from django import template
from django.urls import get_script_prefix, get_urlconf
from django.utils import dateformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from kpis.formatting import format_value
from kpis.months import month_label
from kpis.status import Rag, Status
from sct_monitor.late_markup import late_parts
from sct_monitor.table_memo import kept

register = template.Library()
NEW_LINE = mark_safe("\n")

TAG_CLASSES = {
    Rag.RED: "govuk-tag--red",
    Rag.AMBER: "govuk-tag--yellow",
    Rag.GREEN: "govuk-tag--green",
    Rag.NONE: "govuk-tag--grey",
}


# Each status's tag, made once: pages show hundreds of them, each a format_html call before.
RAG_TAGS = {
    rag: format_html('<strong class="govuk-tag {}">{}</strong>', TAG_CLASSES[rag], rag.label) for rag in Rag
}


@register.simple_tag
def status_tag(status: Status, show_basis: bool = True) -> str:
    """The status word in a GOV.UK tag (colour only reinforces the word), then its basis."""
    tag = RAG_TAGS[status.rag]
    if not show_basis:
        return tag
    return mark_safe(f'{tag} <span class="app-status-basis">{conditional_escape(status.basis)}</span>')


@register.simple_tag
def sparkline(trend: list[tuple], indicator, width: int = 96, height: int = 24) -> str:
    """A small line of the last twelve months, labelled in words for screen readers."""
    present = [(i, value) for i, (_, value) in enumerate(trend) if value is not None]
    if not present:
        return mark_safe('<span class="govuk-body-s">No data</span>')
    low = min(value for _, value in present)
    high = max(value for _, value in present)
    span = (high - low) or Decimal(1)
    step = width / max(len(trend) - 1, 1)

    def point(i: int, value: Decimal) -> str:
        y = height - 2 - float((value - low) / span) * (height - 4)
        return f"{i * step:.1f},{y:.1f}"

    # A gap in the data breaks the line rather than joining across it.
    runs, current = [], []
    for i, (_, value) in enumerate(trend):
        if value is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append(point(i, value))
    if current:
        runs.append(current)
    # Runs of two or more points are drawn as lines, lone points (between gaps) as dots. The
    # coordinates are numbers formatted here, with nothing to escape; the label is escaped.
    lines = "".join(
        f'<polyline points="{" ".join(run)}" fill="none" stroke="currentColor" stroke-width="2"/>'
        for run in runs
        if len(run) > 1
    )
    dots = "".join(
        '<circle cx="{}" cy="{}" r="2" fill="currentColor"/>'.format(*run[0].split(","))
        for run in runs
        if len(run) == 1
    )
    first_index, first_value = present[0]
    last_index, last_value = present[-1]
    first_text = format_value(first_value, indicator.unit, indicator.decimal_places)
    last_text = format_value(last_value, indicator.unit, indicator.decimal_places)
    label = conditional_escape(
        f"Trend over 12 months: {first_text} in {month_label(trend[first_index][0])}, {last_text} in "
        f"{month_label(trend[last_index][0])}; {len(present)} of {len(trend)} months have a value"
    )
    return mark_safe(
        f'<svg class="app-sparkline" role="img" aria-label="{label}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}"><title>{label}</title>{lines}{dots}</svg>'
    )


@register.simple_tag
def rag_tag(rag: Rag) -> str:
    return RAG_TAGS[rag]


PROVISIONAL_TAG = ' <strong class="govuk-tag govuk-tag--blue">Provisional</strong>'
REVISED_TAG = ' <strong class="govuk-tag govuk-tag--purple">Revised</strong>'


@register.simple_tag
def series_rows(series, indicator) -> str:
    """The indicator page's table of months, latest first, built as strings: a page of 120 months
    spent most of its time in the template engine, a row at a time."""
    escape = conditional_escape
    rows = []
    for point in reversed(series.months):
        if point.value is not None:
            value = escape(format_value(point.value, indicator.unit, indicator.decimal_places))
            if point.provisional:
                value += PROVISIONAL_TAG
        elif point.row:
            value = "Missing: " + escape(point.row.get_missing_reason_display().lower())
        else:
            value = "No value"
        if point.figure_revised:
            value += REVISED_TAG
        status = status_tag(point.status)
        if point.judgement_note:
            status += f'<br><span class="govuk-body-s">{escape(point.judgement_note)}</span>'
        commentary = escape(point.row.commentary or "") if point.row else ""
        if point.revision_note:
            commentary += f'<p class="govuk-body-s app-revision-note">{escape(point.revision_note)}</p>'
        rows.append(
            '\n    <tr class="govuk-table__row">'
            f'\n      <th scope="row" class="govuk-table__header">{escape(month_label(point.month))}</th>'
            '\n      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Value">'
            f"{value}</td>"
            f'\n      <td class="govuk-table__cell" data-label="Status">{status}</td>'
            f'\n      <td class="govuk-table__cell" data-label="Commentary">{commentary}</td>'
            "\n    </tr>\n  "
        )
    return mark_safe("".join(rows))


def overview_item_markup(row, worsening: bool) -> str:
    """An indicator in the overview's Red or worsening list, as the template's loop wrote it."""
    from kpis.tables import indicator_url  # kpis.tables imports this module

    indicator = row.indicator
    escape = conditional_escape
    link = f"{escape(indicator.code)}: {escape(indicator.title)}"
    figure = escape(row.value_text)
    if worsening:
        figure += f", worsening for {row.worsening_run} months running"
    commentary = "No commentary given."
    if row.commentary:
        commentary = escape(Truncator(row.commentary).words(60, truncate=" …"))
    return (
        f'\n            <li>\n              <a class="govuk-link govuk-!-font-weight-bold" '
        f'href="{escape(indicator_url(indicator.code))}">{link}</a>'
        f'\n              <p class="govuk-body govuk-!-margin-bottom-1">{figure} {status_tag(row.status)}</p>'
        f'\n              <p class="govuk-body-s">{commentary}</p>\n            </li>\n          '
    )


@register.simple_tag
def overview_items(rows, worsening=False) -> str:
    """The overview's Red (or, ``worsening``, worsening) list's items, joined once."""
    return late_parts(overview_item(row, worsening) for row in rows)


def overview_item(row, worsening=False) -> str:
    """An indicator in the overview's Red (or, ``worsening``, worsening) list, built once per row:
    the overview's rows are remembered while their indicators are unchanged."""
    worsening = bool(worsening)
    key = ("overview", worsening, get_script_prefix(), get_urlconf())
    return kept(row, key, lambda: overview_item_markup(row, worsening))


@register.simple_tag
def indicator_articles(rows, period, pdf=False) -> str:
    """The articles of a group of a report's rows (``kpis.report_articles``), each on lines of its
    own, joined once; each built once per row, and kept with it."""
    from kpis.report_articles import row_piece

    parts = []
    for row in rows:
        parts += (NEW_LINE, row_piece(row, "article", period, bool(pdf)), NEW_LINE)
    return late_parts(parts)


@register.simple_tag
def report_row_pieces(rows, piece, *args) -> str:
    """A piece of each of a report's rows (``kpis.report_articles.PIECES``: its glance-table row,
    its Red or worsening item, its failures-table row), joined once."""
    from kpis.report_articles import row_piece

    return late_parts(row_piece(row, piece, *args) for row in rows)


def year_month(day) -> str:
    """As the template's ``date:"Y-m"`` (empty for no date)."""
    return f"{day.year:04d}-{day.month:02d}" if day else ""


@register.simple_tag
def comparator_rows(series, indicator) -> str:
    """The indicator page's comparator values, a row each, built as strings as ``series_rows``."""
    escape = conditional_escape
    rows = []
    for comparator in series.comparator_rows:
        start, end = comparator.period_start, comparator.period_end
        period = escape(month_label(start)) if start else ""
        if end and end.year == 2099:
            period += " onwards"
        elif year_month(end) != year_month(start):
            period += f" to {end:%B} {end.year}" if end else " to "
        source = escape(comparator.source)
        if comparator.notes:
            source += f". {escape(comparator.notes)}"
        value = escape(format_value(comparator.value, indicator.unit, indicator.decimal_places))
        name = escape(comparator.display_name)
        rows.append(
            '\n    <tr class="govuk-table__row">'
            f'\n      <td class="govuk-table__cell" data-label="Comparator">{name}</td>'
            f'\n      <td class="govuk-table__cell" data-label="Period">{period}</td>'
            '\n      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Value">'
            f"{value}</td>"
            f'\n      <td class="govuk-table__cell" data-label="Source">{source}</td>'
            "\n    </tr>\n  "
        )
    return mark_safe("".join(rows))


@register.simple_tag
def chart_data_rows(series) -> str:
    """A headline chart's figures as table rows, latest first, built as strings as ``series_rows``
    (once per series: the overview's series are remembered between requests)."""
    return kept(series, "data rows", lambda: chart_data_markup(series))


def chart_data_markup(series) -> str:
    escape, indicator = conditional_escape, series.indicator
    unit, places = indicator.unit, indicator.decimal_places
    return mark_safe(
        "".join(
            '\n                <tr class="govuk-table__row"><th scope="row" class="govuk-table__header">'
            f"{escape(month_label(point.month))}</th>"
            '<td class="govuk-table__cell govuk-table__cell--numeric">'
            f"{escape(format_value(point.value, unit, places) or 'No value')}</td>"
            f'<td class="govuk-table__cell">{escape(point.status.label)}</td></tr>\n                '
            for point in reversed(series.months)
        )
    )


@register.simple_tag
def area_bar_rows(areas, indicator) -> str:
    """The indicator page's table of the latest year's areas (home, neighbours, averages), a row
    each, built as strings as ``series_rows``."""
    escape = conditional_escape
    rows = []
    for bar in areas.bars:
        name = escape(bar.name)
        if bar.kind == "home":
            name = f"<strong>{name}</strong>"
        if bar.value is not None:
            value = escape(format_value(bar.value, indicator.unit, indicator.decimal_places))
        else:
            value = "Not published"
        note = escape(bar.note)
        if bar.kind == "home" and areas.ranking:
            note += f"{'; ' if bar.note else ''}quartile band {escape(areas.ranking.band)}"
        rows.append(
            '\n    <tr class="govuk-table__row">'
            f'\n      <th scope="row" class="govuk-table__header">{name}</th>'
            f'\n      <td class="govuk-table__cell govuk-table__cell--numeric">{value}</td>'
            f'\n      <td class="govuk-table__cell">{note}</td>'
            "\n    </tr>\n  "
        )
    return mark_safe("".join(rows))


@register.simple_tag
def area_year_rows(areas, indicator) -> str:
    """The indicator page's table of every year's DfE figures as LAIT shows them, a row each,
    built as strings as ``series_rows``."""
    escape = conditional_escape

    def figure(value: Decimal | None) -> str:
        return "–" if value is None else escape(format_value(value, indicator.unit, indicator.decimal_places))

    numeric = "govuk-table__cell govuk-table__cell--numeric"
    home_label, region_label = escape(areas.home_name), escape(areas.region_name)
    rows = []
    for year in areas.years:
        home, summary, ranking = year.home, year.summary, year.ranking
        if home is not None and home.value is not None:
            home_text = figure(home.value)
        else:
            home_text = escape(home.missing_text) if home else "No figure"
        counted = f"{summary.counted} of {summary.neighbours}" if summary else "–"
        mean, median = (summary.mean, summary.median) if summary else (None, None)
        as_at = dateformat.format(year.as_at, "j M Y")
        rank = f"{ranking.rank} of {ranking.of}, band {escape(ranking.band)}" if ranking else "–"
        rows.append(
            '\n    <tr class="govuk-table__row">'
            f'\n      <th scope="row" class="govuk-table__header">{as_at}</th>'
            f'\n      <td data-label="{home_label}" class="{numeric}">{home_text}</td>'
            f'\n      <td data-label="SN average" class="{numeric}">{figure(mean)}</td>'
            f'\n      <td data-label="SN median" class="{numeric}">{figure(median)}</td>'
            f'\n      <td data-label="Neighbours with a figure" class="{numeric}">{counted}</td>'
            f'\n      <td data-label="{region_label}" class="{numeric}">{figure(year.region)}</td>'
            f'\n      <td data-label="England" class="{numeric}">{figure(year.england)}</td>'
            f'\n      <td data-label="Rank and band" class="govuk-table__cell">{rank}</td>'
            "\n    </tr>\n  "
        )
    return mark_safe("".join(rows))
