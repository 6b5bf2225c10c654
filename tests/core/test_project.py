import pytest
from django.core.management import call_command
from django.urls import reverse


@pytest.mark.django_db
def test_no_pending_migrations():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_health_answers_without_sign_in(client):
    response = client.get(reverse("core:health"))
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(client):
    policy = client.get(reverse("accounts:login"))["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_default_language_is_simplified_chinese_and_english_is_available(client):
    response = client.get(reverse("accounts:login"))
    assert '<html lang="zh-hans">' in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get(reverse("accounts:login")).content.decode()


@pytest.mark.django_db
def test_chinese_even_for_an_english_browser(client):
    body = client.get(reverse("accounts:login"), headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert '<html lang="zh-hans">' in body and "登录" in body


@pytest.mark.django_db
def test_a_missing_page_is_xinyus_own_404_in_chinese(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert 'data-testid="not-found"' in body and "页面不存在" in body
    assert "Page not found at" not in body and "URLconf" not in body  # never Django's debugging page
