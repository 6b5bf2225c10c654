"""Care records that crises start and later care work reuses: family contact, follow-up, review and support."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


class FamilyContact(models.Model):
    """家校联系: who was contacted, when, how, and what came of it."""

    class Method(models.TextChoices):
        PHONE = "phone", _("Phone")
        IN_PERSON = "in_person", _("In person")
        VIDEO = "video", _("Video call")
        MESSAGE = "message", _("Message")

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="family_contacts")
    case = models.ForeignKey(
        "concerns.CrisisCase", null=True, blank=True, on_delete=models.PROTECT, related_name="family_contacts"
    )
    contacted_at = models.DateTimeField(_("when"))
    contacted_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", verbose_name=_("by"))
    contact_name = models.CharField(_("who was contacted"), max_length=64)
    relation = models.CharField(_("relation"), max_length=32)
    method = models.CharField(_("how"), max_length=16, choices=Method.choices)
    outcome = models.TextField(_("outcome"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("family contact")
        verbose_name_plural = _("family contacts")
        ordering = ["-contacted_at"]

    def __str__(self):
        return f"{self.contact_name} {self.contacted_at:%Y-%m-%d}"


class FollowUp(models.Model):
    """跟踪回访: scheduled with a due date and a responsible person; done with an outcome."""

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="follow_ups")
    case = models.ForeignKey(
        "concerns.CrisisCase", null=True, blank=True, on_delete=models.PROTECT, related_name="follow_ups"
    )
    due_on = models.DateField(_("due on"))
    assignee = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="follow_ups", verbose_name=_("by whom"))
    scheduled_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_on", "id"]

    def __str__(self):
        return f"{self.student} {self.due_on}"


class ReviewSupport(models.Model):
    """评估帮扶: an assessment of how the student is doing, and the support agreed."""

    student = models.ForeignKey("org.Student", on_delete=models.PROTECT, related_name="review_supports")
    case = models.ForeignKey(
        "concerns.CrisisCase", null=True, blank=True, on_delete=models.PROTECT, related_name="review_supports"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    assessment = models.TextField(_("assessment"))
    support = models.TextField(_("support agreed"))

    class Meta:
        verbose_name = _("review and support")
        verbose_name_plural = _("reviews and support")
        ordering = ["-recorded_at"]

    def __str__(self):
        return f"{self.student} {self.recorded_at:%Y-%m-%d}"
