"""The 校院班寝 network: school → colleges → class groups → students, dorm rooms, departments, posts."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.common import crypto
from xinyu.common.states import Moves
from xinyu.org.id_numbers import mask_id_number


class School(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    code = models.CharField(_("code"), max_length=32, unique=True)

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")

    def __str__(self):
        return self.name


class College(models.Model):
    """二级学院."""

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="colleges", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=100)
    code = models.CharField(_("code"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("college")
        verbose_name_plural = _("colleges")
        ordering = ["code", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="college_unique_name")]

    def __str__(self):
        return self.name


class Department(models.Model):
    """职能部门: 学工部, 宣传部, 教务处, 团委, 后勤保卫处, 马克思主义学院 …"""

    class Kind(models.TextChoices):
        STUDENT_AFFAIRS = "student_affairs", _("Student Affairs Department")
        PUBLICITY = "publicity", _("Publicity Department")
        ACADEMIC_AFFAIRS = "academic_affairs", _("Academic Affairs Office")
        YOUTH_LEAGUE = "youth_league", _("Youth League Committee")
        LOGISTICS_SECURITY = "logistics_security", _("Logistics and Security Office")
        MARXISM = "marxism", _("School of Marxism")
        OTHER = "other", _("Other department")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="departments", verbose_name=_("school"))
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="department_unique_name")]

    def __str__(self):
        return self.name


class ClassGroup(models.Model):
    """班级 (行政班)."""

    college = models.ForeignKey(
        College, on_delete=models.PROTECT, related_name="class_groups", verbose_name=_("college")
    )
    name = models.CharField(_("name"), max_length=100)
    enrolment_year = models.PositiveSmallIntegerField(_("enrolment year"))
    major = models.CharField(_("major"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("class group")
        verbose_name_plural = _("class groups")
        ordering = ["-enrolment_year", "name"]
        constraints = [models.UniqueConstraint(fields=["college", "name"], name="class_group_unique_name")]

    def __str__(self):
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:class_group", args=[self.pk])


class DormRoom(models.Model):
    """寝室: a room in a building."""

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="dorm_rooms", verbose_name=_("school"))
    building = models.CharField(_("building"), max_length=50)
    room = models.CharField(_("room"), max_length=20)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)

    class Meta:
        verbose_name = _("dorm room")
        verbose_name_plural = _("dorm rooms")
        ordering = ["building", "room"]
        constraints = [models.UniqueConstraint(fields=["school", "building", "room"], name="dorm_room_unique_room")]

    def __str__(self):
        return f"{self.building} {self.room}"


class Student(models.Model):
    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        ON_LEAVE = "on_leave", _("On leave")
        GRADUATED = "graduated", _("Graduated")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DISMISSED = "dismissed", _("Dismissed")

    # The moves Xinyu makes itself (leave for psychological reasons and the return from it); the roster
    # import copies whatever status the registrar's records give.
    MOVES = Moves(Status, {Status.ENROLLED: (Status.ON_LEAVE,), Status.ON_LEAVE: (Status.ENROLLED,)})

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="students", verbose_name=_("school"))
    student_number = models.CharField(_("student number"), max_length=32)
    name = models.CharField(_("name"), max_length=64)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    id_number_ciphertext = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_digest = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    enrolment_year = models.PositiveSmallIntegerField(_("enrolment year"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ENROLLED)
    class_group = models.ForeignKey(
        ClassGroup, on_delete=models.PROTECT, related_name="students", verbose_name=_("class group")
    )
    dorm_room = models.ForeignKey(
        DormRoom,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="students",
        verbose_name=_("dorm room"),
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="student",
        verbose_name=_("account"),
    )

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["student_number"]
        constraints = [models.UniqueConstraint(fields=["school", "student_number"], name="student_unique_number")]

    def __str__(self):
        return f"{self.name} ({self.student_number})"

    def get_absolute_url(self) -> str:
        return reverse("org:student_detail", args=[self.pk])

    @property
    def college(self) -> College:
        return self.class_group.college

    def set_id_number(self, normalised: str) -> None:
        """Store a validated ID number: encrypted, a keyed digest to search by, and a mask to show."""
        if not normalised:
            self.id_number_ciphertext = self.id_number_digest = self.id_number_masked = ""
            return
        self.id_number_ciphertext = crypto.encrypt(normalised)
        self.id_number_digest = crypto.keyed_digest(normalised)
        self.id_number_masked = mask_id_number(normalised)

    def reveal_id_number(self) -> str:
        return crypto.decrypt(self.id_number_ciphertext) if self.id_number_ciphertext else ""


class Guardian(models.Model):
    """A parent, guardian or other emergency contact of a student."""

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=64)
    relation = models.CharField(_("relation"), max_length=32)
    phone = models.CharField(_("phone"), max_length=32)
    is_emergency_contact = models.BooleanField(_("emergency contact"), default=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.relation})"


class ScopeKind(models.TextChoices):
    SCHOOL = "school", _("School")
    DEPARTMENT = "department", _("Department")
    COLLEGE = "college", _("College")
    CLASS_GROUP = "class_group", _("Class group")
    DORM_ROOM = "dorm_room", _("Dorm room")


class Post(models.TextChoices):
    """The posts of 第四条–第十条. What each may see is decided in `xinyu.org.scope`, nowhere else."""

    LEADING_GROUP_HEAD = "leading_group_head", _("Leading group head")
    LEADING_GROUP_DEPUTY = "leading_group_deputy", _("Leading group deputy head")
    LEADING_GROUP_MEMBER = "leading_group_member", _("Leading group member")
    STUDENT_AFFAIRS_STAFF = "student_affairs_staff", _("Student affairs staff")
    CENTRE_SUPERVISOR = "centre_supervisor", _("Psychology centre supervisor")
    CENTRE_COUNSELLOR = "centre_counsellor", _("Full-time counsellor")
    CENTRE_PART_TIME_COUNSELLOR = "centre_part_time_counsellor", _("Part-time counsellor")
    COLLEGE_GROUP_HEAD = "college_group_head", _("College working group head")
    COLLEGE_LEADER_IN_CHARGE = "college_leader_in_charge", _("College leader in charge")
    COLLEGE_OFFICE_DIRECTOR = "college_office_director", _("Student affairs office director")
    MENTAL_HEALTH_ADVISOR = "mental_health_advisor", _("Mental-health advisor")
    COLLEGE_CONSULTANT = "college_consultant", _("Appointed college counsellor")
    ADVISOR = "advisor", _("Advisor")
    HEAD_TEACHER = "head_teacher", _("Head teacher")
    WELLBEING_REP = "wellbeing_rep", _("Class wellbeing rep")
    DORM_LEADER = "dorm_leader", _("Dorm leader")
    DEPARTMENT_STAFF = "department_staff", _("Department staff")


POST_SCOPE_KIND: dict[str, str] = {
    Post.LEADING_GROUP_HEAD: ScopeKind.SCHOOL,
    Post.LEADING_GROUP_DEPUTY: ScopeKind.SCHOOL,
    Post.LEADING_GROUP_MEMBER: ScopeKind.SCHOOL,
    Post.STUDENT_AFFAIRS_STAFF: ScopeKind.DEPARTMENT,
    Post.CENTRE_SUPERVISOR: ScopeKind.SCHOOL,
    Post.CENTRE_COUNSELLOR: ScopeKind.SCHOOL,
    Post.CENTRE_PART_TIME_COUNSELLOR: ScopeKind.SCHOOL,
    Post.COLLEGE_GROUP_HEAD: ScopeKind.COLLEGE,
    Post.COLLEGE_LEADER_IN_CHARGE: ScopeKind.COLLEGE,
    Post.COLLEGE_OFFICE_DIRECTOR: ScopeKind.COLLEGE,
    Post.MENTAL_HEALTH_ADVISOR: ScopeKind.COLLEGE,
    Post.COLLEGE_CONSULTANT: ScopeKind.COLLEGE,
    Post.ADVISOR: ScopeKind.CLASS_GROUP,
    Post.HEAD_TEACHER: ScopeKind.CLASS_GROUP,
    Post.WELLBEING_REP: ScopeKind.CLASS_GROUP,
    Post.DORM_LEADER: ScopeKind.DORM_ROOM,
    Post.DEPARTMENT_STAFF: ScopeKind.DEPARTMENT,
}
STUDENT_POSTS = frozenset({Post.WELLBEING_REP, Post.DORM_LEADER})
COLLEGE_WORKING_GROUP_POSTS = frozenset(
    {
        Post.COLLEGE_GROUP_HEAD,
        Post.COLLEGE_LEADER_IN_CHARGE,
        Post.COLLEGE_OFFICE_DIRECTOR,
        Post.MENTAL_HEALTH_ADVISOR,
        Post.COLLEGE_CONSULTANT,
    }
)

SCOPE_FIELDS = ("school", "department", "college", "class_group", "dorm_room")


def _exactly_one_scope() -> Q:
    options = []
    for field in SCOPE_FIELDS:
        q = Q(**{f"{field}__isnull": False})
        for other in SCOPE_FIELDS:
            if other != field:
                q &= Q(**{f"{other}__isnull": True})
        options.append(q)
    combined = options[0]
    for q in options[1:]:
        combined |= q
    return combined


class AppointmentQuerySet(models.QuerySet):
    def current(self, on: dt.date | None = None):
        day = on or timezone.localdate()
        return self.filter(
            Q(starts_on__lte=day),
            Q(ends_on__isnull=True) | Q(ends_on__gt=day),
            Q(person__left_on__isnull=True) | Q(person__left_on__gt=day),
            person__is_active=True,
            status=Appointment.Status.ACTIVE,
        )

    def pending(self):
        return self.filter(status=Appointment.Status.PENDING)


class Appointment(models.Model):
    """A person holding a post over one scope of the network, from `starts_on` until before `ends_on`.

    Granted and ended only through `xinyu.grants.posts` (`grant_post`, `confirm_grant`, `end_post`), which
    apply the table of who may grant what (`xinyu.grants.rules`). A grant that needs a second person's
    confirmation is `pending` and gives nothing until it is confirmed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        ACTIVE = "active", _("Confirmed")
        REFUSED = "refused", _("Not confirmed")
        WITHDRAWN = "withdrawn", pgettext_lazy("an appointment or a request", "Withdrawn")

    # A grant is saved waiting or at once in force; ending a post keeps it confirmed and sets its end date.
    MOVES = Moves(Status, {Status.PENDING: (Status.ACTIVE, Status.REFUSED, Status.WITHDRAWN)})

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="appointments",
        verbose_name=_("person"),
    )
    post = models.CharField(_("post"), max_length=40, choices=Post.choices)
    school = models.ForeignKey(School, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("school"))
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("department")
    )
    college = models.ForeignKey(College, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("college"))
    class_group = models.ForeignKey(
        ClassGroup, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("class group")
    )
    dorm_room = models.ForeignKey(
        DormRoom, null=True, blank=True, on_delete=models.CASCADE, verbose_name=_("dorm room")
    )
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    ends_on = models.DateField(
        _("ends on"), null=True, blank=True, help_text=_("The first day on which the post is no longer held.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Who granted, confirmed and ended the post; empty for posts from before these were recorded.
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("granted by"),
    )  # fmt: skip
    granted_at = models.DateTimeField(_("granted at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("confirmed or refused by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("confirmed or refused at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("ended by"),
    )  # fmt: skip
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["post", "id"]
        constraints = [
            models.CheckConstraint(condition=_exactly_one_scope(), name="appointment_exactly_one_scope"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="appointment_ends_after_start",
            ),
            # Nobody grants their own post, and the second person is a second person.
            models.CheckConstraint(
                condition=Q(granted_by__isnull=True) | ~Q(granted_by=models.F("person")),
                name="appointment_not_self_granted",
            ),
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True)
                | (~Q(decided_by=models.F("person")) & ~Q(decided_by=models.F("granted_by"))),
                name="appointment_decided_by_a_second_person",
            ),
        ]
        indexes = [models.Index(fields=["person", "post"])]

    def __str__(self):
        return f"{self.person.full_name} · {self.get_post_display()} · {self.scope}"

    @property
    def scope_kind(self) -> str:
        return POST_SCOPE_KIND[self.post]

    @property
    def scope(self):
        return getattr(self, self.scope_kind)

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or timezone.localdate()
        return (
            self.status == self.Status.ACTIVE and self.starts_on <= day and (self.ends_on is None or self.ends_on > day)
        )
