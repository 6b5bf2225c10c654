"""The writes of the courses, each in one transaction with its access-log entry. Views, the demo and any
command call these; a refused write raises `CourseError` with the reason in words for the user."""

from django.db import transaction
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.courses.models import Course, Enrolment, Section, SectionClass, SectionTeacher
from xinyu.org.access_log import Event, record, record_many
from xinyu.org.models import Student
from xinyu.org.scope import Tier


class CourseError(Exception):
    """A write that cannot be made; the message says why, for the person who tried."""


def _log(by, action, what, detail, address=None, student=None):
    record(by, Event(action, what, student=student, tier=Tier.T1 if student else 0, detail=detail), address=address)


@transaction.atomic
def save_course(form, *, school, by, address=None) -> Course:
    course = form.save(commit=False)
    created = course.pk is None
    course.school = school
    course.save()
    _log(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, "courses.course",
         {"course": course.code, "name": course.name}, address)  # fmt: skip
    return course


@transaction.atomic
def save_section(form, *, course, by, address=None) -> Section:
    section = form.save(commit=False)
    created = section.pk is None
    section.course = course
    if created:
        section.created_by = by
    section.save()
    _log(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, "courses.section",
         {"course": course.code, "term": section.term, "section": section.name}, address)  # fmt: skip
    return section


@transaction.atomic
def set_teacher(section, teacher, class_periods: int, *, by, address=None) -> SectionTeacher:
    """Name `teacher` for `class_periods` periods of `section` (again: change their periods)."""
    if teacher.is_student or not teacher.is_active:
        raise CourseError(_("%(name)s is not a member of staff in post.") % {"name": teacher.full_name})
    if not 0 < class_periods <= section.course.class_periods:
        raise CourseError(
            _("Class periods taught must be between 1 and the course's %(n)s.") % {"n": section.course.class_periods}
        )
    row, created = SectionTeacher.objects.update_or_create(
        section=section, teacher=teacher, defaults={"class_periods": class_periods}
    )
    _log(by, AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE, "courses.section_teacher",
         {"section": section.pk, "teacher": teacher.username, "class_periods": class_periods}, address)  # fmt: skip
    return row


@transaction.atomic
def remove_teacher(section, teacher, *, by, address=None) -> None:
    deleted, _rows = SectionTeacher.objects.filter(section=section, teacher=teacher).delete()
    if deleted:
        _log(by, AuditEntry.Action.DELETE, "courses.section_teacher",
             {"section": section.pk, "teacher": teacher.username}, address)  # fmt: skip


def _elsewhere(section, student_ids) -> set[int]:
    """Of `student_ids`, those already in another section of the same course in the same term."""
    return set(
        Enrolment.objects.filter(section__course=section.course, section__term=section.term, student_id__in=student_ids)
        .exclude(section=section)
        .values_list("student_id", flat=True)
    )


@transaction.atomic
def add_classes(section, class_groups, *, by, address=None) -> tuple[int, int]:
    """Add whole classes: each class is recorded on the section and its enrolled (在读) students are enrolled,
    except those already in another section of the course this term. Returns (enrolled, skipped)."""
    enrolled = skipped = 0
    for group in class_groups:
        SectionClass.objects.get_or_create(section=section, class_group=group)
        ids = set(
            Student.objects.filter(class_group=group, status=Student.Status.ENROLLED).values_list("pk", flat=True)
        )
        ids -= set(Enrolment.objects.filter(section=section, student_id__in=ids).values_list("student_id", flat=True))
        elsewhere = _elsewhere(section, ids)
        Enrolment.objects.bulk_create(Enrolment(section=section, student_id=pk) for pk in sorted(ids - elsewhere))
        enrolled += len(ids - elsewhere)
        skipped += len(elsewhere)
        _log(by, AuditEntry.Action.CREATE, "courses.section_class",
             {"section": section.pk, "class_group": group.name, "enrolled": len(ids - elsewhere),
              "skipped": len(elsewhere)}, address)  # fmt: skip
    return enrolled, skipped


@transaction.atomic
def remove_class(section, class_group, *, by, address=None) -> int:
    """Take a class off the section with the enrolments of its students; returns how many were removed."""
    SectionClass.objects.filter(section=section, class_group=class_group).delete()
    removed, _rows = Enrolment.objects.filter(section=section, student__class_group=class_group).delete()
    _log(by, AuditEntry.Action.DELETE, "courses.section_class",
         {"section": section.pk, "class_group": class_group.name, "removed": removed}, address)  # fmt: skip
    return removed


@transaction.atomic
def enrol_student(section, student, *, by, address=None) -> Enrolment:
    if student.status != Student.Status.ENROLLED:
        raise CourseError(
            _("%(name)s (%(number)s) is not enrolled at the school (status: %(status)s).")
            % {"name": student.name, "number": student.student_number, "status": student.get_status_display()}
        )
    if Enrolment.objects.filter(section=section, student=student).exists():
        raise CourseError(
            _("%(name)s (%(number)s) already takes this section.")
            % {"name": student.name, "number": student.student_number}
        )
    other = (
        Enrolment.objects.filter(section__course=section.course, section__term=section.term, student=student)
        .select_related("section")
        .first()
    )
    if other:
        raise CourseError(
            _("%(name)s (%(number)s) already takes this course this term, in section %(section)s.")
            % {"name": student.name, "number": student.student_number, "section": other.section.name}
        )
    enrolment = Enrolment.objects.create(section=section, student=student)
    _log(by, AuditEntry.Action.CREATE, "courses.enrolment", {"section": section.pk}, address, student=student)
    return enrolment


@transaction.atomic
def unenrol_student(section, student, *, by, address=None) -> bool:
    deleted, _rows = Enrolment.objects.filter(section=section, student=student).delete()
    if deleted:
        _log(by, AuditEntry.Action.DELETE, "courses.enrolment", {"section": section.pk}, address, student=student)
    return bool(deleted)


def log_export(by, section, count: int, *, address=None) -> None:
    record_many(
        by,
        [Event(AuditEntry.Action.EXPORT, "courses.section_roster", tier=Tier.T1,
               detail={"section": section.pk, "course": section.course.code, "term": section.term, "count": count})],
        address=address,
    )  # fmt: skip
