"""The home authority against its statistical neighbours, its region and England, from the DfE
figures held, for every indicator and date: the comparisons the indicator pages, the
comparators download and the SN, England and regional comparators are all made from.

For each indicator and date: England is the national row, the region the home authority's
regional row, and the SN average the mean of the home authority's neighbours that have a
figure (the median and the count beside it) under the neighbour model that settings.SN_MODEL_RULE
chooses: by default LAIT's, the model in force today for every year. Rank and quartile band
follow LAIT (kpis.dfe_rules). Each comparator holds from the month it describes until the next
published figure.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from kpis.dfe_rules import (
    NeighbourSummary,
    Ranking,
    figures_by_member,
    member_codes,
    neighbour_summary,
    rank_and_band,
)
from kpis.formatting import format_value
from kpis.models import (
    AreaValue,
    Comparator,
    ComparatorOrigin,
    ComparatorValue,
    DfeMapping,
    GeographicLevel,
    Indicator,
    Neighbour,
    NeighbourModel,
    Suppression,
    Unit,
)
from sct_monitor.table_memo import remembered
from sct_monitor.upsert import UpsertResult, upsert

DERIVED_PREFIX = "DfE "  # the source of every comparator computed here starts with this
OPEN_END = date(2099, 12, 31)
STORED_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class AreaFigure:
    code: str
    name: str
    value: Decimal | None
    suppression: str = ""

    @property
    def missing_text(self) -> str:
        """‘c: confidential’ for a suppressed figure, ‘no figure’ for one not published."""
        if self.value is not None:
            return ""
        if self.suppression:
            return f"{self.suppression}: {suppression_meaning(self.suppression)}"
        return "no figure"


def suppression_meaning(code: str) -> str:
    label = dict(Suppression.choices).get(code, code)
    return label.split(" (")[0].lower()


@dataclass
class Comparison:
    indicator_id: int
    unit: str
    decimal_places: int
    rank_polarity: str  # LAIT's where a mapping states it, else the indicator's own
    as_at: date
    source: str
    model: NeighbourModel | None
    home: AreaFigure | None
    neighbours: list[AreaFigure] = field(default_factory=list)
    summary: NeighbourSummary | None = None
    region: Decimal | None = None
    england: Decimal | None = None
    ranking: Ranking | None = None


def chosen_model(
    as_at: date, models: list[NeighbourModel], today: date | None = None
) -> NeighbourModel | None:
    """The model the SN average uses for a figure describing ``as_at``.

    ``current`` (LAIT's rule, the default): the latest model in force today, for every year.
    ``at_the_time``: the latest model in force on ``as_at``.
    """
    on = as_at if settings.SN_MODEL_RULE == "at_the_time" else (today or timezone.localdate())
    in_force = [m for m in models if m.applies_from <= on]
    return max(in_force, key=lambda m: m.applies_from) if in_force else None


def model_rule_in_words() -> str:
    if settings.SN_MODEL_RULE == "at_the_time":
        return "each year's figures are compared with the neighbour model in force at the time"
    return "every year's figures are compared with the neighbour model in force today, as the DfE's LAIT does"


class HeldFigure(NamedTuple):
    """One AreaValue as the comparisons read it: a tuple, as thousands are read per page."""

    indicator_id: int
    as_at: date
    level: str
    area_code: str
    area_name: str
    value: Decimal | None
    suppression: str
    source: str


def home_figure(las: dict[str, HeldFigure]) -> HeldFigure | None:
    home = settings.HOME_LA_CODE
    if home in las:
        return las[home]
    return next((row for code, row in las.items() if home in member_codes(code)), None)


def indicator_facts(indicator_ids=None) -> dict[int, tuple[str, int, str]]:
    """(unit, decimal places, polarity for rank and band) by indicator (those given, else all):
    one query. The polarity is LAIT's where a mapping states it (the last in the mappings' order
    of column and filters), else the indicator's own."""
    stated = (
        DfeMapping.objects.filter(indicator_id=OuterRef("pk"))
        .exclude(rank_polarity="")
        .order_by("-column", "-filters", "-pk")
        .values("rank_polarity")[:1]
    )
    indicators = Indicator.objects.order_by()
    if indicator_ids is not None:
        indicators = indicators.filter(pk__in=indicator_ids)
    rows = indicators.annotate(lait=Subquery(stated)).values_list(
        "pk", "unit", "decimal_places", "polarity", "lait"
    )
    return {pk: (unit, places, lait or polarity) for pk, unit, places, polarity, lait in rows}


def comparisons(indicator_ids=None, today: date | None = None) -> list[Comparison]:
    """Every comparison for the indicators given (all when None), in indicator and date order:
    one query for the indicators' facts, and three more unless the DfE figures, neighbour
    models and neighbours are unchanged since they were last compared (then none).

    The result is shared between callers (``remembered``): read it, do not change it."""
    ids = None if indicator_ids is None else tuple(sorted(set(indicator_ids)))
    facts = indicator_facts(ids)
    return compared(ids, today or timezone.localdate(), tuple(sorted(facts.items())))


