import contextlib
import threading
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connections
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audits.attention import overdue_on
from kpis.models import Category, Indicator
from kpis.report import HISTORY, overview_month
from kpis.return_status import work_to_do
from kpis.scorecard import ScorecardData, ScorecardRow, add_months, summary_rows
from kpis.series import IndicatorSeries
from kpis.status import Rag, worsening_run
from kpis.visibility import sees_drafts, values_kind, values_of_kind
from sct_monitor.late_markup import PageResponse
from sct_monitor.roles import role_of
from sct_monitor.table_memo import remembered_per_indicator

HEADLINE_CHARTS = 4


@dataclass
class Overview:
    """The latest published month at a glance: what is Red, what is getting worse, how it compares."""

    month: date
    rows: list
    contract: list
    red: list
    worsening: list
    better_than_sn: int
    worse_than_sn: int
    compared_with_sn: int
    covered: int  # contract indicators with a figure that month
    latest_month: date | None  # the latest published month, when it is not the one shown

    @property
    def contract_red(self) -> int:
        return sum(1 for row in self.contract if row.status.rag == Rag.RED and row.value is not None)

    @property
    def contract_unrated(self) -> int:
        """Contract KPIs with a figure but nothing to judge it against: "0 Red" must not read as good news."""
        return sum(1 for row in self.contract if row.value is not None and row.status.rag == Rag.NONE)

    @property
    def other_red(self) -> list:
        """Red measures that are not contract KPIs, named beside the KPI count so the two agree."""
        return [row for row in self.red if row.indicator.category != Category.CONTRACT_KPI]


def overview(user) -> Overview | None:
    period, coverage = overview_month(user)
    if period is None:
        return None
    month = period.start
    # Ids only: the rows bring their own indicators (building hundreds of instances here cost more
    # than the rows remembered).
    ids = tuple(
        Indicator.objects.filter(active=True).order_by("display_order", "code").values_list("pk", flat=True)
    )
    rows = list(overview_rows(ids, month, values_kind(user)).values())
    contract = [row for row in rows if row.indicator.category == Category.CONTRACT_KPI]
    judged = [row.comparators[0].judgement for row in contract if row.comparators[0].judgement]
    latest = coverage[0][0] if coverage and coverage[0][0] != month else None
    return Overview(
        month=month,
        rows=rows,
        contract=contract,
        red=[row for row in rows if row.status.rag == Rag.RED],
        worsening=[row for row in rows if row.worsening_run >= 3],
        better_than_sn=judged.count("better"),
        worse_than_sn=judged.count("worse"),
        compared_with_sn=len(judged),
        covered=sum(1 for row in contract if row.value is not None),
        latest_month=latest,
    )


@remembered_per_indicator
def overview_rows(indicator_ids: tuple[int, ...], month: date, kind: str) -> dict[int, ScorecardRow]:
    """Each indicator's scorecard row for the overview's month, with how many periods running it
    has worsened. Each row reads its own indicator's rows only; shared: do not change the rows."""
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids).order_by())
    data = ScorecardData(indicators, values_of_kind(kind), month, history=HISTORY)
    rows = {}
    for row in data.rows():
        back = [add_months(month, -k * row.indicator.period_months) for k in range(HISTORY - 1, -1, -1)]
        row.worsening_run = worsening_run(
            [data.number(row.indicator, m) for m in back],
            row.indicator.polarity,
            row.indicator.no_change_band,
        )
        rows[row.indicator.pk] = row
    return rows


@remembered_per_indicator
def headline_series(indicator_ids: tuple[int, ...], month: date, kind: str) -> dict[int, IndicatorSeries]:
    """The 24 months to ``month`` of each indicator charted on the overview (the charts end at the
    month the overview is about, not at later figures). Shared: do not change the series."""
    indicators = list(Indicator.objects.filter(pk__in=indicator_ids).order_by())
    values = values_of_kind(kind).filter(month__lte=month)
    return {series.indicator.pk: series for series in IndicatorSeries.many(indicators, values, 24)}


def headline_rows(summary: Overview) -> list:
    """The rows the overview charts: Red first, then worsening, then the other contract KPIs with
    a figure, each once. Told apart by identity: rows are dataclasses, and comparing two field by
    field for every pair took most of the page at 300 indicators."""
    chosen, seen = [], set()
    for row in [*summary.red, *summary.worsening, *(r for r in summary.contract if r.value is not None)]:
        if id(row) not in seen:
            seen.add(id(row))
            chosen.append(row)
    return chosen


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The latest well-covered published month: what is Red, what is worsening, how it compares."""
    summary = overview(request.user) if request.user.has_perm("kpis.view_indicator") else None
    charts = []
    if summary:
        shown = [row.indicator.pk for row in headline_rows(summary)[:HEADLINE_CHARTS]]
        charts = list(headline_series(tuple(shown), summary.month, values_kind(request.user)).values())
    context = {
        "role": role_of(request.user),
        "overview": summary,
        "summary_rows": summary_rows(summary.rows) if summary else [],
        "current": {"month": summary.month} if summary else None,
        "charts": charts,
        "todo": work_to_do(timezone.localdate()) if sees_drafts(request.user) else None,
        "overdue": overdue_on(timezone.localdate()) if sees_drafts(request.user) else None,
    }
    return PageResponse(request, "home.html", context)


class DatabaseCheck:
    """One ``SELECT 1`` on a connection of its own, in a thread of its own.

    A database that accepts connections and never answers would hold the thread until the
    driver's connect or statement timeout; the request waits only HEALTHZ_TIMEOUT for it. While a
    check is still hanging, later requests wait on that one rather than starting more.
    """

    def __init__(self):
        self.done = threading.Event()
        self.ok = False
        self.thread = threading.Thread(target=self.run, name="healthz", daemon=True)

    def run(self) -> None:
        connection = connections.create_connection("default")
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                self.ok = cursor.fetchone() == (1,)
        except DatabaseError:
            self.ok = False
        finally:
            self.done.set()
            with contextlib.suppress(DatabaseError):
                connection.close()


_check_lock = threading.Lock()
_hanging: DatabaseCheck | None = None


def database_answers(timeout: float) -> bool:
    global _hanging
    with _check_lock:
        check = _hanging if _hanging is not None and not _hanging.done.is_set() else None
        if check is None:
            check = DatabaseCheck()
            check.thread.start()
    answered = check.done.wait(timeout)
    with _check_lock:
        _hanging = None if answered else check
    return answered and check.ok


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers within HEALTHZ_TIMEOUT, else 503; for load balancers and monitors."""
    if not database_answers(settings.HEALTHZ_TIMEOUT):
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_GET
def how_statuses_work(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "help/statuses.html",
        {"home_name": settings.HOME_LA_NAME, "rule_at_the_time": settings.SN_MODEL_RULE == "at_the_time"},
    )
