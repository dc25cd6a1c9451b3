"""The report frame: a period's Monthly Monitoring Report (Schedule 6 para 4.2) or quarterly report.

The frame decides what a reader may see (board members: what was published; officers and
administrators: the working figures, marked Provisional, for months not yet published), gathers
the narratives and publications, and asks each app for its sections in the contract's order.
Each app owns its section builders (``kpis.report``, ``audits.report``, ``finance.report``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from operator import itemgetter
from typing import NamedTuple

from django.contrib.auth.models import AbstractBaseUser
from django.template.loader import render_to_string
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from kpis.models import Indicator, MonthlyReturn, MonthlyValue, Publication, PublishedValue, ValueStatus
from kpis.visibility import sees_drafts
from sct_monitor.models import NarrativeSection, ReportNarrative
from sct_monitor.periods import Period
from sct_monitor.table_memo import remembered


@dataclass
class ExportTable:
    """A report table as data, for CSV and Excel: headings carry units, cells are numbers or text."""

    slug: str
    caption: str
    columns: list[str]
    rows: list[list] = field(default_factory=list)


class TableOnDemand(ExportTable):
    """An export table whose rows are made when first asked for: a report's page names its
    tables (their CSV links) but shows none of their cells, and making a large report's
    indicator table row by row took milliseconds a page."""

    def __init__(self, slug: str, caption: str, columns: list[str], make_rows: Callable[[], list[list]]):
        self.slug, self.caption, self.columns = slug, caption, columns
        self.make_rows = make_rows

    @cached_property
    def rows(self) -> list[list]:
        return self.make_rows()


@dataclass
class Section:
    number: str  # "4.2.2", or "" for the sections after para 4.2
    slug: str
    title: str
    template: str
    context: dict = field(default_factory=dict)
    tables: list[ExportTable] = field(default_factory=list)
    narrative: dict | None = None  # {"text": ..., "source": ...} written for this section
    html: str = ""  # the section's body, already rendered (sections_of_period); else its template's

    @property
    def heading(self) -> str:
        return f"{self.number} {self.title}" if self.number else self.title


@dataclass(frozen=True)
class Revision:
    month: date
    publication: Publication
    figures: list["RevisedFigure"]
    narratives: list[str]


class RevisedIndicator(NamedTuple):
    """What a revised figure's line shows of its indicator."""

    code: str
    title: str
    unit: str
    decimal_places: int


class RevisedFigure(NamedTuple):
    """A figure a correction revised: what it was and is (read as a tuple: a correction of a large
    report's month revises hundreds)."""

    publication_id: int
    revised_at: object
    value: object
    missing_reason: str
    commentary: str
    was_value: object
    was_missing_reason: str
    was_commentary: str
    indicator: RevisedIndicator


REVISED_FIELDS = (
    "publication_id", "revised_at", "value", "missing_reason", "commentary", "was_value",
    "was_missing_reason", "was_commentary", "indicator_id",
)  # fmt: skip


# An indicator's fields a report lists (``Report.indicators_listed``).
LISTED_FIELDS = ("pk", "code", "active", "frequency", "title", "unit", "decimal_places")


class NotVisible(Exception):
    """Nothing of this period has been published, so a board member cannot see its report."""


