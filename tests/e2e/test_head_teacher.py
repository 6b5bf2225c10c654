"""A head teacher's day in a real browser, on a desktop and on a phone: sign in, see the class, find a
student with the htmx search, open them, and get a 404 for students outside the class."""

from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE
from tests.e2e.steps import (
    assert_fits_width,
    column,
    follow_nav,
    in_chinese,
    screenshot,
    sign_in_to_home,
)
from xinyu.org.models import Post

pytestmark = pytest.mark.e2e

CLASS_A1 = ["张三", "赵寝", "钱委"]  # the world's 软件2501班, in student-number order


def head_teachers_round(page: Page, world, *, phone: bool, shots=None) -> None:
    """The whole flow; `shots(name)` is called on each page worth a screenshot and layout check."""
    shots = shots or (lambda name: None)

    sign_in_to_home(page, "T10001")
    expect(page.get_by_test_id("current-user")).to_have_text("孙班主任")
    posts = page.get_by_test_id("responsibilities")
    expect(posts.get_by_test_id("post")).to_have_text([in_chinese(Post.HEAD_TEACHER.label)])
    expect(posts.get_by_test_id("class-link")).to_have_text(["软件2501班"])
    shots("home")

    posts.get_by_test_id("class-link").click()
    page.wait_for_url(f"**{reverse('org:class_group', args=[world.a1.pk])}")
    expect(page.locator("h1")).to_have_text("软件2501班")
    expect(page.get_by_test_id("class-students")).to_contain_text("张三")
    assert column(page, "class-students", 2) == CLASS_A1
    assert "李四" not in page.content() and "王五" not in page.content()
    shots("class")

    follow_nav(page, reverse("org:student_list"), phone=phone)
    assert column(page, "student-table", 2) == CLASS_A1
    # The search box swaps the results in place through htmx: the request carries HX-Request, the
    # page is not reloaded (a marker set on window survives) and the address bar follows the query.
    page.evaluate("() => { window.xinyuSamePage = true; }")
    with page.expect_response(
        lambda r: urlparse(r.url).path == reverse("org:student_list") and r.request.headers.get("hx-request") == "true"
    ) as search:
        page.locator("#q").press_sequentially("张")
    assert search.value.status == 200
    expect(page.get_by_test_id("student-table").locator("tbody tr")).to_have_count(1)
    assert column(page, "student-table", 2) == ["张三"]
    assert page.evaluate("() => window.xinyuSamePage") is True
    assert parse_qs(urlparse(page.url).query).get("q") == ["张"]
    shots("student-list")

    page.get_by_test_id("student-table").get_by_role("link", name=world.in_scope.student_number).click()
    page.wait_for_url(f"**{reverse('org:student_detail', args=[world.in_scope.pk])}")
    expect(page.locator("h1")).to_contain_text("张三")
    expect(page.get_by_test_id("student-roster")).to_contain_text("软件2501班")
    # A head teacher holds T2 over the class: the emergency contacts are shown.
    expect(page.get_by_test_id("student-sensitive")).to_contain_text("张三的母亲")
    shots("student")

    # Students outside the class, by URL: 404, the same answer as for a student who does not exist.
    for outsider in (world.other_class, world.other_college):
        response = page.goto(reverse("org:student_detail", args=[outsider.pk]))
        assert response.status == 404, outsider.name
        content = page.content()
        assert outsider.name not in content
        assert outsider.student_number not in content
        assert f"{outsider.name}的母亲" not in content
    response = page.goto(reverse("org:class_group", args=[world.a2.pk]))
    assert response.status == 404
    assert "网络2501班" not in page.content() and "李四" not in page.content()


def test_head_teacher_sees_their_class_and_nothing_else(page, world):
    head_teachers_round(page, world, phone=False)


def test_head_teacher_on_a_phone(phone_page, world, screenshot_dir):
    width = PHONE["viewport"]["width"]

    def shots(name):
        assert_fits_width(phone_page, width)
        screenshot(phone_page, screenshot_dir, f"phone-{name}")

    head_teachers_round(phone_page, world, phone=True, shots=shots)
    # Secondary columns give way on a narrow screen.
    phone_page.goto(reverse("org:student_list"))
    expect(phone_page.get_by_test_id("student-table").locator("td.hide-sm").first).to_be_hidden()
