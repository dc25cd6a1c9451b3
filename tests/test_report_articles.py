# ruff: noqa: E501  (templates quoted as they were written, a line an element)
"""A report's indicator articles, built as strings, read exactly as the template wrote them."""

from datetime import date

import pytest
from django.template import Context, Template

from kpis.models import Indicator, MonthlyValue
from kpis.report import PeriodIndicators
from kpis.report_articles import indicator_article, row_piece
from sct_monitor.periods import Period
from sct_monitor.reporting import Report
from tests.conftest import correct_june_2022_and_set_a_target, make_user

pytestmark = pytest.mark.django_db

# The article as ``reports/section_indicators.html`` wrote it before ``indicator_article``.
TEMPLATE = """{% load kpi_status kpi_format report_text %}<article class="app-report-indicator" id="indicator-{{ row.indicator.code }}" aria-labelledby="indicator-heading-{{ row.indicator.code }}">
  <h4 class="govuk-heading-s" id="indicator-heading-{{ row.indicator.code }}">{{ row.indicator.code }}: {{ row.indicator.title }}</h4>
  <dl class="govuk-summary-list app-report-facts">
    <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Actual{% if report.period.kind == "quarter" %} ({{ row.month|date:"F Y" }}){% endif %}</dt><dd class="govuk-summary-list__value">{% if row.value is not None %}{{ row.value_text }}{% else %}{{ row.missing_reason|default:"No value" }}{% endif %}{% if row.provisional %} <strong class="govuk-tag govuk-tag--blue">Provisional</strong>{% endif %}{% if row.trend_text %}; over the quarter {{ row.trend_text }}{% endif %}</dd></div>
    <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Status</dt><dd class="govuk-summary-list__value">{% status_tag row.status %}{% if row.red_run > 1 %} <span class="govuk-body-s">{{ row.red_run_text }}</span>{% endif %}{% if row.judgement_note %}<span class="app-judgement-note">{{ row.judgement_note }}</span>{% endif %}</dd></div>
    <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Target</dt><dd class="govuk-summary-list__value">{{ row.target_text|default:"No target" }}</dd></div>
    <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Change</dt><dd class="govuk-summary-list__value">On last {{ row.change_word }}: {{ row.on_last }}<br>On the average of the three {{ row.change_word }}s before: {{ row.on_three }}</dd></div>
    <div class="govuk-summary-list__row"><dt class="govuk-summary-list__key">Compared with</dt><dd class="govuk-summary-list__value">{% if row.has_comparators %}{% for comparator in row.comparators %}{% if comparator.value is not None %}{{ comparator.name }} average {{ comparator.text }}{% if comparator.judgement %} ({{ comparator.judgement }}){% endif %}{% if not forloop.last %}; {% endif %}{% endif %}{% endfor %}{% else %}No comparator figures cover this {{ row.indicator.period_word }}{% endif %}</dd></div>
  </dl>
  {% if row.revision_note %}<p class="govuk-body app-revision-note">{% if row.figure_revised %}<strong class="govuk-tag govuk-tag--purple">Revised</strong> {% endif %}{{ row.revision_note }}</p>{% endif %}
  <div class="app-report-commentary">
    <h5 class="govuk-heading-s">Commentary</h5>
    {% if row.commentary %}{{ row.commentary|as_paragraphs }}{% else %}<p class="govuk-body app-muted">No commentary{% if row.status.rag == "red" %} was given, though it is Red{% endif %}.</p>{% endif %}
  </div>
  {% with chart=row.chart %}{% if chart %}
  <figure class="app-report-chart">
    {{ chart }}
    <figcaption class="govuk-body-s">{{ row.indicator.title }}, the 12 months to {{ report.period.end|date:"F Y" }}. The markers' shapes give the status (cross Red, diamond Amber, circle Green, square no status); the dashed line is the target. The table gives the same figures.</figcaption>
  </figure>
  {% if pdf %}
  <table class="app-report-chart-row">
    <caption class="govuk-visually-hidden">{{ row.indicator.code }} by {{ row.indicator.period_word }}, the chart's figures</caption>
    <thead><tr><th scope="col">{{ row.indicator.period_word|capfirst }}</th>{% for point in row.points %}<th scope="col">{{ point.month|date:"M y" }}</th>{% endfor %}</tr></thead>
    <tbody><tr><th scope="row">Value</th>{% for point in row.points %}<td>{{ point.value|indicator_value:row.indicator|default:"–" }}</td>{% endfor %}</tr>
    <tr><th scope="row">Status</th>{% for point in row.points %}<td>{% if point.value is not None %}{{ point.rag.label }}{% endif %}</td>{% endfor %}</tr></tbody>
  </table>
  {% else %}
  <details class="govuk-details app-report-chart-details">
    <summary class="govuk-details__summary"><span class="govuk-details__summary-text">The chart's figures as a table</span></summary>
    <div class="govuk-details__text">
  <table class="govuk-table app-table--compact app-report-chart-table">
    <caption class="govuk-table__caption govuk-table__caption--s">{{ row.indicator.code }} by {{ row.indicator.period_word }}, the chart's figures</caption>
    <thead class="govuk-table__head"><tr class="govuk-table__row"><th scope="col" class="govuk-table__header">{{ row.indicator.period_word|capfirst }}</th><th scope="col" class="govuk-table__header govuk-table__header--numeric">Value</th><th scope="col" class="govuk-table__header">Status</th></tr></thead>
    <tbody class="govuk-table__body">{{ row.chart_table_rows }}</tbody>
  </table>
    </div>
  </details>
  {% endif %}
  {% endif %}{% endwith %}
</article>"""


