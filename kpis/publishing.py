"""Publishing a month: freezing what the board sees, and correcting it only by a revision.

A publication copies the month's working values into ``PublishedValue`` rows together with the
judgement of the day (status and basis, target, comparators, movements). A correction is a new
publication: figures that did not change keep their frozen judgement; changed ones are judged
afresh and carry a revision note (what they were, when and why they changed). Board pages read
the current publication, so a month being corrected never disappears from them.
"""

from collections import namedtuple
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Max

from kpis.formatting import format_value
from kpis.models import (
    Indicator,
    MissingReason,
    MonthlyReturn,
    MonthlyValue,
    Publication,
    PublishedValue,
    ValueStatus,
)
from kpis.scorecard import (
    LOOKBACK_MONTHS,
    REVISION_FIELDS,
    ScorecardData,
    add_months,
    describe_change,
    load_benchmarks,
    records,
    size_of,
)
from kpis.status import Rag
from sct_monitor.bulk_insert import collector_paused, insert_values
from sct_monitor.models import ReportNarrative
from sct_monitor.periods import Period

# Figures a frozen row copies from the row it replaces when its figure did not change.
FROZEN_FIELDS = ("rag", "basis", "target_text", "details", *REVISION_FIELDS)
# Months planned together when many are published at once (an import of years of figures): at a
# time two years' frozen rows are held in memory, not every month's.
MONTHS_PER_PASS = 24


# A publication's new row, as PublishedValue's fields (its publication aside) in its field order:
# a record, not a model instance, for the thousands of rows a publication makes.
class PublishedRow(
    namedtuple(
        "PublishedRow",
        ("indicator_id", "month", "is_current", "value", "missing_reason", "commentary", *FROZEN_FIELDS),
    )
):
    __slots__ = ()

    def get_missing_reason_display(self) -> str:
        """As the model's: the missing reason's label (pages show either kind of row)."""
        return MISSING_REASON_LABELS.get(self.missing_reason, self.missing_reason)


MISSING_REASON_LABELS = dict(MissingReason.choices)


@dataclass(frozen=True)
class FigureChange:
    """One figure that differs from the current publication."""

    indicator: Indicator
    before: PublishedValue | None
    after: PublishedRow | None

    def text(self) -> str:
        def figure(row: PublishedValue | PublishedRow | None) -> str:
            if row is None:
                return "no value"
            if row.value is None:
                return f"missing ({row.get_missing_reason_display().lower()})"
            return format_value(row.value, self.indicator.unit, self.indicator.decimal_places)

        was, now = figure(self.before), figure(self.after)
        if was != now:
            return f"{was} → {now}"
        return "commentary changed"


@dataclass
class SnapshotPlan:
    """What publishing a month would freeze, worked out without writing."""

    month: date
    revision: int  # the revision this publication would be: 1 for a first publication
    rows: list[PublishedRow] = field(default_factory=list)
    changes: list[FigureChange] = field(default_factory=list)
    has_current: bool = False
    # The report narratives the month carries (its own, and its quarter's at a quarter's end).
    narratives: dict = field(default_factory=dict)
    narratives_changed: list[str] = field(default_factory=list)  # "2018-19-q3 summary", ...

    @property
    def needed(self) -> bool:
        """Whether the month's published figures or narrative differ from its working ones."""
        return not self.has_current or bool(self.changes) or bool(self.narratives_changed)

    def counts(self) -> dict[str, int]:
        counts = {rag.value: 0 for rag in Rag}
        for row in self.rows:
            counts[row.rag] += 1
        return counts

    def summary(self) -> dict:
        return {
            **self.counts(),
            "values": sum(1 for row in self.rows if row.value is not None),
            "missing": sum(1 for row in self.rows if row.value is None),
            "with_commentary": sum(1 for row in self.rows if row.commentary),
            "changed": [change.indicator.code for change in self.changes],
            "narratives": self.narratives,
            "narratives_changed": self.narratives_changed,
        }


