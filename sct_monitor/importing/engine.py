"""One import path for the web page and the command: read, check, preview, then write it all.

``plan_import`` reads and checks a file and works out what it would create, update and leave
unchanged, writing nothing. ``apply_import`` reads and checks it again, compares it with the
data once the months are locked and, if there is still no error, writes every row in one
transaction, recording who and which import in each history entry. KPI values and DfE figures,
the tables a file can hold hundreds of thousands of rows for, are compared and written set-based
(sct_monitor.importing.merge).
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from finance.models import BudgetLine, FinancialYear
from kpis.dfe_comparators import refresh_dfe_comparators
from kpis.models import (
    AreaValue,
    ComparatorValue,
    DfeMapping,
    Indicator,
    MonthlyReturn,
    MonthlyValue,
    Neighbour,
    NeighbourModel,
    Target,
    ValueStatus,
)
from kpis.months import month_label
from kpis.publishing import refresh_published_months
from kpis.returns import advance_versions, lock_months
from sct_monitor.bulk_insert import collector_paused
from sct_monitor.importing.kinds import Parsed, Planned, Problem
from sct_monitor.importing.merge import Comparison, compare, write_changes
from sct_monitor.importing.reading import RawTable, ReadError, read_table
from sct_monitor.importing.registry import KINDS
from sct_monitor.models import ImportLog, ImportOutcome
from sct_monitor.upsert import UpsertResult, upsert

MAX_ERRORS_SHOWN = 500
# Models compared with one values_list read and written with set-based SQL, not model instances.
SET_BASED = (MonthlyValue, AreaValue)


def no_progress(done: int, total: int) -> None:
    pass


@dataclass
class Plan:
    kind: str
    file_name: str
    sha256: str
    size: int
    override_published: bool
    options: dict = field(default_factory=dict)
    table: RawTable | None = None
    parsed: Parsed = field(default_factory=Parsed)
    results: list[tuple[str, UpsertResult]] = field(default_factory=list)
    # Each set-based model's comparison, kept so that the import writes what was compared.
    comparisons: dict[type, Comparison] = field(default_factory=dict)
    statuses: dict = field(default_factory=dict)  # month -> its return's status before the import

    @property
    def problems(self) -> list[Problem]:
        return sorted(self.parsed.problems, key=lambda p: (p.line, p.column))

    @property
    def ok(self) -> bool:
        return not self.parsed.problems

    def total(self, attribute: str) -> int:
        return sum(getattr(result, attribute) for _, result in self.results)

    def summary(self) -> str:
        created, updated, unchanged = (self.total(name) for name in ("created", "updated", "unchanged"))
        return f"{created} created, {updated} updated, {unchanged} unchanged"


LABELS = {
    MonthlyValue: "KPI values",
    ComparatorValue: "comparator values",
    MonthlyReturn: "monthly returns (months new to the service, as published)",
    FinancialYear: "financial years",
    BudgetLine: "budget lines",
    AreaValue: "DfE figures (England, regions and local authorities)",
    NeighbourModel: "statistical-neighbour models",
    Neighbour: "statistical-neighbour links",
    Target: "targets",
    Indicator: "indicators' significant variances",
    DfeMapping: "DfE mappings",
}


def label_for(model) -> str:
    return LABELS.get(model, str(model._meta.verbose_name_plural))


def existing_for(planned: Planned):
    """Only the rows a file can touch are read back for comparison."""
    if planned.model is MonthlyValue:
        return MonthlyValue.objects.filter(month__in={row["month"] for row in planned.rows})
    if planned.model is ComparatorValue:
        return ComparatorValue.objects.filter(indicator_id__in={row["indicator_id"] for row in planned.rows})
    if planned.model is AreaValue:
        return AreaValue.objects.filter(
            indicator_id__in={row["indicator_id"] for row in planned.rows},
            as_at__in={row["as_at"] for row in planned.rows},
        )
    if planned.model is Neighbour:
        return Neighbour.objects.filter(
            model__applies_from__in={row["model_applies_from"] for row in planned.rows}
        )
    if planned.model is Target:
        return Target.objects.filter(indicator_id__in={row["indicator_id"] for row in planned.rows})
    return planned.model.objects.all()


# Rows that name their parent by a natural key until the parent has an id:
# model -> (the row's natural-key field, the foreign-key field, how to look the ids up).
PARENTS = {
    BudgetLine: (
        "start_year",
        "financial_year_id",
        lambda: dict(FinancialYear.objects.values_list("start_year", "id")),
    ),
    Neighbour: (
        "model_applies_from",
        "model_id",
        lambda: dict(NeighbourModel.objects.values_list("applies_from", "id")),
    ),
}


def rows_for(planned: Planned) -> list[dict]:
    """The rows as the model holds them, parents' ids looked up now (after parents are written)."""
    if planned.model not in PARENTS:
        return planned.rows
    natural, foreign, lookup = PARENTS[planned.model]
    ids = lookup()
    return [
        {**{k: v for k, v in row.items() if k != natural}, foreign: ids.get(row[natural])}
        for row in planned.rows
    ]


