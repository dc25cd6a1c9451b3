from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords


class ImportOutcome(models.TextChoices):
    PREVIEWED = "previewed", "Previewed, not yet imported"
    REFUSED = "refused", "Refused: errors found"
    IMPORTED = "imported", "Imported"
    # Previewed, never confirmed, and its file deleted by the purge command after a set time.
    EXPIRED = "expired", "Not confirmed in time: the file was deleted"
    # A large import confirmed on the web page runs in a process of its own
    # (sct_monitor.importing.background).
    RUNNING = "running", "Importing: under way"
    FAILED = "failed", "Stopped with an error: nothing imported"


class ImportLog(models.Model):
    """Every import tried: who, when, what file (with its SHA-256), what it did or why not."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)  # when a background import began
    finished_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=30)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    errors = models.TextField(blank=True, help_text="The first errors found, one per line.")
    warnings = models.TextField(
        blank=True, help_text="What the file lacks or the import could not do, one per line; not errors."
    )
    override_published = models.BooleanField(default=False)
    # Choices made with the upload that the check and the import both need (such as the date a
    # neighbour model applies from, or replacing figures from a newer publication).
    options = models.JSONField(default=dict, blank=True)
    outcome = models.CharField(max_length=20, choices=ImportOutcome)
    via = models.CharField(max_length=20, default="web")
    # The uploaded bytes, kept between preview and confirmation, then cleared.
    content = models.BinaryField(blank=True, default=b"", editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Import {self.pk}: {self.kind} {self.file_name} ({self.get_outcome_display()})"

    @property
    def has_stopped(self) -> bool:
        """Still running, but started longer ago than any import takes: its process was killed,
        and it wrote nothing."""
        return (
            self.outcome == ImportOutcome.RUNNING
            and self.started_at is not None
            and self.started_at < stopped_if_started_before()
        )

    @property
    def outcome_text(self) -> str:
        return (
            "Stopped without finishing: nothing imported" if self.has_stopped else self.get_outcome_display()
        )


def stopped_if_started_before(now: datetime | None = None) -> datetime:
    """An import still running that started before this has stopped (IMPORT_RUNNING_LIMIT_MINUTES)."""
    return (now or timezone.now()) - timedelta(minutes=settings.IMPORT_RUNNING_LIMIT_MINUTES)


class NarrativeSection(models.TextChoices):
    """The parts of the contract's Monthly Monitoring Report (Schedule 6 para 4.2) officers write."""

    SUMMARY = "summary", "4.2.1 Summary analysis, with the actions being taken"
    FAILURES = "failures", "4.2.3 Performance failures"
    ACTION_PLANS = "action_plans", "4.2.4 Action plans"
    RECTIFICATION_PLANS = "rectification_plans", "4.2.5 Rectification plans"
    AUDITS = "audits", "4.2.6 Audit findings"
    SURVEYS = "surveys", "4.2.7 Surveys"
    INSPECTIONS = "inspections", "4.2.8 Inspection outcomes"
    COMPLAINTS = "complaints", "Complaints and compliments"
    FINANCE = "finance", "Finance"
    WORKFORCE = "workforce", "Workforce"


class ReportNarrative(models.Model):
    """What officers write for a period's report, section by section.

    ``period`` is a period key: ``2022-06`` for a month, ``2022-23-q1`` for a quarter. It is frozen
    into the publication of the month it belongs to (a quarter's belongs to its last month), so
    the board's report never changes without a revision.
    """

    period = models.CharField(max_length=20)
    section = models.CharField(max_length=30, choices=NarrativeSection)
    text = models.TextField()
    source = models.CharField(max_length=300, blank=True, help_text="Where the words come from, if loaded.")

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "section"]
        constraints = [
            models.UniqueConstraint(fields=["period", "section"], name="sct_narrative_one_per_section"),
            models.CheckConstraint(
                name="sct_narrative_section_valid", condition=models.Q(section__in=NarrativeSection.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_section_display()}"


class DataVersion(models.Model):
    """One row whose number every committed write to the service's data advances.

    Database triggers (installed after every migrate by ``sct_monitor.data_version``) bump it in
    the writing transaction, so the new number becomes visible exactly when the write does, on
    every app server at once. Cached pages are keyed on it.
    """

    number = models.BigIntegerField(default=0)
    # When it last moved, by the database's clock: if a backup is restored the number goes back,
    # but the time of the next write is later than any before, so no (number, stamp) recurs.
    stamp = models.CharField(max_length=40, default="")

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"data version {self.number}"


class TableVersion(models.Model):
    """How many writing statements each watched table has had: the same triggers that advance
    the data version advance its table's row too, in the writing transaction.

    What is remembered because of what it read (``sct_monitor.table_memo``) is kept while the
    tables it read are unchanged, so a write to one table leaves results read from others alone.
    """

    name = models.CharField(max_length=100, primary_key=True)
    number = models.BigIntegerField(default=0)
    # As DataVersion's: a restored backup sets numbers back, but never to a (number, stamp) seen.
    stamp = models.CharField(max_length=40, default="")

    class Meta:
        verbose_name = "table version"

    def __str__(self) -> str:
        return f"{self.name} version {self.number}"


class IndicatorVersion(models.Model):
    """How many writes have touched each indicator's own rows (the indicator itself, its working
    and published figures, its targets and its comparators): a row a statement on SQLite, once a
    transaction on PostgreSQL.

    Triggers advance an indicator's row in the writing transaction, as they advance the table
    versions. What is remembered per indicator (``table_memo.remembered_per_indicator``) is kept
    while its indicator's row is unchanged, so a write to one indicator leaves the others' rows
    of a page as they were rendered. Not a foreign key: an indicator's row outlives nothing, and
    a delete must not wait on it.
    """

    indicator_id = models.BigIntegerField(primary_key=True)
    number = models.BigIntegerField(default=0)
    # As DataVersion's: a restored backup sets numbers back, but never to a (number, stamp) seen.
    stamp = models.CharField(max_length=40, default="")
    # The transaction that last advanced it (PostgreSQL): readers see a transaction's writes all
    # at once, at its commit, so one advance a transaction is enough, and the statements after
    # the first (an import publishing a hundred months) leave the row alone.
    transaction = models.BigIntegerField(null=True)

    class Meta:
        verbose_name = "indicator version"

    def __str__(self) -> str:
        return f"indicator {self.indicator_id} version {self.number}"