def frozen_details(row) -> dict:
    """The parts of a scorecard row the board saw beside the value, as plain text."""
    return {
        "value_text": row.value_text,
        "comparators": [
            {
                "name": c.short_name,
                "value": None if c.value is None else str(c.value),
                "text": c.text,
                "judgement": c.judgement,
                "source": c.source,
            }
            for c in row.comparators
        ],
        "on_last_month": describe_change(row.on_last_month, row.indicator),
        "on_three_months": describe_change(row.on_three_months, row.indicator),
        "last_status": row.last_status.label,
        "last_basis": row.last_status.basis,
    }


def plan_snapshots(months: list[date], reason: str, now: datetime) -> dict[date, SnapshotPlan]:
    """What publishing each month would freeze; a fixed number of queries for any number of months."""
    return dict(snapshot_plans(months, reason, now))


# The working values' fields a publication reads (as records, not model instances: a pass reads
# tens of thousands).
WORKING_FIELDS = ("indicator_id", "month", "value", "missing_reason", "commentary", "status")


def snapshot_plans(months: list[date], reason: str, now: datetime) -> Iterator[tuple[date, SnapshotPlan]]:
    """Each month's plan in turn, month order: what is read for all the months is read first (a
    fixed number of queries), and each plan can be written and let go before the next is made."""
    if not months:
        return
    indicators = list(Indicator.objects.all())
    by_id = {indicator.pk: indicator for indicator in indicators}
    first, last = add_months(min(months), -LOOKBACK_MONTHS), max(months)
    working = {
        (row.indicator_id, row.month): row
        for row in records(MonthlyValue.objects.filter(month__range=(first, last)), WORKING_FIELDS)
    }
    current = {
        (row.indicator_id, row.month): row
        for row in PublishedValue.objects.filter(is_current=True, month__in=months)
    }
    revisions = dict(
        Publication.objects.filter(month__in=months)
        .values("month")
        .annotate(latest=Max("revision"))
        .values_list("month", "latest")
    )
    benchmarks = load_benchmarks(indicators, working, add_months(min(months), -3), last)
    narratives = working_narratives(months)
    published_narratives = {
        publication.month: publication.summary.get("narratives", {})
        for publication in Publication.objects.filter(month__in=months).order_by("month", "revision")
    }  # the latest revision of each month wins
    # Grouped by month once, so that many months cost no more than one pass over the values each.
    working_by_month: dict[date, list] = {}
    for (indicator_id, value_month), value in working.items():
        working_by_month.setdefault(value_month, []).append((indicator_id, value))
    current_by_month: dict[date, list] = {}
    for (indicator_id, value_month), before in current.items():
        current_by_month.setdefault(value_month, []).append((indicator_id, before))
    for month in sorted(set(months)):
        data = ScorecardData.loaded(indicators, working, {}, benchmarks, month)
        plan = SnapshotPlan(month, revisions.get(month, 0) + 1)
        correcting = plan.revision > 1
        present = set()
        for indicator_id, value in working_by_month.get(month, []):
            indicator = by_id[indicator_id]
            present.add(indicator_id)
            before = current.get((indicator_id, month))
            if before is not None and before.same_figure_as(
                value.value, value.missing_reason, value.commentary
            ):
                row = published_row(value, [getattr(before, name) for name in FROZEN_FIELDS])
            else:
                shown = data.row(indicator, with_trend=False)
                judged = [shown.status.rag.value, shown.status.basis[:300], shown.target_text[:100]]
                judged.append(frozen_details(shown))
                if correcting:
                    judged += [
                        True,
                        before.value if before else None,
                        before.missing_reason if before else "",
                        before.commentary if before else "",
                        now,
                        reason,
                    ]
                else:
                    judged += UNREVISED
                row = published_row(value, judged)
                plan.changes.append(FigureChange(indicator, before, row))
            plan.rows.append(row)
        for indicator_id, before in current_by_month.get(month, []):
            plan.has_current = True
            if indicator_id not in present:
                plan.changes.append(FigureChange(by_id[indicator_id], before, None))
        plan.narratives = {key: narratives.get(key, {}) for key in narrative_periods(month)}
        held = published_narratives.get(month, {})
        plan.narratives_changed = sorted(
            f"{key} {section}"
            for key in plan.narratives
            for section in set(plan.narratives[key]) | set(held.get(key, {}))
            if plan.narratives[key].get(section) != held.get(key, {}).get(section)
        )
        yield month, plan


