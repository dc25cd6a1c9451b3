from functools import lru_cache

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

from kpis.formatting import format_value
from sct_monitor.late_markup import encoded_markup, late_parts
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
# string, not by a template loop (which took several milliseconds a report for each list). An
# item is made from a few plain values, so the markup made for them is remembered (most of a
# report's items are the same from one rendering to the next), its bytes with it.
ITEMS_REMEMBERED = 20_000


@register.simple_tag
def finding_items(found) -> SafeString:
    """The report's data-quality findings, as ``<li>`` items: (check result, finding) pairs."""
    return late_parts(
        finding_item(result.title, finding.text, finding.figures, finding.sources)
        for result, finding in found
    )


@lru_cache(maxsize=ITEMS_REMEMBERED)
def finding_item(title: str, text: str, figures: str, sources: str) -> SafeString:
    shown = f" ({conditional_escape(figures)})" if figures else ""
    return encoded_markup(
        f"<li><strong>{conditional_escape(title)}:</strong> {conditional_escape(text)}"
        f'{shown}. <span class="govuk-body-s">{conditional_escape(sources)}</span></li>'
    )


@register.simple_tag
def revised_figure_items(figures) -> SafeString:
    """A correction's revised figures, as ``<li>`` items: what each was and is now."""
    return late_parts(
        revised_figure_item(
            (row.indicator.code, row.indicator.title, row.indicator.unit, row.indicator.decimal_places),
            (row.was_value, row.was_missing_reason),
            (row.value, row.missing_reason),
            row.was_commentary != row.commentary,
        )
        for row in figures
    )


@lru_cache(maxsize=ITEMS_REMEMBERED)
def revised_figure_item(indicator: tuple, was: tuple, now: tuple, commentary_revised: bool) -> SafeString:
    """One revised figure of ``indicator`` (its code, title, unit and decimal places): ``was``
    and ``now`` are its (value, missing reason) before and after. Equal values write the same
    text (``kpis.formatting``), so a value kept at another scale rightly shares an entry."""
    code, title, unit, decimal_places = indicator

    def shown(value) -> str:
        return format_value(value, unit, decimal_places) or "no value"

    if was == now:
        change = "commentary revised"
    else:
        change = f"was {conditional_escape(shown(was[0]))}, now {conditional_escape(shown(now[0]))}"
        if commentary_revised:
            change += ", and its commentary revised"
    return encoded_markup(f"<li>{conditional_escape(code)}: {conditional_escape(title)}: {change}</li>")