@remembered(reads_settings=("HOME_LA_CODE", "HOME_REGION", "SN_MODEL_RULE"))
def compared(
    indicator_ids: tuple[int, ...] | None, today: date, facts: tuple[tuple[int, tuple[str, int, str]], ...]
) -> list[Comparison]:
    """The comparisons of ``comparisons``, given the indicators' facts: it reads only the DfE
    tables, so renaming an indicator or entering a month's figure leaves it remembered."""
    facts = dict(facts)
    rows = AreaValue.objects.values_list(*HeldFigure._fields).order_by("indicator_id", "as_at")
    if indicator_ids is not None:
        rows = rows.filter(indicator_id__in=indicator_ids)
    models = list(NeighbourModel.objects.all())
    links = defaultdict(list)
    for link in Neighbour.objects.filter(la_code=settings.HOME_LA_CODE).order_by("rank"):
        links[link.model_id].append(link)
    grouped: dict[tuple[int, date], list[HeldFigure]] = defaultdict(list)
    for row in map(HeldFigure._make, rows):
        grouped[(row.indicator_id, row.as_at)].append(row)
    result = []
    for (indicator_id, as_at), figures in grouped.items():
        unit, places, polarity = facts[indicator_id]
        las = {r.area_code: r for r in figures if r.level == GeographicLevel.LOCAL_AUTHORITY}
        home = home_figure(las)
        model = chosen_model(as_at, models, today)
        comparison = Comparison(
            indicator_id,
            unit,
            places,
            polarity,
            as_at,
            figures[0].source,
            model,
            AreaFigure(home.area_code, home.area_name, home.value, home.suppression) if home else None,
        )
        values = {code: r.value for code, r in las.items()}
        by_member = figures_by_member(las)
        if model and links.get(model.pk):
            codes = [link.neighbour_code for link in links[model.pk]]
            for link in links[model.pk]:
                r = by_member.get(link.neighbour_code)
                comparison.neighbours.append(
                    AreaFigure(
                        link.neighbour_code,
                        link.neighbour_name or (r.area_name if r else f"LA {link.neighbour_code}"),
                        r.value if r else None,
                        r.suppression if r else "",
                    )
                )
            # The neighbours' own figures, already matched to members: the summary then looks at
            # a few authorities, not again at every one.
            comparison.summary = neighbour_summary(
                {code: by_member[code].value for code in codes if code in by_member}, codes
            )
        for r in figures:
            if r.level == GeographicLevel.NATIONAL:
                comparison.england = r.value
            elif r.level == GeographicLevel.REGIONAL and r.area_name == settings.HOME_REGION:
                comparison.region = r.value
        comparison.ranking = rank_and_band(
            home.value if home else None, values.values(), polarity, is_count=unit == Unit.COUNT
        )
        result.append(comparison)
    return result


def computed_rows(today: date | None = None) -> list[dict]:
    """Comparator rows for rates and percentages (a count depends on each area's population)."""
    found = [c for c in comparisons(today=today) if c.unit != Unit.COUNT]
    dates = defaultdict(list)
    for c in found:
        dates[c.indicator_id].append(c.as_at)
    region = settings.HOME_REGION
    rows = []
    for c in found:
        later = sorted(d for d in dates[c.indicator_id] if d > c.as_at)
        end = later[0].replace(day=1) - timedelta(days=1) if later else OPEN_END
        source = f"{DERIVED_PREFIX}{c.source}, as at {c.as_at:%d %B %Y}"
        base = {"indicator_id": c.indicator_id, "period_start": c.as_at.replace(day=1), "period_end": end,
                "unit": c.unit, "source": source[:300],
                "origin": ComparatorOrigin.DFE}  # fmt: skip
        candidates = [
            (Comparator.ENGLAND, c.england, "England", ""),
            (Comparator.WEST_MIDLANDS, c.region, region, "")
            if region == "West Midlands"
            else (Comparator.OTHER, c.region, region, region),
        ]
        if c.summary:
            median = (
                format_value(c.summary.median, c.unit, c.decimal_places)
                if c.summary.median is not None
                else "none"
            )
            note = f"{c.summary.description} ({c.model.name}); median {median}"
            candidates.append((Comparator.STATISTICAL_NEIGHBOURS, c.summary.mean, note, ""))
        for kind, value, note, name in candidates:
            if value is not None:
                stored = value.quantize(STORED_PLACES)  # as the column holds it, so reloads compare equal
                rows.append(
                    {**base, "comparator": kind, "comparator_name": name, "value": stored, "notes": note}
                )
    return rows


KEY = ["indicator_id", "comparator", "comparator_name", "period_start", "period_end", "origin"]


def refresh_dfe_comparators(change_reason: str = "", user=None, dry_run: bool = False) -> UpsertResult:
    """Bring the computed comparators in line with the DfE figures and models held."""
    rows = computed_rows()
    existing = ComparatorValue.objects.filter(origin=ComparatorOrigin.DFE)
    result = upsert(
        ComparatorValue, KEY, rows, existing=existing, change_reason=change_reason, user=user, dry_run=dry_run
    )
    if not dry_run:
        keep = {tuple(row[name] for name in KEY) for row in rows}
        stale = [c.pk for c in existing if tuple(getattr(c, name) for name in KEY) not in keep]
        ComparatorValue.objects.filter(pk__in=stale).delete()
    return result
