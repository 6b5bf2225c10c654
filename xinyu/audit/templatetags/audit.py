from django import template

from xinyu.audit.reads import what_label as _what_label

register = template.Library()


@register.filter
def what_label(what: str) -> str:
    """`{{ entry.what|what_label }}`: what a log entry records, in words where it is a listed read."""
    return _what_label(what)
