"""The home authority against its statistical neighbours, its region and England, for the
latest year of DfE figures held: values, rank among all authorities and quartile band."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings

from kpis.benchmarking import NeighbourMean, Ranking, neighbour_mean, rank_and_band
from kpis.dfe_comparators import model_for
from kpis.models import AreaValue, GeographicLevel, Indicator, Neighbour, NeighbourModel


@dataclass(frozen=True)
class Bar:
    name: str
    kind: str  # home, neighbour, region, england, sn
    value: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class AreaComparison:
    as_at: date
    model: NeighbourModel | None
    bars: list[Bar]
    mean: NeighbourMean | None
    ranking: Ranking | None
    source: str


def area_comparison(indicator: Indicator) -> AreaComparison | None:
    """Three queries: the latest year's figures, the neighbour models, the home LA's neighbours."""
    latest = (
        AreaValue.objects.filter(indicator=indicator)
        .order_by("-as_at")
        .values_list("as_at", flat=True)
        .first()
    )
    if latest is None:
        return None
    rows = list(AreaValue.objects.filter(indicator=indicator, as_at=latest))
    model = model_for(latest, list(NeighbourModel.objects.all()))
    codes = (
        list(
            Neighbour.objects.filter(model=model, la_code=settings.HOME_LA_CODE)
            .order_by("rank")
            .values_list("neighbour_code", flat=True)
        )
        if model
        else []
    )
    las = {row.area_code: row for row in rows if row.level == GeographicLevel.LOCAL_AUTHORITY}
    home = las.get(settings.HOME_LA_CODE)
    bars = [Bar(home.area_name if home else settings.HOME_LA_NAME, "home", home.value if home else None)]
    for code in codes:
        row = las.get(code)
        note = row.get_suppression_display() if row and row.suppression else ("" if row else "no figure")
        bars.append(
            Bar(row.area_name if row else f"LA {code}", "neighbour", row.value if row else None, note)
        )
    mean = neighbour_mean({code: row.value for code, row in las.items()}, codes) if codes else None
    if mean:
        bars.append(Bar("Statistical-neighbour average", "sn", mean.value, mean.description))
    region = next(
        (r for r in rows if r.level == GeographicLevel.REGIONAL and r.area_name == settings.HOME_REGION), None
    )
    if region:
        bars.append(Bar(region.area_name, "region", region.value))
    england = next((r for r in rows if r.level == GeographicLevel.NATIONAL), None)
    if england:
        bars.append(Bar("England", "england", england.value))
    ranking = rank_and_band(home.value if home else None, [r.value for r in las.values()], indicator.polarity)
    return AreaComparison(latest, model, bars, mean, ranking, rows[0].source)
