"""Who opened a student's file, for the student's own page (where the policy allows): one row per person and
day, with the person's name, one post for them, how many times and which kinds of record, from the access
log. Never the reasons people gave, nor the time of each read."""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import CAPACITIES
from xinyu.org.models import Post
from xinyu.org.scope import BREAK_GLASS, CASE_COLLABORATOR, CASE_ESCALATED, CASE_MEMBER, CASE_ORGANISER, CASE_STEP_OWNER

SHOWN_ACTIONS = (AuditEntry.Action.VIEW, AuditEntry.Action.EXPORT, AuditEntry.Action.PRINT)
LIMIT = 100  # person-days shown, newest first

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
    """One person's reads of the student's data on one day."""

    day: dt.date
    name: str
    post: str
    count: int
    kinds: list[str] = field(default_factory=list)


def kind_label(what: str) -> str:
    for prefix, label in KINDS:
        if what.startswith(prefix):
            return str(label)
    return str(_("Other records"))


def _kind_order(label: str) -> int:
    labels = [str(label) for _prefix, label in KINDS]
    return labels.index(label) if label in labels else len(labels)


def post_label(post: str) -> str:
    if post in OTHER_POSTS:
        return str(OTHER_POSTS[post])
    if post in Post.values:
        return str(Post(post).label)
    return str(_("Staff"))


def _one_post_each(rows) -> dict:
    """The one post a person is named with on the student's page, the same on every row: an emergency access
    above all (the student should know of it), then the post they read under most often, a named post before
    the bare "staff"."""
    counts: dict = {}
    for row in rows:
        counts.setdefault(row["person"], Counter())[post_label(row["post"])] += row["n"]
    staff, emergency = str(_("Staff")), str(OTHER_POSTS[BREAK_GLASS])
    chosen = {}
    for person, labels in counts.items():
        if emergency in labels:
            chosen[person] = emergency
            continue
        named = [(n, label) for label, n in labels.items() if label != staff]
        chosen[person] = max(named, key=lambda item: (item[0], item[1]))[1] if named else staff
    return chosen


def accesses_for_student(student) -> list[Access]:
    """Grouped in the database (person, post, kind of record, day); one query whatever the log's length."""
    reads = Q(action__in=SHOWN_ACTIONS) & ~Q(what__startswith="privacy.break_glass.")
    # A dorm leader's check-in list names the student and nothing more; it is not the file, and showing it
    # would tell the student why their room-mate asks after them.
    reads &= ~Q(post__in=STUDENT_POSTS)
    if student.user_id:
        reads &= ~Q(actor_id=student.user_id)
    grants = Q(what="privacy.break_glass", action=AuditEntry.Action.CREATE)
    rows = list(
        AuditEntry.objects.filter(student=student)
        .filter(reads | grants)
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("actor_id", "actor_name", "post", "what", "day")
        .annotate(n=Count("id"), last=Max("at"))
        .order_by()
    )
    for row in rows:
        row["person"] = row["actor_id"] or row["actor_name"]
    posts = _one_post_each(rows)
    groups: dict = {}
    for row in rows:
        key = (row["person"], row["day"])
        group = groups.get(key)
        if group is None:
            name = row["actor_name"] or str(_("System"))
            group = groups[key] = {"access": Access(row["day"], name, posts[row["person"]], 0), "last": row["last"]}
        access = group["access"]
        kind = kind_label(row["what"])
        if kind not in access.kinds:
            access.kinds.append(kind)
        # An emergency access's grant is the access itself, not one more read.
        if row["what"] != "privacy.break_glass":
            access.count += row["n"]
        group["last"] = max(group["last"], row["last"])
    ordered = sorted(groups.values(), key=lambda group: (group["access"].day, group["last"]), reverse=True)
    for group in ordered:
        group["access"].kinds.sort(key=_kind_order)
    return [group["access"] for group in ordered[:LIMIT]]
