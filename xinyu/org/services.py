"""What makes an appointment valid (the kind of place a post is held over, by the right kind of person).
Posts are granted, confirmed and ended by `xinyu.grants.posts`; `appoint` writes a post without those rules
and is for seeding the demo and tests only."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.org.models import (
    POST_SCOPE_KIND,
    SCOPE_FIELDS,
    STUDENT_POSTS,
    Appointment,
    ClassGroup,
    College,
    Department,
    DormRoom,
    Post,
    School,
    ScopeKind,
)

SCOPE_FIELD_OF_MODEL = {
    School: "school",
    Department: "department",
    College: "college",
    ClassGroup: "class_group",
    DormRoom: "dorm_room",
}


def validate_appointment(appointment: Appointment) -> None:
    """A post is held over the kind of scope the regulation gives it, by the right kind of person."""
    expected = POST_SCOPE_KIND[appointment.post]
    filled = [name for name in SCOPE_FIELDS if getattr(appointment, f"{name}_id")]
    if filled != [expected]:
        raise ValidationError(
            _("%(post)s is held over a %(kind)s.")
            % {"post": appointment.get_post_display(), "kind": ScopeKind(expected).label}
        )
    if appointment.post in STUDENT_POSTS and not appointment.person.is_student:
        raise ValidationError(_("%(post)s is a post for a student.") % {"post": appointment.get_post_display()})
    if appointment.post not in STUDENT_POSTS and appointment.person.is_student:
        raise ValidationError(_("%(post)s is a post for staff.") % {"post": appointment.get_post_display()})
    if (
        appointment.post == Post.STUDENT_AFFAIRS_STAFF
        and Department.objects.get(pk=appointment.department_id).kind != Department.Kind.STUDENT_AFFAIRS
    ):
        raise ValidationError(_("Student affairs staff are appointed in the Student Affairs Department."))


def new_appointment(person, post: str, scope, *, starts_on=None, ends_on=None) -> Appointment:
    """An unsaved, validated appointment of `person` to `post` over `scope` (a School, Department, College,
    ClassGroup or DormRoom)."""
    appointment = Appointment(person=person, post=post, starts_on=starts_on or timezone.localdate(), ends_on=ends_on)
    setattr(appointment, SCOPE_FIELD_OF_MODEL[type(scope)], scope)
    validate_appointment(appointment)
    return appointment


@transaction.atomic
def appoint(person, post: str, scope, *, starts_on: dt.date | None = None, ends_on: dt.date | None = None):
    """Seeding only (the demo college, tests): a post in force at once, without the grant rules or the log."""
    appointment = new_appointment(person, post, scope, starts_on=starts_on, ends_on=ends_on)
    appointment.save()
    return appointment