def rows_of(period: Period, user):
    report = Report(period, user, False, {}, {})
    return PeriodIndicators(report).rows


@pytest.mark.parametrize("role", ["Board member", "Performance officer"])
@pytest.mark.parametrize("key", ["2022-06", "2018-19-q3", "2022-23-q4", "2022-03"])
@pytest.mark.parametrize("pdf", [False, True])
def test_each_article_reads_as_the_template_wrote_it(role, key, pdf):
    period = Period.from_key(key)
    user = make_user(f"reader-{role[:5]}", role)
    rows = rows_of(period, user)
    assert rows
    template = Template(TEMPLATE)
    for row in rows:
        expected = template.render(Context({"row": row, "report": {"period": period}, "pdf": pdf}))
        assert str(indicator_article(row, period, pdf)) == expected, row.indicator.code


def test_drafts_gaps_corrections_and_awkward_text_read_as_the_template_wrote_them():
    correct_june_2022_and_set_a_target()
    Indicator.objects.filter(code="1").update(title='Visits <seen> & "recorded"')
    MonthlyValue.objects.create(
        indicator=Indicator.objects.get(code="1"),
        month=date(2022, 7, 1),
        value=70,
        commentary="<b>A & B</b>\n\n- one",
    )
    officer = make_user("officer-articles", "Performance officer")
    template = Template(TEMPLATE)
    seen = ""
    for key in ("2022-06", "2022-07", "2022-23-q2"):
        period = Period.from_key(key)
        for row in rows_of(period, officer):
            for pdf in (False, True):
                expected = template.render(Context({"row": row, "report": {"period": period}, "pdf": pdf}))
                rendered = str(indicator_article(row, period, pdf))
                assert rendered == expected, (key, row.indicator.code, pdf)
                seen += rendered
    for shown in (
        "Provisional",
        "app-revision-note",
        "Visits &lt;seen&gt; &amp; &quot;recorded&quot;",
        "&lt;b&gt;A &amp; B&lt;/b&gt;",
        "app-report-chart-row",
        "app-report-chart-details",
    ):
        assert shown in seen, shown


