from django import template

from xinyu.screening import labels

register = template.Library()


@register.filter
def outcome_label(result) -> str:
    """`{{ result|outcome_label }}`: the result's band or classification in words."""
    return labels.outcome_label(result)


@register.filter
def severity_label(code: str) -> str:
    """`{{ result.severity|severity_label }}`: a severity in words."""
    return labels.severity_label(code)
