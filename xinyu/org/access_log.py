"""Writing the access log from the apps: `xinyu.audit.services` with each entry naming the post in which its
actor acted (`scope.acting_post`), when the caller did not name one. Every app writes through here."""

from dataclasses import replace

from django.http import HttpRequest

from xinyu.audit import services
from xinyu.audit.reads import Read, is_read, read_event
from xinyu.audit.services import Event, client_address
from xinyu.org.scope.base import acting_post

__all__ = [
    "Event",
    "Read",
    "client_address",
    "read_event",
    "record",
    "record_many",
    "record_read",
    "record_reads",
    "record_request",
]


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
