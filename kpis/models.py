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
    QUARTERLY = "quarterly", "Quarterly (reported in June, September, December and March)"


# The last month of each quarter of the financial year: when quarterly indicators report.
QUARTER_END_MONTHS = (3, 6, 9, 12)


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
    significant_variance = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=(
            "A move on the previous period larger than this needs commentary when the return is "
            "submitted (Schedule 6 para 4.2.2). Blank: only Red values need commentary."
        ),
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
            models.CheckConstraint(
                name="kpis_indicator_variance_not_negative",
                condition=Q(significant_variance__isnull=True) | Q(significant_variance__gte=0),
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

    @property
    def is_quarterly(self) -> bool:
        return self.frequency == Frequency.QUARTERLY

    @property
    def period_months(self) -> int:
        """How many months apart its values are: 3 for quarterly indicators, else 1."""
        return 3 if self.is_quarterly else 1

    @property
    def period_word(self) -> str:
        return "quarter" if self.is_quarterly else "month"

    def reports_in(self, month) -> bool:
        """Whether a value is expected for ``month``: quarterly ones only at a quarter's end."""
        return not self.is_quarterly or month.month in QUARTER_END_MONTHS


class TargetJudgement(models.TextChoices):
    """How a target judges the months of its year."""

    EVERY_MONTH = "monthly", "Every month, against the target"
    TRAJECTORY = "trajectory", "Against a straight-line trajectory to the target by its date"
    AT_DUE_DATE = "at_due_date", "Only at its date"


class Target(models.Model):
    """The target an indicator is held to for one financial year (April to March).

    A range (caseloads of 15 to 18) is ``value`` to ``value_to``; it is judged against its worse
    end. An end-point target ("796 children in care by 31 March 2023") has a ``due`` date and is
    judged either against a straight line from the year's opening value or only at that date.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets")
    financial_year = models.PositiveSmallIntegerField(
        help_text="The year the financial year starts in: 2022 means 2022/23."
    )
    value = models.DecimalField(
        max_digits=12, decimal_places=4, help_text="The target, or a range's low end."
    )
    value_to = models.DecimalField(
        max_digits=12,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="For a target stated as a range (a caseload of 15 to 18), its high end.",
    )
    judged = models.CharField(max_length=20, choices=TargetJudgement, default=TargetJudgement.EVERY_MONTH)
    due = models.DateField(
        null=True, blank=True, help_text="For an end-point target, the date it is to be met by."
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
            models.CheckConstraint(
                name="kpis_target_range_ordered",
                condition=Q(value_to__isnull=True) | Q(value_to__gt=F("value")),
            ),
            models.CheckConstraint(
                name="kpis_target_judged_valid", condition=Q(judged__in=TargetJudgement.values)
            ),
            models.CheckConstraint(
                name="kpis_target_end_point_has_date",
                condition=Q(judged=TargetJudgement.EVERY_MONTH, due__isnull=True)
                | (~Q(judged=TargetJudgement.EVERY_MONTH) & Q(due__isnull=False)),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} target {financial_year_label(self.financial_year)}"

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.financial_year)

    @property
    def year_key(self) -> str:
        """``2022-23``: the financial year as written in URLs."""
        return self.financial_year_label.replace("/", "-")

    @property
    def is_end_point(self) -> bool:
        return self.judged != TargetJudgement.EVERY_MONTH

    def judged_value(self, polarity: str) -> Decimal:
        """The end a range is judged against: its worse end by polarity."""
        if self.value_to is None:
            return self.value
        return self.value if polarity == Polarity.HIGHER_IS_BETTER else self.value_to


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

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values", db_index=False)
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


class ComparatorOrigin(models.TextChoices):
    PAPER = "paper", "Board paper or other stated source"
    DFE = "dfe", "Computed from DfE figures"


class ComparatorValue(models.Model):
    """A benchmark figure for an indicator over a stated period, with its source.

    A paper's comparator and one computed from DfE figures may cover the same period: both are
    kept (``origin`` tells them apart), and the paper's judges the months it covers (see
    kpis.scorecard.Benchmarks.comparator).
    """

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
    origin = models.CharField(max_length=10, choices=ComparatorOrigin, default=ComparatorOrigin.PAPER)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator", "comparator", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "comparator", "comparator_name", "period_start", "period_end", "origin"],
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
    series = models.CharField(
        max_length=50,
        blank=True,
        help_text="Figures of one series (such as establishment) are drawn together.",
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
    # How many times the month has been published: 0 never, 1 first publication, 2+ corrections.
    published_revision = models.PositiveIntegerField(default=0)

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

    @property
    def is_reopened(self) -> bool:
        """Published before and now open for a correction; the board still sees the published figures."""
        return not self.is_published and self.published_revision > 0

    @property
    def state_label(self) -> str:
        if not self.pk:
            return "Not started"
        if self.is_reopened:
            return f"Reopened ({self.get_status_display().lower()})"
        return self.get_status_display()


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
    file_latest = models.DateField(
        null=True,
        blank=True,
        help_text="The latest date the file that gave this figure holds for its indicator: how new "
        "its publication is. An older publication may not replace it without an override.",
    )

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
    """A DfE statistical-neighbour model: each LA's ten closest authorities.

    ``applies_from`` is stated by the administrator who imports it (never read from a file name):
    it is when the model came into force. Under the default rule (LAIT's) every year is compared
    with the current model; settings.SN_MODEL_RULE = "at_the_time" uses the model in force then.
    """

    name = models.CharField(max_length=100, unique=True)
    applies_from = models.DateField(
        unique=True, help_text="The date the model came into force, such as 1 May 2025."
    )
    source = models.CharField(max_length=300)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-applies_from"]

    def __str__(self) -> str:
        return self.name


class Neighbour(models.Model):
    model = models.ForeignKey(NeighbourModel, on_delete=models.CASCADE, related_name="links")
    la_code = models.CharField(max_length=10)
    la_name = models.CharField(max_length=100, blank=True)
    neighbour_code = models.CharField(max_length=10)
    neighbour_name = models.CharField(max_length=100, blank=True)
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


class DfeMapping(models.Model):
    """Which column of a DfE file feeds which indicator: data an administrator keeps, not code.

    ``filters`` picks the rows (``population_type=Children looked after on 31 March each year``;
    any number, ``;`` between them); ``stands_on`` is the month and day each figure describes
    (``03-31``). A derived rate divides the column by the ``denominator`` indicator's figure for
    the same area ``denominator_year_offset`` years away, times ``multiplier``, rounded half up
    to ``decimal_places`` (the DfE's child-protection rate: CPP_At31 in year Y over the ONS
    estimate of children for mid-year Y-1, times 10,000, to one place).
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="dfe_mappings")
    column = models.CharField(max_length=100, help_text="The file's column, such as vacancy_rate_fte.")
    filters = models.CharField(
        max_length=500,
        blank=True,
        help_text="Rows to use, as name=value;name=value. Blank for every row.",
    )
    stands_on = models.CharField(
        max_length=5, help_text="The month and day each figure describes, MM-DD: 03-31 for 31 March."
    )
    publication = models.CharField(
        max_length=100,
        blank=True,
        help_text="The publication the column comes from, such as ‘Children's social work workforce’. "
        "A file with some of a publication's columns is warned about the ones it lacks.",
    )
    denominator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="denominator_for",
        help_text="For a derived rate: the indicator holding the denominator (such as the ONS "
        "estimate of children aged 0 to 17).",
    )
    denominator_year_offset = models.SmallIntegerField(
        default=0, help_text="Years from the figure's year to the denominator's: -1 for the year before."
    )
    multiplier = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    decimal_places = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Rounding of a derived rate (half up, as the DfE publishes)."
    )
    rank_polarity = models.CharField(
        max_length=10,
        choices=[("", "As the indicator's own polarity"), *Polarity.choices],
        blank=True,
        help_text="How the DfE's LAIT ranks and bands this figure, where it differs from the indicator's "
        "own polarity: LAIT gives the looked-after rate no better direction, so it is neither ranked "
        "nor banded.",
    )
    definition_note = models.TextField(
        blank=True,
        help_text="Where the DfE's definition differs from the trust's own measure, shown beside the "
        "DfE figure (such as ‘the DfE's vacancy rate is at 30 September; the trust's is monthly’).",
    )
    description = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["indicator__display_order", "indicator__code", "column", "filters"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "column", "filters"], name="kpis_dfe_mapping_unique"
            ),
            models.CheckConstraint(
                name="kpis_dfe_mapping_derived_has_places",
                condition=Q(denominator__isnull=True) | Q(decimal_places__isnull=False),
            ),
            models.CheckConstraint(
                name="kpis_dfe_mapping_multiplier_positive", condition=Q(multiplier__gt=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.column} → {self.indicator.code}"

    @property
    def is_derived(self) -> bool:
        return self.denominator_id is not None


class Publication(models.Model):
    """One publication of a month: the first (revision 1) or a correction (2 and later).

    Its values (``PublishedValue``) are what the board saw, frozen with the status, basis, target
    and comparators of the day, so later changes to targets or comparators never rewrite them.
    """

    month = models.DateField()
    revision = models.PositiveIntegerField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField()
    reason = models.TextField(blank=True, help_text="Why a published month was corrected.")
    return_version = models.PositiveIntegerField(default=0)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["month", "revision"]
        constraints = [
            models.UniqueConstraint(fields=["month", "revision"], name="kpis_publication_unique"),
            models.CheckConstraint(name="kpis_publication_month_first_day", condition=Q(month__day=1)),
            models.CheckConstraint(name="kpis_publication_revision_positive", condition=Q(revision__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} revision {self.revision}"

    @property
    def is_correction(self) -> bool:
        return self.revision > 1


class PublishedValue(models.Model):
    """A value as the board saw it when its month was published, with its judgement frozen.

    Rows of earlier revisions are kept (``is_current`` false) so the history of what was shown
    survives; board pages read only the current rows.
    """

    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="values", db_index=False
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="published_values", db_index=False
    )
    month = models.DateField()
    is_current = models.BooleanField(default=True)
    value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    missing_reason = models.CharField(max_length=30, choices=MissingReason, blank=True)
    commentary = models.TextField(blank=True)
    # The judgement of the day: status, what it was judged against, the target as shown.
    rag = models.CharField(max_length=10)
    basis = models.CharField(max_length=300, blank=True)
    target_text = models.CharField(max_length=100, blank=True)
    # Comparators and movements as shown: {"comparators": [...], "on_last_month": "...", ...}
    details = models.JSONField(default=dict, blank=True)
    # The latest correction of this figure, if any: what it was, when and why it changed.
    revised = models.BooleanField(default=False)
    was_value = models.DecimalField(max_digits=12, decimal_places=4, null=True, blank=True)
    was_missing_reason = models.CharField(max_length=30, choices=MissingReason, blank=True)
    was_commentary = models.TextField(blank=True)
    revised_at = models.DateTimeField(null=True, blank=True)
    revision_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["month", "indicator"]
        indexes = [
            models.Index(fields=["is_current", "month", "indicator"]),
            models.Index(fields=["indicator", "month"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "month"],
                condition=Q(is_current=True),
                name="kpis_published_value_one_current",
            ),
            models.UniqueConstraint(
                fields=["publication", "indicator"], name="kpis_published_value_once_per_publication"
            ),
            models.CheckConstraint(
                name="kpis_published_value_or_missing_reason",
                condition=(Q(value__isnull=False) & Q(missing_reason=""))
                | (Q(value__isnull=True) & ~Q(missing_reason="")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.month:%Y-%m} (published)"

    # Board pages read these rows where officers read MonthlyValue; both answer ``status``.
    @property
    def status(self) -> str:
        return ValueStatus.PUBLISHED

    def same_figure_as(self, value, missing_reason: str, commentary: str) -> bool:
        return (self.value, self.missing_reason, self.commentary) == (value, missing_reason, commentary)


class ImprovementPlan(models.Model):
    """An improvement plan: its priorities and enablers, how success is measured, and its reviews."""

    name = models.CharField(max_length=200, unique=True)
    starts = models.DateField(null=True, blank=True)
    ends = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts", "name"]

    def __str__(self) -> str:
        return self.name


class PriorityKind(models.TextChoices):
    PRIORITY = "priority", "Priority"
    ENABLER = "enabler", "Enabler"


class PlanPriority(models.Model):
    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="priorities")
    kind = models.CharField(max_length=10, choices=PriorityKind, default=PriorityKind.PRIORITY)
    number = models.PositiveSmallIntegerField()
    area = models.CharField(max_length=100, blank=True, help_text="People, Practice, Partnerships...")
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True, help_text="Paragraphs; lines starting '- ' are a list.")
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "kind", "number"]
        verbose_name_plural = "plan priorities"
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "number"], name="kpis_plan_priority_unique"),
            models.CheckConstraint(
                name="kpis_plan_priority_kind_valid", condition=Q(kind__in=PriorityKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_kind_display()} {self.number}"


class MeasureKind(models.TextChoices):
    QUANTITATIVE = "quantitative", "Quantitative"
    QUALITATIVE = "qualitative", "Qualitative"


class Expected(models.TextChoices):
    INCREASE = "increase", "To increase"
    DECREASE = "decrease", "To decrease"
    NONE = "", "Not a figure"


class SuccessMeasure(models.Model):
    """How a plan says its success will show; linked to the indicator that measures it, if any."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="measures")
    kind = models.CharField(max_length=20, choices=MeasureKind)
    order = models.PositiveSmallIntegerField()
    text = models.TextField()
    indicator = models.ForeignKey(
        Indicator, on_delete=models.SET_NULL, null=True, blank=True, related_name="success_measures"
    )
    expected = models.CharField(max_length=10, choices=Expected, blank=True)
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "kind", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "kind", "order"], name="kpis_measure_unique"),
            models.CheckConstraint(name="kpis_measure_kind_valid", condition=Q(kind__in=MeasureKind.values)),
            models.CheckConstraint(
                name="kpis_measure_expected_needs_indicator",
                condition=Q(expected="") | Q(indicator__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.get_kind_display()} measure {self.order}"


class PlanMilestone(models.Model):
    """A plan's stated aim for a date, such as 'Requires Improvement' by 2020."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="milestones")
    by = models.DateField(help_text="The end of the year it is to be reached by.")
    outcome = models.CharField(max_length=100, help_text="The Ofsted judgement aimed for.")
    statement = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "by"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "by", "outcome"], name="kpis_milestone_unique")
        ]

    def __str__(self) -> str:
        return f"{self.outcome} by {self.by:%Y}"


class ReviewNote(models.Model):
    """A 12-weekly review of progress on a plan (or one of its priorities)."""

    plan = models.ForeignKey(ImprovementPlan, on_delete=models.CASCADE, related_name="reviews")
    priority = models.ForeignKey(
        PlanPriority, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    on = models.DateField()
    text = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "-on", "-id"]

    def __str__(self) -> str:
        return f"Review of {self.plan} on {self.on}"
