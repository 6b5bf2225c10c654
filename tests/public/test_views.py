"""The public page (/xinli/) for everyone and its editor pages for the centre: who gets what, the headers
(public and cacheable signed out, no-store signed in, no cookie set), the cache and its invalidation, the
images, and no student data anywhere."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.policy.centre_policy import other_centre  # noqa: F401 - a fixture
from tests.public.conftest import EDITORS, OTHER_STAFF, STUDENTS, jpeg_with_exif, png_bytes
from xinyu.public import services
from xinyu.public.models import Article, ArticleImage

pytestmark = pytest.mark.django_db

EVERYONE = [None, *EDITORS, *OTHER_STAFF, *STUDENTS]  # None: signed out


def client_of(world, client_for, who) -> Client:
    return Client() if who is None else client_for(world.cast[who])


# --- The public pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_everyone_reads_the_home_the_list_and_a_published_article(world, client_for, articles, who):
    client = client_of(world, client_for, who)
    for url in (
        reverse("public:home"),
        reverse("public:article_list"),
        reverse("public:article", args=[articles["published"].pk]),
        reverse("public:image", args=[articles["shown"].pk]),
    ):
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", EVERYONE)
def test_nobody_reads_a_draft_or_withdrawn_article_on_the_public_page(world, client_for, articles, who):
    client = client_of(world, client_for, who)
    for key in ("draft", "withdrawn"):
        assert client.get(reverse("public:article", args=[articles[key].pk])).status_code == 404
    body = client.get(reverse("public:article_list")).content.decode()
    assert "睡个好觉" in body and "草稿：考试焦虑" not in body and "已撤回的文章" not in body


@pytest.mark.parametrize("who", EVERYONE)
def test_a_drafts_image_is_for_the_centres_editors_only(world, client_for, articles, who):
    response = client_of(world, client_for, who).get(reverse("public:image", args=[articles["hidden"].pk]))
    assert response.status_code == (200 if who in EDITORS else 404)
    if who in EDITORS:
        assert response["Cache-Control"] == "no-store, private"


@pytest.mark.usefixtures("other_centre")
def test_the_home_page_shows_the_centre_from_the_policy_file(world, articles):
    body = Client().get(reverse("public:home")).content.decode()
    assert "测试用的中心简介。" in body and "测试服务甲" in body and "测试服务乙" in body
    assert "测试接待室" in body and "测试楼九层" in body and "周三 9:00—10:00" in body
    assert "测试预约说明。" in body and 'href="tel:0570-7654321"' in body and "test-centre@example.org" in body
    assert 'href="tel:0570-7777777"' in body and "测试值班电话" in body
    assert 'href="tel:400-000-1234"' in body and "测试热线" in body
    assert "12356" not in body
    assert f'href="{reverse("counselling:booking_start")}"' in body  # booking: a student on to the open times
    assert "睡个好觉" in body


def test_the_shipped_centre_is_on_the_home_page(world, articles):
    body = Client().get(reverse("public:home")).content.decode()
    assert "阳光心理中心" in body and "12356" in body and "400-161-9995" in body and "110" in body


def test_the_article_page_shows_the_sanitised_text_and_its_image(world, articles):
    author = world.cast["counsellor"]
    image = articles["shown"]
    services.update_article(articles["published"], by=author, title="睡个好觉",
                            body=f"![月亮](/xinli/images/{image.pk}/)\n\n<script>alert(1)</script>")  # fmt: skip
    body = Client().get(reverse("public:article", args=[articles["published"].pk])).content.decode()
    assert f'<img src="/xinli/images/{image.pk}/" alt="月亮">' in body
    assert "<script" not in body and "&lt;script&gt;" in body


def test_the_list_is_paged(world, articles):
    for n in range(12):
        article = services.create_article(world.school, by=world.cast["counsellor"], title=f"第{n}篇", body="x")
        services.publish(article, by=world.cast["counsellor"])
    first = Client().get(reverse("public:article_list")).content.decode()
    assert first.count('data-testid="article-item"') == 10 and 'data-testid="next-page"' in first
    second = Client().get(reverse("public:article_list"), {"page": 2}).content.decode()
    assert second.count('data-testid="article-item"') == 3


def test_public_pages_carry_no_script_no_inline_style_and_no_student(world, articles):
    for url in (reverse("public:home"), reverse("public:article_list"),
                reverse("public:article", args=[articles["published"].pk])):  # fmt: skip
        body = Client().get(url).content.decode()
        assert "<script" not in body and " style=" not in body and "<style" not in body
        for student in (world.in_scope, world.other_class, world.other_college):
            assert student.name not in body and student.student_number not in body


# --- Headers, cookies and the cache ----------------------------------------------------------------------


def test_signed_out_answers_are_public_short_lived_and_set_no_cookie(world, articles):
    client = Client()
    for url in (reverse("public:home"), reverse("public:article_list"),
                reverse("public:article", args=[articles["published"].pk]),
                reverse("public:image", args=[articles["shown"].pk])):  # fmt: skip
        response = client.get(url)
        assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"], url
        assert "no-store" not in response["Cache-Control"]
        assert not response.cookies, (url, response.cookies)
        assert "Set-Cookie" not in str(response.serialize_headers())
    assert not client.cookies


@pytest.mark.parametrize("who", [*EDITORS, "head_teacher", "student"])
def test_signed_in_answers_stay_no_store(world, client_for, articles, who):
    client = client_for(world.cast[who])
    for url in (reverse("public:home"), reverse("public:article", args=[articles["published"].pk]),
                reverse("public:image", args=[articles["shown"].pk])):  # fmt: skip
        assert client.get(url)["Cache-Control"] == "no-store, private", url


def test_a_missing_article_is_not_cached_as_public(world, articles):
    response = Client().get(reverse("public:article", args=[999999]))
    assert response.status_code == 404 and "public" not in response.get("Cache-Control", "")


def test_the_cache_answers_until_an_article_changes(world, articles, django_assert_max_num_queries):
    client = Client()
    url = reverse("public:home")
    first = client.get(url).content
    with django_assert_max_num_queries(0):  # the page version and the page itself from the cache
        assert client.get(url).content == first
    published = articles["published"]
    author = world.cast["counsellor"]
    services.update_article(published, by=author, title="睡个好觉（修订）", body="新的正文")
    assert "睡个好觉（修订）" in client.get(url).content.decode()
    page = reverse("public:article", args=[published.pk])
    assert "新的正文" in client.get(page).content.decode()
    services.withdraw(published, by=author)
    assert "睡个好觉" not in client.get(url).content.decode()
    assert client.get(page).status_code == 404
    draft = articles["draft"]
    services.publish(draft, by=author)
    assert "草稿：考试焦虑" in client.get(url).content.decode()


def test_signed_in_people_never_get_a_cached_page(world, client_for, articles):
    Client().get(reverse("public:home"))  # cached for signed-out visitors
    body = client_for(world.cast["counsellor"]).get(reverse("public:home")).content.decode()
    assert 'data-testid="public-manage"' in body  # rendered for them, with the editor's link
    assert 'data-testid="public-manage"' not in Client().get(reverse("public:home")).content.decode()


# --- The editor's pages ----------------------------------------------------------------------------------

EDITOR_PAGES = ["public:manage", "public:article_new", "public:article_edit", "public:article_preview"]
EDITOR_POSTS = ["public:article_publish", "public:article_withdraw", "public:image_add", "public:image_delete"]


def editor_url(name, articles):
    if name in ("public:manage", "public:article_new"):
        return reverse(name)
    if name == "public:image_delete":
        return reverse(name, args=[articles["hidden"].pk])
    return reverse(name, args=[articles["draft"].pk])


@pytest.mark.parametrize("name", EDITOR_PAGES)
@pytest.mark.parametrize("who", [*EDITORS, *OTHER_STAFF, *STUDENTS])
def test_editor_pages_are_the_centres(world, client_for, articles, name, who):
    response = client_for(world.cast[who]).get(editor_url(name, articles))
    assert response.status_code == (200 if who in EDITORS else 404)


@pytest.mark.parametrize("name", EDITOR_POSTS)
@pytest.mark.parametrize("who", [*OTHER_STAFF, *STUDENTS])
def test_nobody_else_publishes_withdraws_or_changes_images(world, client_for, articles, name, who):
    response = client_for(world.cast[who]).post(editor_url(name, articles), {})
    assert response.status_code == 404
    draft = Article.objects.get(pk=articles["draft"].pk)
    assert draft.status == Article.Status.DRAFT and draft.images.count() == 1


@pytest.mark.parametrize("name", EDITOR_PAGES + EDITOR_POSTS)
def test_signed_out_visitors_are_sent_to_sign_in_from_the_editor_pages(articles, name):
    response = Client().get(editor_url(name, articles))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_an_editor_of_another_school_gets_404(world, client_for, articles):
    from tests.conftest import SINCE, appoint  # noqa: PLC0415
    from tests.factories import SchoolFactory, UserFactory  # noqa: PLC0415
    from xinyu.org.models import Post  # noqa: PLC0415

    elsewhere = UserFactory(username="T99999", full_name="外校老师")
    appoint(elsewhere, Post.CENTRE_COUNSELLOR, SchoolFactory(code="OTHER", name="另一所学校"), starts_on=SINCE)
    client = client_for(elsewhere)
    assert client.get(reverse("public:manage")).status_code == 200
    assert "草稿：考试焦虑" not in client.get(reverse("public:manage")).content.decode()
    assert client.get(reverse("public:article_edit", args=[articles["draft"].pk])).status_code == 404
    assert client.post(reverse("public:article_publish", args=[articles["draft"].pk])).status_code == 404


def test_the_counsellor_writes_previews_and_publishes(world, client_for):
    client = client_for(world.cast["counsellor"])
    response = client.post(reverse("public:article_new"), {"title": "考前减压", "summary": "三个小方法",
                                                           "body": "## 呼吸\n\n慢慢吸气。"})  # fmt: skip
    article = Article.objects.get(title="考前减压")
    assert response.status_code == 302 and response["Location"] == reverse("public:article_edit", args=[article.pk])
    assert article.status == Article.Status.DRAFT and article.created_by == world.cast["counsellor"]
    preview = client.get(reverse("public:article_preview", args=[article.pk])).content.decode()
    assert 'data-testid="preview-banner"' in preview and "<h2>呼吸</h2>" in preview
    assert Client().get(reverse("public:article", args=[article.pk])).status_code == 404
    client.post(reverse("public:article_publish", args=[article.pk]))
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_by == world.cast["counsellor"]
    assert "慢慢吸气" in Client().get(reverse("public:article", args=[article.pk])).content.decode()
    client.post(reverse("public:article_withdraw", args=[article.pk]))
    assert Client().get(reverse("public:article", args=[article.pk])).status_code == 404
    listing = client.get(reverse("public:manage"), {"status": "withdrawn"}).content.decode()
    assert "考前减压" in listing


def test_an_article_without_a_title_is_refused_in_chinese_words(world, client_for):
    response = client_for(world.cast["counsellor"]).post(reverse("public:article_new"), {"title": "", "body": "x"})
    assert response.status_code == 200 and not Article.objects.exists()
    assert response.context["form"].errors["title"]


def test_an_image_is_uploaded_without_exif_and_removed(world, client_for, articles):
    client = client_for(world.cast["supervisor"])
    draft = articles["draft"]
    upload = SimpleUploadedFile("photo.jpg", jpeg_with_exif(), content_type="image/jpeg")
    response = client.post(reverse("public:image_add", args=[draft.pk]), {"image": upload, "description": "操场"})
    assert response.status_code == 302
    image = draft.images.get(description="操场")
    assert b"SecretCam" not in bytes(image.data) and image.uploaded_by == world.cast["supervisor"]
    served = client.get(reverse("public:image", args=[image.pk]))
    assert served["Content-Type"] == "image/jpeg" and served.content == bytes(image.data)
    client.post(reverse("public:image_delete", args=[image.pk]))
    assert not ArticleImage.objects.filter(pk=image.pk).exists()


def test_a_file_that_is_not_an_image_is_refused(world, client_for, articles):
    client = client_for(world.cast["counsellor"])
    upload = SimpleUploadedFile("x.png", b"<script>alert(1)</script>", content_type="image/png")
    client.post(reverse("public:image_add", args=[articles["draft"].pk]), {"image": upload, "description": "x"})
    assert articles["draft"].images.count() == 1


def test_a_published_articles_image_is_public_and_a_withdrawn_ones_is_not(world, articles):
    image = services.add_image(articles["withdrawn"], by=world.cast["counsellor"], upload=png_bytes())
    assert Client().get(reverse("public:image", args=[image.pk])).status_code == 404
    services.publish(articles["withdrawn"], by=world.cast["counsellor"])
    assert Client().get(reverse("public:image", args=[image.pk])).status_code == 200


# --- "Book online" leads everyone somewhere ----------------------------------------------------------------


@pytest.mark.parametrize("who", EVERYONE)
def test_the_booking_link_leads_each_visitor_to_a_page_they_can_open(world, client_for, who):
    """The home page is the same cached page for all; its booking link must not end in a 404 for anyone."""
    client = client_of(world, client_for, who)
    home = client.get(reverse("public:home")).content.decode()
    link = reverse("counselling:booking_start")
    assert f'href="{link}"' in home
    response = client.get(link, follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    if who is None:
        assert response.redirect_chain[-1][0].startswith(reverse("accounts:login"))
    elif who in STUDENTS:
        assert response.redirect_chain == [(reverse("counselling:slot_list"), 302)]
        assert 'data-testid="open-slots"' in page
    else:
        assert 'data-testid="booking-for-students"' in page
        assert "在线预约供学生使用" in page