@dataclass
class Report:
    period: Period
    user: AbstractBaseUser
    staff: bool
    returns: dict[date, MonthlyReturn]
    publications: dict[date, Publication]  # the current publication of each published month
    narratives: dict[str, dict] = field(default_factory=dict)  # section -> {"text", "source"}
    sections: list[Section] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)

    @cached_property
    def indicators_listed(self) -> list[tuple[int, str, bool, str, str, str, int]]:
        """Every indicator as (pk, code, active, frequency, title, unit, decimal places), in
        display order: read once a report for the sections that go through every indicator (its
        figures, its checks, its revised figures), as tuples: their rows bring their own indicators."""
        return list(Indicator.objects.order_by("display_order", "code").values_list(*LISTED_FIELDS))

    @property
    def unpublished_months(self) -> list[date]:
        return [m for m in self.period.months if m not in self.publications or not self.is_published(m)]

    def is_published(self, month: date) -> bool:
        record = self.returns.get(month)
        return record is not None and record.status == ValueStatus.PUBLISHED

    @property
    def provisional(self) -> bool:
        """Officers and administrators reading figures not yet (or not again) published."""
        return self.staff and bool(self.unpublished_months)

    @property
    def state(self) -> str:
        """The state as the header of every page says it."""
        if self.provisional:
            return "Provisional: not yet published"
        if not self.publications:
            return "Not published"
        if all(p.published_by is None and p.revision == 1 for p in self.publications.values()):
            return "Published: from the trust's board reports"
        latest = max(self.publications.values(), key=lambda p: p.published_at)
        revised = " (revised)" if any(p.revision > 1 for p in self.publications.values()) else ""
        return f"Published {latest.published_at:%-d %B %Y}{revised}"

    @property
    def publication_lines(self) -> list[str]:
        """``Published on 5 July 2022 by admin`` for each month, as the board saw it."""
        lines = []
        for month in self.period.months:
            publication = self.publications.get(month)
            if publication is None:
                lines.append(f"{month:%B %Y}: not yet published.")
                continue
            revision = f", revision {publication.revision}" if publication.revision > 1 else ""
            if publication.published_by is None:
                lines.append(
                    f"{month:%B %Y}: from the trust's board reports, loaded on "
                    f"{publication.published_at:%-d %B %Y}{revision}."
                )
                continue
            who = publication.published_by.get_username()
            lines.append(
                f"{month:%B %Y}: published on {publication.published_at:%-d %B %Y} by {who}{revision}."
            )
        return lines

    def section(self, slug: str) -> Section | None:
        return next((section for section in self.sections if section.slug == slug), None)

    @property
    def tables(self) -> list[ExportTable]:
        return [table for section in self.sections for table in section.tables]


SectionBuilder = Callable[[Report], list[Section]]


def section_builders() -> list[SectionBuilder]:
    """Each app's sections, in the order of the contract's para 4.2 and then the rest."""
    from audits.report import sections as audit_sections
    from finance.report import sections as finance_sections
    from kpis.report import sections as indicator_sections
    from sct_monitor.checks import report_sections as check_sections

    return [indicator_sections, audit_sections, finance_sections, check_sections]


def period_only_builders() -> set[SectionBuilder]:
    """The builders whose sections depend on the period alone, whoever reads them (no figure of
    theirs is provisional): built and rendered once while the tables they read are unchanged."""
    from audits.report import sections as audit_sections
    from finance.report import sections as finance_sections

    return {audit_sections, finance_sections}


@dataclass(frozen=True)
class PeriodOnly:
    """What a period-only builder and its templates are given in place of the report."""

    period: Period


@dataclass(frozen=True)
class Narrated:
    """What a section's template asks of the section: whether a narrative is shown above it."""

    narrative: bool


@remembered
def sections_of_period(
    build: SectionBuilder, period_key: str, narrated: frozenset[str]
) -> tuple[Section, ...]:
    """``build``'s sections for the period, each with its body rendered (``narrated``: the slugs
    shown with a narrative, which their templates word around). Shared: copy before changing."""
    stand_in = PeriodOnly(Period.from_key(period_key))
    sections = build(stand_in)
    for section in sections:
        context = {"data": section.context, "report": stand_in, "section": Narrated(section.slug in narrated)}
        section.html = render_to_string(section.template, context)
    return tuple(sections)


def built_sections(report: Report) -> list[Section]:
    period_only = period_only_builders()
    narrated = frozenset(slug for slug, narrative in report.narratives.items() if narrative)
    sections = []
    for build in section_builders():
        if build in period_only:
            sections += [replace(s) for s in sections_of_period(build, report.period.key, narrated)]
        else:
            sections += build(report)
    return sections


SECTION_ORDER = [
    "summary", "indicators", "failures", "action_plans", "rectification_plans", "audits", "surveys",
    "inspections", "complaints", "finance", "workforce", "data_quality",
]  # fmt: skip


@remembered
def returns_and_publications(period_key: str) -> tuple[dict[date, MonthlyReturn], tuple[Publication, ...]]:
    """The period's monthly returns by month, and every publication of its months in month and
    revision order: remembered while neither table (nor the publishers' names) changes, so a
    write to the figures leaves them read. Shared: read them, do not change them."""
    months = Period.from_key(period_key).months
    returns = {r.month: r for r in MonthlyReturn.objects.filter(month__in=months)}
    every_revision = tuple(
        Publication.objects.filter(month__in=months)
        .select_related("published_by")
        .order_by("month", "revision")
    )
    return returns, every_revision


