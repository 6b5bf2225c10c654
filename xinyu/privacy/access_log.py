"""Who opened a student's file, for the student's own page (where the policy allows): date, the person's
post and name, and what kind of record, from the access log. Never the reasons people gave."""

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import CAPACITIES
from xinyu.org.models import Post
from xinyu.org.scope import BREAK_GLASS, CASE_COLLABORATOR, CASE_ESCALATED, CASE_MEMBER, CASE_ORGANISER, CASE_STEP_OWNER

SHOWN_ACTIONS = (AuditEntry.Action.VIEW, AuditEntry.Action.EXPORT, AuditEntry.Action.PRINT)
LIMIT = 100

# The kind of record, by the start of the log entry's `what` (longest prefix first).
KINDS = (
    ("privacy.break_glass", _("Emergency access")),
    ("screening.interview", _("Interview records")),
    ("care.interview", _("Interview records")),
    ("care.follow_up", _("Interview records")),
    ("screening", _("Screening results")),
    ("concern", _("Concern reports")),
    ("crisis", _("Crisis case")),
    ("case", _("Crisis case")),
    ("counselling", _("Counselling records")),
    ("referral", _("Referral records")),
    ("care", _("Care records")),
    ("registry", _("Key-concern registry")),
    ("studentfile", _("Student file")),
    ("student", _("Student record")),
)
STUDENT_POSTS = (Post.DORM_LEADER, Post.WELLBEING_REP)
# Reads not under a post: emergency access, and the reader's role on a crisis case about the student.
OTHER_POSTS = {
    capacity: CAPACITIES[capacity]
    for capacity in (BREAK_GLASS, CASE_MEMBER, CASE_ORGANISER, CASE_COLLABORATOR, CASE_STEP_OWNER, CASE_ESCALATED)
}


@dataclass
class Access:
    at: dt.datetime
    name: str
    post: str
    kind: str
    action: str


def kind_label(what: str) -> str:
    for prefix, label in KINDS:
        if what.startswith(prefix):
            return str(label)
    return str(_("Other records"))


def post_label(post: str) -> str:
    if post in OTHER_POSTS:
        return str(OTHER_POSTS[post])
    if post in Post.values:
        return str(Post(post).label)
    return str(_("Staff"))


def accesses_for_student(student) -> list[Access]:
    entries = (
        AuditEntry.objects.filter(student=student)
        .filter(action__in=SHOWN_ACTIONS)
        .exclude(what__startswith="privacy.break_glass.")
        # A dorm leader's check-in list names the student and nothing more; it is not the file, and
        # showing it would tell the student why their room-mate asks after them.
        .exclude(post__in=STUDENT_POSTS)
        .order_by("-seq")
    )
    if student.user_id:
        entries = entries.exclude(actor_id=student.user_id)
    grants = AuditEntry.objects.filter(student=student, what="privacy.break_glass", action=AuditEntry.Action.CREATE)
    rows = list(entries.values("at", "actor_name", "post", "what", "action")[:LIMIT])
    rows += list(grants.values("at", "actor_name", "post", "what", "action")[:LIMIT])
    rows.sort(key=lambda row: row["at"], reverse=True)
    return [
        Access(
            at=row["at"],
            name=row["actor_name"] or str(_("System")),
            post=post_label(row["post"]),
            kind=kind_label(row["what"]),
            action=str(AuditEntry.Action(row["action"]).label),
        )
        for row in rows[:LIMIT]
    ]
