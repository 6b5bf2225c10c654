"""Writing the public page: articles from draft to published to withdrawn, and their images. Each change is
one transaction and bumps the page version, so the cached public pages are replaced at once."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.policy.errors import DomainError
from xinyu.public.cache import forget_version, remember_version, stored_version
from xinyu.public.images import ImageError, clean_image
from xinyu.public.markdown import render
from xinyu.public.models import Article, ArticleImage, PageVersion

MAX_IMAGES = 12


class ArticleError(DomainError):
    """A change to an article that cannot be made; the message says why."""


def bump_version() -> None:
    """What the public pages show has changed: every cached page is stale once this transaction commits."""
    if not PageVersion.objects.filter(pk=1).update(number=F("number") + 1):
        PageVersion.objects.get_or_create(pk=1, defaults={"number": 1})
    number = stored_version()
    forget_version()  # read again from the database by the next request (this transaction's, until it commits)
    transaction.on_commit(lambda: remember_version(number))


def _check(title: str, body: str) -> None:
    if not title.strip():
        raise ArticleError(_("Give the article a title."))
    if not body.strip():
        raise ArticleError(_("The article has no text."))


@transaction.atomic
def create_article(school, *, by, title: str, summary: str = "", body: str) -> Article:
    _check(title, body)
    return Article.objects.create(
        school=school,
        title=title.strip(),
        summary=summary.strip(),
        body=body,
        body_html=render(body),
        created_by=by,
        updated_by=by,
    )


@transaction.atomic
def update_article(article: Article, *, by, title: str, summary: str = "", body: str) -> Article:
    _check(title, body)
    article = Article.objects.select_for_update().get(pk=article.pk)
    article.title, article.summary, article.body = title.strip(), summary.strip(), body
    article.body_html = render(body)
    article.updated_by = by
    article.save()
    if article.status == Article.Status.PUBLISHED:
        bump_version()
    return article


@transaction.atomic
def publish(article: Article, *, by) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    Article.MOVES.check(article.status, Article.Status.PUBLISHED, error=ArticleError)
    article.status = Article.Status.PUBLISHED
    article.published_by, article.published_at = by, timezone.now()
    article.withdrawn_by, article.withdrawn_at = None, None
    article.save()
    bump_version()
    return article


@transaction.atomic
def withdraw(article: Article, *, by) -> Article:
    article = Article.objects.select_for_update().get(pk=article.pk)
    Article.MOVES.check(article.status, Article.Status.WITHDRAWN, error=ArticleError)
    article.status = Article.Status.WITHDRAWN
    article.withdrawn_by, article.withdrawn_at = by, timezone.now()
    article.save()
    bump_version()
    return article


@transaction.atomic
def add_image(article: Article, *, by, upload, description: str = "") -> ArticleImage:
    article = Article.objects.select_for_update().get(pk=article.pk)
    if article.images.count() >= MAX_IMAGES:
        raise ArticleError(_("An article has at most %(n)s images.") % {"n": MAX_IMAGES})
    try:
        image = clean_image(upload)
    except ImageError as exc:
        raise ArticleError(str(exc)) from exc
    saved = ArticleImage.objects.create(
        article=article,
        data=image.data,
        content_type=image.content_type,
        width=image.width,
        height=image.height,
        description=description.strip(),
        uploaded_by=by,
    )
    if article.status == Article.Status.PUBLISHED:
        bump_version()
    return saved


@transaction.atomic
def delete_image(image: ArticleImage) -> None:
    published = image.article.status == Article.Status.PUBLISHED
    image.delete()
    if published:
        bump_version()