def build_report(period: Period, user) -> Report:
    """The period's report as ``user`` may read it; NotVisible when a board member may not."""
    staff = sees_drafts(user)
    returns, every_revision = returns_and_publications(period.key)
    publications: dict[date, Publication] = {}
    for publication in every_revision:
        publications[publication.month] = publication  # the latest revision wins
    if not staff and not publications:
        raise NotVisible(f"{period.label} has not been published.")
    if (
        staff
        and not returns
        and not publications
        and not MonthlyValue.objects.filter(month__in=period.months).exists()
    ):
        raise NotVisible(f"There is nothing for {period.label} yet.")
    report = Report(period, user, staff, returns, publications)
    report.narratives = narratives_for(report)
    sections = built_sections(report)
    for section in sections:
        section.narrative = report.narratives.get(section.slug)
    report.sections = sorted(sections, key=lambda s: SECTION_ORDER.index(s.slug))
    report.revisions = revisions_for(report, every_revision)
    return report


def narratives_for(report: Report) -> dict[str, dict]:
    """The period's narratives: as published with its last month, or as written for a provisional one."""
    controlling = report.period.end
    if report.provisional or (report.staff and controlling not in report.publications):
        return {
            row.section: {"text": row.text, "source": row.source}
            for row in ReportNarrative.objects.filter(period=report.period.key)
        }
    publication = report.publications.get(controlling)
    if publication is None:
        return {}
    return publication.summary.get("narratives", {}).get(report.period.key, {})


def revisions_for(report: Report, every_revision: tuple[Publication, ...]) -> list[Revision]:
    """Every correction published for the period's months, with the figures it revised; from
    the period's publications already read (each month's, in month and revision order), and
    each correction's figures in the indicators' display order."""
    corrections = [publication for publication in every_revision if publication.revision > 1]
    if not corrections:
        return []
    published_at = {p.pk: p.published_at for p in corrections}
    listed = {
        pk: (place, RevisedIndicator(code, title, unit, decimal_places))
        for place, (pk, code, _, _, title, unit, decimal_places) in enumerate(report.indicators_listed)
    }
    by_publication: dict[int, list[tuple[int, RevisedFigure]]] = {}
    for *figure, indicator_id in revised_rows(tuple(published_at)):
        place, indicator = listed[indicator_id]
        row = RevisedFigure(*figure, indicator)
        if row.revised_at == published_at[row.publication_id]:
            by_publication.setdefault(row.publication_id, []).append((place, row))
    return [
        Revision(
            p.month,
            p,
            [row for _, row in sorted(by_publication.get(p.pk, []), key=itemgetter(0))],
            narrative_names(p.summary.get("narratives_changed", [])),
        )
        for p in corrections
    ]


@remembered
def revised_rows(publication_ids: tuple[int, ...]) -> tuple[tuple, ...]:
    """The figures these corrections revised, as REVISED_FIELDS: remembered while the published
    figures are unchanged (their indicators' titles and units are the report's own, read afresh,
    so a write to an indicator leaves these read). Shared: read them, do not change them."""
    return tuple(
        PublishedValue.objects.filter(publication__in=publication_ids, revised=True)
        .order_by()
        .values_list(*REVISED_FIELDS)
    )


def narrative_names(changed: list[str]) -> list[str]:
    """``2018-19-q3 action_plans`` -> ``Quarter 3 2018/19: 4.2.4 Action plans``."""
    names = []
    for item in changed:
        key, _, section = item.partition(" ")
        try:
            period = Period.from_key(key).label
        except ValueError:
            period = key
        names.append(f"{period}: {NARRATIVE_LABELS.get(section, section)}")
    return names


NARRATIVE_LABELS = dict(NarrativeSection.choices)


def render_text(text: str) -> SafeString:
    """Officers' narrative as HTML: blank lines part paragraphs, lines starting "- " make a list.

    Everything is escaped: no markup an officer types reaches the page.
    """
    html: list[str] = []

    def close(prose: list[str], items: list[str]) -> None:
        if prose:
            html.append(format_html('<p class="govuk-body">{}</p>', " ".join(prose)))
            prose.clear()
        if items:
            lis = format_html_join("", "<li>{}</li>", ((item,) for item in items))
            html.append(format_html('<ul class="govuk-list govuk-list--bullet">{}</ul>', lis))
            items.clear()

    for block in text.replace("\r\n", "\n").split("\n\n"):
        prose: list[str] = []
        items: list[str] = []
        for line in (line.strip() for line in block.split("\n")):
            if not line:
                continue
            if line.startswith(("- ", "* ")):
                close(prose, [])
                items.append(line[2:])
            else:
                close([], items)
                prose.append(line)
        close(prose, items)
    return mark_safe("".join(html))
