"""Comparing the home authority with others: statistical-neighbour mean, rank and quartile band.

Pure functions; ties share a rank (the best position they hold), and the quartile band
follows the rank as the DfE's LAIT does: A is the best quarter, D the worst, by polarity.
"""

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kpis.models import Polarity

BANDS = "ABCD"


@dataclass(frozen=True)
class NeighbourMean:
    value: Decimal | None
    counted: int  # neighbours with a value
    neighbours: int  # neighbours in the model

    @property
    def description(self) -> str:
        return f"mean of {self.counted} of {self.neighbours} statistical neighbours"


def neighbour_mean(values: Mapping[str, Decimal | None], neighbours: Iterable[str]) -> NeighbourMean:
    """Mean of the neighbours that have a value (suppressed or missing ones are left out, never 0)."""
    codes = list(neighbours)
    present = [values[code] for code in codes if values.get(code) is not None]
    if not present:
        return NeighbourMean(None, 0, len(codes))
    return NeighbourMean(sum(present, Decimal(0)) / len(present), len(present), len(codes))


@dataclass(frozen=True)
class Ranking:
    rank: int
    of: int
    band: str

    @property
    def description(self) -> str:
        return f"ranked {self.rank} of {self.of} (quartile band {self.band}, A is best)"


def rank_and_band(
    value: Decimal | None, all_values: Iterable[Decimal | None], polarity: str
) -> Ranking | None:
    """Rank 1 is best by polarity; equal values share the best rank they hold."""
    if value is None or polarity == Polarity.NONE:
        return None
    values = [v for v in all_values if v is not None]
    if not values:
        return None
    better = sum(1 for v in values if (v > value if polarity == Polarity.HIGHER_IS_BETTER else v < value))
    rank = better + 1
    band = BANDS[min(3, math.ceil(4 * rank / len(values)) - 1)]
    return Ranking(rank, len(values), band)
