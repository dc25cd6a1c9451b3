"""The scorecard table: what the page shows and, through value_* methods, what the CSV holds."""

from collections.abc import Callable
from functools import lru_cache

import django_tables2 as tables
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import SafeString, mark_safe

from kpis.scorecard import ScorecardRow, describe_change
from kpis.templatetags.kpi_status import sparkline, status_tag
from sct_monitor.late_markup import late_parts
from sct_monitor.table_memo import kept

ARROWS = {"up": "▲", "down": "▼", "no change": "►"}


def indicator_url(code: str) -> str:
    """The indicator page's address, as ``reverse`` gives it: reversing is a good part of a
    scorecard row's time, and the address depends only on the code, the URL configuration and
    the script prefix, so it is kept per process under all three."""
    return _indicator_url(code, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())


@lru_cache(maxsize=4096)
def _indicator_url(code: str, root_urlconf: str, urlconf: str | None, prefix: str) -> str:
    return reverse("kpis:indicator_detail", args=[code])


def change_cell(row: ScorecardRow, change) -> str:
    arrow = ARROWS.get(str(change.movement), "")
    text = describe_change(change, row.indicator)
    if not arrow:
        return format_html('<span class="app-muted">{}</span>', text)
    return format_html('<span aria-hidden="true">{}</span> {}', arrow, text)


NOTHING = mark_safe(
    '<span class="app-muted" aria-hidden="true">–</span><span class="govuk-visually-hidden">none</span>'
)
ROW_INDENT = mark_safe("\n      ")  # before each row, as the table template wrote them


def empty_cell_class(empty) -> dict:
    """A cell with nothing in it is marked, so that a phone's card can leave it out."""
    return {"td": {"class": lambda record, column=None: "app-cell--empty" if empty(record) else ""}}


class ComparatorColumn(tables.Column):
    def __init__(self, index: int, name: str, **kwargs):
        self.index = index
        super().__init__(
            verbose_name=name, accessor="pk", orderable=False, empty_values=(),
            attrs=empty_cell_class(lambda record: record.comparators[index].value is None), **kwargs,
        )  # fmt: skip

    def render(self, record: ScorecardRow) -> str:
        cell = record.comparators[self.index]
        if cell.value is None:
            return NOTHING
        if not cell.judgement:
            return cell.text
        return format_html('{}<br><span class="app-comparison">{}</span>', cell.text, cell.judgement)

    def value(self, record: ScorecardRow) -> str:
        cell = record.comparators[self.index]
        return f"{cell.text} ({cell.judgement})" if cell.judgement else cell.text


def scorecard_export(rows: list[ScorecardRow], month_key: str):
    """The scorecard's rows as shown (same order and filter) for CSV and Excel: numbers as numbers,
    units in their own column, plain text only."""
    from kpis.report import UNIT_WORDS
    from sct_monitor.reporting import ExportTable

    columns = [
        "Code", "Indicator", "Service area", "Month", "Unit", "Value", "Provisional", "Missing reason",
        "Target", "Status", "Judged against", "Change on last month", "Change on 3-month average",
        "SN average", "Compared with SN", "England average", "Compared with England",
        "West Midlands average", "Compared with West Midlands", "Commentary", "Revision",
    ]  # fmt: skip
    table = ExportTable("scorecard", f"Scorecard {month_key}", columns)
    for row in rows:
        cells = [row.indicator.code, row.indicator.title, row.indicator.service_area, month_key,
                 UNIT_WORDS.get(row.indicator.unit, ""), row.value, "yes" if row.provisional else "no",
                 row.missing_reason, row.target_text, row.status.label, row.status.basis,
                 describe_change(row.on_last_month, row.indicator),
                 describe_change(row.on_three_months, row.indicator)]  # fmt: skip
        for cell in row.comparators:
            cells += [cell.value, cell.judgement]
        cells += [row.commentary, row.revision_note]
        table.rows.append(cells)
    return table


