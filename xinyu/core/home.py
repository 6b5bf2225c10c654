"""What each person is responsible for, for the role-aware home page."""

from dataclasses import dataclass, field

from django.db.models import Count

from xinyu.org import scope
from xinyu.org.models import Appointment, ScopeKind


@dataclass
class Responsibility:
    appointment: Appointment
    student_count: int | None = None
    class_groups: list = field(default_factory=list)


def responsibilities_for(user) -> list[Responsibility]:
    """One row per current post: the scope, and for staff posts how many students it covers."""
    rows = []
    visible_classes = {
        group.pk: group
        for group in scope.class_groups_for(user).annotate(student_count=Count("students")).select_related("college")
    }
    for appointment in scope.current_appointments(user):
        row = Responsibility(appointment)
        kind = appointment.scope_kind
        if kind == ScopeKind.CLASS_GROUP and appointment.class_group_id in visible_classes:
            group = visible_classes[appointment.class_group_id]
            row.class_groups = [group]
            row.student_count = group.student_count
        elif kind == ScopeKind.COLLEGE:
            row.class_groups = [g for g in visible_classes.values() if g.college_id == appointment.college_id]
            row.student_count = sum(g.student_count for g in row.class_groups) if row.class_groups else None
        rows.append(row)
    return rows
