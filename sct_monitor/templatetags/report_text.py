from django import template
from django.utils.safestring import mark_safe

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