def find_duplicates(plan: Plan) -> None:
    for planned in plan.parsed.planned:
        if planned.model in (FinancialYear, NeighbourModel):
            continue
        # Rows are keyed by their parent's natural key until the parent has an id.
        natural, foreign, _ = PARENTS.get(planned.model, ("", "", None))
        fields = [natural if name == foreign and foreign else name for name in planned.key_fields]
        keys = [tuple(map(row.get, fields)) for row in planned.rows]
        if len(set(keys)) == len(keys):
            continue  # the common case: no key repeats, and the lists stay as they are
        first_line: dict[tuple, int] = {}
        duplicates: set[int] = set()  # positions of the rows repeating an earlier row's key
        for position, (key, line) in enumerate(zip(keys, planned.lines, strict=True)):
            if key in first_line:
                plan.parsed.problems.append(Problem(line, "", "", f"duplicate of line {first_line[key]}"))
                duplicates.add(position)
                continue
            first_line[key] = line
        planned.rows = [row for i, row in enumerate(planned.rows) if i not in duplicates]
        planned.lines = [line for i, line in enumerate(planned.lines) if i not in duplicates]


def add_return_rows(plan: Plan) -> dict:
    """Imported values take their month's return status; months with no return yet become
    published returns, since administrators import figures that have already been reported."""
    values = next((p for p in plan.parsed.planned if p.model is MonthlyValue), None)
    if values is None or not values.rows:
        return {}
    months = {row["month"] for row in values.rows}
    statuses = dict(MonthlyReturn.objects.filter(month__in=months).values_list("month", "status"))
    for row in values.rows:
        row["status"] = statuses.get(row["month"], ValueStatus.PUBLISHED)
    new_months = sorted(months - set(statuses))
    if new_months:
        returns = Planned(MonthlyReturn, ["month"])
        for month in new_months:
            returns.rows.append({"month": month, "status": ValueStatus.PUBLISHED})
            returns.lines.append(0)
        plan.parsed.planned.append(returns)
    return statuses


def check_published(plan: Plan, planned: Planned, result: UpsertResult, statuses: dict) -> None:
    if plan.override_published or planned.model is not MonthlyValue:
        return
    published = {month for month, status in statuses.items() if status == ValueStatus.PUBLISHED}
    # Only the changed keys in published months are refused; most imports have none, and then
    # no line needs looking up.
    refused = [key for key in result.changed_keys if key[1] in published]
    if not refused:
        return
    wanted = set(refused)
    line_of = {
        key: line
        for row, line in zip(planned.rows, planned.lines, strict=True)
        if (key := (row["indicator_id"], row["month"])) in wanted
    }
    for key in sorted(refused, key=lambda k: line_of[k]):
        month = key[1]
        plan.parsed.problems.append(
            Problem(
                line_of[key], "month", f"{month:%Y-%m}",
                f"{month_label(month)} is published; tick 'Change published months' to change it",
            )
        )  # fmt: skip


@collector_paused()  # a decorator too: each call pauses the collector while it runs
def read_plan(
    kind: str,
    file_name: str,
    content: bytes,
    override_published: bool = False,
    progress: Callable = no_progress,
    options: dict | None = None,
) -> Plan:
    """Read and check the file into planned rows, comparing nothing with the data yet."""
    plan = Plan(
        kind,
        file_name,
        hashlib.sha256(content).hexdigest(),
        len(content),
        override_published,
        dict(options or {}),
    )
    problems = plan.parsed.problems
    if kind not in KINDS:
        problems.append(Problem(0, "", kind, f"not a kind of import; use one of {', '.join(KINDS)}"))
        return plan
    if len(content) > settings.IMPORT_MAX_BYTES:
        limit = settings.IMPORT_MAX_BYTES // (1024 * 1024)
        problems.append(Problem(0, "", "", f"the file is larger than the {limit} MB limit; split it"))
        return plan
    try:
        plan.table = read_table(file_name, content)
    except ReadError as exc:
        problems.append(Problem(0, "", "", f"cannot read {file_name}: {exc}"))
        return plan
    if len(plan.table.lines) > settings.IMPORT_MAX_ROWS + 1:
        problems.append(
            Problem(
                0,
                "",
                "",
                f"the file has {len(plan.table.lines) - 1:,} rows; the limit is {settings.IMPORT_MAX_ROWS:,}",
            )
        )
        return plan
    context = {
        "indicators": {i.code: i for i in Indicator.objects.all()},
        "missing_reasons": {
            (indicator_id, month): reason
            for indicator_id, month, reason in MonthlyValue.objects.filter(value__isnull=True).values_list(
                "indicator_id", "month", "missing_reason"
            )
        },
        "options": plan.options,
    }
    KINDS[kind].parse(plan.table, context, plan.parsed, progress)
    find_duplicates(plan)
    plan.statuses = add_return_rows(plan)
    return plan


