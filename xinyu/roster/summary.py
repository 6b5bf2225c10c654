"""What an import changed, per kind of record: created, updated, unchanged and left (gone from the school:
a student's status set to graduated, withdrawn or dismissed; a staff member's leaving date set; a post
ended). "Left" rows are not counted again as "updated"; classes and dorm rooms are created, never updated
(a row names the class a student is in, not the class's details)."""

from xinyu.org.models import Student
from xinyu.roster.planning import Plan, key
from xinyu.roster.validation import Checked

GONE = frozenset({Student.Status.GRADUATED, Student.Status.WITHDRAWN, Student.Status.DISMISSED})
KINDS = ("students", "staff", "appointments", "colleges", "classes", "dorms")


def _tally(created=0, updated=0, unchanged=0, left=0) -> dict[str, int]:
    return {"created": created, "updated": updated, "unchanged": unchanged, "left": left}


def _people(changes, unchanged: int, is_leaving) -> dict[str, int]:
    created = sum(1 for change in changes if change.created)
    left = sum(1 for change in changes if not change.created and is_leaving(change))
    return _tally(created, len(changes) - created - left, unchanged, left)


def summarise(plan: Plan, checked: Checked) -> dict[str, dict[str, int]]:
    """The change summary of a plan (applied or not), per kind."""
    group_keys = {(key(r.college), key(r.class_group)) for r in checked.students}
    room_keys = {(key(r.building), key(r.room)) for r in checked.students if r.building}
    college_keys = {key(r.college) for r in checked.students}
    new_groups, new_rooms = len(plan.new_class_groups), len(plan.new_dorm_rooms)
    return {
        "students": _people(
            plan.students, plan.unchanged_students, lambda c: "status" in c.fields and c.obj.status in GONE
        ),
        "staff": _people(plan.staff, plan.unchanged_staff, lambda c: "left_on" in c.fields and c.obj.left_on),
        "appointments": _people(plan.appointments, plan.unchanged_appointments, lambda c: "ends_on" in c.fields),
        "colleges": _tally(len(plan.new_colleges), unchanged=len(college_keys) - len(plan.new_colleges)),
        "classes": _tally(new_groups, unchanged=len(group_keys) - new_groups),
        "dorms": _tally(new_rooms, unchanged=len(room_keys) - new_rooms),
    }
