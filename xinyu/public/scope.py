"""Who writes the public page and what anyone may read there: the one place that decides.

- Everyone, signed in or not: the home page, and the articles that are published, with their images.
- The centre's staff (CENTRE_POSTS: supervisor, counsellors, part-time counsellors) write, preview, publish
  and withdraw the articles of their own school. Everyone else gets 404 for the editor's pages.
"""

from django.db.models import QuerySet

from xinyu.org import scope
from xinyu.org.scope import CENTRE_POSTS
from xinyu.public.models import Article, ArticleImage


def editor_schools(user) -> set[int]:
    return {
        appointment.school_id
        for appointment in scope.current_appointments(user)
        if appointment.post in CENTRE_POSTS and appointment.school_id
    }


def may_edit_articles(user) -> bool:
    return bool(editor_schools(user))


def editable_articles(user) -> QuerySet[Article]:
    """The articles `user` may edit, preview, publish and withdraw: their school's, any status."""
    schools = editor_schools(user)
    if not schools:
        return Article.objects.none()
    return Article.objects.filter(school_id__in=schools)


def published_articles() -> QuerySet[Article]:
    """What the public page shows: published articles, newest first."""
    return Article.objects.filter(status=Article.Status.PUBLISHED).order_by("-published_at", "-pk")


def public_image(pk: int) -> ArticleImage | None:
    """An image anyone may see: its article is published."""
    return ArticleImage.objects.filter(pk=pk, article__status=Article.Status.PUBLISHED).first()


def editable_image(user, pk: int) -> ArticleImage | None:
    """An image of an article `user` edits (drafts' images, for the preview)."""
    return ArticleImage.objects.filter(pk=pk, article__in=editable_articles(user)).first()
