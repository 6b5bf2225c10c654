"""Break-glass (紧急调阅): a staff member outside a student's chain opens the student's file in an
emergency (DESIGN.md §4).

The student is found by exact 学号 and name only (no browsing; look-ups that match nobody are logged and
limited). A reason is required. The grant gives T3 on that student for the policy's `break_glass_minutes`
through xinyu.org.scope; every read under it is logged by the page that reads, with the post
"break_glass". The centre is alerted at once and the centre's supervisors review every grant within
`break_glass_review_within_days`; "not justified" tells the student-affairs office.
"""

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.common.work import WorkItem, WorkSection
from xinyu.concerns.services.reports import normalise_typed, reporter_school
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, Read, record, record_read
from xinyu.org.models import Appointment, Student
from xinyu.org.responsibility import holders_of
from xinyu.org.scope import Tier
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force
from xinyu.privacy import scope
from xinyu.privacy.models import BreakGlassGrant

REASON_MIN_LENGTH = 10
# Naming a student by 学号 and name must not become a way to browse the roster (as for peer reports).
LOOKUP_LIMIT = 5
LOOKUP_WINDOW = dt.timedelta(hours=1)
LOOKUP_FAILED = Read.BREAK_GLASS_LOOKUP_FAILED
GRANT_OPENED = "privacy.break_glass"


class BreakGlassError(DomainError):
    """A break-glass request that cannot be granted as given; the message says why."""


def student_file_url(student) -> str:
    """The student file page (`studentfile:file`)."""
    return reverse("studentfile:file", args=[student.pk])


def failed_lookups(user, *, now: dt.datetime | None = None) -> int:
    since = (now or timezone.now()) - LOOKUP_WINDOW
    return AuditEntry.objects.filter(actor_username=user.username, what=LOOKUP_FAILED, at__gte=since).count()


def find_student(user, student_number: str, name: str, *, address=None) -> Student:
    """The student named by exact 学号 and name in the user's school. A miss is written to the access
    log at once (committed even though the request then fails); past LOOKUP_LIMIT misses within the
    window every look-up is refused."""
    number, name = normalise_typed(student_number), normalise_typed(name)
    if not number or not name:
        raise BreakGlassError(_("Enter both the student number and the name."))
    if failed_lookups(user) >= LOOKUP_LIMIT:
        raise BreakGlassError(
            _("Too many student numbers and names did not match. Try again in an hour, or call the psychology centre.")
        )
    school = reporter_school(user)
    student = None
    if school is not None:
        # An archived file is not opened by break-glass (the centre's supervisors keep the archive).
        student = (
            Student.objects.filter(school=school, student_number=number, name=name, retention__isnull=True)
            .select_related("class_group__college")
            .first()
        )
    if student is None:
        record_read(
            user, LOOKUP_FAILED, detail={"student_number": number[:32]}, post=scope.BREAK_GLASS, address=address
        )
        raise BreakGlassError(_("No student has this student number and name. Check both and try again."))
    return student


def reasons_behind(user, entries) -> dict[int, str]:
    """The reasons of the emergency accesses that access-log `entries` opened, by entry id, where `user`
    may open the grant (the log names the grant; only the grant keeps the reason, encrypted)."""
    grants = {}
    for entry in entries:
        if entry.what == GRANT_OPENED and isinstance(entry.detail, dict) and isinstance(entry.detail.get("grant"), int):
            grants[entry.pk] = entry.detail["grant"]
    if not grants:
        return {}
    reasons = dict(scope.break_glass_grants_for(user).filter(pk__in=grants.values()).values_list("pk", "reason"))
    return {pk: reasons[grant] for pk, grant in grants.items() if grant in reasons}


OPENED_SHOWN = 500


def opened_under(grant: BreakGlassGrant) -> list[AuditEntry]:
    """What the holder read, printed or changed about the student while the grant ran, for its review: the
    access-log entries of that person about that student between the grant and its end (the grant's own
    entries aside), oldest first."""
    entries = (
        AuditEntry.objects.filter(
            actor_id=grant.person_id, student_id=grant.student_id, at__gte=grant.granted_at, at__lt=grant.ends_at
        )
        .exclude(what__startswith=GRANT_OPENED)
        .only("seq", "at", "action", "what", "tier", "post")
        .order_by("id")
    )
    return list(entries[:OPENED_SHOWN])


def active_grant(user, student) -> BreakGlassGrant | None:
    return BreakGlassGrant.objects.active().filter(person_id=user.pk, student_id=student.pk).first()


def centre_staff(student) -> list:
    """Everyone in a centre post over the student's school (supervisors, full- and part-time counsellors);
    nobody there: up the chain (学工部 …), so that the alert always reaches someone."""
    people = [
        appointment.person
        for appointment in Appointment.objects.current()
        .filter(post__in=scope.CENTRE_POSTS, school_id=student.school_id)
        .select_related("person")
        .order_by("post", "id")
    ]
    return list(dict.fromkeys(people)) or holders_of("centre", student)


def centre_supervisors(student) -> list:
    return [
        appointment.person
        for appointment in Appointment.objects.current()
        .filter(post=scope.Post.CENTRE_SUPERVISOR, school_id=student.school_id)
        .select_related("person")
    ]


