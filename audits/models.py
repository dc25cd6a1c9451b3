"""Quality assurance: case-file audit returns, complaints and compliments, inspections."""

from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords


class AuditActivity(models.TextChoices):
    CASE_FILE_AUDITS = "case_file", "Children's case-file audits"
    MODERATIONS = "moderation", "Moderations"
    FOSTERING_ADOPTION = "fostering_adoption", "Fostering and adoption audits"
    OTHER = "other", "Other audits"


class AuditReturn(models.Model):
    """One month's audit activity of one kind: how many were due, done and how rated."""

    month = models.DateField(help_text="The first day of the month the return covers.")
    activity = models.CharField(max_length=30, choices=AuditActivity)
    target = models.PositiveIntegerField(null=True, blank=True)
    completed = models.PositiveIntegerField(null=True, blank=True)
    rated_outstanding = models.PositiveIntegerField(null=True, blank=True)
    rated_good = models.PositiveIntegerField(null=True, blank=True)
    rated_requires_improvement = models.PositiveIntegerField(null=True, blank=True)
    rated_inadequate = models.PositiveIntegerField(null=True, blank=True)
    theme = models.CharField(max_length=300, blank=True)
    source = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["month", "activity"]
        constraints = [
            models.UniqueConstraint(fields=["month", "activity"], name="audits_return_one_per_month"),
            models.CheckConstraint(name="audits_return_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="audits_return_activity_valid", condition=Q(activity__in=AuditActivity.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_activity_display()} {self.month:%Y-%m}"

    RATING_FIELDS = (
        "rated_outstanding",
        "rated_good",
        "rated_requires_improvement",
        "rated_inadequate",
    )

    @property
    def rated_total(self) -> int | None:
        """Sum of the ratings given, or None when no rating was reported."""
        counts = [getattr(self, name) for name in self.RATING_FIELDS]
        if all(count is None for count in counts):
            return None
        return sum(count or 0 for count in counts)


class ComplaintsMonth(models.Model):
    """Complaints and compliments received in a month, and complaint response timeliness."""

    month = models.DateField(unique=True)
    complaints_received = models.PositiveIntegerField()
    compliments_received = models.PositiveIntegerField()
    percent_responded_in_timescale = models.DecimalField(
        max_digits=6, decimal_places=3, null=True, blank=True
    )
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["month"]
        verbose_name = "complaints and compliments month"
        constraints = [
            models.CheckConstraint(name="audits_complaints_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="audits_complaints_percent_0_to_100",
                condition=Q(percent_responded_in_timescale__isnull=True)
                | Q(percent_responded_in_timescale__gte=0, percent_responded_in_timescale__lte=100),
            ),
        ]

    def __str__(self) -> str:
        return f"Complaints {self.month:%Y-%m}"


class Inspectorate(models.TextChoices):
    OFSTED = "ofsted", "Ofsted"
    HMI_PROBATION = "hmi_probation", "HM Inspectorate of Probation"
    OTHER = "other", "Other"


class Inspection(models.Model):
    """An inspection or monitoring visit by a regulator, with its judgements."""

    inspectorate = models.CharField(max_length=20, choices=Inspectorate)
    service_inspected = models.CharField(max_length=200)
    kind = models.CharField(max_length=200, help_text="Full inspection, monitoring visit...")
    start_date = models.DateField(
        null=True,
        blank=True,
        help_text="First day, or the first of the month when the source gives only the month.",
    )
    end_date = models.DateField(null=True, blank=True)
    date_text = models.CharField(max_length=100, help_text="When it took place, in the source's words.")
    published_date = models.DateField(null=True, blank=True)
    overall_judgement = models.CharField(max_length=100, blank=True)
    focus = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date", "service_inspected"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspectorate", "service_inspected", "kind", "date_text"],
                name="audits_inspection_unique",
            ),
            models.CheckConstraint(
                name="audits_inspection_dates_ordered",
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_inspectorate_display()} {self.kind}: {self.service_inspected} ({self.date_text})"


class InspectionJudgement(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    area = models.CharField(max_length=300)
    judgement = models.CharField(max_length=100)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "order"]
        constraints = [models.UniqueConstraint(fields=["inspection", "area"], name="audits_judgement_unique")]

    def __str__(self) -> str:
        return f"{self.area}: {self.judgement}"
