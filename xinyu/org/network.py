"""The 校院班寝 network as a tree with its people, and the gaps in its coverage."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.org.models import (
    COLLEGE_WORKING_GROUP_POSTS,
    Appointment,
    ClassGroup,
    College,
    DormRoom,
    Post,
    School,
    Student,
)


@dataclass
class Gap:
    kind: str
    where: str
    message: str
    # What fills the gap, for a link to the appointment form: the post, and the place as "kind:id".
    post: str = ""
    place: str = ""
    holder: str = ""  # a departed holder's number, to find their post and end it


@dataclass
class CollegeNode:
    college: College
    working_group: list[Appointment] = field(default_factory=list)
    class_groups: list = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)


@dataclass
class Network:
    school: School | None
    school_posts: list[Appointment]
    colleges: list[CollegeNode]
    dorm_rooms_without_leader: list[DormRoom]
    departed_holders: list[Appointment]
    # Rooms where the colleges' enrolled students live, each with `people` (its posts), for the API.
    dorm_rooms: list[DormRoom] = field(default_factory=list)

    @property
    def gaps(self) -> list[Gap]:
        gaps = [gap for node in self.colleges for gap in node.gaps]
        gaps += [
            Gap("dorm_leader", str(room), _("Dorm room %(room)s has no dorm leader") % {"room": room}, Post.DORM_LEADER)
            for room in self.dorm_rooms_without_leader
        ]
        gaps += [
            Gap(
                "departed",
                str(appointment.scope),
                _("%(post)s of %(scope)s is held by %(name)s, who has left")
                % {
                    "post": appointment.get_post_display(),
                    "scope": appointment.scope,
                    "name": appointment.person.full_name,
                },
                holder=appointment.person.username,
            )
            for appointment in self.departed_holders
        ]
        return gaps


def _holder_left(appointment: Appointment) -> bool:
    person = appointment.person
    if person.has_left:
        return True
    student = getattr(person, "student", None) if person.is_student else None
    return student is not None and student.status != Student.Status.ENROLLED


def build_network(colleges) -> Network:
    """The network over `colleges` (already limited to what the viewer may see)."""
    today = timezone.localdate()
    colleges = list(colleges.select_related("school"))
    college_ids = [c.pk for c in colleges]
    school = colleges[0].school if colleges else School.objects.first()
    in_force = Q(starts_on__lte=today, status=Appointment.Status.ACTIVE) & (
        Q(ends_on__isnull=True) | Q(ends_on__gt=today)
    )
    appointments = list(
        Appointment.objects.filter(in_force)
        .filter(
            Q(college_id__in=college_ids)
            | Q(class_group__college_id__in=college_ids)
            | Q(school=school)
            | Q(department__school=school)
            | Q(dorm_room__students__class_group__college_id__in=college_ids)
        )
        .distinct()
        .select_related("person__student", "school", "department", "college", "class_group", "dorm_room")
    )
    by_college = defaultdict(list)
    by_class = defaultdict(list)
    by_room = defaultdict(list)
    dorm_leader_rooms = set()
    school_posts = []
    departed = []
    for appointment in appointments:
        if not appointment.person.is_active or _holder_left(appointment):
            departed.append(appointment)
        if appointment.college_id:
            by_college[appointment.college_id].append(appointment)
        elif appointment.class_group_id:
            by_class[appointment.class_group_id].append(appointment)
        elif appointment.dorm_room_id and appointment.post == Post.DORM_LEADER:
            dorm_leader_rooms.add(appointment.dorm_room_id)
            by_room[appointment.dorm_room_id].append(appointment)
        elif appointment.school_id or appointment.department_id:
            school_posts.append(appointment)

    groups = (
        ClassGroup.objects.filter(college_id__in=college_ids)
        .annotate(student_count=Count("students", filter=Q(students__status=Student.Status.ENROLLED)))
        .order_by("college_id", "-enrolment_year", "name")
    )
    nodes = {c.pk: CollegeNode(c, working_group=by_college[c.pk]) for c in colleges}
    for group in groups:
        group.people = by_class[group.pk]
        posts = {a.post for a in group.people}
        nodes[group.college_id].class_groups.append(group)
        for post, label in (
            (Post.HEAD_TEACHER, _("head teacher")),
            (Post.WELLBEING_REP, _("class wellbeing rep")),
        ):
            if post not in posts and group.student_count:
                nodes[group.college_id].gaps.append(
                    Gap(
                        post,
                        group.name,
                        _("Class %(name)s has no %(post)s") % {"name": group.name, "post": label},
                        post,
                        f"class_group:{group.pk}",
                    )
                )
    for node in nodes.values():
        posts = {a.post for a in node.working_group}
        if not posts & COLLEGE_WORKING_GROUP_POSTS:
            node.gaps.append(
                Gap(
                    "working_group",
                    node.college.name,
                    _("%(college)s has no working group") % {"college": node.college.name},
                    Post.COLLEGE_GROUP_HEAD,
                    f"college:{node.college.pk}",
                )
            )
        elif Post.MENTAL_HEALTH_ADVISOR not in posts:
            node.gaps.append(
                Gap(
                    "mental_health_advisor",
                    node.college.name,
                    _("%(college)s has no mental-health advisor") % {"college": node.college.name},
                    Post.MENTAL_HEALTH_ADVISOR,
                    f"college:{node.college.pk}",
                )
            )

    rooms_in_use = DormRoom.objects.filter(
        students__class_group__college_id__in=college_ids, students__status=Student.Status.ENROLLED
    ).distinct()
    rooms = list(rooms_in_use.order_by("building", "room"))
    for room in rooms:
        room.people = by_room[room.pk]
    without_leader = [room for room in rooms if room.pk not in dorm_leader_rooms]
    post_order = {post: n for n, post in enumerate(Post.values)}
    school_posts.sort(key=lambda a: (post_order[a.post], a.department.name if a.department_id else "", a.person.pk))
    return Network(school, school_posts, list(nodes.values()), without_leader, departed, rooms)
