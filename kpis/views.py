from collections import defaultdict
from datetime import date

import django_tables2 as tables
from django.conf import settings
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count, Max, Min
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.safestring import SafeString
from django.views.generic import ListView, TemplateView

from kpis.area_comparison import area_comparison
from kpis.dfe_comparators import STORED_PLACES, chosen_model, comparisons, model_rule_in_words
from kpis.filtersets import ScorecardFilterSet
from kpis.history import threshold_changes, value_changes
from kpis.models import (
    ComparatorValue,
    DfeMapping,
    Indicator,
    Neighbour,
    NeighbourModel,
    ReportedFigure,
    Unit,
)
from kpis.months import month_key, month_label, parse_month
from kpis.scorecard import (
    MonthCoverage,
    better_month,
    month_coverage,
    scorecard_rows_of,
    summary_rows,
)
from kpis.series import IndicatorSeries
from kpis.tables import ScorecardTable, scorecard_export
from kpis.targets import judgement_in_words
from kpis.visibility import WORKING, sees_drafts, values_kind, values_of_kind
from sct_monitor.exports import csv_response, xlsx_response
from sct_monitor.late_markup import PageResponse, encoded_markup
from sct_monitor.models import ImportLog
from sct_monitor.table_memo import remembered_per_indicator


def chosen_month(requested: str, coverage: list[MonthCoverage]) -> tuple[MonthCoverage | None, str]:
    """The month asked for if it has data, else the latest; with an error to show if it had none."""
    latest = coverage[0] if coverage else None
    if not requested:
        return latest, ""
    try:
        month = parse_month(requested)
    except ValueError:
        return latest, f"‘{requested}’ is not a month. Choose one from the list."
    match = next((c for c in coverage if c.month == month), None)
    if match is None:
        return latest, f"There is no data for {requested}. Choose a month from the list."
    return match, ""


class ScorecardView(PermissionRequiredMixin, TemplateView):
    """Every active indicator for one month: value, status, movement, comparators."""

    permission_required = "kpis.view_indicator"
    template_name = "kpis/scorecard.html"
    response_class = PageResponse

    def get(self, request, *args, **kwargs):
        kind = values_kind(request.user)
        coverage = month_coverage(kind)
        current, month_error = chosen_month(request.GET.get("month", ""), coverage)
        filterset = ScorecardFilterSet(request.GET, queryset=Indicator.objects.filter(active=True))
        ids = filterset.qs.order_by("display_order", "code").values_list("pk", flat=True)
        rows = scorecard_rows_of(ids, current.month, kind) if current else []
        table = ScorecardTable(rows)
        if current:
            table.caption = f"Indicators, {month_label(current.month)}"
        tables.RequestConfig(request, paginate=False).configure(table)
        wanted = request.GET.get("format", "")
        if wanted in ("csv", "xlsx") and current:
            export = scorecard_export([row.record for row in table.rows], current.key)
            filename = f"scorecard-{current.key}.{wanted}"
            if wanted == "csv":
                return csv_response(export.columns, export.rows, filename)
            return xlsx_response([(export.caption, export.columns, export.rows)], filename)
        context = self.get_context_data(
            table=table,
            filterset=filterset,
            coverage=coverage,
            current=current,
            month_error=month_error,
            summary_rows=summary_rows(rows),
            suggestion=better_month(current, coverage, len(rows)) if current else None,
            provisional_visible=sees_drafts(request.user),
            csv_query=request.GET.copy(),
        )
        context["csv_query"]["format"] = "csv"
        if current:
            context["csv_query"]["month"] = current.key
        context["xlsx_query"] = context["csv_query"].copy()
        context["xlsx_query"]["format"] = "xlsx"
        return self.render_to_response(context)


class IndicatorDetailView(PermissionRequiredMixin, TemplateView):
    permission_required = "kpis.view_indicator"
    template_name = "kpis/indicator_detail.html"
    response_class = PageResponse
    RANGES = {"12": 12, "24": 24, "all": None}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        indicator = get_object_or_404(Indicator, code=self.kwargs["code"])
        chosen = self.request.GET.get("range", "24")
        chosen = chosen if chosen in self.RANGES else "24"
        kind, today = values_kind(self.request.user), timezone.localdate()
        bodies = indicator_page_bodies((indicator.pk,), chosen, kind, today, get_script_prefix())
        context.update(indicator=indicator, body=bodies[indicator.pk])
        return context


# What the indicator page's body reads from settings: the home authority and region, the
# neighbour-model rule.
AREA_SETTINGS = ("HOME_LA_CODE", "HOME_LA_NAME", "HOME_REGION", "SN_MODEL_RULE")


