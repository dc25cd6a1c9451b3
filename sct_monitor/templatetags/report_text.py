from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from kpis.formatting import format_value
from sct_monitor.late_markup import late
from sct_monitor.reporting import render_text

register = template.Library()


@register.filter
def as_paragraphs(text: str):
    """Narrative or commentary as paragraphs and lists, escaped."""
    return render_text(text or "")


@register.filter
def css_string(text: str) -> str:
    """Text safe inside a CSS string in double quotes (for the PDF's running header)."""
    cleaned = "".join(char for char in str(text) if char.isprintable())
    # Safe to mark so: backslashes and quotes are escaped for CSS, and "<" cannot close the style.
    return mark_safe(cleaned.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c "))


# Lists that run to hundreds of items on a large report are written here, each item as one
# string, not by a template loop (which took several milliseconds a report for each list).


@register.simple_tag
def finding_items(found) -> SafeString:
    """The report's data-quality findings, as ``<li>`` items: (check result, finding) pairs."""
    items = []
    for result, finding in found:
        figures = f" ({conditional_escape(finding.figures)})" if finding.figures else ""
        items.append(
            f"<li><strong>{conditional_escape(result.title)}:</strong> {conditional_escape(finding.text)}"
            f'{figures}. <span class="govuk-body-s">{conditional_escape(finding.sources)}</span></li>'
        )
    return late(mark_safe("".join(items)))


@register.simple_tag
def revised_figure_items(figures) -> SafeString:
    """A correction's revised figures, as ``<li>`` items: what each was and is now."""
    items = []
    for row in figures:
        indicator = row.indicator

        def shown(value) -> str:
            return format_value(value, indicator.unit, indicator.decimal_places) or "no value"  # noqa: B023

        if row.was_value == row.value and row.was_missing_reason == row.missing_reason:
            change = "commentary revised"
        else:
            change = (
                f"was {conditional_escape(shown(row.was_value))}, now {conditional_escape(shown(row.value))}"
            )
            if row.was_commentary != row.commentary:
                change += ", and its commentary revised"
        items.append(
            f"<li>{conditional_escape(indicator.code)}: {conditional_escape(indicator.title)}: {change}</li>"
        )
    return late(mark_safe("".join(items)))
