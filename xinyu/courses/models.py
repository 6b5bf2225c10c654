"""The mental-health courses (第七条(三)): the catalogue, each term's sections with their teachers, and who
takes each section. A course and a section are not about any student (T0); the list of a section's students
is the roster (T1), shown only to staff over those students (`xinyu.courses.scope`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

USER = settings.AUTH_USER_MODEL


class Course(models.Model):
    """A course of the school's catalogue, e.g. 大学生心理健康教育 (32 课时, 2 学分, required of freshmen)."""

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    name = models.CharField(_("course name"), max_length=100)
    code = models.CharField(_("course code"), max_length=32)
    class_periods = models.PositiveSmallIntegerField(_("class periods"))
    credits = models.DecimalField(_("credits"), max_digits=3, decimal_places=1)
    required_for_freshmen = models.BooleanField(_("required of freshmen"), default=False)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("offered"), default=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["-required_for_freshmen", "code"]
        constraints = [
            models.UniqueConstraint(fields=["school", "code"], name="courses_course_unique_code"),
            models.CheckConstraint(condition=Q(class_periods__gt=0), name="courses_course_has_periods"),
            models.CheckConstraint(condition=Q(credits__gte=0), name="courses_course_credits_not_negative"),
        ]

    def __str__(self):
        return f"{self.name}（{self.code}）"


class Section(models.Model):
    """One teaching class (教学班) of a course in one term, named by the term's code (`xinyu.policy.terms`)."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sections", verbose_name=_("course"))
    term = models.CharField(_("term"), max_length=16, db_index=True)
    name = models.CharField(_("section name"), max_length=100)
    room = models.CharField(pgettext_lazy("a classroom", "room"), max_length=100, blank=True)
    schedule = models.CharField(_("schedule"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("created by")
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["-term", "course__code", "name"]
        constraints = [models.UniqueConstraint(fields=["course", "term", "name"], name="courses_section_unique_name")]

    def __str__(self):
        return f"{self.course.name} · {self.name}"


class SectionTeacher(models.Model):
    """A teacher of a section and the class periods they teach in it (a section may be shared)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="teachers", verbose_name=_("section"))
    teacher = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("teacher"))
    class_periods = models.PositiveSmallIntegerField(_("class periods taught"))

    class Meta:
        verbose_name = _("section teacher")
        verbose_name_plural = _("section teachers")
        ordering = ["section", "teacher__full_name", "teacher__username"]
        constraints = [
            models.UniqueConstraint(fields=["section", "teacher"], name="courses_teacher_once_per_section"),
            models.CheckConstraint(condition=Q(class_periods__gt=0), name="courses_teacher_teaches_periods"),
        ]

    def __str__(self):
        return f"{self.section} · {self.teacher}"


class SectionClass(models.Model):
    """A class group added to a section as a whole (its students were enrolled in one step)."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="classes", verbose_name=_("section"))
    class_group = models.ForeignKey(
        "org.ClassGroup", on_delete=models.PROTECT, related_name="+", verbose_name=_("class group")
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("class of a section")
        verbose_name_plural = _("classes of sections")
        ordering = ["section", "class_group__name"]
        constraints = [
            models.UniqueConstraint(fields=["section", "class_group"], name="courses_class_once_per_section")
        ]

    def __str__(self):
        return f"{self.section} · {self.class_group}"


class Enrolment(models.Model):
    """A student taking a section."""

    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("section"))
    student = models.ForeignKey(
        "org.Student", on_delete=models.CASCADE, related_name="course_enrolments", verbose_name=_("student")
    )
    added_at = models.DateTimeField(_("added at"), auto_now_add=True)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["section", "student__student_number"]
        constraints = [models.UniqueConstraint(fields=["section", "student"], name="courses_enrolled_once")]

    def __str__(self):
        return f"{self.section} · {self.student}"
