from django import template

from xinyu.notify.services import unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def unread_notifications(context) -> int:
    """The signed-in user's unread notifications, for the navbar badge."""
    user = context.get("user")
    return unread_count(user) if user is not None and user.is_authenticated else 0
