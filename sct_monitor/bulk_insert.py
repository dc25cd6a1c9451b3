"""Inserting many rows at once: COPY on PostgreSQL, executemany elsewhere.

For tables written by the thousand (an import's staging rows, a publication's frozen figures),
where building each INSERT's values through the ORM costs more than the database's own work.
"""

import gc
import io
import json
import operator
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection, models


def insert_rows(cursor, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert ``rows`` (values in the order of ``columns``, as the database driver takes them)."""
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    if connection.vendor == "postgresql":
        buffer = io.StringIO()
        buffer.writelines("\t".join(map(copy_text, row)) + "\n" for row in rows)
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN", buffer)
    else:
        placeholders = ", ".join(["%s"] * len(columns))
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(rows))


# COPY's text format: a backslash, tab, newline or carriage return in a value is escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """One value in COPY's text format (called for every value of every row: the common types first)."""
    kind = type(value)
    if kind is str:
        return value.translate(COPY_ESCAPES)
    if value is None:
        return r"\N"
    if kind is Decimal or kind is int:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, date):  # and datetime, with its time zone
        return value.isoformat()
    return str(value).translate(COPY_ESCAPES)


def driver_value(field: models.Field) -> Callable[[Any], Any] | None:
    """How a field's Python value becomes what the driver takes; None when it is taken as it is."""
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, cls=field.encoder)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    return None


def insert_objects(model: type[models.Model], objects: Iterable[models.Model]) -> None:
    """Insert unsaved ``objects`` as they stand (no defaults, signals or ids set on them)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    names = [f.attname for f in fields]
    # All of a row's values in one call (a tuple: attrgetter of one name would give the value).
    values_of = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    # Only the few fields needing it are converted, not every value of every row.
    converted = [(i, convert) for i, f in enumerate(fields) if (convert := driver_value(f)) is not None]

    def row(obj: models.Model) -> list[Any]:
        values = list(values_of(obj))
        for i, convert in converted:
            values[i] = convert(values[i])
        return values

    with connection.cursor() as cursor:
        insert_rows(cursor, model._meta.db_table, [f.column for f in fields], map(row, objects))


class CollectorPause:
    """Python's cyclic garbage collector paused while an import or a publication builds and keeps
    hundreds of thousands of rows. Those rows hold no reference cycles, yet the collector walks
    every young one again and again as they pile up: it took more than half of reading a large file.
    The pause is counted, so that overlapping pauses (threads) resume collecting only at the last end."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.depth = 0
        self.was_enabled = False

    @contextmanager
    def __call__(self) -> Iterator[None]:
        with self.lock:
            if self.depth == 0:
                self.was_enabled = gc.isenabled()
                gc.disable()
            self.depth += 1
        try:
            yield
        finally:
            with self.lock:
                self.depth -= 1
                if self.depth == 0 and self.was_enabled:
                    gc.enable()


collector_paused = CollectorPause()
