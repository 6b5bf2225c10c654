"""A centre counsellor opens the 校院班寝 network page and sees its coverage gaps."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from tests.e2e.steps import follow_nav, sign_in_to_home
from xinyu.org import scope
from xinyu.org.network import build_network

pytestmark = pytest.mark.e2e


def test_counsellor_sees_the_network_with_its_gaps(page, world):
    counsellor = world.cast["counsellor"]
    with translation.override("zh-hans"):
        expected = sorted((gap.kind, gap.message) for gap in build_network(scope.network_colleges_for(counsellor)).gaps)
    assert expected, "the world should have posts left unfilled (网络2501班 has no head teacher)"

    sign_in_to_home(page, counsellor.username)
    follow_nav(page, reverse("org:network"))

    gaps = page.get_by_test_id("coverage-gaps")
    expect(gaps).to_be_visible()
    expect(gaps.locator("[data-gap]")).to_have_count(len(expected))
    shown = sorted(
        (item.get_attribute("data-gap"), item.inner_text().strip()) for item in gaps.locator("[data-gap]").all()
    )
    assert shown == expected
    # A school-wide post sees every college of the school.
    for college in ("信息工程学院", "机电工程学院"):
        expect(page.locator("main")).to_contain_text(college)
