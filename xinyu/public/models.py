"""The public mental-health page (第七条(五) 开设心理健康教育网页): articles by the centre's staff, their images,
and a version number the page cache keys on.

Nothing here is student data: an article names no student and nothing on the public pages comes from
another app (the centre's facts come from the policy file's [centre] table).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.common.states import Moves
from xinyu.org.models import School


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        WITHDRAWN = "withdrawn", pgettext_lazy("an article", "Withdrawn")

    # A withdrawn article may be published again (after an edit); a published one is edited in place.
    MOVES = Moves(
        Status,
        {
            Status.DRAFT: (Status.PUBLISHED,),
            Status.PUBLISHED: (Status.WITHDRAWN,),
            Status.WITHDRAWN: (Status.PUBLISHED,),
        },
    )

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school"))
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("text (Markdown)"))
    body_html = models.TextField(_("text as shown"), blank=True, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("written by")
    )
    created_at = models.DateTimeField(_("written at"), auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("last edited by")
    )
    updated_at = models.DateTimeField(_("last edited at"), auto_now=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("published by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("withdrawn by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["status", "-published_at"], name="public_article_listing")]

    def __str__(self):
        return self.title


class ArticleImage(models.Model):
    """An image uploaded with an article: checked, re-encoded without EXIF, kept in the database. Served to
    everyone only while its article is published; to the centre's editors always."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="images", verbose_name=_("article"))
    data = models.BinaryField(_("image"))
    content_type = models.CharField(_("type"), max_length=20)
    width = models.PositiveIntegerField(_("width"))
    height = models.PositiveIntegerField(_("height"))
    description = models.CharField(_("description"), max_length=120, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("article image")
        verbose_name_plural = _("article images")

    def __str__(self):
        return self.description or f"#{self.pk}"

    @property
    def size(self) -> int:
        return len(self.data)


class PageVersion(models.Model):
    """One row, bumped in the same transaction as every change to what the public pages show: the page cache
    keys on it, so a publish, an edit or a withdrawal is seen at once by every worker process."""

    number = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("public page version")
        verbose_name_plural = _("public page versions")

    def __str__(self):
        return str(self.number)
