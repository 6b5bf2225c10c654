"""The plan for staff accounts and appointments (任职)."""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.models import User
from xinyu.grants import rules as grant_rules
from xinyu.org.models import POST_SCOPE_KIND, Appointment, Department, ScopeKind
from xinyu.org.services import validate_appointment
from xinyu.roster import vocabulary
from xinyu.roster.planning import Change, Plan, in_chunks, key
from xinyu.roster.validation import AppointmentRecord, Checked

# validate_appointment checks which scope field is filled; a place this import creates has no id yet.
NOT_YET_SAVED = -1


def plan_staff(plan: Plan, checked: Checked) -> None:
    for record in checked.staff:
        user = plan.users.get(record.username)
        values = {"full_name": record.name}
        values.update({name: getattr(record, name) for name in ("phone", "email", "left_on") if getattr(record, name)})
        if user is None:
            user = plan.new_user(record.username, User.Kind.STAFF, **values)
            plan.staff.append(Change(user, sorted(values), created=True, record=record))
            continue
        if user.is_student:
            plan.problem(
                record,
                "username",
                record.username,
                "username_taken",
                _("This number is the sign-in name of a student's account."),
            )
            continue
        before = set(plan.changed_users.get(user.pk, (user, set()))[1])
        plan.change_user(user, **values)
        changed = sorted(plan.changed_users.get(user.pk, (user, set()))[1] - before)
        if changed:
            plan.staff.append(Change(user, changed, created=False, record=record))
        else:
            plan.unchanged_staff += 1


def plan_appointments(plan: Plan, checked: Checked, actor=None) -> None:
    """New posts and earlier ends, each under the rules of who may grant and end which post
    (`xinyu.grants.rules`) for the person importing: the import grants nothing that person could not grant on
    the network pages, and a grant that needs a second person waits for one after the import."""
    records = checked.appointments
    if not records:
        return
    departments = {key(d.name): d for d in Department.objects.filter(school=plan.school)}
    people = {user.pk for username in {r.username for r in records} if (user := plan.users.get(username)) and user.pk}
    held = defaultdict(list)
    # Refused and withdrawn grants are history: a row naming such a post again is a new grant.
    live = Appointment.objects.filter(status__in=[Appointment.Status.ACTIVE, Appointment.Status.PENDING])
    for appointment in in_chunks(live, "person_id", people):
        scope_id = getattr(appointment, f"{appointment.scope_kind}_id")
        held[(appointment.person_id, appointment.post, scope_id)].append(appointment)
    today = timezone.localdate()
    for record in records:
        person = plan.users.get(record.username)
        if person is None:
            plan.problem(
                record,
                "username",
                record.username,
                "unknown_person",
                _("No one has this number. Add the person to the 教职工 or 学生 sheet, or check the number."),
            )
            continue
        scope = _scope(plan, record, departments)
        if scope is None:
            continue
        kind = POST_SCOPE_KIND[record.post]
        appointment = Appointment(
            person=person, post=record.post, starts_on=record.starts_on or today, ends_on=record.ends_on
        )
        setattr(appointment, f"{kind}_id", scope.pk or NOT_YET_SAVED)
        try:
            validate_appointment(appointment)
        except ValidationError as error:
            plan.problem(
                record, "post", vocabulary.post_name(record.post), "invalid_appointment", " ".join(error.messages)
            )
            continue
        setattr(appointment, kind, scope)
        same = _same(held.get((person.pk, record.post, scope.pk), []) if person.pk and scope.pk else [], record, today)
        if same is None:
            if refusal := _grant_refusal(actor, record.post, scope, person):
                plan.problem(record, "post", vocabulary.post_name(record.post), "not_allowed", refusal)
                continue
            plan.appointments.append(
                Change(appointment, ["post", kind, "starts_on", "ends_on"], created=True, record=record)
            )
        elif record.ends_on and same.ends_on != record.ends_on:
            if same.ends_on is not None and record.ends_on > same.ends_on:
                plan.problem(
                    record,
                    "ends_on",
                    record.ends_on.isoformat(),
                    "extends_post",
                    _("A post is not extended by an import: grant it anew on the network page."),
                )
                continue
            if same.status != Appointment.Status.ACTIVE:
                plan.problem(
                    record,
                    "ends_on",
                    record.ends_on.isoformat(),
                    "pending_post",
                    _("This post waits for confirmation: withdraw or refuse the grant on the network page."),
                )
                continue
            if actor is None or grant_rules.end_authority(actor, same) is None:
                plan.problem(
                    record, "ends_on", record.ends_on.isoformat(), "not_allowed", _("You may not end this post.")
                )
                continue
            if record.ends_on < same.starts_on:
                plan.problem(
                    record,
                    "ends_on",
                    record.ends_on.isoformat(),
                    "ends_before_start",
                    _("The end date is before the start date."),
                )
                continue
            same.ends_on = record.ends_on
            plan.appointments.append(Change(same, ["ends_on"], created=False, record=record))
        else:
            plan.unchanged_appointments += 1


