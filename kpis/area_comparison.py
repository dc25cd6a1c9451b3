"""The home authority against its statistical neighbours, its region and England on an
indicator's page: the latest year as bars, and every year as LAIT shows it."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings

from kpis.dfe_comparators import Comparison, comparisons, model_rule_in_words
from kpis.models import DfeMapping, Indicator, Polarity, Unit
from sct_monitor.table_memo import remembered


@dataclass(frozen=True)
class Bar:
    name: str
    kind: str  # home, neighbour, region, england, sn
    value: Decimal | None
    note: str = ""


@dataclass(frozen=True)
class AreaComparison:
    latest: Comparison
    years: list[Comparison]  # newest first
    bars: list[Bar]
    home_name: str
    region_name: str
    rule: str
    not_ranked_because: str
    definition_notes: list[str]

    @property
    def as_at(self):
        return self.latest.as_at

    @property
    def model(self):
        return self.latest.model

    @property
    def ranking(self):
        return self.latest.ranking

    @property
    def source(self) -> str:
        return self.latest.source

    @property
    def home_points(self) -> list[tuple]:
        """(date, value) of the home authority's own DfE figures, oldest first, for the chart."""
        return [(c.as_at, c.home.value) for c in reversed(self.years) if c.home and c.home.value is not None]


def why_not_ranked(indicator: Indicator, polarity: str) -> str:
    if polarity == Polarity.NONE:
        return "Not ranked or banded: the DfE's LAIT gives this measure no better direction."
    if indicator.unit == Unit.COUNT:
        return "Not ranked or banded: a count depends on each area's population (as in the DfE's LAIT)."
    return ""


def bars_for(comparison: Comparison, home_name: str) -> list[Bar]:
    home = comparison.home
    bars = [Bar(home.name if home else home_name, "home", home.value if home else None,
                home.missing_text if home else "no figure")]  # fmt: skip
    for neighbour in comparison.neighbours:
        bars.append(Bar(neighbour.name, "neighbour", neighbour.value, neighbour.missing_text))
    if comparison.summary:
        bars.append(
            Bar(
                "Statistical-neighbour average", "sn", comparison.summary.mean, comparison.summary.description
            )
        )
    if comparison.region is not None:
        bars.append(Bar(settings.HOME_REGION, "region", comparison.region))
    if comparison.england is not None:
        bars.append(Bar("England", "england", comparison.england))
    return bars


@remembered
def definition_notes() -> dict[int, tuple[str, ...]]:
    """Each indicator's notes on definitions (a mapping's figures not like for like), once each, in
    the mappings' order: one query while the mappings are unchanged, none after it."""
    notes: dict[int, dict[str, None]] = {}
    for indicator_id, note in (
        DfeMapping.objects.exclude(definition_note="")
        .order_by("indicator_id", "column", "filters")
        .values_list("indicator_id", "definition_note")
    ):
        notes.setdefault(indicator_id, {})[note] = None
    return {indicator_id: tuple(own) for indicator_id, own in notes.items()}


def area_comparison(indicator: Indicator, today: date | None = None) -> AreaComparison | None:
    """The comparisons' queries (one, while the DfE figures are unchanged), and the notes on
    definitions (none while the mappings are unchanged)."""
    found = sorted(comparisons([indicator.pk], today), key=lambda c: c.as_at, reverse=True)
    if not found:
        return None
    notes = definition_notes().get(indicator.pk, ())
    return AreaComparison(
        latest=found[0],
        years=found,
        bars=bars_for(found[0], settings.HOME_LA_NAME),
        home_name=settings.HOME_LA_NAME,
        region_name=settings.HOME_REGION,
        rule=model_rule_in_words(),
        not_ranked_because=why_not_ranked(indicator, found[0].rank_polarity),
        definition_notes=list(notes),
    )