@remembered_per_indicator(reads_settings=AREA_SETTINGS)
def indicator_page_bodies(
    indicator_ids: tuple[int, ...], chosen: str, kind: str, today: date, script_prefix: str
) -> dict[int, SafeString]:
    """The indicator page's body (all but the header, breadcrumbs and scripts) for each
    indicator, as readers of ``kind`` of figures see it over the ``chosen`` range of months.
    It reads its own indicator's rows only (and the DfE and history tables), so a write to
    another indicator leaves it remembered."""
    bodies = {}
    for indicator in Indicator.objects.filter(pk__in=indicator_ids).order_by():
        series = IndicatorSeries(indicator, values_of_kind(kind), IndicatorDetailView.RANGES[chosen])
        context = {
            "indicator": indicator,
            "series": series,
            "range": chosen,
            "ranges": [("12", "12 months"), ("24", "24 months"), ("all", "All")],
            "reported_figures": list(indicator.reported_figures.order_by("as_at")),
            "history": value_changes(indicator) if kind == WORKING else ([], 0),
            "target_changes": threshold_changes(indicator),
            "target_words": [
                (target, judgement_in_words(target, indicator, series.openings.get(target.financial_year)))
                for target in series.target_rows
            ],
            "areas": area_comparison(indicator, today),
            "month_key": month_key,
        }
        bodies[indicator.pk] = encoded_markup(render_to_string("kpis/indicator_body.html", context))
    return bodies


class ReportedFigureListView(PermissionRequiredMixin, ListView):
    permission_required = "kpis.view_reportedfigure"
    template_name = "kpis/reported_figure_list.html"
    context_object_name = "figures"

    def get_queryset(self):
        return ReportedFigure.objects.select_related("indicator").order_by("topic", "as_at", "label")


COMPARISON_COLUMNS = [
    "indicator_code", "date", "home_value", "home_suppression", "sn_mean", "sn_median", "sn_count", "sn_of",
    "region", "england", "rank", "rank_of", "band", "model", "model_rule", "source",
]  # fmt: skip


def comparison_rows(found: list, codes: dict[int, str], rule: str) -> list[list]:
    """One row per indicator and date, as the comparators download gives it. A count has no SN
    average (it depends on each area's population), as on the indicator's page."""
    rows = []
    for c in sorted(found, key=lambda c: (codes[c.indicator_id], c.as_at)):
        summary, ranking = (None if c.unit == Unit.COUNT else c.summary), c.ranking
        rows.append([
            codes[c.indicator_id], c.as_at,
            c.home.value if c.home else None, c.home.suppression if c.home else "",
            summary.mean.quantize(STORED_PLACES) if summary and summary.mean is not None else None,
            summary.median.quantize(STORED_PLACES) if summary and summary.median is not None else None,
            summary.counted if summary else None, summary.neighbours if summary else None,
            c.region, c.england, ranking.rank if ranking else None, ranking.of if ranking else None,
            ranking.band if ranking else "", c.model.name if c.model else "", rule, c.source,
        ])  # fmt: skip
    return rows


class ComparatorSourcesView(PermissionRequiredMixin, TemplateView):
    """Each comparator's source, the periods it covers, the neighbour models and the DfE imports;
    ``?format=csv`` downloads every comparison (``&indicator=13`` for one indicator)."""

    permission_required = "kpis.view_comparatorvalue"
    template_name = "kpis/comparators.html"

    def get(self, request, *args, **kwargs):
        if request.GET.get("format") == "csv":
            indicators = Indicator.objects.all()
            wanted = request.GET.get("indicator", "")
            if wanted:
                indicators = indicators.filter(code=wanted)
                if not indicators.exists():
                    raise Http404(f"No indicator with the code {wanted}")
            codes = dict(indicators.values_list("pk", "code"))
            rule = settings.SN_MODEL_RULE
            rows = comparison_rows(comparisons(list(codes)), codes, rule)
            name = f"comparators-{wanted}.csv" if wanted else "comparators.csv"
            return csv_response(COMPARISON_COLUMNS, rows, name)
        if request.GET.get("format"):
            raise Http404("The comparators can be downloaded as format=csv only")
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sources = (
            ComparatorValue.objects.values("source", "origin")
            .annotate(first=Min("period_start"), last=Max("period_start"), count=Count("id"))
            .order_by("-last", "source")
        )
        codes = defaultdict(set)
        for source, code in ComparatorValue.objects.values_list("source", "indicator__code").distinct():
            codes[source].add(code)
        home_links = defaultdict(list)
        for link in Neighbour.objects.filter(la_code=settings.HOME_LA_CODE).order_by("rank"):
            home_links[link.model_id].append(link)
        models = list(NeighbourModel.objects.all())
        current = chosen_model(timezone.localdate(), models)
        for model in models:
            model.home_neighbours = home_links.get(model.pk, [])
            model.is_current = current is not None and model.pk == current.pk
        context.update(
            sources=[{**row, "codes": ", ".join(sorted(codes[row["source"]]))} for row in sources],
            models=models,
            rule=model_rule_in_words(),
            can_change_models=self.request.user.has_perm("kpis.change_neighbourmodel"),
            mapping_count=DfeMapping.objects.count(),
            imports=ImportLog.objects.filter(
                kind__in=["dfe-ees", "sn-model", "dfe-mappings"], outcome="imported"
            ).defer("content")[:20],
            home_name=settings.HOME_LA_NAME,
        )
        return context
