"""The demo college's public page: published articles on the five topics and a draft, by the centre."""

from django.test import Client
from django.urls import reverse

from xinyu.org.scope import CENTRE_POSTS, posts_of
from xinyu.public.demo import ARTICLES, seed_public
from xinyu.public.models import Article


def test_the_demo_has_published_articles_and_a_draft_by_the_centre(world):
    made = seed_public(world.school, 7)
    assert len(made) == len(ARTICLES) + 1
    published = Article.objects.filter(status=Article.Status.PUBLISHED)
    assert published.count() == len(ARTICLES) and Article.objects.filter(status=Article.Status.DRAFT).count() == 1
    for article in Article.objects.all():
        assert posts_of(article.created_by) & CENTRE_POSTS
    poster = Article.objects.get(title__contains="5·25")
    image = poster.images.get()
    assert f"/xinli/images/{image.pk}/" in poster.body_html
    assert Client().get(reverse("public:image", args=[image.pk])).status_code == 200
    body = Client().get(reverse("public:article_list")).content.decode()
    for title, _summary, _body in ARTICLES:
        assert title.replace("“", "&ldquo;") in body or title in body
    assert seed_public(world.school, 7) == []  # once per school


def test_the_demo_is_the_same_for_the_same_seed(world):
    seed_public(world.school, 3)
    first = list(Article.objects.order_by("pk").values_list("title", "published_at"))
    Article.objects.all().delete()
    seed_public(world.school, 3)
    assert list(Article.objects.order_by("pk").values_list("title", "published_at")) == first
