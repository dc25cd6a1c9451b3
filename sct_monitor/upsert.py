"""Write rows by natural key, touching only what differs, in bulk.

Re-running a load must change nothing: rows whose fields already hold the given values are
left alone (no save, so no change-history entry), new rows are bulk-created and changed rows
bulk-updated, each with a history record.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

# Rows per INSERT or UPDATE: large enough to be fast, small enough for SQLite's variable limit.
BATCH_SIZE = 2000


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    objects: dict[tuple, models.Model] = field(default_factory=dict)
    changed_keys: set[tuple] = field(default_factory=set)  # keys created or updated

    def __str__(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


def upsert(
    model: type[models.Model],
    key_fields: Sequence[str],
    rows: Iterable[dict[str, Any]],
    existing: models.QuerySet | None = None,
    change_reason: str = "",
    user=None,
    dry_run: bool = False,
) -> UpsertResult:
    """Create or update ``model`` rows identified by ``key_fields``.

    ``rows`` are dicts of field attname -> value (use ``indicator_id``, not ``indicator``).
    ``existing`` narrows the rows read back for comparison (default: all of the model).
    ``change_reason`` and ``user`` are recorded on every history entry written.
    With ``dry_run`` nothing is written: the result says what would be.
    """
    queryset = existing if existing is not None else model.objects.all()
    current = {tuple(getattr(obj, name) for name in key_fields): obj for obj in queryset}
    result = UpsertResult()
    to_create: list[models.Model] = []
    to_update: list[models.Model] = []
    changed_fields: set[str] = set()
    seen: set[tuple] = set()
    for row in rows:
        key = tuple(row[name] for name in key_fields)
        if key in seen:
            raise ValueError(f"{model.__name__}: the key {key} appears twice")
        seen.add(key)
        obj = current.get(key)
        if obj is None:
            obj = model(**row)
            to_create.append(obj)
            result.changed_keys.add(key)
        else:
            differing = [name for name, value in row.items() if getattr(obj, name) != value]
            if differing:
                for name in differing:
                    setattr(obj, name, row[name])
                changed_fields.update(differing)
                to_update.append(obj)
                result.changed_keys.add(key)
            else:
                result.unchanged += 1
        result.objects[key] = obj
    if dry_run:
        result.created, result.updated = len(to_create), len(to_update)
        return result
    # Models without change history (published reference data such as DfE tables) are written plainly.
    historical = hasattr(model, "history")
    if to_create and not historical:
        model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    elif to_create:
        bulk_create_with_history(
            to_create, model, batch_size=BATCH_SIZE, default_change_reason=change_reason, default_user=user
        )
        # bulk_create sets primary keys on PostgreSQL and SQLite; re-read to be sure everywhere.
        if any(obj.pk is None for obj in to_create):
            refreshed = {tuple(getattr(o, n) for n in key_fields): o for o in queryset.all()}
            for key in list(result.objects):
                result.objects[key] = refreshed.get(key, result.objects[key])
    if to_update and not historical:
        model.objects.bulk_update(to_update, sorted(changed_fields), batch_size=BATCH_SIZE)
    elif to_update:
        bulk_update_with_history(
            to_update, model, sorted(changed_fields), batch_size=BATCH_SIZE,
            default_change_reason=change_reason, default_user=user,
        )  # fmt: skip
    result.created, result.updated = len(to_create), len(to_update)
    return result
