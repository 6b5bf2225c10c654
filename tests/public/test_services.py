"""Articles from draft to published to withdrawn: who and when recorded, moves checked, the page version
bumped by every change the public sees."""

import pytest

from tests.public.conftest import png_bytes
from xinyu.public import services
from xinyu.public.cache import page_version
from xinyu.public.models import Article
from xinyu.public.services import ArticleError


def test_a_draft_is_published_then_withdrawn_recording_who_and_when(world):
    author, chief = world.cast["counsellor"], world.cast["supervisor"]
    article = services.create_article(world.school, by=author, title=" 标题 ", body="# 一\n\n<b>x</b>")
    assert article.status == Article.Status.DRAFT and article.title == "标题"
    assert article.body_html == "<h2>一</h2>\n<p>&lt;b&gt;x&lt;/b&gt;</p>\n"
    before = page_version()
    services.publish(article, by=chief)
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED
    assert article.published_by == chief and article.published_at is not None
    assert page_version() == before + 1
    services.withdraw(article, by=author)
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN and article.withdrawn_by == author
    assert page_version() == before + 2
    services.publish(article, by=author)  # back again after a correction
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.withdrawn_at is None


@pytest.mark.parametrize(("current", "target"), list(Article.MOVES.pairs()))
def test_every_move_follows_the_table(world, current, target):
    article = services.create_article(world.school, by=world.cast["counsellor"], title="t", body="b")
    Article.objects.filter(pk=article.pk).update(status=current)
    move = {Article.Status.PUBLISHED: services.publish, Article.Status.WITHDRAWN: services.withdraw}.get(target)
    if move is None:
        return  # nothing moves an article back to draft
    if Article.MOVES.allows(current, target):
        move(article, by=world.cast["counsellor"])
        article.refresh_from_db()
        assert article.status == target
    else:
        with pytest.raises(ArticleError):
            move(article, by=world.cast["counsellor"])


@pytest.mark.parametrize("title,body,message", [(" ", "b", "title"), ("t", "  ", "no text")])
def test_an_article_needs_a_title_and_text(world, title, body, message):
    with pytest.raises(ArticleError, match=message):
        services.create_article(world.school, by=world.cast["counsellor"], title=title, body=body)


def test_editing_a_draft_does_not_touch_the_public_page_but_editing_a_published_one_does(world):
    author = world.cast["counsellor"]
    article = services.create_article(world.school, by=author, title="t", body="b")
    before = page_version()
    services.update_article(article, by=author, title="t2", body="c")
    services.add_image(article, by=author, upload=png_bytes())
    assert page_version() == before
    services.publish(article, by=author)
    services.update_article(article, by=author, title="t3", body="**d**")
    assert page_version() == before + 2
    assert Article.objects.get(pk=article.pk).body_html == "<p><strong>d</strong></p>\n"


def test_an_article_holds_a_limited_number_of_images(world, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMAGES", 1)
    author = world.cast["counsellor"]
    article = services.create_article(world.school, by=author, title="t", body="b")
    services.add_image(article, by=author, upload=png_bytes())
    with pytest.raises(ArticleError, match="at most 1 images"):
        services.add_image(article, by=author, upload=png_bytes())


def test_a_bad_image_is_refused_with_the_reason(world):
    article = services.create_article(world.school, by=world.cast["counsellor"], title="t", body="b")
    with pytest.raises(ArticleError, match="not an image"):
        services.add_image(article, by=world.cast["counsellor"], upload=b"GIF89a? no")
    assert not article.images.exists()


def test_the_new_version_is_put_in_the_cache_when_the_change_commits(world, django_capture_on_commit_callbacks):
    from django.core.cache import cache  # noqa: PLC0415

    from xinyu.public.cache import VERSION_KEY  # noqa: PLC0415

    article = services.create_article(world.school, by=world.cast["counsellor"], title="t", body="b")
    assert page_version() == 0 and cache.get(VERSION_KEY) == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.publish(article, by=world.cast["counsellor"])
    assert cache.get(VERSION_KEY) is None  # forgotten at once: the next request reads the database
    for callback in callbacks:
        callback()
    assert cache.get(VERSION_KEY) == 1
