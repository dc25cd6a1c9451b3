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

COPY_CHUNK_ROWS = 10_000


def insert_columns(cursor, table: str, names: Sequence[str], columns: list[Sequence[Any]]) -> None:
    """Insert the rows whose values ``columns`` hold, a sequence of values for each of ``names``."""
    if not columns or not columns[0]:
        return
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    if connection.vendor == "postgresql":
        # A COPY for each chunk of rows, so that only one chunk's text is held at a time.
        for start in range(0, len(columns[0]), COPY_CHUNK_ROWS):
            chunk = [column[start : start + COPY_CHUNK_ROWS] for column in columns]
            cursor.cursor.copy_expert(f"COPY {table} ({quoted}) FROM STDIN", io.StringIO(copy_payload(chunk)))
    else:
        placeholders = ", ".join(["%s"] * len(names))
        rows = list(zip(*columns, strict=True))
        cursor.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({placeholders})", rows)


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


def copy_payload(columns: list[Sequence[Any]]) -> str:
    """The rows whose values ``columns`` hold, in COPY's text format: each column is written in
    one pass (see ``copy_column``), then the rows' lines are joined, so that in the common case
    no Python code runs for each value."""
    if not columns:
        return ""
    texts = [copy_column(column) for column in columns]
    return "\n".join(map("\t".join, zip(*texts, strict=True))) + "\n"


# What needs escaping in a text value of COPY's text format.
COPY_SPECIAL = ("\\", "\t", "\n", "\r")
TEXT_OF_BOOL = {True: "t", False: "f"}


def copy_column(values: Sequence[Any]) -> Sequence[str]:
    """What ``copy_text`` gives for each of ``values``; for a column of texts with nothing to
    escape, of numbers, of booleans or of nulls alone, without a call per value."""
    kinds = set(map(type, values))
    if kinds == {str}:
        joined = "".join(values)
        if not any(special in joined for special in COPY_SPECIAL):
            return values  # nothing to escape: the values are their own text
    elif kinds <= {int, Decimal}:  # a bool's type is bool, so booleans are not among them
        return list(map(str, values))
    elif kinds == {bool}:
        return list(map(TEXT_OF_BOOL.__getitem__, values))
    elif kinds == {type(None)}:
        return [r"\N"] * len(values)
    return list(map(copy_text, values))


def driver_value(field: models.Field) -> Callable[[Any], Any] | None:
    """How a field's Python value becomes what the driver takes; None when it is taken as it is."""
    if isinstance(field, models.JSONField):
        return lambda value: json.dumps(value, cls=field.encoder)
    if isinstance(field, models.DateTimeField):
        return connection.ops.adapt_datetimefield_value
    return None


def insert_objects(model: type[models.Model], objects: Iterable[models.Model]) -> None:
    """Insert unsaved ``objects`` as they stand (no defaults, signals or ids set on them)."""
    names = [f.attname for f in model._meta.concrete_fields if not f.primary_key]
    # All of a row's values in one call (a tuple: attrgetter of one name would give the value),
    # then the values a column at a time.
    values_of = operator.attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    insert_values(model, names, list(zip(*map(values_of, objects), strict=True)))


def insert_values(model: type[models.Model], names: Sequence[str], columns: list[Sequence[Any]]) -> None:
    """Insert rows of ``model`` whose values ``columns`` hold, a column for each field attname in
    ``names``, as the fields hold them (JSON and date-times are converted for the driver here)."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    columns = list(columns)
    for i, name in enumerate(names):
        if columns and (convert := driver_value(fields[name])) is not None:
            columns[i] = list(map(convert, columns[i]))  # only the few fields needing it
    with connection.cursor() as cursor:
        insert_columns(cursor, model._meta.db_table, [fields[name].column for name in names], columns)


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