class ScorecardTable(tables.Table):
    code = tables.Column(verbose_name="Code", accessor="indicator__code", order_by="indicator__display_order")
    title = tables.Column(verbose_name="Indicator", accessor="indicator__title", order_by="indicator__title")
    service_area = tables.Column(verbose_name="Service area", accessor="indicator__service_area")
    value = tables.Column(verbose_name="Value", accessor="value_text", order_by="value_sort", empty_values=())
    target = tables.Column(
        verbose_name="Target", accessor="target_text", orderable=False, empty_values=(),
        attrs=empty_cell_class(lambda record: not record.target_text),
    )  # fmt: skip
    status = tables.Column(verbose_name="Status", accessor="status", order_by="status_sort")
    last_month = tables.Column(
        verbose_name="Change on last month", accessor="on_last_month", orderable=False, empty_values=()
    )
    three_months = tables.Column(
        verbose_name="Change on 3-month average", accessor="on_three_months", orderable=False, empty_values=()
    )
    sn = ComparatorColumn(0, "SN average")
    england = ComparatorColumn(1, "England")
    west_midlands = ComparatorColumn(2, "West Midlands")
    trend = tables.Column(
        verbose_name="Last 12 months",
        accessor="trend",
        orderable=False,
        empty_values=(),
        exclude_from_export=True,
    )

    class Meta:
        template_name = "includes/govuk_table.html"
        attrs = {"class": "govuk-table app-scorecard"}
        orderable = True
        empty_text = "No active indicators match."

    def rendered_rows(self) -> list[SafeString]:
        """Each row as one string, in the table's order, built by calling the cells' render methods
        directly. django-tables2's own path resolves the accessor and inspects the render method's
        signature for every cell, which was most of the page's time; the cells are the same
        (tests/test_scorecard_view.py compares them with django-tables2's)."""
        columns = [
            (escape(column.name), escape(column.header), self.cell_renderer(column))
            for column in self.columns
        ]
        # A row's markup depends on the row and the columns shown (and the addresses it links to);
        # the key is one string, whose hash Python keeps, since it is looked up once a row.
        shape = "\x1f".join(
            (type(self).__qualname__, *(f"{name}\x1e{header}" for name, header, _ in columns),
             get_script_prefix(), str(get_urlconf()))
        )  # fmt: skip
        # The records in the table's order (self.data, ordered as asked); self.rows would make a
        # BoundRow of each only to hand its record back.
        return [
            kept(record, shape, lambda record=record: self.rendered_row(record, columns))
            for record in self.data
        ]

    def rendered_body(self) -> SafeString:
        """The rows as the table template's body writes them, joined once (a template loop over
        hundreds of rows took a good part of the page)."""
        parts = []
        for row in self.rendered_rows():
            parts += (ROW_INDENT, row)
        return late_parts(parts)

    @staticmethod
    def rendered_row(record: ScorecardRow, columns: list[tuple[str, str, Callable]]) -> SafeString:
        cells = []
        for index, (name, header, render) in enumerate(columns):
            content = conditional_escape(render(record))
            if index == 1:
                cells.append(f'<th scope="row" class="govuk-table__header app-col-{name}">{content}</th>')
            else:
                cells.append(
                    f'<td class="govuk-table__cell app-col-{name}" data-label="{header}">{content}</td>'
                )
        return mark_safe(f'<tr class="govuk-table__row">{"".join(cells)}</tr>')

    def cell_renderer(self, bound_column) -> Callable[[ScorecardRow], str]:
        """What a cell of this column shows for a record: the table's render_<name>(record), the
        column class's own render(record) (ComparatorColumn), or the accessor's value (the column's
        default when empty)."""
        method = getattr(self, f"render_{bound_column.name}", None)
        if method is not None:
            return method
        column = bound_column.column
        if type(column).render is not tables.Column.render:  # a column class with its own render
            return column.render
        accessor, empty, default = tables.A(bound_column.accessor), column.empty_values, bound_column.default

        def accessor_value(record: ScorecardRow):
            value = accessor.resolve(record)
            return default if value in empty else value

        return accessor_value

    def render_title(self, record: ScorecardRow) -> str:
        url = indicator_url(record.indicator.code)
        return format_html('<a class="govuk-link" href="{}">{}</a>', url, record.indicator.title)

    def value_title(self, record: ScorecardRow) -> str:
        return record.indicator.title

    def render_value(self, record: ScorecardRow) -> str:
        if record.value is None:
            shown = format_html('<span class="app-muted">{}</span>', record.missing_reason or "No value")
        elif record.provisional:
            shown = format_html(
                '{} <strong class="govuk-tag govuk-tag--blue">Provisional</strong>', record.value_text
            )
        else:
            shown = record.value_text
        if record.figure_revised:
            return format_html(
                '{} <strong class="govuk-tag govuk-tag--purple">Revised</strong>'
                '<span class="app-revision-note govuk-body-s">{}</span>',
                shown,
                record.revision_note,
            )
        if record.revision_note:
            return format_html(
                '{}<span class="app-revision-note govuk-body-s">{}</span>', shown, record.revision_note
            )
        return shown

    def value_value(self, record: ScorecardRow) -> str:
        if record.value is None:
            return record.missing_reason or ""
        return f"{record.value_text} (provisional)" if record.provisional else record.value_text

    def render_target(self, record: ScorecardRow) -> str:
        return record.target_text or NOTHING

    def render_status(self, record: ScorecardRow) -> str:
        if record.judgement_note:
            return format_html(
                '{}<span class="app-judgement-note govuk-body-s">{}</span>',
                status_tag(record.status),
                record.judgement_note,
            )
        return status_tag(record.status)

    def value_status(self, record: ScorecardRow) -> str:
        return f"{record.status.label} ({record.status.basis})"

    def render_last_month(self, record: ScorecardRow) -> str:
        return change_cell(record, record.on_last_month)

    def value_last_month(self, record: ScorecardRow) -> str:
        return describe_change(record.on_last_month, record.indicator)

    def render_three_months(self, record: ScorecardRow) -> str:
        return change_cell(record, record.on_three_months)

    def value_three_months(self, record: ScorecardRow) -> str:
        return describe_change(record.on_three_months, record.indicator)

    def render_trend(self, record: ScorecardRow) -> str:
        return sparkline(record.trend, record.indicator)
