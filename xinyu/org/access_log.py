"""Writing the access log from the apps: `xinyu.audit.services` with each entry naming the post in which its
actor acted (`scope.acting_post`), when the caller did not name one. Every app writes through here."""

from dataclasses import replace

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from xinyu.audit import services
from xinyu.audit.reads import Read, is_read, read_event
from xinyu.audit.services import Event, client_address
from xinyu.org.models import Post
from xinyu.org.scope.base import (
    BREAK_GLASS,
    CASE_COLLABORATOR,
    CASE_ESCALATED,
    CASE_MEMBER,
    CASE_ORGANISER,
    CASE_STEP_OWNER,
    TECHNICAL_ADMIN,
    acting_post,
)

__all__ = [
    "Event",
    "Read",
    "client_address",
    "post_label",
    "read_event",
    "record",
    "record_many",
    "record_read",
    "record_reads",
    "record_request",
]


# The capacities in which entries are written besides posts: emergency access, roles on a crisis case, the
# technical administrator, and the names the apps give the people doing their work.
CAPACITIES = {
    BREAK_GLASS: _("Emergency access"),
    CASE_MEMBER: _("Crisis case team"),
    CASE_ORGANISER: _("Organiser of a crisis case"),
    CASE_COLLABORATOR: _("Collaborator on a crisis case"),
    CASE_STEP_OWNER: _("Responsible for a step of a crisis case"),
    CASE_ESCALATED: _("Escalated to on a crisis case"),
    TECHNICAL_ADMIN: _("Technical administrator"),
    "centre": _("Psychology centre"),
    "treating_counsellor": _("Treating counsellor"),
    "interview": _("Interviewer"),
    "assignee": _("Person the task is assigned to"),
    "assigned": _("Person the task is assigned to"),
}


def post_label(post: str) -> str:
    """The words for the post or capacity an entry names; a value from before it was listed, as stored."""
    if post in Post.values:
        return str(Post(post).label)
    return str(CAPACITIES.get(post, post))


def _with_posts(actor, events: list[Event]) -> list[Event]:
    return [event if event.post else replace(event, post=acting_post(actor, event.student)) for event in events]


def record_many(actor, events: list[Event], *, address: str | None = None):
    return services.record_many(actor, _with_posts(actor, events), address=address)


def record(actor, event: Event, *, address: str | None = None):
    return record_many(actor, [event], address=address)[0]


def record_request(request, event: Event):
    return record(request.user, event, address=client_address(request))


def record_reads(request_or_user, events: list[Event], *, address: str | None = None):
    """Record reads built with `read_event` (nothing else): with a request, its user and address; with a user
    (or None for an anonymous sitting), the `address` given."""
    refused = [event.what for event in events if not is_read(event)]
    if refused:
        raise ValueError(f"not a listed read: {refused}")
    if isinstance(request_or_user, HttpRequest):
        user = request_or_user.user
        return record_many(user if user.is_authenticated else None, events, address=client_address(request_or_user))
    return record_many(request_or_user, events, address=address)


def record_read(request_or_user, what: Read, *, address: str | None = None, **event):
    """Record one read: `record_read(request, Read.STUDENT_DETAIL, student=s, tier=tier, post=post)`."""
    return record_reads(request_or_user, [read_event(what, **event)], address=address)[0]
