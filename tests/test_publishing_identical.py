"""Publishing the seed data freezes exactly the rows it froze before publishing was made faster.

``publications_seed_digests.json`` holds, for every month the seed data publishes, how many
PublishedValue rows it has and a SHA-256 of them (every field a board page or a revision note reads:
value, missing reason, commentary, rag, basis, target text, details, revision fields). It was
written by ``seed_publication_digests`` below, run against the code before the publishing speed-up
(on PostgreSQL and SQLite alike); the test recomputes it with today's code.
"""

import hashlib
import json
from decimal import Decimal
from pathlib import Path

import pytest

from kpis.models import PublishedValue
from sct_monitor.seed import SeedLoader

pytestmark = pytest.mark.django_db

DIGESTS = Path(__file__).with_name("publications_seed_digests.json")
FIELDS = (
    "indicator__code", "month", "publication__revision", "is_current", "value", "missing_reason",
    "commentary", "rag", "basis", "target_text", "details", "revised", "was_value",
    "was_missing_reason", "was_commentary", "revision_reason",
)  # fmt: skip


def canonical(value) -> str:
    """One field as text the same on every database (PostgreSQL pads decimals to their places)."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return json.dumps(value, sort_keys=True, default=str)


def seed_publication_digests() -> dict[str, list]:
    """{month: [rows, sha256 of its rows]} for the published rows in the database."""
    by_month: dict[str, list[str]] = {}
    rows = PublishedValue.objects.order_by("month", "indicator__code", "publication__revision")
    for row in rows.values_list(*FIELDS):
        by_month.setdefault(f"{row[1]:%Y-%m}", []).append("\t".join(map(canonical, row)))
    return {
        month: [len(lines), hashlib.sha256("\n".join(lines).encode()).hexdigest()]
        for month, lines in by_month.items()
    }


def test_the_seed_data_publishes_the_same_rows_as_before():
    SeedLoader().load()
    expected = json.loads(DIGESTS.read_text())
    assert sum(count for count, _ in expected.values()) > 400  # every seed month, not a few
    assert seed_publication_digests() == expected


def test_a_published_row_names_every_field_of_the_model_but_its_id_and_publication():
    """publishing.PublishedRow is what a publication writes for each figure: a field it lacked
    would be left to the database's default, and a name the model lacks could not be written."""
    from kpis.publishing import PublishedRow

    fields = [f.attname for f in PublishedValue._meta.concrete_fields]
    assert sorted(PublishedRow._fields) == sorted(set(fields) - {"id", "publication_id"})
