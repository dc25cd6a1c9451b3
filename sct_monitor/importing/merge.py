"""Set-based writing for the large tables an import fills (KPI values, DfE figures).

``compare`` sorts the file's rows into new, changed and unchanged, without building model
instances. On PostgreSQL the database does it: the rows go over as one array a column (text in
PostgreSQL's array syntax, which it parses far faster than Python can read rows back) and one
join against the rows a file can touch returns only the new and changed rows' positions, so an
unchanged re-import reads nothing back. Elsewhere the rows it can touch are read back with one
``values_list`` query and compared in Python. ``write_changes`` then
writes only the new and changed rows: they go into a temporary staging table (COPY on
PostgreSQL, executemany elsewhere) and from there into the table with one UPDATE and one
INSERT, and into the change history with one INSERT ... SELECT writing what
django-simple-history would (``+`` for new rows, ``~`` for changed ones, with the reason and user).

The result is an ``UpsertResult`` with the same counts and changed keys as ``upsert`` gives.
"""

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from operator import is_, itemgetter
from typing import Any

from django.db import connection, models, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.db.models.sql.constants import MULTI
from django.utils import timezone

from sct_monitor.bulk_insert import collector_paused, insert_columns
from sct_monitor.importing.kinds import REMEMBERED_RESULTS
from sct_monitor.upsert import UpsertResult

CREATED, CHANGED = "+", "~"  # django-simple-history's history_type for each
STAGING_TABLE = "import_merge_staging"
CHANGE_COLUMN = "merge_change"
COMPARE_CHUNK = 20_000  # rows read back per fetch when comparing
COMPARE_WORK_MEM = "64MB"  # PostgreSQL's memory for joining a file's rows with the stored ones


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
    if not existing.exists():  # a first import: every row is new, and nothing need be compared
        keys = unique_keys(model, key_fields, rows)
        comparison.changes = [(CREATED, row) for row in rows]
        comparison.result.changed_keys = set(keys)
        comparison.result.created = len(rows)
        return comparison
    if connection.vendor == "postgresql" and array_types(model, {name for row in rows for name in row}):
        return compare_in_database(model, key_fields, rows, existing)
    return compare_in_python(model, key_fields, rows, existing)


def compare_in_python(
    model: type[models.Model], key_fields: Sequence[str], rows: list[dict[str, Any]], existing: QuerySet
) -> Comparison:
    """``compare``, reading back the rows ``existing`` holds (one query) and comparing in Python.

    Each stored row is compared as it is read with the file's row of the same key, so the stored
    rows are never all held (with the file's, they were the larger part of a re-import's memory)."""
    comparison = Comparison(UpsertResult())
    compared = sorted({name for row in rows for name in row} - set(key_fields))
    width = len(key_fields)
    keys = unique_keys(model, key_fields, rows)
    place = dict(zip(keys, range(len(keys)), strict=True))  # each key's row in the file
    position = {name: i for i, name in enumerate(compared)}
    every_field = set(compared) | set(key_fields)
    found = bytearray(len(rows))  # what each of the file's rows is: NEW until a stored row is read
    for values in stored_values(existing, [*key_fields, *compared]):
        at = place.get(values[:width])
        if at is not None:
            current = values[width:]
            found[at] = (
                CHANGED_ROW if differs(rows[at], current, compared, position, every_field) else SAME_ROW
            )
    result = comparison.result
    changes, changed_keys = comparison.changes, result.changed_keys
    for row, key, what in zip(rows, keys, found, strict=True):
        if what == SAME_ROW:
            continue
        changes.append((CREATED if what == NEW_ROW else CHANGED, row))
        changed_keys.add(key)
    result.unchanged = found.count(SAME_ROW)
    result.updated = found.count(CHANGED_ROW)
    result.created = len(rows) - result.unchanged - result.updated
    return comparison


NEW_ROW, SAME_ROW, CHANGED_ROW = 0, 1, 2  # what compare_in_python finds each of a file's rows to be


