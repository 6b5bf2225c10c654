"""Outside channels. Messages leaving Xinyu carry no student details: only that there is an item, and a link.

Configured per deployment: e-mail for people with an address; webhooks (an SMS gateway, 企业微信 or 钉钉
group robots) from settings.NOTIFY_WEBHOOKS.
"""

from django.conf import settings


def channels_for(person, *, urgent: bool) -> list[str]:
    names = []
    if person.email and settings.NOTIFY_EMAIL:
        names.append("email")
    for hook in settings.NOTIFY_WEBHOOKS:
        if urgent or not hook.get("urgent_only", False):
            names.append(f"webhook:{hook['name']}")
    return names
