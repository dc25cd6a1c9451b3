"""Set-based writing for the large tables an import fills (KPI values, DfE figures).

``compare`` reads the rows a file can touch with one ``values_list`` query and sorts the file's
rows into new, changed and unchanged, without building model instances. ``write_changes`` then
writes only the new and changed rows: they go into a temporary staging table (COPY on
PostgreSQL, executemany elsewhere) and from there into the table with one UPDATE and one
INSERT, and into the change history with one INSERT ... SELECT writing what
django-simple-history would (``+`` for new rows, ``~`` for changed ones, with the reason and user).

The result is an ``UpsertResult`` with the same counts and changed keys as ``upsert`` gives.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.db.models import QuerySet
from django.utils import timezone

from sct_monitor.bulk_insert import collector_paused, insert_rows
from sct_monitor.upsert import UpsertResult

CREATED, CHANGED = "+", "~"  # django-simple-history's history_type for each
STAGING_TABLE = "import_merge_staging"
CHANGE_COLUMN = "merge_change"
COMPARE_CHUNK = 20_000  # rows read back per fetch when comparing


@dataclass
class Comparison:
    """What writing ``rows`` would do: each new or changed row with its history_type."""

    result: UpsertResult
    changes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def compare(
    model: type[models.Model], key_fields: Sequence[str], rows: list[dict[str, Any]], existing: QuerySet
) -> Comparison:
    """Sort ``rows`` into new, changed and unchanged against ``existing`` (one query)."""
    comparison = Comparison(UpsertResult())
    if not rows:
        return comparison
    compared = sorted({name for row in rows for name in row} - set(key_fields))
    width = len(key_fields)
    # Read in large chunks through a server-side cursor: few round trips, and the rows are never
    # all held twice (by the driver and in ``held``).
    held = {
        values[:width]: values[width:]
        for values in existing.values_list(*key_fields, *compared).iterator(chunk_size=COMPARE_CHUNK)
    }
    position = {name: i for i, name in enumerate(compared)}
    every_field = set(compared) | set(key_fields)
    result = comparison.result
    seen: set[tuple] = set()
    for row in rows:
        key = tuple(map(row.__getitem__, key_fields))
        if key in seen:
            raise ValueError(f"{model.__name__}: the key {key} appears twice")
        seen.add(key)
        current = held.get(key)
        if current is None:
            comparison.changes.append((CREATED, row))
            result.created += 1
        elif differs(row, current, compared, position, every_field):
            comparison.changes.append((CHANGED, row))
            result.updated += 1
        else:
            result.unchanged += 1
            continue
        result.changed_keys.add(key)
    return comparison


def differs(
    row: dict[str, Any], current: tuple, compared: list[str], position: dict[str, int], every_field: set
) -> bool:
    """Whether any of ``row``'s compared fields differs from the ``current`` values (in ``compared``'s
    order). Every row's fields are among ``every_field``, so a row with as many fields names them
    all, the common case: it is compared as one tuple."""
    if len(row) == len(every_field):
        return current != tuple(map(row.__getitem__, compared))
    return any(current[position[name]] != value for name, value in row.items() if name in position)


def write_changes(
    model: type[models.Model],
    key_fields: Sequence[str],
    comparison: Comparison,
    change_reason: str = "",
    user=None,
) -> UpsertResult:
    """Write the new and changed rows of ``comparison``, with history where the model keeps it.

    Call inside a transaction that holds the locks the comparison relied on."""
    # Rows of one file name the same fields; a group per set of fields keeps each UPDATE exact.
    groups: dict[tuple[str, ...], list[tuple[str, dict]]] = {}
    for change, row in comparison.changes:
        groups.setdefault(tuple(sorted(row)), []).append((change, row))
    now = timezone.now()
    with collector_paused():
        for columns, changes in groups.items():
            merge_group(model, list(key_fields), list(columns), changes, now, change_reason, user)
    return comparison.result


def merge_group(
    model: type[models.Model],
    key_fields: list[str],
    columns: list[str],
    changes: list[tuple[str, dict]],
    now: datetime,
    change_reason: str,
    user,
) -> None:
    table = model._meta.db_table
    quote = connection.ops.quote_name
    staged = [*columns, CHANGE_COLUMN]
    with connection.cursor() as cursor:
        # Dropped at the end too; one left by a failed write went with its rolled-back transaction.
        cursor.execute(f"DROP TABLE IF EXISTS {STAGING_TABLE}")
        # The staging table takes the real table's column types, so values are cast as it casts them.
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGING_TABLE} AS SELECT "
            + ", ".join(quote(name) for name in columns)
            + f", CAST('' AS VARCHAR(1)) AS {CHANGE_COLUMN} FROM {table} WHERE 1 = 0"
        )
        staged_rows = ([*(row[name] for name in columns), change] for change, row in changes)
        insert_rows(cursor, STAGING_TABLE, staged, staged_rows)
        update_changed(cursor, model, key_fields, columns, now)
        insert_created(cursor, model, columns, now)
        if hasattr(model, "history"):
            insert_history(cursor, model, key_fields, now, change_reason, user)
        cursor.execute(f"DROP TABLE {STAGING_TABLE}")


def keys_match(key_fields: list[str], left: str, right: str) -> str:
    quote = connection.ops.quote_name
    return " AND ".join(f"{left}.{quote(name)} = {right}.{quote(name)}" for name in key_fields)


def auto_now_fields(model: type[models.Model], add: bool) -> list[str]:
    """The date-time fields Django stamps on every save (and, with ``add``, on creation)."""
    return [
        f.attname
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or (add and getattr(f, "auto_now_add", False))
    ]


def update_changed(cursor, model, key_fields: list[str], columns: list[str], now: datetime) -> None:
    quote = connection.ops.quote_name
    table = model._meta.db_table
    assignments = [f"{quote(name)} = s.{quote(name)}" for name in columns if name not in key_fields]
    stamped = [name for name in auto_now_fields(model, add=False) if name not in columns]
    assignments += [f"{quote(name)} = %s" for name in stamped]
    stamp = connection.ops.adapt_datetimefield_value(now)
    cursor.execute(
        f"UPDATE {table} SET {', '.join(assignments)} FROM {STAGING_TABLE} s "
        f"WHERE {keys_match(key_fields, table, 's')} AND s.{CHANGE_COLUMN} = %s",
        [stamp] * len(stamped) + [CHANGED],
    )


def insert_created(cursor, model, columns: list[str], now: datetime) -> None:
    """New rows: the file's columns, and each other field's default as Django would give it."""
    quote = connection.ops.quote_name
    stamped = set(auto_now_fields(model, add=True))
    defaults: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        if f.primary_key or f.attname in columns:
            continue
        value = now if f.attname in stamped else f.get_default()
        defaults[f.attname] = f.get_db_prep_save(value, connection)
    names = [*columns, *defaults]
    selected = [f"s.{quote(name)}" for name in columns] + ["%s"] * len(defaults)
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(quote(n) for n in names)}) "
        f"SELECT {', '.join(selected)} FROM {STAGING_TABLE} s WHERE s.{CHANGE_COLUMN} = %s",
        [*defaults.values(), CREATED],
    )


def insert_history(cursor, model, key_fields: list[str], now: datetime, change_reason: str, user) -> None:
    """One history row per new or changed row, as the row now stands."""
    quote = connection.ops.quote_name
    table = model._meta.db_table
    fields = [f.attname for f in model._meta.concrete_fields]
    names = [*fields, "history_date", "history_change_reason", "history_type", "history_user_id"]
    cursor.execute(
        f"INSERT INTO {model.history.model._meta.db_table} ({', '.join(quote(n) for n in names)}) "
        f"SELECT {', '.join(f'{table}.{quote(n)}' for n in fields)}, %s, %s, s.{CHANGE_COLUMN}, %s "
        f"FROM {table} JOIN {STAGING_TABLE} s ON {keys_match(key_fields, table, 's')}",
        [connection.ops.adapt_datetimefield_value(now), change_reason, user.pk if user else None],
    )