def stored_values(existing: QuerySet, names: Sequence[str]) -> Iterator[tuple]:
    """What ``existing.values_list(*names)`` gives, read in large chunks through a server-side
    cursor and converted a column at a time, each distinct stored value of a column once (see
    ``Conversions``): a table repeats its months and figures, and converting each value of each
    row, as values_list does, was most of reading the rows back."""
    queryset = existing.values_list(*names)
    compiler = queryset.query.get_compiler(queryset.db)
    chunks = compiler.execute_sql(MULTI, chunked_fetch=True, chunk_size=COMPARE_CHUNK)
    fields = [selected[0] for selected in compiler.select[: compiler.col_count]]
    conversions = {
        at: Conversions(converters, expression, compiler.connection)
        for at, (converters, expression) in compiler.get_converters(fields).items()
    }
    for chunk in chunks:
        if not chunk:
            continue
        columns = list(zip(*chunk, strict=True))
        for at, conversion in conversions.items():
            columns[at] = conversion.column(columns[at])
        yield from zip(*columns, strict=True)


class Conversions(dict):
    """Stored values of a column as Django's ``converters`` for it make them (as
    SQLCompiler.apply_converters runs them), each distinct value converted once and kept (up to
    REMEMBERED_RESULTS of them), keyed by type and value: 1 == 1.0 == True, yet a converter may
    tell them apart."""

    def __init__(self, converters: Sequence[Callable], expression, database: BaseDatabaseWrapper):
        super().__init__()
        self.converters, self.expression, self.database = converters, expression, database

    def convert(self, value: Any) -> Any:
        for converter in self.converters:
            value = converter(value, self.expression, self.database)
        return value

    def __missing__(self, key: tuple[type, Any]) -> Any:
        value = self.convert(key[1])
        if len(self) < REMEMBERED_RESULTS:
            self[key] = value
        return value

    def column(self, values: Sequence[Any]) -> list[Any]:
        """``values`` converted, in one pass that runs no Python code for a value already seen."""
        try:
            return list(map(self.__getitem__, zip(map(type, values), values, strict=True)))
        except TypeError:  # a value that cannot be a key (a list, say): each converted on its own
            return list(map(self.convert, values))


# PostgreSQL array types for fields' internal types; a field of any other type is compared in Python.
# Types without their modifiers (numeric, not numeric(12,4)), so a file's value is compared as it
# was read, exactly as the comparison in Python compares it.
ARRAY_TYPES = {
    "AutoField": "bigint", "BigAutoField": "bigint", "BigIntegerField": "bigint",
    "IntegerField": "bigint", "PositiveIntegerField": "bigint", "PositiveSmallIntegerField": "bigint",
    "SmallIntegerField": "bigint", "BooleanField": "boolean", "CharField": "text", "TextField": "text",
    "DateField": "date", "DecimalField": "numeric",
}  # fmt: skip


def array_types(model: type[models.Model], names: set[str]) -> dict[str, str] | None:
    """Each named column's array type, or None when one is not a column with an ARRAY_TYPES entry."""
    columns = {f.attname: f for f in model._meta.concrete_fields}
    types = {}
    for name in names:
        field = columns.get(name)
        if field is None or field.column != name:  # the join names columns by their attnames
            return None
        kind = ARRAY_TYPES.get((field.target_field if field.is_relation else field).get_internal_type())
        if kind is None:
            return None
        types[name] = kind
    return types


def array_text(values: Sequence[Any], kind: str) -> str:
    """``values`` in PostgreSQL's array syntax: text quoted (backslash and double quote escaped),
    everything else as ``str`` writes it (dates as ISO dates), None as NULL."""
    if not any(map(is_, values, repeat(None))):  # by identity: == would ask each Decimal
        if kind != "text":
            return "{" + ",".join(map(str, values)) + "}"
        joined = '","'.join(values)
        # Only the separators' quotes: then no text holds a quote or a backslash to escape.
        if "\\" not in joined and joined.count('"') == 2 * (len(values) - 1):
            return '{"' + joined + '"}'  # the common case: nothing in any text to escape
    quoted: dict[Any, str] = {}  # a file repeats its texts: each is quoted once
    cells = []
    for value in values:
        cell = quoted.get(value)
        if cell is None:
            if value is None:
                cell = "NULL"
            elif kind == "text":
                cell = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
            else:
                cell = str(value)
            quoted[value] = cell
        cells.append(cell)
    return "{" + ",".join(cells) + "}"


def key_tuples(rows: list[dict[str, Any]], key_fields: Sequence[str]) -> list[tuple]:
    """Each row's values of ``key_fields``, as a tuple."""
    if len(key_fields) == 1:
        return [(value,) for value in map(itemgetter(key_fields[0]), rows)]
    return list(map(itemgetter(*key_fields), rows))


