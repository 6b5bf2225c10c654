"""The writes of the compliance records, each with its access-log entry in the same transaction."""

from django.db import transaction

from xinyu.audit.models import AuditEntry
from xinyu.compliance import board
from xinyu.compliance.models import Budget, Qualification, Station, StationDocument
from xinyu.org.access_log import Event, record


def _log(by, action, what, detail, address):
    record(by, Event(action, what, detail=detail), address=address)


@transaction.atomic
def save_budget(form, *, school, year: int, by, address=None) -> Budget:
    budget = form.save(commit=False)
    created = budget.pk is None
    budget.school, budget.year, budget.updated_by = school, year, by
    budget.save()
    if form.cleaned_data.get("count_now") or budget.headcount is None:
        board.take_headcount(budget)
    _log(
        by, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, "compliance.budget",
        {"year": year, "amount": str(budget.amount), "headcount": budget.headcount}, address,
    )  # fmt: skip
    return budget


@transaction.atomic
def save_qualification(form, *, person, by, address=None) -> Qualification:
    qualification = form.save(commit=False)
    created = qualification.pk is None
    qualification.person = person
    qualification.save()
    _log(
        by, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, "compliance.qualification",
        {"teacher": person.username, "expires": str(qualification.certificate_expires_on or "")}, address,
    )  # fmt: skip
    return qualification


@transaction.atomic
def save_station(form, *, college, by, address=None) -> Station:
    station = form.save(commit=False)
    created = station.pk is None
    station.college = college
    station.save()
    uploaded = []
    for kind in StationDocument.Kind.values:
        upload = form.cleaned_data.get(kind)
        if not upload:
            continue
        upload.seek(0)
        StationDocument.objects.update_or_create(
            station=station, kind=kind,
            defaults={"file_name": (upload.name or kind)[:255], "content_type": form.content_types[kind],
                      "size": upload.size, "content": upload.read(), "uploaded_by": by},
        )  # fmt: skip
        uploaded.append(kind)
    _log(
        by, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, "compliance.station",
        {"college": college.name, "documents": uploaded}, address,
    )  # fmt: skip
    return station


@transaction.atomic
def save_room(form, *, by, address=None):
    created = form.instance.pk is None
    room = form.save()
    _log(
        by, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, "counselling.room",
        {"room": room.name, "kind": room.kind, "active": room.active}, address,
    )  # fmt: skip
    return room
