"""Signing in through the real form: a wrong password, and a student who sees only their own record."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE
from tests.e2e.steps import assert_fits_width, in_chinese, path_of, sign_in, sign_in_to_home
from xinyu.accounts.forms import LoginForm

pytestmark = pytest.mark.e2e


def test_wrong_password_keeps_you_on_the_sign_in_page(page, world):
    sign_in(page, "T10001", "not-the-password")

    expect(page.get_by_test_id("login-error")).to_have_text(in_chinese(LoginForm.error_messages["invalid_login"]))
    assert path_of(page) == reverse("accounts:login")
    expect(page.get_by_test_id("login-form")).to_be_visible()
    expect(page.get_by_test_id("current-user")).to_have_count(0)
    # Still signed out: the home page sends you back to the form.
    page.goto(reverse("core:home"))
    assert path_of(page) == reverse("accounts:login")


def test_student_sees_only_their_own_record(page, world):
    me = world.in_scope
    sign_in_to_home(page, me.student_number)

    expect(page.get_by_test_id("current-user")).to_have_text("张三")
    record = page.get_by_test_id("own-record")
    expect(record).to_contain_text(me.student_number)
    expect(record).to_contain_text("软件2501班")
    expect(record).to_contain_text("信息工程学院")
    content = page.content()
    for other in ("李四", "王五", "赵寝", "钱委"):
        assert other not in content
    expect(page.get_by_test_id("main-nav").locator(f'a[href="{reverse("org:student_list")}"]')).to_have_count(0)

    for url in (
        reverse("org:student_list"),
        reverse("org:student_detail", args=[me.pk]),
        reverse("org:student_detail", args=[world.other_class.pk]),
        reverse("org:class_group", args=[world.a1.pk]),
        reverse("org:network"),
    ):
        response = page.goto(url)
        assert response.status == 404, url
        assert "李四" not in page.content()


def test_sign_in_page_fits_a_phone(phone_page):
    phone_page.goto(reverse("accounts:login"))
    expect(phone_page.get_by_test_id("login-form")).to_be_visible()
    assert_fits_width(phone_page, PHONE["viewport"]["width"])
