"""Quality assurance: case-file audits, complaints and compliments, inspections and what they ask
for, action and rectification plans, risks and surveys.

Owners are roles or teams, never people's cases: no child's record is held.
"""

from datetime import date

from django.conf import settings
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
    # Moderation: how many moderated audits kept their rating, were upgraded or downgraded.
    moderation_agreed = models.PositiveIntegerField(null=True, blank=True)
    moderation_upgraded = models.PositiveIntegerField(null=True, blank=True)
    moderation_downgraded = models.PositiveIntegerField(null=True, blank=True)
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
    # A visit or inspection the papers say is coming, not yet held.
    expected = models.BooleanField(default=False)
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


class FindingKind(models.TextChoices):
    GOOD_PRACTICE = "good_practice", "What is working well"
    IMPROVE = "improve", "What needs to improve"
    ACTION = "action", "Actions taken"


class AuditFinding(models.Model):
    """One finding of an audit theme: good practice, an area to improve, or an action taken."""

    period = models.CharField(max_length=20, help_text="A period key: 2018-10 or 2018-19-q3.")
    theme = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=FindingKind)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "theme", "kind", "order"]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "theme", "kind", "order"], name="audits_finding_unique"
            ),
            models.CheckConstraint(
                name="audits_finding_kind_valid", condition=Q(kind__in=FindingKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.theme}: {self.get_kind_display()} {self.order}"


class ComplaintsTarget(models.Model):
    """The share of complaints to be answered in timescale, for a financial year."""

    financial_year = models.PositiveSmallIntegerField(unique=True)
    percent_in_timescale = models.DecimalField(max_digits=6, decimal_places=3)
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["financial_year"]
        constraints = [
            models.CheckConstraint(
                name="audits_complaints_target_0_to_100",
                condition=Q(percent_in_timescale__gte=0, percent_in_timescale__lte=100),
            )
        ]

    def __str__(self) -> str:
        return f"Complaints target {self.financial_year}"


class ComplaintsSplit(models.Model):
    """The share of a period's complaints about one service area, as the papers split them."""

    period = models.CharField(max_length=20)
    service_area = models.CharField(max_length=100)
    percent = models.DecimalField(max_digits=6, decimal_places=3)
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "-percent"]
        constraints = [
            models.UniqueConstraint(fields=["period", "service_area"], name="audits_split_unique"),
            models.CheckConstraint(
                name="audits_split_0_to_100", condition=Q(percent__gte=0, percent__lte=100)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.service_area}"


class ComplaintsNoteKind(models.TextChoices):
    THEME = "theme", "Theme"
    LEARNING = "learning", "Learning"


class ComplaintsNote(models.Model):
    """A theme of a period's complaints, or what was learnt from them."""

    period = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=ComplaintsNoteKind)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "kind", "order"]
        constraints = [
            models.UniqueConstraint(fields=["period", "kind", "order"], name="audits_complaints_note_unique"),
            models.CheckConstraint(
                name="audits_complaints_note_kind_valid", condition=Q(kind__in=ComplaintsNoteKind.values)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period} {self.get_kind_display()} {self.order}"


class ItemKind(models.TextChoices):
    REQUIREMENT = "requirement", "Statutory requirement"
    RECOMMENDATION = "recommendation", "Recommendation"
    IMPROVEMENT = "improvement", "Area for improvement"
    STRENGTH = "strength", "Strength"


class ItemState(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    CLOSED = "closed", "Closed (superseded)"


class InspectionItem(models.Model):
    """What an inspection or visit asked for (or found strong), with its due date and state.

    Overdue is worked out, never stored: an open item whose due date has passed.
    """

    inspection = models.ForeignKey("Inspection", on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(max_length=20, choices=ItemKind)
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    reference = models.CharField(max_length=300, blank=True, help_text="The regulation or standard cited.")
    due = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=ItemState, default=ItemState.OPEN)
    met_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True, help_text="What shows it is met, or progress towards it.")
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["inspection", "kind", "order"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "kind", "order"], name="audits_item_unique"),
            models.CheckConstraint(name="audits_item_kind_valid", condition=Q(kind__in=ItemKind.values)),
            models.CheckConstraint(name="audits_item_state_valid", condition=Q(state__in=ItemState.values)),
            models.CheckConstraint(
                name="audits_item_met_has_date",
                condition=~Q(state=ItemState.MET) | Q(met_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.order} of {self.inspection}"

    def is_overdue(self, today: date) -> bool:
        return self.state == ItemState.OPEN and self.due is not None and self.due < today

    def state_on(self, today: date) -> str:
        return "Overdue" if self.is_overdue(today) else self.get_state_display()


class PlanKind(models.TextChoices):
    ACTION = "action", "Action plan"
    RECTIFICATION = "rectification", "Rectification plan"


class PlanOrigin(models.TextChoices):
    INSPECTION = "inspection", "An inspection or visit"
    FAILURE = "failure", "A performance failure"
    IMPROVEMENT_PLAN = "improvement_plan", "The improvement plan"
    AUDIT = "audit", "An audit"


class Plan(models.Model):
    """An action plan or a rectification plan (contract Schedule 6 para 4.2.4 and 4.2.5)."""

    kind = models.CharField(max_length=20, choices=PlanKind)
    title = models.CharField(max_length=300)
    origin = models.CharField(max_length=20, choices=PlanOrigin)
    inspection = models.ForeignKey(
        "Inspection", on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    indicator = models.ForeignKey(
        "kpis.Indicator", on_delete=models.PROTECT, null=True, blank=True, related_name="plans",
        help_text="For a rectification plan: the indicator whose performance failure it answers.",
    )  # fmt: skip
    owner = models.CharField(max_length=200, help_text="A role or team, such as Director of Operations.")
    started = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "-started", "title"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "title"], name="audits_plan_unique"),
            models.CheckConstraint(name="audits_plan_kind_valid", condition=Q(kind__in=PlanKind.values)),
            models.CheckConstraint(
                name="audits_plan_origin_valid", condition=Q(origin__in=PlanOrigin.values)
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ActionState(models.TextChoices):
    UNKNOWN = "unknown", "Not reported"
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"


class ActionRag(models.TextChoices):
    RED = "red", "Red"
    AMBER = "amber", "Amber"
    GREEN = "green", "Green"
    NONE = "none", "Not rated"


class Action(models.Model):
    """One action of a plan: what, who (a role or team), by when, where it stands."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField(default=0)
    text = models.TextField()
    owner = models.CharField(max_length=200, help_text="A role or team, never a child or family.")
    due = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=20, choices=ActionState, default=ActionState.UNKNOWN)
    rag = models.CharField(max_length=10, choices=ActionRag, default=ActionRag.NONE)
    done_on = models.DateField(null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["plan", "order"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "order"], name="audits_action_unique"),
            models.CheckConstraint(
                name="audits_action_state_valid", condition=Q(state__in=ActionState.values)
            ),
            models.CheckConstraint(name="audits_action_rag_valid", condition=Q(rag__in=ActionRag.values)),
            models.CheckConstraint(
                name="audits_action_done_has_date",
                condition=~Q(state=ActionState.DONE) | Q(done_on__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: action {self.order}"

    def is_overdue(self, today: date) -> bool:
        return self.state != ActionState.DONE and self.due is not None and self.due < today


class ActionUpdate(models.Model):
    """Dated progress on an action."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="updates")
    on = models.DateField()
    text = models.TextField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["action", "-on", "-id"]

    def __str__(self) -> str:
        return f"Update to {self.action} on {self.on}"


class RiskCategory(models.TextChoices):
    STRATEGIC = "strategic", "Strategic"
    FINANCIAL = "financial", "Financial"
    OPERATIONAL = "operational", "Operational"


class RiskTrend(models.TextChoices):
    RISING = "rising", "Rising"
    STEADY = "steady", "Steady"
    FALLING = "falling", "Falling"
    UNKNOWN = "unknown", "Not stated"


class Risk(models.Model):
    """A key risk: rated likelihood by impact (1 to 5 each, when rated), trend, owner, actions."""

    title = models.CharField(max_length=300, unique=True)
    category = models.CharField(max_length=20, choices=RiskCategory)
    description = models.TextField(blank=True)
    likelihood = models.PositiveSmallIntegerField(null=True, blank=True)
    impact = models.PositiveSmallIntegerField(null=True, blank=True)
    trend = models.CharField(max_length=10, choices=RiskTrend, default=RiskTrend.UNKNOWN)
    owner = models.CharField(max_length=200, blank=True)
    actions = models.ManyToManyField(Action, blank=True, related_name="risks")
    source = models.CharField(max_length=300, blank=True)
    quote = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["category", "title"]
        constraints = [
            models.CheckConstraint(
                name="audits_risk_category_valid", condition=Q(category__in=RiskCategory.values)
            ),
            models.CheckConstraint(name="audits_risk_trend_valid", condition=Q(trend__in=RiskTrend.values)),
            models.CheckConstraint(
                name="audits_risk_scores_1_to_5",
                condition=(Q(likelihood__isnull=True) | Q(likelihood__gte=1, likelihood__lte=5))
                & (Q(impact__isnull=True) | Q(impact__gte=1, impact__lte=5)),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def rating(self) -> int | None:
        """Likelihood times impact (1 to 25), when both are rated."""
        if self.likelihood is None or self.impact is None:
            return None
        return self.likelihood * self.impact

    @property
    def band(self) -> str:
        rating = self.rating
        if rating is None:
            return "Not rated"
        return "High" if rating >= 15 else "Medium" if rating >= 8 else "Low"


class Survey(models.Model):
    """A survey the trust carried out (contract Schedule 6 para 4.15): who answered and what it found."""

    title = models.CharField(max_length=300)
    period = models.CharField(max_length=100, help_text="When it ran, in the source's words.")
    as_at = models.DateField(null=True, blank=True)
    sent = models.PositiveIntegerField(null=True, blank=True)
    responses = models.PositiveIntegerField(null=True, blank=True)
    findings = models.TextField(blank=True)
    source = models.CharField(max_length=300, blank=True)
    quote = models.TextField(blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-as_at", "title"]
        constraints = [
            models.UniqueConstraint(fields=["title", "period"], name="audits_survey_unique"),
            models.CheckConstraint(
                name="audits_survey_responses_within_sent",
                condition=Q(sent__isnull=True) | Q(responses__isnull=True) | Q(responses__lte=F("sent")),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.period})"

    @property
    def response_rate(self):
        from decimal import ROUND_HALF_UP, Decimal

        if not self.sent or self.responses is None:
            return None
        return (Decimal(self.responses) * 100 / self.sent).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
