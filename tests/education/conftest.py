"""The education tests' records: plans and activities in the shared world (tests/conftest.py), placed so
that a leak between colleges, classes and dorms would show."""

import datetime as dt
import io

import pytest
from django.utils import timezone
from PIL import Image

from xinyu.education.models import Activity, ActivityPhoto, Attendance, Level, Plan, PlanItem
from xinyu.org.models import Student

SCHOOL_WIDE = ["student_affairs", "supervisor", "counsellor", "leading_group_member"]
COLLEGE_A_GROUP = ["mental_health_advisor", "college_leader"]
CLASS_A1_STAFF = ["head_teacher", "advisor"]
EVERYONE = [*SCHOOL_WIDE, *COLLEGE_A_GROUP, *CLASS_A1_STAFF, "outsider", "wellbeing_rep", "dorm_leader", "student"]


def jpeg_with_exif(size=(40, 30)) -> bytes:
    image = Image.new("RGB", size, (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0132] = "2026:05:25 10:00:00"  # DateTime
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return buffer.getvalue()


def activity(world, *, kind, level, title, organiser, held_on=None, minutes=45, **place):
    return Activity.objects.create(
        school=world.school,
        kind=kind,
        level=level,
        title=title,
        organiser=organiser,
        held_on=held_on or timezone.localdate() - dt.timedelta(days=1),
        minutes=minutes,
        **place,
    )


@pytest.fixture
def records(world):
    cast = world.cast
    today = timezone.localdate()
    school_plan = Plan.objects.create(school=world.school, year=today.year, status=Plan.Status.PUBLISHED)
    PlanItem.objects.create(
        plan=school_plan,
        title="每班每学期至少一次心理主题班会",
        article="第九条（一）",
        owner=cast["student_affairs"],
        due_on=today + dt.timedelta(days=5),
        level=Level.CLASS,
        measure="class_meetings",
    )
    college_plan = Plan.objects.create(school=world.school, college=world.college_a, year=today.year)
    PlanItem.objects.create(
        plan=college_plan,
        title="学院心理健康讲座",
        owner=cast["mental_health_advisor"],
        due_on=today - dt.timedelta(days=3),
        level=Level.COLLEGE,
    )
    lecture = activity(
        world, kind=Activity.Kind.LECTURE, level=Level.SCHOOL, title="校级心理讲座", organiser=cast["counsellor"]
    )
    a1_meeting = activity(
        world,
        kind=Activity.Kind.CLASS_MEETING,
        level=Level.CLASS,
        title="软件2501班主题班会",
        organiser=cast["head_teacher"],
        college=world.college_a,
        class_group=world.a1,
    )
    for student in Student.objects.filter(class_group=world.a1):
        Attendance.objects.create(activity=a1_meeting, student=student)
    photo = jpeg_with_exif()
    ActivityPhoto.objects.create(
        activity=a1_meeting, file_name="a.jpg", content_type="image/jpeg", size=len(photo), content=photo
    )
    b1_meeting = activity(
        world,
        kind=Activity.Kind.CLASS_MEETING,
        level=Level.CLASS,
        title="机电2501班主题班会",
        organiser=cast["outsider"],
        college=world.college_b,
        class_group=world.b1,
    )
    dorm = activity(
        world,
        kind=Activity.Kind.DORM_ACTIVITY,
        level=Level.DORM,
        title="寝室谈心",
        organiser=cast["dorm_leader"],
        college=world.college_a,
        dorm_room=world.r1,
        minutes=30,
    )
    return {
        "school_plan": school_plan,
        "college_plan": college_plan,
        "lecture": lecture,
        "a1_meeting": a1_meeting,
        "b1_meeting": b1_meeting,
        "dorm": dorm,
    }
