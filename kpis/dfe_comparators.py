"""SN, England and West Midlands comparators computed from the DfE figures held.

For each indicator and date with DfE figures: England is the national row, the region the
home authority's regional row, and the SN average the mean of the home authority's ten
neighbours that have a value, under the neighbour model that applies on that date. Each holds
from the month it describes until the next published figure, so the scorecard uses the latest.
Counts are not compared: they depend on each area's population.
"""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings

from kpis.benchmarking import neighbour_mean
from kpis.models import (
    AreaValue,
    Comparator,
    ComparatorValue,
    GeographicLevel,
    Indicator,
    Neighbour,
    NeighbourModel,
    Unit,
)
from sct_monitor.upsert import UpsertResult, upsert

DERIVED_PREFIX = "DfE "  # the source of every comparator computed here starts with this
OPEN_END = date(2099, 12, 31)
STORED_PLACES = Decimal("0.0001")


def model_for(as_at: date, models: list[NeighbourModel]) -> NeighbourModel | None:
    """The latest neighbour model that applies on ``as_at``."""
    return next(
        (m for m in sorted(models, key=lambda m: m.applies_from, reverse=True) if m.applies_from <= as_at),
        None,
    )


def computed_rows() -> list[dict]:
    home, region = settings.HOME_LA_CODE, settings.HOME_REGION
    models = list(NeighbourModel.objects.all())
    neighbours = defaultdict(list)
    for link in Neighbour.objects.filter(la_code=home).order_by("rank"):
        neighbours[link.model_id].append(link.neighbour_code)
    units = dict(Indicator.objects.values_list("pk", "unit"))
    figures = defaultdict(dict)  # (indicator, as_at) -> {(level, code or name): value}
    sources = {}
    for row in AreaValue.objects.only(
        "indicator_id", "as_at", "level", "area_code", "area_name", "value", "source"
    ):
        key = (row.indicator_id, row.as_at)
        place = row.area_name if row.level == GeographicLevel.REGIONAL else row.area_code
        figures[key][(row.level, place)] = row.value
        sources[key] = row.source
    dates = defaultdict(list)
    for indicator_id, as_at in figures:
        dates[indicator_id].append(as_at)
    rows = []
    for (indicator_id, as_at), values in figures.items():
        if units[indicator_id] == Unit.COUNT:
            continue  # a count (children in care) depends on population: only rates are compared
        later = sorted(d for d in dates[indicator_id] if d > as_at)
        start = as_at.replace(day=1)
        end = later[0].replace(day=1) - timedelta(days=1) if later else OPEN_END
        source = f"{DERIVED_PREFIX}{sources[(indicator_id, as_at)]}, as at {as_at:%d %B %Y}"

        base = {"indicator_id": indicator_id, "period_start": start, "period_end": end,
                "unit": units[indicator_id], "source": source[:300]}  # fmt: skip
        regional = values.get((GeographicLevel.REGIONAL, region))
        candidates = [
            (Comparator.ENGLAND, values.get((GeographicLevel.NATIONAL, "E92000001")), "England", ""),
            (Comparator.WEST_MIDLANDS, regional, region, "")
            if region == "West Midlands"
            else (Comparator.OTHER, regional, region, region),
        ]
        model = model_for(as_at, models)
        if model and neighbours.get(model.pk):
            la_values = {
                code: v for (level, code), v in values.items() if level == GeographicLevel.LOCAL_AUTHORITY
            }
            mean = neighbour_mean(la_values, neighbours[model.pk])
            candidates.append(
                (Comparator.STATISTICAL_NEIGHBOURS, mean.value, f"{mean.description} ({model.name})", "")
            )
        for kind, value, note, name in candidates:
            if value is not None:
                stored = value.quantize(STORED_PLACES)  # as the column holds it, so reloads compare equal
                rows.append(
                    {**base, "comparator": kind, "comparator_name": name, "value": stored, "notes": note}
                )
    return rows


def refresh_dfe_comparators(change_reason: str = "", user=None) -> UpsertResult:
    """Bring the computed comparators in line with the DfE figures and models held."""
    rows = computed_rows()
    key = ["indicator_id", "comparator", "comparator_name", "period_start", "period_end"]
    existing = ComparatorValue.objects.filter(source__startswith=DERIVED_PREFIX)
    result = upsert(ComparatorValue, key, rows, existing=existing, change_reason=change_reason, user=user)
    keep = {tuple(row[name] for name in key) for row in rows}
    stale = [c.pk for c in existing if tuple(getattr(c, name) for name in key) not in keep]
    ComparatorValue.objects.filter(pk__in=stale).delete()
    return result