@transaction.atomic
def open_break_glass(user, student, *, reason: str, address=None) -> BreakGlassGrant:
    """Grant `user` T3 on `student` for the policy's minutes, log it, alert the centre, create the review."""
    if not scope.may_break_glass(user):
        raise BreakGlassError(_("Only staff in a post can use emergency access."))
    existing = active_grant(user, student)
    if existing is not None:
        return existing
    if scope.tier_for(user, student)[0] > Tier.T0:
        raise BreakGlassError(
            _("You are already responsible for this student through your post: open their file from your students.")
        )
    reason = (reason or "").strip()
    if len(reason) < REASON_MIN_LENGTH:
        raise BreakGlassError(
            _("Reason: say in at least %(count)d characters what the emergency is.") % {"count": REASON_MIN_LENGTH}
        )
    rules = policy_in_force().care
    now = timezone.now()
    grant = BreakGlassGrant.objects.create(
        person=user,
        student=student,
        reason=reason,
        granted_at=now,
        expires_at=now + dt.timedelta(minutes=rules.break_glass_minutes),
        review_due_on=timezone.localdate(now) + dt.timedelta(days=rules.break_glass_review_within_days),
    )
    scope.forget_break_glass(user)
    record(
        user,
        Event(
            AuditEntry.Action.CREATE,
            GRANT_OPENED,
            student=student,
            tier=Tier.T3,
            post=scope.BREAK_GLASS,
            # The reason often says why the student is in danger: the grant keeps it, encrypted, and the
            # pages that show it read it there under the grant's rules.
            detail={"grant": grant.pk, "expires_at": grant.expires_at.isoformat()},
        ),
        address=address,
    )
    notify(
        [person for person in centre_staff(student) if person != user],
        student=student,
        tier=Tier.T2,  # that someone opened the student's file in an emergency
        key=f"privacy.break_glass{grant.pk}",
        title=_("Emergency access to a student file by %(name)s: the centre reviews it") % {"name": user.full_name},
        link=reverse("privacy:break_glass_detail", args=[grant.pk]),
        urgent=True,
    )
    return grant


@transaction.atomic
def end_break_glass(grant: BreakGlassGrant, *, by, address=None) -> BreakGlassGrant:
    """End an access early: by its holder (done with it) or a supervisor (stopping it)."""
    grant = BreakGlassGrant.objects.select_for_update().select_related("student").get(pk=grant.pk)
    if by.pk != grant.person_id and not (
        scope.may_review_break_glass(by) and scope.break_glass_grants_for(by).filter(pk=grant.pk).exists()
    ):
        raise BreakGlassError(_("Only the person who opened the access or a centre supervisor can end it."))
    if not grant.is_active():
        raise BreakGlassError(_("This emergency access has already ended."))
    grant.ended_at = timezone.now()
    grant.save(update_fields=["ended_at"])
    scope.forget_break_glass(by)
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            "privacy.break_glass.end",
            student=grant.student,
            tier=Tier.T2,
            post=scope.BREAK_GLASS if by.pk == grant.person_id else "",
            detail={"grant": grant.pk},
        ),
        address=address,
    )
    return grant


@transaction.atomic
def review_break_glass(grant: BreakGlassGrant, *, by, outcome: str, note: str, address=None) -> BreakGlassGrant:
    """A centre supervisor's review: justified or not, with a note (required when not justified)."""
    grant = BreakGlassGrant.objects.select_for_update().select_related("student", "person").get(pk=grant.pk)
    if not scope.break_glass_reviews_for(by).filter(pk=grant.pk).exists():
        if grant.outcome:
            raise BreakGlassError(_("This emergency access has already been reviewed."))
        raise BreakGlassError(_("Only a centre supervisor (not the person who used it) can review this access."))
    if outcome not in BreakGlassGrant.Outcome.values:
        raise BreakGlassError(_("Review: choose justified or not justified."))
    note = (note or "").strip()
    if outcome == BreakGlassGrant.Outcome.NOT_JUSTIFIED and not note:
        raise BreakGlassError(_("Review note: say why the access was not justified."))
    now = timezone.now()
    grant.outcome, grant.review_note, grant.reviewed_by, grant.reviewed_at = outcome, note, by, now
    fields = ["outcome", "review_note", "reviewed_by", "reviewed_at"]
    if outcome == BreakGlassGrant.Outcome.NOT_JUSTIFIED and grant.is_active(now):
        grant.ended_at = now
        fields.append("ended_at")
    grant.save(update_fields=fields)
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            "privacy.break_glass.review",
            student=grant.student,
            tier=Tier.T2,
            detail={"grant": grant.pk, "outcome": outcome, "person": grant.person.username},
        ),
        address=address,
    )
    if outcome == BreakGlassGrant.Outcome.NOT_JUSTIFIED:
        notify(
            holders_of("student_affairs", grant.student),
            student=grant.student,
            tier=Tier.T2,
            key=f"privacy.break_glass{grant.pk}:not_justified",
            title=_("An emergency access to a student file was found not justified (%(name)s)")
            % {"name": grant.person.full_name},
            link=reverse("privacy:break_glass_detail", args=[grant.pk]),
        )
    return grant


def review_work(user, now: dt.datetime) -> WorkSection | None:
    """ "My work" for the centre's supervisors: emergency accesses waiting for review."""
    if not scope.may_review_break_glass(user):
        return None
    today = timezone.localdate(now)
    grants = scope.break_glass_reviews_for(user).select_related("person", "student").order_by("review_due_on", "pk")
    return WorkSection(
        key="break-glass-reviews",
        title=_("Emergency accesses to review"),
        items=[
            WorkItem(
                kind="break_glass_review",
                title=_("Review the emergency access by %(name)s") % {"name": grant.person.full_name},
                tier=Tier.T2,  # that someone opened the student's file in an emergency
                student=grant.student,
                due=grant.review_due_on,
                overdue=grant.review_due_on < today,
                url=reverse("privacy:break_glass_detail", args=[grant.pk]),
                id=grant.pk,
            )
            for grant in grants
        ],
    )
