"""Steps the browser tests share. Selectors use data-testid, URLs and people's names, never the
wording of labels, so the tests hold whatever the translation says."""

import re
from pathlib import Path
from urllib.parse import urlparse

from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD


def in_chinese(text) -> str:
    """What the UI shows for a (lazy) message in the default language, zh-hans."""
    with translation.override("zh-hans"):
        return str(text)


def path_of(page: Page) -> str:
    return urlparse(page.url).path


def sign_in(page: Page, username: str, password: str = PASSWORD) -> None:
    """Fills in the real sign-in form and submits it; the caller checks where that led."""
    page.goto(reverse("accounts:login"))
    form = page.get_by_test_id("login-form")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").click()


def sign_in_to_home(page: Page, username: str) -> None:
    sign_in(page, username)
    home = reverse("core:home")
    page.wait_for_url(lambda url: urlparse(url).path == home)


def open_phone_menu(page: Page) -> None:
    """Opens the collapsed menu on a phone and waits until it has slid open ("collapsing" becomes "show"):
    a click during the slide can miss what it aims at."""
    page.get_by_test_id("nav-toggler").click()
    expect(page.get_by_test_id("main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))


def follow_nav(page: Page, url: str, *, phone: bool = False) -> None:
    """Opens a page from the navbar; on a phone the links sit behind the collapsed menu's toggler, and the
    less frequent ones behind the "More" menu."""
    link = page.get_by_test_id("main-nav").locator(f'a[href="{url}"]')
    if phone:
        expect(link).to_be_hidden()
        open_phone_menu(page)
    if link.locator("xpath=ancestor::ul[contains(@class, 'dropdown-menu')]").count():
        page.get_by_test_id("nav-more").click()
    expect(link).to_be_visible()
    link.click()
    page.wait_for_url(lambda current: urlparse(current).path == url)


def column(page: Page, table_testid: str, index: int) -> list[str]:
    """The texts of one column (1-based) of a table's body rows."""
    cells = page.get_by_test_id(table_testid).locator(f"tbody tr td:nth-child({index})")
    return [text.strip() for text in cells.all_inner_texts()]


def assert_fits_width(page: Page, width: int) -> None:
    """Nothing makes the page scroll sideways: the document is no wider than the viewport.

    Chromium's phone emulation widens the layout viewport to fit overflowing content, so the viewport
    itself is pinned to the phone's width as well.
    """
    scroll_width, inner_width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    if inner_width == width and scroll_width <= inner_width:
        return
    wide = page.evaluate(
        """(width) => Array.from(document.querySelectorAll('body *'))
            .filter((el) => el.getBoundingClientRect().right > width + 1)
            .slice(0, 8)
            .map((el) => [el.tagName.toLowerCase(), ...el.classList].join('.'))""",
        width,
    )
    raise AssertionError(
        f"{path_of(page)} is {scroll_width}px wide in a {inner_width}px viewport (phone: {width}px); "
        f"wider than the phone: {wide}"
    )


def screenshot(page: Page, folder: Path, name: str) -> Path:
    path = folder / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path
