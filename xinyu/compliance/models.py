"""The compliance board's records (第十三–十五条): the yearly budget and the finance office's ledger of the
special fund, the teachers' qualifications, and each college's 心理辅导站 with its two documents. The centre's
rooms are `counselling.Room`. Nothing here is about a student."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class Budget(models.Model):
    """The special fund for one school and year, and the enrolled students it is measured against: counted
    from the roster on `headcount_on` and kept, so that a past year's figure does not move."""

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(_("budgeted amount (yuan)"), max_digits=12, decimal_places=2, default=0)
    headcount_on = models.DateField(_("students counted on"))
    headcount = models.PositiveIntegerField(_("enrolled students"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("updated by")
    )

    class Meta:
        verbose_name = _("mental-health education budget")
        verbose_name_plural = _("mental-health education budgets")
        ordering = ["school", "-year"]
        constraints = [models.UniqueConstraint(fields=["school", "year"], name="compliance_budget_one_per_year")]

    def __str__(self):
        return f"{self.school} {self.year}"


class Category(models.TextChoices):
    """What a ledger line paid for. 第十三条: everyday office furniture and equipment, special equipment and
    teachers' class-hour pay are not part of the special fund's 20 元 per student."""

    DAILY_WORK = "daily_work", _("Day-to-day mental-health education work")
    ACTIVITIES = "activities", _("Mental-health activities and publicity")
    ASSESSMENT = "assessment", _("Psychological assessment and screening")
    TEACHER_TRAINING = "teacher_training", _("Teacher training and supervision")
    OFFICE_EQUIPMENT = "office_equipment", _("Everyday office furniture and equipment")
    SPECIAL_EQUIPMENT = "special_equipment", _("Special equipment")
    TEACHING_PAY = "teaching_pay", _("Teachers' class-hour pay")

    @classmethod
    def counted(cls) -> list[str]:
        return [category for category in cls.values if COUNTS_TOWARD_FLOOR[category]]


COUNTS_TOWARD_FLOOR: dict[str, bool] = {
    Category.DAILY_WORK: True,
    Category.ACTIVITIES: True,
    Category.ASSESSMENT: True,
    Category.TEACHER_TRAINING: True,
    Category.OFFICE_EQUIPMENT: False,
    Category.SPECIAL_EQUIPMENT: False,
    Category.TEACHING_PAY: False,
}


class LedgerImport(models.Model):
    """One import of the finance office's ledger for a year, with what it changed."""

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    year = models.PositiveSmallIntegerField(_("year"))
    file_name = models.CharField(_("file name"), max_length=255)
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    imported_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("imported by")
    )
    summary = models.JSONField(_("changes"), default=dict)

    class Meta:
        verbose_name = _("ledger import")
        verbose_name_plural = _("ledger imports")
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.year} {self.file_name}"


class LedgerLine(models.Model):
    """A line of the special fund's ledger, as the finance office keeps it."""

    school = models.ForeignKey("org.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    date = models.DateField(_("date"))
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    description = models.CharField(_("description"), max_length=200)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)
    document_number = models.CharField(_("voucher number"), max_length=64)
    source = models.ForeignKey(
        LedgerImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="lines",
        verbose_name=_("imported by"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("ledger line")
        verbose_name_plural = _("ledger lines")
        ordering = ["date", "document_number", "pk"]
        indexes = [models.Index(fields=["school", "date"])]

    def __str__(self):
        return f"{self.date} {self.document_number} {self.amount}"

    @property
    def counts_toward_floor(self) -> bool:
        return COUNTS_TOWARD_FLOOR.get(self.category, False)


class Qualification(models.Model):
    """A teacher's qualifications (第十五条): degree, professional certificate and its expiry."""

    class Degree(models.TextChoices):
        DOCTORATE = "doctorate", _("Doctorate")
        MASTER = "master", _("Master's degree")
        BACHELOR = "bachelor", _("Bachelor's degree")
        OTHER = "other", _("Other")

    class Employment(models.TextChoices):
        FULL_TIME = "full_time", _("Full-time")
        PART_TIME = "part_time", _("Part-time")

    person = models.OneToOneField(
        USER, on_delete=models.CASCADE, related_name="qualification", verbose_name=_("teacher")
    )
    degree = models.CharField(_("degree"), max_length=16, choices=Degree.choices)
    major = models.CharField(_("field of study"), max_length=100, blank=True)
    certificate = models.CharField(_("professional certificate"), max_length=100, blank=True)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    certificate_expires_on = models.DateField(_("certificate valid until"), null=True, blank=True)
    employment = models.CharField(
        _("full-time or part-time"), max_length=16, choices=Employment.choices, default=Employment.FULL_TIME
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("teacher qualification")
        verbose_name_plural = _("teacher qualifications")
        ordering = ["person__username"]

    def __str__(self):
        return str(self.person)

    def holds_on(self, day) -> bool:
        """A degree in higher education and a certificate valid on `day` (valid through its last day)."""
        return (
            self.degree in (self.Degree.DOCTORATE, self.Degree.MASTER, self.Degree.BACHELOR)
            and bool(self.certificate)
            and self.certificate_expires_on is not None
            and self.certificate_expires_on >= day
        )


class Station(models.Model):
    """A college's 心理辅导站 (第十四条)."""

    college = models.OneToOneField(
        "org.College", on_delete=models.CASCADE, related_name="station", verbose_name=_("college")
    )
    location = models.CharField(_("location"), max_length=120)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("counselling station")
        verbose_name_plural = _("counselling stations")
        ordering = ["college__code", "college__name"]

    def __str__(self):
        return str(self.college)


class StationDocument(models.Model):
    """One of a station's two documents, kept in the database and served only to those who may see the board."""

    class Kind(models.TextChoices):
        RULES = "rules", _("Management rules")
        PLAN = "plan", _("Operating plan")

    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size"))
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now=True)
    uploaded_by = models.ForeignKey(
        USER, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("uploaded by")
    )

    class Meta:
        verbose_name = _("station document")
        verbose_name_plural = _("station documents")
        constraints = [
            models.UniqueConstraint(fields=["station", "kind"], name="compliance_station_one_document_per_kind"),
            models.CheckConstraint(condition=Q(size__gt=0), name="compliance_station_document_not_empty"),
        ]

    def __str__(self):
        return self.file_name
