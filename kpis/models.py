"""Key performance indicators: what is measured, its targets, monthly values and comparators."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast
from simple_history.models import HistoricalRecords

from finance.periods import financial_year_label


class Frequency(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    AS_AT_MONTH_END = "as_at_month_end", "As at month end"
    CUMULATIVE = "cumulative", "Cumulative"


class Polarity(models.TextChoices):
    HIGHER_IS_BETTER = "higher", "Higher is better"
    LOWER_IS_BETTER = "lower", "Lower is better"
    NONE = "none", "None (demand measure)"


class Unit(models.TextChoices):
    PERCENTAGE = "percentage", "Percentage"
    RATE_PER_10000 = "rate_per_10000", "Rate per 10,000"
    COUNT = "count", "Count"
    NUMBER = "number", "Number"


class Category(models.TextChoices):
    CONTRACT_KPI = "contract", "Contract KPI"
    HEADLINE = "headline", "Headline measure"


def unit_value_constraints(prefix: str) -> list[models.CheckConstraint]:
    """Range rules for a row holding ``value`` in ``unit``, enforced by the database itself.

    Percentages lie in 0-100; rates and counts are never negative; counts are whole.
    A missing value (NULL) passes, because missing is recorded with a reason instead.
    """
    value = Q(value__isnull=True)
    return [
        models.CheckConstraint(
            name=f"{prefix}_percentage_0_to_100",
            condition=value | ~Q(unit=Unit.PERCENTAGE) | Q(value__gte=0, value__lte=100),
        ),
        models.CheckConstraint(
            name=f"{prefix}_rate_and_count_not_negative",
            condition=value | ~Q(unit__in=[Unit.RATE_PER_10000, Unit.COUNT]) | Q(value__gte=0),
        ),
        models.CheckConstraint(
            name=f"{prefix}_count_whole",
            condition=value | ~Q(unit=Unit.COUNT) | Q(value=Cast(F("value"), models.BigIntegerField())),
        ),
    ]


class Indicator(models.Model):
    code = models.CharField(
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[0-9A-Za-z][0-9A-Za-z-]*$", "Use letters, digits and hyphens.")],
        help_text="Short reference used in reports and URLs, such as 1, 6a or CLA-RATE.",
    )
    title = models.CharField(max_length=300)
    definition = models.TextField(blank=True)
    service_area = models.CharField(max_length=100, blank=True, db_index=True)
    category = models.CharField(max_length=20, choices=Category, default=Category.CONTRACT_KPI)
    frequency = models.CharField(max_length=20, choices=Frequency)
    polarity = models.CharField(max_length=10, choices=Polarity)
    unit = models.CharField(max_length=20, choices=Unit)
    decimal_places = models.PositiveSmallIntegerField(default=1)
    no_change_band = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
        help_text="Movements no larger than this count as no change (and comparators as similar).",
    )
    amber_tolerance = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
        help_text="Amber band when the status is judged against a comparator; targets carry their own.",
    )
    active = models.BooleanField(default=True)
    display_order = models.PositiveIntegerField(default=0)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["display_order", "code"]
        constraints = [
            models.CheckConstraint(name="kpis_indicator_code_not_blank", condition=~Q(code="")),
            models.CheckConstraint(
                name="kpis_indicator_decimal_places_0_to_4", condition=Q(decimal_places__lte=4)
            ),
            models.CheckConstraint(
                name="kpis_indicator_frequency_valid", condition=Q(frequency__in=Frequency.values)
            ),
            models.CheckConstraint(
                name="kpis_indicator_polarity_valid", condition=Q(polarity__in=Polarity.values)
            ),
            models.CheckConstraint(name="kpis_indicator_unit_valid", condition=Q(unit__in=Unit.values)),
            models.CheckConstraint(
                name="kpis_indicator_bands_not_negative",
                condition=Q(no_change_band__gte=0, amber_tolerance__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        # Values carry a copy of the unit so the database can range-check them (see
        # MonthlyValue.unit); keep the copies in step. A unit change that would put an
        # existing value out of range fails here, in the database, as it should.
        MonthlyValue.objects.filter(indicator=self).exclude(unit=self.unit).update(unit=self.unit)
        ComparatorValue.objects.filter(indicator=self).exclude(unit=self.unit).update(unit=self.unit)


class Target(models.Model):
    """The target an indicator is held to for one financial year (April to March)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2022 means 2022/23."
    )
    value = models.DecimalField(max_digits=12, decimal_places=4)
    range_start = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="For a target stated as a range (a caseload of 15 to 18), its other end.",
    )
    amber_tolerance = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(0)],
        help_text="How far worse than target still counts as Amber; 0 means no Amber band.",
    )
    statement = models.TextField(blank=True, help_text="The target in the words of its source.")
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "financial_year"], name="kpis_target_one_per_year"),
            models.CheckConstraint(
                name="kpis_target_tolerance_not_negative", condition=Q(amber_tolerance__gte=0)
            ),
            models.CheckConstraint(
                name="kpis_target_year_plausible",
                condition=Q(financial_year__gte=2000, financial_year__lte=2100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} target {financial_year_label(self.financial_year)}"

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.financial_year)


