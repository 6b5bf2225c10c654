from django import template

from xinyu.org.access_log import post_label as _post_label

register = template.Library()


@register.filter
def post_label(post: str) -> str:
    """`{{ entry.post|post_label }}`: the post or capacity an access-log entry names, in words."""
    return _post_label(post)
