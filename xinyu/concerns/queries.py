"""Read-side helpers for crisis cases: real cases and drills apart, the policy's words for people, and the
phone tree a printed card carries.

Statistics (the crisis board, yearly reports) start from `real_cases()`: a drill (演练) runs the whole
flow but is never counted. Which cases a person may see is still the scope module's answer; combine
the two, e.g. `real_cases(scope.cases_for(user))`.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import ngettext, pgettext_lazy

from xinyu.concerns.models import ConcernReport, CrisisCase, DutyShift
from xinyu.org.models import Appointment, ClassGroup, College, Student
from xinyu.org.responsibility import _holders, holders_of
from xinyu.policy.loader import LevelRule, Policy


def real_cases(cases: QuerySet[CrisisCase] | None = None) -> QuerySet[CrisisCase]:
    """Cases that count: everything but drills."""
    return (CrisisCase.objects.all() if cases is None else cases).filter(is_drill=False)


def drill_cases(cases: QuerySet[CrisisCase] | None = None) -> QuerySet[CrisisCase]:
    return (CrisisCase.objects.all() if cases is None else cases).filter(is_drill=True)


def real_reports(reports: QuerySet[ConcernReport] | None = None) -> QuerySet[ConcernReport]:
    return (ConcernReport.objects.all() if reports is None else reports).filter(is_drill=False)


# The policy's roles (xinyu.policy.loader.ROLES), as the regulation names them.
ROLE_LABELS = {
    "organiser": pgettext_lazy("crisis role", "Organiser of the level"),
    "advisor": pgettext_lazy("crisis role", "Advisor"),
    "head_teacher": pgettext_lazy("crisis role", "Head teacher"),
    "mental_health_advisor": pgettext_lazy("crisis role", "College mental-health advisor"),
    "college_leader_in_charge": pgettext_lazy("crisis role", "College leader in charge"),
    "college_working_group": pgettext_lazy("crisis role", "College working group"),
    "student_affairs": pgettext_lazy("crisis role", "Student Affairs Department"),
    "centre": pgettext_lazy("crisis role", "Psychology centre"),
    "school_leader": pgettext_lazy("crisis role", "School leader in charge (out of office hours: the duty leader)"),
    "logistics_security": pgettext_lazy("crisis role", "Logistics and Security Office"),
}
# What a step's evidence kinds (policy `evidence`) ask to be written down.
EVIDENCE_KIND_LABELS = {
    "note": pgettext_lazy("crisis evidence", "what was done"),
    "family_told": pgettext_lazy("crisis evidence", "family told: who, when, how"),
    "watch_shifts": pgettext_lazy("crisis evidence", "watch: who (at least two), from when"),
    "hospital": pgettext_lazy("crisis evidence", "hospital: where, when"),
}
# Roles held per class: a college's card cannot name them, the class list does.
PER_CLASS_ROLES = ("advisor", "head_teacher")


def role_label(role: str) -> str:
    return str(ROLE_LABELS.get(role, role))


def office_minutes_per_day(policy: Policy) -> int:
    return sum(
        (dt.datetime.combine(dt.date.min, end) - dt.datetime.combine(dt.date.min, start)).seconds // 60
        for start, end in policy.office_periods
    )


def deadline_text(policy: Policy, minutes: int, clock: str) -> str:
    """A deadline as the policy states it: "within 3 working days", "within 15 minutes, round the clock"."""
    if clock == "office":
        per_day = office_minutes_per_day(policy)
        if per_day and minutes % per_day == 0:
            days = minutes // per_day
            return ngettext("within %(n)d working day", "within %(n)d working days", days) % {"n": days}
        if minutes % 60 == 0:
            hours = minutes // 60
            return ngettext("within %(n)d office hour", "within %(n)d office hours", hours) % {"n": hours}
        return ngettext("within %(n)d office minute", "within %(n)d office minutes", minutes) % {"n": minutes}
    if minutes % 60 == 0:
        hours = minutes // 60
        return ngettext("within %(n)d hour, round the clock", "within %(n)d hours, round the clock", hours) % {
            "n": hours
        }
    return ngettext("within %(n)d minute, round the clock", "within %(n)d minutes, round the clock", minutes) % {
        "n": minutes
    }


def level_roles(rule: LevelRule) -> list[str]:
    """The roles a level involves, organiser first: its organiser, collaborators and step owners."""
    roles = [rule.organiser, *rule.collaborators, *(step.role for step in rule.steps)]
    return [role for role in dict.fromkeys(roles) if role != "organiser"]


@dataclass
class Contact:
    name: str
    phone: str


@dataclass
class PhoneTreeRow:
    role: str
    label: str
    people: list[Contact] = field(default_factory=list)
    # Nobody holds the post: the alert falls to the next role up the chain, named here.
    stands_in: list[Contact] = field(default_factory=list)
    per_class: bool = False


@dataclass
class PhoneTree:
    college: College | None
    rows: list[PhoneTreeRow]
    duty_shifts: list[DutyShift]
    centre: list[Contact]


def _contact(person) -> Contact:
    return Contact(person.full_name, person.phone)


def _stand_in_student(college: College) -> Student:
    """The responsibility rules ask about a student; for a college's card, one in none of its classes."""
    return Student(school_id=college.school_id, class_group=ClassGroup(college=college))


def week_of(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """Monday 00:00 to the next Monday 00:00, local time, around `moment`."""
    local = timezone.localtime(moment)
    monday = dt.datetime.combine(local.date() - dt.timedelta(days=local.weekday()), dt.time(), tzinfo=local.tzinfo)
    return monday, monday + dt.timedelta(days=7)


def duty_shifts_this_week(moment: dt.datetime | None = None) -> list[DutyShift]:
    start, end = week_of(moment or timezone.now())
    return list(DutyShift.objects.filter(starts_at__lt=end, ends_at__gt=start).select_related("person"))


def phone_tree(rule: LevelRule, college: College | None, *, at: dt.datetime | None = None) -> PhoneTree:
    """Who to call for a level in a college, from the network's current posts and the duty roster."""
    moment = at or timezone.now()
    rows = []
    student = _stand_in_student(college) if college else None
    for role in level_roles(rule):
        row = PhoneTreeRow(role, role_label(role), per_class=role in PER_CLASS_ROLES)
        if student is not None and not row.per_class:
            direct = [
                appointment.person
                for appointment in Appointment.objects.current(on=timezone.localtime(moment).date())
                .filter(_holders(student, role, timezone.localtime(moment).date()))
                .select_related("person")
                .order_by("post", "id")
            ]
            row.people = [_contact(person) for person in dict.fromkeys(direct)]
            if not row.people:
                row.stands_in = [_contact(person) for person in holders_of(role, student, at=moment)]
        rows.append(row)
    centre = []
    if college is not None:
        centre = [_contact(person) for person in holders_of("centre", _stand_in_student(college), at=moment)]
    return PhoneTree(college, rows, duty_shifts_this_week(moment), centre)