@collector_paused()
def compare_plan(plan: Plan) -> None:
    """Work out what each planned model's rows would create, update and leave unchanged."""
    plan.results, plan.comparisons = [], {}
    for planned in plan.parsed.planned:
        if planned.model in SET_BASED:
            comparison = compare(planned.model, planned.key_fields, planned.rows, existing_for(planned))
            plan.comparisons[planned.model] = comparison
            result = comparison.result
        else:
            result = upsert(
                planned.model, planned.key_fields, rows_for(planned), existing=existing_for(planned),
                dry_run=True,
            )  # fmt: skip
        check_published(plan, planned, result, plan.statuses)
        plan.results.append((label_for(planned.model), result))


@collector_paused()  # once for the whole: each pause's end costs a collection of what it built
def plan_import(
    kind: str,
    file_name: str,
    content: bytes,
    override_published: bool = False,
    progress: Callable = no_progress,
    options: dict | None = None,
) -> Plan:
    """``options`` carries choices made with the upload, such as a neighbour model's
    ``applies_from`` and ``model_name``, or ``override_older`` for DfE figures."""
    plan = read_plan(kind, file_name, content, override_published, progress, options)
    compare_plan(plan)  # with errors too: the preview shows what the rows read would do
    return plan


@collector_paused()
def apply_import(
    kind: str, file_name: str, content: bytes, user, override_published: bool = False, via: str = "web",
    progress: Callable = no_progress, log: ImportLog | None = None, options: dict | None = None,
) -> tuple[Plan, ImportLog]:  # fmt: skip
    """Check again and, with no error, write every row in one transaction; log the outcome."""
    plan = read_plan(kind, file_name, content, override_published, progress, options)
    log = log or ImportLog(user=user, kind=kind, file_name=file_name[:255], via=via)
    log.sha256, log.size, log.override_published = plan.sha256, plan.size, override_published
    log.options = plan.options
    if plan.ok:
        with transaction.atomic():
            claim_log(log)
            lock_months(months_planned(plan))
            # Compared once, under the locks, so nothing can change between comparing and writing.
            compare_plan(plan)
            if plan.ok:
                write_plan(plan, log, user)
    else:
        compare_plan(plan)  # the refused import's log counts what its rows would have done
    if not plan.ok:
        record(log, plan, ImportOutcome.REFUSED)
    return plan, log


def write_plan(plan: Plan, log: ImportLog, user) -> None:
    log.outcome = ImportOutcome.IMPORTED
    log.save()
    reason = f"Import {log.pk}: {plan.kind} from {plan.file_name}"[:100]
    plan.results = []
    months_written: set = set()
    for planned in plan.parsed.planned:
        if planned.model in SET_BASED:
            # Let go of once written: its changes would otherwise be held while months are published.
            comparison = plan.comparisons.pop(planned.model)
            result = write_changes(planned.model, planned.key_fields, comparison, reason, user)
            del comparison
        else:
            result = upsert(
                planned.model, planned.key_fields, rows_for(planned), existing=existing_for(planned),
                change_reason=reason, user=user,
            )  # fmt: skip
        plan.results.append((label_for(planned.model), result))
        if planned.model is MonthlyValue:
            months_written = {key[1] for key in result.changed_keys}
    if months_written:
        # Forms opened before the import are refused; published months changed by it are
        # published again as a revision carrying the import as its reason.
        advance_versions(months_written, user)
        refresh_published_months(months_written, user, reason, timezone.now())
    if plan.kind in ("dfe-ees", "sn-model"):
        derived = refresh_dfe_comparators(change_reason=reason, user=user)
        plan.results.append(("SN, England and West Midlands comparators (recomputed)", derived))
    record(log, plan, ImportOutcome.IMPORTED)


class AlreadyImported(Exception):
    """The previewed import was confirmed already (a second click, a second tab): nothing is done."""


def claim_log(log: ImportLog) -> None:
    """Lock a previewed import's log row and check it is still only previewed (or handed to a
    process of its own, sct_monitor.importing.background), so a second confirmation waits for
    the first and then does nothing."""
    if log.pk is None:
        return
    outcome = (
        ImportLog.objects.select_for_update().filter(pk=log.pk).values_list("outcome", flat=True).first()
    )
    if outcome not in (ImportOutcome.PREVIEWED, ImportOutcome.RUNNING):
        raise AlreadyImported(log.pk)


def months_planned(plan: Plan) -> set:
    """Every month the import writes values or returns for: locked first, as returns lock them."""
    return {
        row["month"]
        for planned in plan.parsed.planned
        if planned.model in (MonthlyValue, MonthlyReturn)
        for row in planned.rows
    }


def record(log: ImportLog, plan: Plan, outcome: str) -> None:
    log.outcome = outcome
    log.rows = plan.parsed.rows_read
    log.created, log.updated, log.unchanged = (
        plan.total("created"),
        plan.total("updated"),
        plan.total("unchanged"),
    )
    log.error_count = len(plan.parsed.problems)
    log.errors = "\n".join(str(p) for p in plan.problems[:MAX_ERRORS_SHOWN])
    log.warnings = "\n".join(plan.parsed.warnings)
    log.finished_at = timezone.now()
    if outcome == ImportOutcome.IMPORTED:
        log.content = b""
    log.save()