# A first publication's revision fields, as PublishedValue's defaults give them.
UNREVISED = (False, None, "", "", None, "")


def published_row(value, frozen: list) -> PublishedRow:
    """The current published row for working ``value``, with ``frozen`` (FROZEN_FIELDS' values, in
    order)."""
    return PublishedRow(
        value.indicator_id, value.month, True, value.value, value.missing_reason, value.commentary, *frozen
    )


def narrative_periods(month: date) -> list[str]:
    """The narratives a month's publication carries: its own, and its quarter's at the quarter's end."""
    keys = [Period.month(month).key]
    quarter = Period.quarter_of(month)
    if quarter.end == month:
        keys.append(quarter.key)
    return keys


def working_narratives(months) -> dict[str, dict[str, dict[str, str]]]:
    """{period key: {section: {"text", "source"}}} as officers have written them, in one query."""
    keys = {key for month in months for key in narrative_periods(month)}
    narratives: dict = {}
    for row in ReportNarrative.objects.filter(period__in=keys):
        narratives.setdefault(row.period, {})[row.section] = {"text": row.text, "source": row.source}
    return narratives


def write_publication(
    plan: SnapshotPlan, user, reason: str, return_version: int, now: datetime
) -> Publication:
    """Freeze ``plan`` as the month's current publication; earlier rows are kept, not current."""
    publication = Publication.objects.create(
        month=plan.month, revision=plan.revision, published_by=user, published_at=now,
        reason=reason if plan.revision > 1 else "", return_version=return_version, summary=plan.summary(),
    )  # fmt: skip
    if plan.has_current:  # read under the month's lock: a first publication has no rows to retire
        PublishedValue.objects.filter(month=plan.month, is_current=True).update(is_current=False)
    columns = [*zip(*plan.rows, strict=True), [publication.pk] * len(plan.rows)] if plan.rows else []
    insert_values(PublishedValue, [*PublishedRow._fields, "publication_id"], columns)
    return publication


def refresh_published_months(months, user, reason: str, now: datetime) -> list[Publication]:
    """After the seed load or an import wrote published months, publish what changed as revisions.

    Months whose figures match their current publication are left alone, so repeating a load
    publishes nothing. Each month written advances its return's version.
    """
    published = sorted(
        MonthlyReturn.objects.filter(month__in=set(months), status=ValueStatus.PUBLISHED).values_list(
            "month", flat=True
        )
    )
    return publish_in_passes(published, user, reason, now)


@collector_paused()  # a pass builds tens of thousands of rows
def publish_in_passes(published: list[date], user, reason: str, now: datetime) -> list[Publication]:
    """Publish the months that need it, MONTHS_PER_PASS months planned at a time: a pass's returns
    are locked and read in one statement and marked published in one more, so that years of months
    cost a few statements a month (each statement on these tables runs the version triggers)."""
    publications = []
    for start in range(0, len(published), MONTHS_PER_PASS):
        months = published[start : start + MONTHS_PER_PASS]
        records = {r.month: r for r in MonthlyReturn.objects.select_for_update().filter(month__in=months)}
        revised = []
        for month, plan in snapshot_plans(months, reason, now):
            if not plan.needed:
                continue
            record = records[month]
            publication = write_publication(plan, user, reason, record.version, now)
            record.published_revision = publication.revision
            revised.append(record)
            publications.append(publication)
        MonthlyReturn.objects.bulk_update(revised, ["published_revision"])
    return publications


def figure_change_size(change: FigureChange) -> str:
    """``up 0.1`` for a changed figure, for the publish summary."""
    before, after = change.before, change.after
    if before is None or after is None or before.value is None or after.value is None:
        return ""
    delta = after.value - before.value
    if not delta:
        return ""
    return f"{'up' if delta > 0 else 'down'} {size_of(delta, change.indicator)}"