class MissingReason(models.TextChoices):
    NOT_YET_AVAILABLE = "not_yet_available", "Not yet available"
    NOT_COLLECTED = "not_collected", "Not collected this month"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    SUPPRESSED = "suppressed", "Suppressed (small numbers)"
    DATA_QUALITY = "data_quality", "Withheld for data quality"


class ValueStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    PUBLISHED = "published", "Published"


class MonthlyValue(models.Model):
    """One indicator's figure for one month, or the reason there is none.

    Who changed it and when is in its history (``history``); who submitted and published the
    month is on the month's ``MonthlyReturn``.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    month = models.DateField(help_text="The first day of the month the value reports.")
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    missing_reason = models.CharField(max_length=30, choices=MissingReason, blank=True)
    # A copy of the indicator's unit, so that a CHECK constraint can hold the value to its
    # unit's range; Indicator.save() keeps it in step.
    unit = models.CharField(max_length=20, choices=Unit, editable=False)
    commentary = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=ValueStatus, default=ValueStatus.DRAFT)
    source = models.CharField(max_length=300, blank=True)
    entered_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "month"]
        permissions = [
            ("submit_return", "Can submit a month's return"),
            ("publish_month", "Can publish or reopen a month"),
        ]
        indexes = [models.Index(fields=["month", "indicator"])]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "month"], name="kpis_value_one_per_month"),
            models.CheckConstraint(name="kpis_value_month_is_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="kpis_value_or_missing_reason",
                condition=(Q(value__isnull=False) & Q(missing_reason=""))
                | (Q(value__isnull=True) & ~Q(missing_reason="")),
            ),
            models.CheckConstraint(
                name="kpis_value_status_valid", condition=Q(status__in=ValueStatus.values)
            ),
            *unit_value_constraints("kpis_value"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.month:%Y-%m}"

    def save(self, *args, **kwargs) -> None:
        self.unit = self.indicator.unit
        super().save(*args, **kwargs)


class Comparator(models.TextChoices):
    STATISTICAL_NEIGHBOURS = "sn", "Statistical neighbours"
    ENGLAND = "england", "England"
    WEST_MIDLANDS = "west_midlands", "West Midlands"
    OTHER = "other", "Other"


class ComparatorValue(models.Model):
    """A benchmark figure for an indicator over a stated period, with its source."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="comparators")
    comparator = models.CharField(max_length=20, choices=Comparator)
    comparator_name = models.CharField(
        max_length=100, blank=True, help_text="The comparator's name when it is 'Other'."
    )
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.DecimalField(max_digits=12, decimal_places=4)
    unit = models.CharField(max_length=20, choices=Unit, editable=False)
    source = models.CharField(max_length=300)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "comparator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "comparator", "comparator_name", "period_start", "period_end"],
                name="kpis_comparator_one_per_period",
            ),
            models.CheckConstraint(
                name="kpis_comparator_period_ordered", condition=Q(period_end__gte=F("period_start"))
            ),
            models.CheckConstraint(
                name="kpis_comparator_other_is_named",
                condition=~Q(comparator=Comparator.OTHER) | ~Q(comparator_name=""),
            ),
            models.CheckConstraint(
                name="kpis_comparator_valid", condition=Q(comparator__in=Comparator.values)
            ),
            *unit_value_constraints("kpis_comparator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.display_name} {self.period_start}-{self.period_end}"

    def save(self, *args, **kwargs) -> None:
        self.unit = self.indicator.unit
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.comparator_name or self.get_comparator_display()


class ReportedFigure(models.Model):
    """A figure a board paper states that is not a month's value of an indicator.

    Board papers quote workforce counts, twelve-month totals and comparisons in prose;
    they are kept here, with the words they came in, so that no published figure is lost.
    """

    topic = models.CharField(max_length=100, db_index=True)
    label = models.CharField(max_length=300)
    value = models.DecimalField(max_digits=14, decimal_places=4)
    unit = models.CharField(max_length=20, choices=Unit)
    period = models.CharField(max_length=100, help_text="The period as the source states it.")
    as_at = models.DateField(null=True, blank=True, help_text="The date the figure describes.")
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="reported_figures"
    )
    source = models.CharField(max_length=300)
    quote = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["topic", "as_at", "label"]
        constraints = [
            models.UniqueConstraint(fields=["label", "period", "source"], name="kpis_figure_unique"),
            *unit_value_constraints("kpis_figure")[:1],
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.period}): {self.display_value}"

    @property
    def display_value(self) -> str:
        """The figure as the paper wrote it: ``23.9%``, ``474``, ``140.23``."""
        text = f"{self.value.normalize():,f}"
        return f"{text}%" if self.unit == Unit.PERCENTAGE else text


