"""The year's work plan (第七条(二)) and the activities of the 校院班寝 network (第七条(五)(九)(十), 第八条(一),
第九条(一), 第十条(三)). Plans and activities are about no student (T0); an activity's attendance list names
students and is T1, shown only to staff over those students (`xinyu.education.scope`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.common.states import Moves

USER = settings.AUTH_USER_MODEL


class Level(models.TextChoices):
    SCHOOL = "school", _("School")
    COLLEGE = "college", _("College")
    CLASS = "class", _("Class")
    DORM = "dorm", _("Dorm room")


class Plan(models.Model):
    """The school's plan for a year (no college), drafted by 学工部, or a college's plan under it, drafted by
    the college's working group. Read by staff once published."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    MOVES = Moves(Status, {Status.DRAFT: (Status.PUBLISHED,), Status.PUBLISHED: (Status.DRAFT,)})

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    college = models.ForeignKey(
        "org.College", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("college")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("work plan")
        verbose_name_plural = _("work plans")
        ordering = ["-year", "college__code", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "year"], condition=Q(college__isnull=True), name="education_one_school_plan_a_year"
            ),
            models.UniqueConstraint(fields=["college", "year"], name="education_one_college_plan_a_year"),
        ]

    def __str__(self):
        return f"{self.year} {self.college or self.school}"

    def get_absolute_url(self) -> str:
        return reverse("education:plan", args=[self.pk])


class PlanItem(models.Model):
    """One thing the plan says will be done: which article it serves, who owns it, by when, and optionally a
    measure (`xinyu.education.measures`) that computes its progress from the records."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items", verbose_name=_("plan"))
    title = models.CharField(_("what"), max_length=200)
    article = models.CharField(_("article served"), max_length=40, blank=True, help_text=_("For example 第九条（一）"))
    owner = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    due_on = models.DateField(_("due on"))
    level = models.CharField(pgettext_lazy("network level", "level"), max_length=16, choices=Level.choices[:3])
    measure = models.CharField(_("measure"), max_length=40, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("plan item")
        verbose_name_plural = _("plan items")
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.title


class Activity(models.Model):
    """One activity of any kind, at the level of the network it belongs to."""

    class Kind(models.TextChoices):
        ACTIVITY_MONTH = "activity_month", _("5·25 activity month")
        LECTURE = "lecture", _("Lecture")
        COLLEGE_EVENT = "college_event", _("College activity")
        CLASS_MEETING = "class_meeting", _("Theme class meeting")
        DORM_ACTIVITY = "dorm_activity", _("Dorm activity")
        ASSOCIATION = "association", _("Student psychology association event")
        COMMUNITY_SERVICE = "community_service", _("Community mental-health service")

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    level = models.CharField(pgettext_lazy("network level", "level"), max_length=16, choices=Level.choices)
    college = models.ForeignKey(
        "org.College", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("college")
    )
    class_group = models.ForeignKey(
        "org.ClassGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("class group"),
    )  # fmt: skip
    dorm_room = models.ForeignKey(
        "org.DormRoom", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("dorm room")
    )
    title = models.CharField(_("title"), max_length=200)
    held_on = models.DateField(pgettext_lazy("activity", "held on"))
    minutes = models.PositiveIntegerField(_("duration (minutes)"))
    organiser = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("organiser"))
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    headcount = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)
    account = models.TextField(_("short account"), max_length=2000, blank=True)
    created_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    attendees = models.ManyToManyField(
        "org.Student", through="Attendance", related_name="+", verbose_name=_("attendance")
    )

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-held_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="education_activity_has_duration"),
            models.CheckConstraint(
                condition=Q(level="school", college__isnull=True, class_group__isnull=True, dorm_room__isnull=True)
                | Q(level="college", college__isnull=False, class_group__isnull=True, dorm_room__isnull=True)
                | Q(level="class", college__isnull=False, class_group__isnull=False, dorm_room__isnull=True)
                | Q(level="dorm", class_group__isnull=True, dorm_room__isnull=False),
                name="education_activity_place_fits_level",
            ),
        ]
        indexes = [models.Index(fields=["school", "held_on"]), models.Index(fields=["class_group", "kind", "held_on"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("education:activity", args=[self.pk])

    @property
    def place(self) -> str:
        return str(self.class_group or self.dorm_room or self.college or self.school)


class Attendance(models.Model):
    """A student present at an activity (T1: shown only to staff over the student)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="attendance")
    student = models.ForeignKey("org.Student", on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "student"], name="education_attended_once")]

    def __str__(self):
        return f"{self.activity_id}:{self.student_id}"


class ActivityPhoto(models.Model):
    """A photo of an activity, checked and stripped of its EXIF data, kept in the database and served only
    to staff who may see the activity."""

    MAX_PER_ACTIVITY = 4

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="photos")
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")
        ordering = ["pk"]
        constraints = [models.CheckConstraint(condition=Q(size__gt=0), name="education_photo_not_empty")]

    def __str__(self):
        return self.file_name
