from django import template

from finance.money import format_pounds

register = template.Library()
register.filter("pounds", format_pounds)