class MonthlyReturn(models.Model):
    """A month's return as a whole: its place in the draft → submitted → published workflow.

    ``version`` goes up by one on every save, and a save must name the version it started
    from; a save from an older version is refused, so no one overwrites what they never saw.
    """

    month = models.DateField(unique=True)
    status = models.CharField(max_length=20, choices=ValueStatus, default=ValueStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    reopen_reason = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-month"]
        constraints = [
            models.CheckConstraint(name="kpis_return_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(
                name="kpis_return_status_valid", condition=Q(status__in=ValueStatus.values)
            ),
        ]

    def __str__(self) -> str:
        return f"Return {self.month:%Y-%m} ({self.get_status_display()})"

    @property
    def is_published(self) -> bool:
        return self.status == ValueStatus.PUBLISHED


class Suppression(models.TextChoices):
    """DfE's codes for a cell with no number; never to be read as zero."""

    CONFIDENTIAL = "c", "Confidential (c)"
    ROUNDS_TO_ZERO = "k", "Rounds to zero (k)"
    LOW_RELIABILITY = "u", "Low reliability (u)"
    NOT_AVAILABLE = "x", "Not available (x)"
    NOT_APPLICABLE = "z", "Not applicable (z)"
    LOW = "low", "Low (fewer than a threshold)"


class GeographicLevel(models.TextChoices):
    NATIONAL = "national", "National"
    REGIONAL = "regional", "Regional"
    LOCAL_AUTHORITY = "la", "Local authority"


class AreaValue(models.Model):
    """A published DfE figure for one area (England, a region or a local authority) and date."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="area_values")
    as_at = models.DateField(help_text="The date the figure describes, such as 30 September 2025.")
    level = models.CharField(max_length=10, choices=GeographicLevel)
    area_code = models.CharField(max_length=20, help_text="Old LA code (333), region or country code.")
    area_name = models.CharField(max_length=100)
    region_name = models.CharField(max_length=100, blank=True)
    value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    suppression = models.CharField(max_length=5, choices=Suppression, blank=True)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["indicator", "as_at", "level", "area_code"]
        indexes = [models.Index(fields=["indicator", "as_at", "level"])]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "as_at", "level", "area_code"], name="kpis_area_value_unique"
            ),
            models.CheckConstraint(
                name="kpis_area_value_or_suppression",
                condition=(Q(value__isnull=False) & Q(suppression=""))
                | (Q(value__isnull=True) & ~Q(suppression="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.area_name} {self.as_at}"


class NeighbourModel(models.Model):
    """A DfE statistical-neighbour model: each LA's ten closest authorities."""

    name = models.CharField(max_length=100, unique=True)
    applies_from = models.DateField(help_text="Figures describing this date or later use this model.")
    source = models.CharField(max_length=300)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-applies_from"]

    def __str__(self) -> str:
        return self.name


class Neighbour(models.Model):
    model = models.ForeignKey(NeighbourModel, on_delete=models.CASCADE, related_name="links")
    la_code = models.CharField(max_length=10)
    neighbour_code = models.CharField(max_length=10)
    rank = models.PositiveSmallIntegerField()
    closeness = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["model", "la_code", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["model", "la_code", "rank"], name="kpis_neighbour_unique"),
            models.CheckConstraint(
                name="kpis_neighbour_rank_1_to_10", condition=Q(rank__gte=1, rank__lte=10)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.la_code} → {self.neighbour_code} ({self.rank})"
