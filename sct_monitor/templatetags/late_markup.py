from django import template
from django.utils.safestring import SafeString

from sct_monitor import late_markup

register = template.Library()


@register.filter
def late(markup: str) -> SafeString:
    """``{{ body|late }}``: a large piece of markup put into the page once it has rendered
    (``sct_monitor.late_markup``)."""
    return late_markup.late(markup)
