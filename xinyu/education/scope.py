"""Who may read and keep the work plans and the activities: the one place that decides, on top of
`xinyu.org.scope`.

Plans and activities are about no student (T0), so the rule is by post and place:
- school-wide (学工部, the centre, the leading group) read every plan and activity of their school; 学工部
  drafts and publishes the school's plan; 学工部 and the centre record school activities;
- a college's working group reads its college's plan and activities (its classes' and dorms' too), sees its
  classes' coverage, and the leader in charge, the 学工办 director and the mental-health advisor draft the
  college's plan; the working group records college activities and class meetings of the college's classes;
- head teachers and advisors read their classes' activities and record their class meetings; the class
  wellbeing rep records and reads their class's, the dorm leader their dorm's;
- published plans are read by the staff of the school (the school's plan) and of the college (its plan).
An activity's attendance list names students (T1): only those of them `scope.students_for(user)` allows are
shown. Everyone else gets 404, the same answer as for a record that does not exist.
"""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.http import Http404

from xinyu.education.models import Activity, Level, Plan, PlanItem
from xinyu.org import scope
from xinyu.org.models import COLLEGE_WORKING_GROUP_POSTS, ClassGroup, College, DormRoom, Post

SCHOOL_WIDE_POSTS = scope.CENTRE_POSTS | {
    Post.STUDENT_AFFAIRS_STAFF, Post.LEADING_GROUP_HEAD, Post.LEADING_GROUP_DEPUTY, Post.LEADING_GROUP_MEMBER,
}  # fmt: skip
SCHOOL_PLAN_EDITORS = frozenset({Post.STUDENT_AFFAIRS_STAFF})
SCHOOL_RECORDERS = scope.CENTRE_POSTS | {Post.STUDENT_AFFAIRS_STAFF}
COLLEGE_PLAN_EDITORS = frozenset(
    {Post.COLLEGE_LEADER_IN_CHARGE, Post.COLLEGE_OFFICE_DIRECTOR, Post.MENTAL_HEALTH_ADVISOR}
)
CLASS_STAFF_POSTS = frozenset({Post.ADVISOR, Post.HEAD_TEACHER})


@dataclass
class Places:
    """Where a user's posts put them, for plans and activities."""

    schools: set[int] = field(default_factory=set)  # every school the user holds a post in
    school_wide: set[int] = field(default_factory=set)  # reads everything in these schools
    school_editor: set[int] = field(default_factory=set)  # drafts the school plan
    school_recorder: set[int] = field(default_factory=set)  # records school activities
    colleges: set[int] = field(default_factory=set)  # a post in the college (any level), reads its plan
    college_group: set[int] = field(default_factory=set)  # the college's working group
    college_editor: set[int] = field(default_factory=set)  # drafts the college plan
    classes: set[int] = field(default_factory=set)  # head teacher, advisor, wellbeing rep
    class_staff: set[int] = field(default_factory=set)  # head teacher, advisor
    dorms: set[int] = field(default_factory=set)  # dorm leader
    is_student: bool = False


def places_of(user) -> Places:
    cached = getattr(user, "_xinyu_education_places", None)
    if cached is not None:
        return cached
    places = Places(is_student=bool(getattr(user, "is_student", False)))
    appointments = scope.current_appointments(user)
    for a in appointments:
        if a.school_id or a.department_id:
            school = a.school_id or a.department.school_id
            places.schools.add(school)
            if a.post in SCHOOL_WIDE_POSTS:
                places.school_wide.add(school)
            if a.post in SCHOOL_PLAN_EDITORS:
                places.school_editor.add(school)
            if a.post in SCHOOL_RECORDERS:
                places.school_recorder.add(school)
        elif a.college_id:
            places.schools.add(a.college.school_id)
            places.colleges.add(a.college_id)
            if a.post in COLLEGE_WORKING_GROUP_POSTS:
                places.college_group.add(a.college_id)
            if a.post in COLLEGE_PLAN_EDITORS:
                places.college_editor.add(a.college_id)
        elif a.class_group_id:
            college = a.class_group.college_id
            places.schools.add(a.class_group.college.school_id)
            places.colleges.add(college)
            places.classes.add(a.class_group_id)
            if a.post in CLASS_STAFF_POSTS:
                places.class_staff.add(a.class_group_id)
        elif a.dorm_room_id:
            places.schools.add(a.dorm_room.school_id)
            places.dorms.add(a.dorm_room_id)
    user._xinyu_education_places = places
    return places


# Plans -------------------------------------------------------------------------------------------------


def may_use_plans(user) -> bool:
    """Staff with a post somewhere in a school read its plan; students do not."""
    places = places_of(user)
    return not places.is_student and bool(places.schools)


def plans_for(user) -> QuerySet[Plan]:
    """Plans `user` may read: published ones of their school and colleges (every college's, school-wide),
    and the drafts they may edit."""
    p = places_of(user)
    if p.is_student:
        return Plan.objects.none()
    published = (
        Q(college__isnull=True, school_id__in=p.schools) | Q(school_id__in=p.school_wide) | Q(college_id__in=p.colleges)
    )
    editable = Q(college__isnull=True, school_id__in=p.school_editor) | Q(college_id__in=p.college_editor)
    return Plan.objects.filter((published & Q(status=Plan.Status.PUBLISHED)) | editable)