# The pieces of a report's rows as the section templates' loops wrote them before ``row_piece``.
PIECE_TEMPLATES = {
    ("glance", "month"): """{% load kpi_status %}
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="#indicator-{{ row.indicator.code }}">{{ row.indicator.code }}: {{ row.indicator.title }}</a></th>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Actual">{% if row.value is not None %}{{ row.value_text }}{% else %}{{ row.missing_reason|default:"No value" }}{% endif %}{% if row.provisional %} <strong class="govuk-tag govuk-tag--blue">Provisional</strong>{% endif %}{% if row.figure_revised %} <strong class="govuk-tag govuk-tag--purple">Revised</strong>{% endif %}</td>
      <td class="govuk-table__cell" data-label="Status">{% status_tag row.status %}</td>
      <td class="govuk-table__cell" data-label="Target">{{ row.target_text|default:"No target" }}</td>
      <td class="govuk-table__cell" data-label="Change on last {{ word }}">{{ row.on_last }}</td>
    </tr>
    """,
    (
        "red",
    ): """<li><a class="govuk-link" href="#indicator-{{ row.indicator.code }}">{{ row.indicator.code }}: {{ row.indicator.title }}</a>: {{ row.value_text }} ({{ row.status.basis }}){% if row.red_run > 1 %}, {{ row.red_run_text }}{% endif %}</li>""",
    (
        "worsening",
    ): """<li><a class="govuk-link" href="#indicator-{{ row.indicator.code }}">{{ row.indicator.code }}: {{ row.indicator.title }}</a>: {{ row.value_text }}, {{ row.worsening_text }}</li>""",
    ("failure",): """
    <tr class="govuk-table__row">
      <th scope="row" class="govuk-table__header"><a class="govuk-link" href="#indicator-{{ row.indicator.code }}">{{ row.indicator.code }}: {{ row.indicator.title }}</a></th>
      <td class="govuk-table__cell govuk-table__cell--numeric" data-label="Actual">{{ row.value_text }}</td>
      <td class="govuk-table__cell" data-label="Judged against">{{ row.status.basis }}</td>
      <td class="govuk-table__cell" data-label="Red for">{{ row.red_run_length|capfirst }}</td>
    </tr>""",
}


@pytest.mark.parametrize("key", ["2022-06", "2018-19-q3", "2022-23-q4"])
def test_each_piece_of_a_row_reads_as_the_template_wrote_it(key):
    correct_june_2022_and_set_a_target()
    Indicator.objects.filter(code="13").update(title='Caseloads <all> & "more"')
    officer = make_user("officer-pieces", "Performance officer")
    rows = rows_of(Period.from_key(key), officer)
    for (piece, *args), source in PIECE_TEMPLATES.items():
        template = Template(source)
        for row in rows:
            word = args[0] if args else ""
            expected = template.render(Context({"row": row, "word": word}))
            assert str(row_piece(row, piece, *args)) == expected, (piece, row.indicator.code)
            assert row_piece(row, piece, *args) is row_piece(row, piece, *args)  # built once


def test_the_pieces_cover_what_their_templates_show():
    correct_june_2022_and_set_a_target()
    Indicator.objects.filter(code="13").update(title='Caseloads <all> & "more"')
    rows = rows_of(Period.from_key("2022-06"), make_user("officer-cover", "Performance officer"))
    shown = "".join(row_piece(row, "glance", "month") + row_piece(row, "failure") for row in rows)
    for text in ("Caseloads &lt;all&gt; &amp; &quot;more&quot;", "govuk-tag--purple", 'data-label="Red for"'):
        assert text in shown, text


# --- lists written in one go (sct_monitor/templatetags/report_text.py) -------------------------

