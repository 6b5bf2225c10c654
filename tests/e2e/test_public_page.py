"""The public mental-health page in the browser: the centre's counsellor writes an article on a laptop, adds
an image, previews and publishes it; a signed-out phone reads it on /xinli/, with the centre's hours and the
hotlines, under the site's CSP (the page watch fails on any console error), and gets no cookie."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.steps import assert_fits_width, follow_nav, screenshot, sign_in_to_home
from tests.public.conftest import png_bytes
from xinyu.public.models import Article

pytestmark = pytest.mark.e2e


def test_the_counsellor_publishes_an_article_a_signed_out_phone_reads(page, phone_page, world, screenshot_dir):
    # A signed-out phone first: the home page, no article yet (the page is now in the cache).
    phone_page.goto(reverse("public:home"))
    expect(phone_page.get_by_test_id("no-articles")).to_be_visible()

    # The counsellor writes, adds an image, previews and publishes.
    sign_in_to_home(page, world.cast["counsellor"].username)
    follow_nav(page, reverse("public:manage"))
    page.get_by_test_id("article-new").click()
    form = page.get_by_test_id("article-form")
    form.locator("input[name=title]").fill("考试周不慌")
    form.locator("textarea[name=summary]").fill("三个减压的小方法")
    form.locator("textarea[name=body]").fill("## 深呼吸\n\n吸气 4 秒，呼气 6 秒。")
    form.get_by_test_id("save").click()
    article = Article.objects.get(title="考试周不慌")
    page.wait_for_url(f"**{reverse('public:article_edit', args=[article.pk])}")
    upload = page.get_by_test_id("image-form")
    upload.locator("input[name=image]").set_input_files(
        {"name": "考试.png", "mimeType": "image/png", "buffer": png_bytes((300, 200))}
    )
    upload.locator("input[name=description]").fill("安静的自习室")
    upload.get_by_test_id("image-upload").click()
    expect(page.get_by_test_id("image-row")).to_have_count(1)
    image = article.images.get()
    body = form.locator("textarea[name=body]")
    body.fill(f"{body.input_value()}\n\n![安静的自习室](/xinli/images/{image.pk}/)\n\n<script>alert(1)</script>")
    form.get_by_test_id("save").click()
    page.get_by_test_id("preview").click()
    expect(page.get_by_test_id("preview-banner")).to_be_visible()
    expect(page.get_by_test_id("article").locator("h2")).to_have_text("深呼吸")
    page.go_back()
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("withdraw")).to_be_visible()
    article.refresh_from_db()
    assert article.status == Article.Status.PUBLISHED and article.published_by == world.cast["counsellor"]

    # The phone, still signed out: its browser may keep the home page up to a minute (Cache-Control: public,
    # max-age=60); reloading asks the server, whose cached page the publish has replaced.
    phone_page.goto(reverse("public:home"))
    phone_page.reload()
    width = PHONE["viewport"]["width"]
    expect(phone_page.get_by_test_id("centre")).to_contain_text("阳光心理中心")
    expect(phone_page.get_by_test_id("rooms")).to_contain_text("接待室")
    expect(phone_page.get_by_test_id("hotlines")).to_contain_text("12356")
    expect(phone_page.get_by_test_id("booking-link")).to_have_attribute("href", reverse("counselling:booking_start"))
    assert_fits_width(phone_page, width)
    screenshot(phone_page, screenshot_dir, "phone-public-home")
    phone_page.get_by_test_id("article-item").get_by_text("考试周不慌").click()
    phone_page.wait_for_url(f"**{reverse('public:article', args=[article.pk])}")
    shown = phone_page.get_by_test_id("article")
    expect(shown).to_contain_text("吸气 4 秒，呼气 6 秒。")
    expect(shown).to_contain_text("<script>alert(1)</script>")  # shown as text, never run
    picture = shown.locator("img")
    expect(picture).to_have_attribute("alt", "安静的自习室")
    assert picture.evaluate("img => img.complete && img.naturalWidth") == 300
    assert_fits_width(phone_page, width)
    screenshot(phone_page, screenshot_dir, "phone-public-article")
    assert phone_page.context.cookies() == []  # no session, no CSRF cookie for a reader