def get_plan_for_user(user, pk) -> Plan:
    try:
        return plans_for(user).select_related("school", "college").get(pk=pk)
    except (Plan.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_edit_plan(user, plan: Plan) -> bool:
    p = places_of(user)
    if plan.college_id is None:
        return plan.school_id in p.school_editor
    return plan.college_id in p.college_editor


def plan_places_to_draft(user) -> list[tuple[int, int | None]]:
    """(school id, college id or None) of every plan `user` may start."""
    p = places_of(user)
    places = [(school, None) for school in sorted(p.school_editor)]
    schools = dict(College.objects.filter(pk__in=p.college_editor).values_list("pk", "school_id"))
    return places + [(schools[college], college) for college in sorted(p.college_editor)]


def may_draft_plans(user) -> bool:
    p = places_of(user)
    return bool(p.school_editor or p.college_editor)


def may_complete_item(user, item: PlanItem) -> bool:
    return item.owner_id == user.pk or may_edit_plan(user, item.plan)


def overseen_schools(user) -> set[int]:
    """Schools whose plan items due or late 学工部 is reminded of."""
    return places_of(user).school_editor


# Activities ---------------------------------------------------------------------------------------------


def may_use_activities(user) -> bool:
    p = places_of(user)
    return bool(p.schools)


def activities_for(user) -> QuerySet[Activity]:
    """Activities `user` may see: everything in a school-wide post's school; a college's in its working
    group; school activities for every staff member of the school; a class's to its staff and wellbeing rep;
    a dorm's to its dorm leader."""
    p = places_of(user)
    condition = (
        Q(school_id__in=p.school_wide)
        | Q(college_id__in=p.college_group)
        | Q(class_group_id__in=p.classes)
        | Q(dorm_room_id__in=p.dorms)
    )
    if not p.is_student:
        condition |= Q(level=Level.SCHOOL, school_id__in=p.schools) | Q(level=Level.COLLEGE, college_id__in=p.colleges)
    return Activity.objects.filter(condition)


def get_activity_for_user(user, pk) -> Activity:
    try:
        return (
            activities_for(user).select_related("school", "college", "class_group", "dorm_room", "organiser").get(pk=pk)
        )
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def may_see_photos(user, activity: Activity) -> bool:
    """Photos are served to staff who may see the activity (never to students)."""
    return not places_of(user).is_student and activities_for(user).filter(pk=activity.pk).exists()


def attendance_for(user, activity: Activity):
    """The activity's attendees `user` may see (T1), and how many others were present."""
    present = activity.attendance.values("student_id")
    if places_of(user).is_student:
        return [], present.count()
    shown = list(scope.students_for(user).filter(pk__in=present).order_by("student_number"))
    return shown, present.count() - len(shown)


@dataclass
class Recording:
    """What `user` may record: the levels, and the places at each level."""

    schools: list[int]
    colleges: QuerySet
    class_groups: QuerySet
    dorm_rooms: QuerySet

    @property
    def any(self) -> bool:
        return bool(self.schools) or self.colleges.exists() or self.class_groups.exists() or self.dorm_rooms.exists()


def recording_for(user) -> Recording:
    p = places_of(user)
    classes = Q(pk__in=p.classes) | Q(college_id__in=p.college_group) | Q(college__school_id__in=p.school_recorder)
    return Recording(
        schools=sorted(p.school_recorder),
        colleges=College.objects.filter(Q(pk__in=p.college_group) | Q(school_id__in=p.school_recorder)),
        class_groups=ClassGroup.objects.filter(classes).select_related("college"),
        dorm_rooms=DormRoom.objects.filter(pk__in=p.dorms),
    )


def may_record(user) -> bool:
    p = places_of(user)
    return bool(p.school_recorder or p.college_group or p.classes or p.dorms)


def may_take_attendance(user, class_group: ClassGroup) -> bool:
    """Attendance is taken from the roster by those who see the class as a class: its staff, the college's
    and the school's (via `scope.class_groups_for`), and the class's own wellbeing rep."""
    if class_group.pk in places_of(user).classes:
        return True
    return scope.class_groups_for(user).filter(pk=class_group.pk).exists()


# Coverage ---------------------------------------------------------------------------------------------


def coverage_colleges_for(user) -> QuerySet[College]:
    """Colleges whose coverage (which classes held a theme class meeting) `user` may see."""
    p = places_of(user)
    return College.objects.filter(Q(school_id__in=p.school_wide) | Q(pk__in=p.college_group))


def may_see_coverage(user) -> bool:
    p = places_of(user)
    return bool(p.school_wide or p.college_group)


def get_coverage_college_for_user(user, pk) -> College:
    try:
        return coverage_colleges_for(user).get(pk=pk)
    except (College.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