FINDINGS_LOOP = (
    "{% for result, finding in found %}<li><strong>{{ result.title }}:</strong> {{ finding.text }}"
    "{% if finding.figures %} ({{ finding.figures }}){% endif %}. "
    '<span class="govuk-body-s">{{ finding.sources }}</span></li>{% endfor %}'
)
REVISIONS_LOOP = (
    "{% load kpi_format %}{% for row in figures %}<li>{{ row.indicator.code }}: {{ row.indicator.title }}: "
    "{% if row.was_value == row.value and row.was_missing_reason == row.missing_reason %}commentary revised"
    '{% else %}was {{ row.was_value|indicator_value:row.indicator|default:"no value" }}, '
    'now {{ row.value|indicator_value:row.indicator|default:"no value" }}'
    "{% if row.was_commentary != row.commentary %}, and its commentary revised{% endif %}{% endif %}</li>"
    "{% endfor %}"
)


def test_the_findings_list_is_what_the_template_loop_wrote():
    from types import SimpleNamespace

    from django.template import engines

    from sct_monitor.checks import Finding
    from sct_monitor.templatetags.report_text import finding_items

    result = SimpleNamespace(title='Papers & "tables" <agree>')
    found = [
        (result, Finding("PI 1 <b>", "stated 5 & 6", "Paper, p. 3")),
        (result, Finding("PI 2", "", "<script>")),
    ]
    loop = engines["django"].from_string(FINDINGS_LOOP).render({"found": found})
    assert str(finding_items(found)) == loop
    assert "&lt;b&gt;" in loop and "&quot;tables&quot;" in loop


def test_the_revised_figures_list_is_what_the_template_loop_wrote():
    from decimal import Decimal
    from types import SimpleNamespace

    from django.template import engines

    from sct_monitor.templatetags.report_text import revised_figure_items

    percent = SimpleNamespace(
        code="3", title="Re-referrals <12m> & more", unit="percentage", decimal_places=1
    )
    count = SimpleNamespace(code="7", title="Children", unit="count", decimal_places=0)

    def row(indicator, was, now, was_reason="", reason="", was_text="a", text="a"):
        return SimpleNamespace(indicator=indicator, was_value=was, value=now, was_missing_reason=was_reason,
                               missing_reason=reason, was_commentary=was_text, commentary=text)  # fmt: skip

    figures = [
        row(percent, Decimal("19.61"), Decimal("19.71")),
        row(percent, Decimal("19.7"), Decimal("19.7"), text="b"),
        row(count, None, Decimal("12"), was_reason="not_collected", text="changed"),
        row(count, Decimal("3"), None, reason="not_collected"),
    ]
    loop = engines["django"].from_string(REVISIONS_LOOP).render({"figures": figures})
    assert str(revised_figure_items(figures)) == loop
    assert "was no value, now 12, and its commentary revised" in loop and "commentary revised</li>" in loop


def test_remembered_lines_of_revised_figures_and_findings_follow_what_they_are_made_of():
    from decimal import Decimal
    from types import SimpleNamespace

    from sct_monitor.templatetags.report_text import finding_items, revised_figure_items

    def figure(title: str, value: str):
        indicator = SimpleNamespace(code="3", title=title, unit="percentage", decimal_places=1)
        return SimpleNamespace(indicator=indicator, was_value=None, value=Decimal(value), was_missing_reason="",
                               missing_reason="", was_commentary="", commentary="")  # fmt: skip

    assert str(revised_figure_items([figure("Re-referrals", "19.7")])) == (
        "<li>3: Re-referrals: was no value, now 19.7%</li>"
    )
    assert str(revised_figure_items([figure("Re-referrals within 12 months", "19.7")])) == (
        "<li>3: Re-referrals within 12 months: was no value, now 19.7%</li>"
    )
    assert "now 19.8%" in str(revised_figure_items([figure("Re-referrals", "19.75")]))

    def found(text: str):
        return [(SimpleNamespace(title="Commentary"), SimpleNamespace(text=text, figures="", sources="PI 3"))]

    first = str(finding_items(found("says 19.7")))
    assert "says 19.7" in first and str(finding_items(found("says 19.7"))) == first
    assert "says 20.1" in str(finding_items(found("says 20.1")))
    assert "<li><strong>Commentary:</strong> says &lt;b&gt;. " in str(finding_items(found("says <b>")))
