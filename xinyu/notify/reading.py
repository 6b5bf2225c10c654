"""What a recipient may read of their notifications now: one whose tier they no longer hold over its
student (the case closed, the post ended) reads only that something needs them. Used by the inbox and by
every channel that sends a notification out."""

from django.utils.translation import gettext as _

from xinyu.notify.models import Notification
from xinyu.org import scope
from xinyu.org.scope import Tier


def default_withheld_title() -> str:
    return _("Something in Xinyu needs your attention. Please contact the psychology centre.")


def as_told_now(user, notifications) -> list[Notification]:
    """The notifications as `user` may read them now: one whose tier they no longer hold over its student
    (the case closed, the post ended) shows the withheld words, without body or link (changed in memory)."""
    notifications = list(notifications)
    answers = scope.may_be_told(user, [(n.student, Tier(n.tier)) for n in notifications])
    for notification, shown in zip(notifications, answers, strict=True):
        if not shown:
            notification.title, notification.body, notification.link = default_withheld_title(), "", ""
    return notifications
