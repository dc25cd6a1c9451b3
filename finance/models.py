"""Finance: financial years, budget lines and named spending summaries, in pounds."""

from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from finance.periods import financial_year_label


class FinancialYear(models.Model):
    """A financial year, April to March, named by the year it starts in (2018 is 2018/19)."""

    start_year = models.PositiveSmallIntegerField(unique=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_year"]
        constraints = [
            models.CheckConstraint(
                name="finance_year_plausible", condition=Q(start_year__gte=2000, start_year__lte=2100)
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return financial_year_label(self.start_year)


class BudgetCategory(models.TextChoices):
    CONTRACT_SUM = "contract_sum", "Contract sum"
    STAFFING = "staffing", "Staffing"
    PLACEMENTS = "placements", "Placements"
    OVERHEADS = "overheads", "Overheads"
    GRANTS = "grants", "Grants and contributions"
    SUPPORT_SERVICES = "support_services", "Support services"
    VAT = "vat", "Irrecoverable VAT funding"
    OVERALL = "overall", "Whole trust"
    OTHER = "other", "Other"


class BudgetLine(models.Model):
    """A line of the trust's budget for a period (a year, or one month's position), in pounds.

    The variance is worked out from the budget and the forecast (or outturn), never typed.
    Papers sometimes state only a variance ("a budget pressure estimated to be £5.9m") with no
    budget or forecast; that is kept as ``stated_variance`` with its source, and only then.
    """

    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="lines")
    period = models.CharField(max_length=50, default="Full year")
    category = models.CharField(max_length=30, choices=BudgetCategory)
    description = models.CharField(max_length=300)
    budget = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    forecast = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    outturn = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    stated_variance = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="A variance a paper states without its budget and forecast: positive is an overspend.",
    )
    month = models.DateField(
        null=True, blank=True, help_text="For a month's position: the first day of the month it describes."
    )
    source = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year", "category", "description"]
        constraints = [
            models.UniqueConstraint(
                fields=["financial_year", "period", "category", "description"],
                name="finance_line_unique",
            ),
            models.CheckConstraint(
                name="finance_line_has_an_amount",
                condition=Q(budget__isnull=False)
                | Q(forecast__isnull=False)
                | Q(outturn__isnull=False)
                | Q(stated_variance__isnull=False),
            ),
            models.CheckConstraint(
                # Where the variance can be worked out, it is; a stated one is only for lines without.
                name="finance_line_variance_not_typed",
                condition=Q(stated_variance__isnull=True)
                | Q(budget__isnull=True)
                | (Q(forecast__isnull=True) & Q(outturn__isnull=True)),
            ),
            models.CheckConstraint(
                name="finance_line_month_first_day", condition=Q(month__isnull=True) | Q(month__day=1)
            ),
            models.CheckConstraint(
                name="finance_line_budget_not_negative",
                condition=Q(budget__isnull=True) | Q(budget__gte=0),
            ),
            models.CheckConstraint(
                name="finance_line_category_valid", condition=Q(category__in=BudgetCategory.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.financial_year} {self.description}"

    @property
    def variance(self):
        """Outturn (or, before it, forecast) less budget; positive is an overspend. None when unknown."""
        latest = self.outturn if self.outturn is not None else self.forecast
        if self.budget is not None and latest is not None:
            return latest - self.budget
        return self.stated_variance

    @property
    def variance_is_stated(self) -> bool:
        return self.stated_variance is not None


class SpendingSummary(models.Model):
    """A named table of spending, such as the Covid expenditure summary."""

    name = models.CharField(max_length=200, unique=True)
    source = models.CharField(max_length=300, blank=True)
    notes = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "spending summaries"

    def __str__(self) -> str:
        return self.name


class SpendingLine(models.Model):
    """One cell of a spending summary: a category's spend in one column (period).

    Lines marked as totals are the totals the source printed; they are kept as published so
    that a later check can compare them with the sum of the other lines.
    """

    summary = models.ForeignKey(SpendingSummary, on_delete=models.CASCADE, related_name="lines")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=50, help_text="The column heading, such as Q1 only.")
    category = models.CharField(max_length=30, choices=BudgetCategory)
    label = models.CharField(max_length=200)
    amount = models.DecimalField(max_digits=14, decimal_places=2, help_text="Pounds.")
    is_total = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["summary", "financial_year", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["summary", "financial_year", "period", "label"], name="finance_spending_unique"
            ),
            models.CheckConstraint(name="finance_spending_not_negative", condition=Q(amount__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.summary}: {self.label} {self.financial_year} {self.period}"
