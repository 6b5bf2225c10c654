"""Which outside channels reach a person. The in-app inbox always does; it needs no outbox row.

Configured per deployment: e-mail for people with an address (settings.NOTIFY_EMAIL); webhooks from
settings.NOTIFY_WEBHOOKS (an SMS gateway for people with a phone number; 企业微信 or 钉钉 group robots,
which post into a staff group, for staff only).
"""

from django.conf import settings

from xinyu.notify import config


def channels_for(person, *, urgent: bool) -> list[str]:
    if person.has_left:  # deactivated, or a staff member past their leaving day
        return []
    names = []
    if settings.NOTIFY_EMAIL and person.email:
        names.append(config.EMAIL)
    for hook in config.webhooks():
        if hook.urgent_only and not urgent:
            continue
        if hook.kind == config.SMS and not person.phone:
            continue
        if hook.kind in config.GROUP_ROBOTS and person.is_student:
            continue
        names.append(hook.channel)
    return names