def _grant_refusal(actor, post: str, scope, person) -> str | None:
    if actor is None:
        return _("Posts are granted by a person: import as someone who may grant them (--as on the command line).")
    return grant_rules.grant_refusal(actor, post, scope, person)


def _same(held: list[Appointment], record: AppointmentRecord, today: dt.date) -> Appointment | None:
    """The appointment this row describes: the one with its start date; with no start date given, the
    one in force today, or else the latest."""
    if record.starts_on:
        return next((a for a in held if a.starts_on == record.starts_on), None)
    current = [a for a in held if a.is_current(today)]
    candidates = current or held
    return max(candidates, key=lambda a: a.starts_on) if candidates else None


def _scope(plan: Plan, record: AppointmentRecord, departments: dict):
    """The part of the network the post is held over; the post decides which kind of place to look for."""
    kind = POST_SCOPE_KIND[record.post]
    text = record.scope
    found = None
    match kind:
        case ScopeKind.SCHOOL:
            if key(text) in vocabulary.SCHOOL_WORDS or key(text) in {key(plan.school.name), key(plan.school.code)}:
                found = plan.school
        case ScopeKind.DEPARTMENT:
            found = departments.get(key(text))
        case ScopeKind.COLLEGE:
            found = plan.colleges.get(key(text))
        case ScopeKind.CLASS_GROUP:
            found = _class_group(plan, record, text)
            if found is False:
                return None
        case ScopeKind.DORM_ROOM:
            parts = text.rsplit(maxsplit=1)
            if len(parts) == 2:
                found = plan.dorm_rooms.get((key(parts[0]), key(parts[1])))
    if found is None:
        reasons = {
            ScopeKind.SCHOOL: _("This post is held over the whole school: write 学校."),
            ScopeKind.DEPARTMENT: _("No department has this name."),
            ScopeKind.COLLEGE: _("No college has this name."),
            ScopeKind.CLASS_GROUP: _("No class has this name."),
            ScopeKind.DORM_ROOM: _("No dorm room is known by this name. Write the building and the room: 1号楼 101."),
        }
        plan.problem(record, "scope", text, "unknown_scope", reasons[kind])
    return found


def _class_group(plan: Plan, record: AppointmentRecord, text: str):
    """A class by name, or "college/class" when two colleges have classes of the same name."""
    if "/" in text:
        college, _slash, name = text.rpartition("/")
        return plan.class_groups.get((key(college), key(name)))
    matches = [group for (_college, name), group in plan.class_groups.items() if name == key(text)]
    if len(matches) > 1:
        plan.problem(
            record,
            "scope",
            text,
            "ambiguous_scope",
            _("Several colleges have a class with this name; write it as college/class, e.g. %(example)s.")
            % {"example": f"{matches[0].college.name}/{matches[0].name}"},
        )
        return False
    return matches[0] if matches else None
