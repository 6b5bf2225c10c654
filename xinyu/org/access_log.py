"""Writing the access log from the apps: `xinyu.audit.services` with each entry naming the post in which its
actor acted (`scope.acting_post`), when the caller did not name one. Every app writes through here."""

from dataclasses import replace

from xinyu.audit import services
from xinyu.audit.services import Event, client_address
from xinyu.org.scope.base import acting_post

__all__ = ["Event", "client_address", "record", "record_many", "record_request"]


def _with_posts(actor, events: list[Event]) -> list[Event]:
    return [event if event.post else replace(event, post=acting_post(actor, event.student)) for event in events]


def record_many(actor, events: list[Event], *, address: str | None = None):
    return services.record_many(actor, _with_posts(actor, events), address=address)


def record(actor, event: Event, *, address: str | None = None):
    return record_many(actor, [event], address=address)[0]


def record_request(request, event: Event):
    return record(request.user, event, address=client_address(request))
