"""The watch that fails browser tests on CSP violations is itself tested: an inline script and an
inline style forced into a real page must be refused by the browser and caught by the watch."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.e2e


def test_csp_refuses_inline_script_and_style_and_the_watch_sees_it(page, page_watch):
    page.goto(reverse("accounts:login"))
    assert page_watch.take() == []

    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.xinyuInlineRan = true';
            document.body.appendChild(script);
            document.body.setAttribute('style', 'background: red');
        }"""
    )
    for _ in range(50):
        if len(page_watch.csp_violations) >= 2:
            break
        page.wait_for_timeout(100)

    violations = page_watch.csp_violations
    assert any("script" in text for text in violations), violations
    assert any("style" in text for text in violations), violations
    assert page.evaluate("() => window.xinyuInlineRan") is None
    assert page.evaluate("() => getComputedStyle(document.body).backgroundColor") != "rgb(255, 0, 0)"
    page_watch.take()  # expected here; anywhere else they fail the test
