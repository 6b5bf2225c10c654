"""The writes: classes in one step, single students, teachers; each refused write says why; the access log."""

import pytest

from tests.courses.conftest import TERM
from xinyu.audit.models import AuditEntry
from xinyu.courses import services
from xinyu.courses.models import Enrolment, Section, SectionClass, SectionTeacher
from xinyu.org.models import Student

pytestmark = pytest.mark.django_db


def enrolled(section):
    return set(Enrolment.objects.filter(section=section).values_list("student__name", flat=True))


def test_adding_classes_enrols_their_enrolled_students_and_skips_those_in_another_section(world, records):
    by = world.cast["student_affairs"]
    section = Section.objects.create(course=records["course"], term=TERM, name="二班")
    Student.objects.filter(pk=world.other_class.pk).update(status=Student.Status.ON_LEAVE)
    # A1's students already take the course this term in the first section; A2's one student is on leave.
    assert services.add_classes(section, [world.a1, world.a2], by=by) == (0, 3)
    assert enrolled(section) == set()
    assert set(SectionClass.objects.filter(section=section).values_list("class_group__name", flat=True)) == {
        "软件2501班", "网络2501班"}  # fmt: skip
    Student.objects.filter(pk=world.other_class.pk).update(status=Student.Status.ENROLLED)
    assert services.add_classes(section, [world.a2], by=by) == (1, 0)
    assert enrolled(section) == {"李四"}
    assert services.add_classes(section, [world.a2], by=by) == (0, 0)  # again: nothing twice
    entries = AuditEntry.objects.filter(what="courses.section_class", actor=by)
    assert entries.count() == 4


def test_removing_a_class_removes_its_students(world, records):
    removed = services.remove_class(records["section"], world.a1, by=world.cast["counsellor"])
    assert removed == 3
    assert enrolled(records["section"]) == {"王五"}
    assert not SectionClass.objects.filter(section=records["section"]).exists()


def test_a_single_student_with_clear_refusals(world, records):
    by = world.cast["counsellor"]
    section = records["section"]
    services.enrol_student(section, world.other_class, by=by)
    assert "李四" in enrolled(section)
    entry = AuditEntry.objects.get(what="courses.enrolment", action=AuditEntry.Action.CREATE)
    assert entry.student_id == world.other_class.pk
    with pytest.raises(services.CourseError, match="already takes this section"):
        services.enrol_student(section, world.other_class, by=by)
    other = Section.objects.create(course=records["course"], term=TERM, name="二班")
    with pytest.raises(services.CourseError, match="in section 信息工程学院 1 班"):
        services.enrol_student(other, world.in_scope, by=by)
    Student.objects.filter(pk=world.other_class.pk).update(status=Student.Status.WITHDRAWN)
    world.other_class.refresh_from_db()
    with pytest.raises(services.CourseError, match="not enrolled at the school"):
        services.enrol_student(other, world.other_class, by=by)
    assert services.unenrol_student(section, world.other_class, by=by) is True
    assert services.unenrol_student(section, world.other_class, by=by) is False
    assert "李四" not in enrolled(section)


def test_teachers_and_their_periods(world, records):
    by = world.cast["student_affairs"]
    section = records["section"]
    services.set_teacher(section, world.cast["advisor"], 12, by=by)
    services.set_teacher(section, world.cast["advisor"], 16, by=by)  # again: the periods change
    assert dict(SectionTeacher.objects.filter(section=section).values_list("teacher__username", "class_periods")) == {
        "T10005": 32, "T10002": 16}  # fmt: skip
    with pytest.raises(services.CourseError, match="between 1 and the course's 32"):
        services.set_teacher(section, world.cast["advisor"], 33, by=by)
    with pytest.raises(services.CourseError, match="not a member of staff"):
        services.set_teacher(section, world.cast["student"], 2, by=by)
    services.remove_teacher(section, world.cast["advisor"], by=by)
    assert list(SectionTeacher.objects.filter(section=section).values_list("teacher__username", flat=True)) == [
        "T10005"]  # fmt: skip