def unique_keys(model: type[models.Model], key_fields: Sequence[str], rows: list[dict[str, Any]]) -> list:
    """Each row's key, in order; a key given twice is an error (the file's checks refuse it first)."""
    keys = key_tuples(rows, key_fields)
    if len(set(keys)) != len(keys):
        seen: set[tuple] = set()
        repeated = next(key for key in keys if key in seen or seen.add(key))
        raise ValueError(f"{model.__name__}: the key {repeated} appears twice")
    return keys


def compare_in_database(
    model: type[models.Model], key_fields: Sequence[str], rows: list[dict[str, Any]], existing: QuerySet
) -> Comparison:
    """``compare``, with the database finding the new and changed rows (one query per set of
    fields the rows name; a file's rows all name the same ones)."""
    comparison = Comparison(UpsertResult())
    result = comparison.result
    keys = unique_keys(model, key_fields, rows)
    names = rows[0].keys()
    groups: dict[frozenset, list[int]] = {}
    if all(map(names.__eq__, map(dict.keys, rows))):
        groups[frozenset(names)] = range(len(rows))  # the common case: every row names the same fields
    else:
        for position, row in enumerate(rows):
            groups.setdefault(frozenset(row), []).append(position)
    found: list[tuple[int, bool]] = []  # (the file's row position, whether it is new)
    for names, positions in groups.items():
        group = [rows[position] for position in positions] if len(groups) > 1 else rows
        found += [
            (positions[within], new)
            for within, new in changed_positions(model, key_fields, sorted(names), group, existing)
        ]
    found.sort()
    changes, changed_keys = comparison.changes, result.changed_keys
    for position, new in found:
        changes.append((CREATED if new else CHANGED, rows[position]))
        changed_keys.add(keys[position])
    result.created = sum(new for _position, new in found)
    result.updated = len(found) - result.created
    result.unchanged = len(rows) - len(found)
    return comparison


def changed_positions(
    model: type[models.Model],
    key_fields: Sequence[str],
    names: Sequence[str],
    rows: list[dict[str, Any]],
    existing: QuerySet,
) -> list[tuple[int, bool]]:
    """(position in ``rows``, whether it is new) for each row of ``rows`` (all naming the fields
    ``names``) that ``existing`` lacks or holds with a different value in any of them."""
    types = array_types(model, set(names))
    quote = connection.ops.quote_name
    compared = [name for name in names if name not in key_fields]
    ordered = [*key_fields, *compared]
    columns = dict(zip(ordered, zip(*map(itemgetter(*ordered), rows), strict=True), strict=True))
    # A text column holding one value on every row (a unit, a status, no missing reason) is
    # compared with that value, not sent as an array of it.
    constant = {
        name: columns[name][0] for name in compared if types[name] == "text" and len(set(columns[name])) == 1
    }
    sent = [name for name in ordered if name not in constant]
    held_sql, held_params = existing.order_by().values(*ordered).query.sql_with_params()
    unnested = ", ".join(f"%s::{types[name]}[]" for name in sent)
    joined = " AND ".join(f"held.{quote(name)} = f.{quote(name)}" for name in key_fields)
    first_key = quote(key_fields[0])
    differing = [
        f"held.{quote(name)} IS DISTINCT FROM " + ("%s::text" if name in constant else f"f.{quote(name)}")
        for name in compared
    ]
    where = " OR ".join([f"held.{first_key} IS NULL", *differing])
    arrays = [array_text(columns[name], types[name]) for name in sent]
    with transaction.atomic(), connection.cursor() as cursor:
        # Enough memory for the file's rows and the stored ones to be joined without spilling to
        # disk (the default is 4 MB), for this query's transaction only.
        cursor.execute(f"SET LOCAL work_mem = '{COMPARE_WORK_MEM}'")
        cursor.execute(
            f"SELECT f.merge_position - 1, held.{first_key} IS NULL "
            f"FROM unnest({unnested}) WITH ORDINALITY "
            f"AS f({', '.join(quote(name) for name in sent)}, merge_position) "
            f"LEFT JOIN ({held_sql}) held ON {joined} WHERE {where}",
            [*arrays, *held_params, *(constant[name] for name in compared if name in constant)],
        )
        return cursor.fetchall()


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
        rows = [row for _change, row in changes]
        staged_columns = [list(map(itemgetter(name), rows)) for name in columns]
        staged_columns.append([change for change, _row in changes])
        insert_columns(cursor, STAGING_TABLE, staged, staged_columns)
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
