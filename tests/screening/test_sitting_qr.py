"""The sitting's QR code (the entry link with the code filled in) and its printable sheet."""

import re

import pytest
import segno
from django.urls import reverse

from tests.conftest import SINCE
from tests.factories import UserFactory
from tests.screening.test_campaigns import make_campaign
from tests.screening.test_sittings import ALL_STAFF
from xinyu.org.models import Post
from xinyu.org.services import appoint
from xinyu.screening.sittings import entry_link_qr_svg, open_sitting

BORDER = 4


def dark_modules(svg: str) -> set[tuple[int, int]]:
    """The dark modules (column, row) drawn by segno's single-path SVG: "M x y" moves, "m dx dy" moves
    relative to the end of the last run, "h n" draws n modules along the row (at y + 0.5)."""
    path = re.search(r'<path stroke="#000" d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?:[ ,](-?[\d.]+))?", path):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            for step in range(int(float(a))):
                dark.add((int(x) + step - BORDER, int(y - 0.5) - BORDER))
            x += float(a)
    return dark


def expected_modules(link: str) -> set[tuple[int, int]]:
    matrix = segno.make(link, error="m", micro=False).matrix
    return {(col, row) for row, line in enumerate(matrix) for col, value in enumerate(line) if value}


@pytest.fixture
def sitting(world):
    return open_sitting(make_campaign(world), world.a1, world.cast["head_teacher"])


def test_qr_svg_has_no_style_and_scales_with_its_container():
    svg = entry_link_qr_svg("http://testserver/screening/enter/?code=ABCDEF")
    assert svg.startswith("<svg")
    assert "style" not in svg  # the strict CSP forbids inline styles
    assert "width=" not in svg and "height=" not in svg
    assert 'viewBox="0 0' in svg
    assert 'class="w-100 h-auto d-block"' in svg
    assert "<script" not in svg


@pytest.mark.parametrize("who", ["head_teacher", "advisor"])
def test_sitting_page_shows_the_qr_of_the_entry_link_with_the_code(world, client_for, sitting, who):
    page = client_for(world.cast[who]).get(reverse("screening:sitting_detail", args=[sitting.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    link = f"http://testserver{reverse('screening:enter')}?code={sitting.code}"
    block = text[text.index('data-testid="sitting-qr"') :]
    svg = block[block.index("<svg") : block.index("</svg>") + 6]
    assert dark_modules(svg) == expected_modules(link)  # it encodes exactly the link with the code
    assert reverse("screening:sitting_print", args=[sitting.pk]) in text
    # The counts poll carries no QR code.
    counts = client_for(world.cast[who]).get(reverse("screening:sitting_detail", args=[sitting.pk]) + "?part=counts")
    assert "<svg" not in counts.content.decode()


def test_printable_sheet(world, client_for, sitting):
    page = client_for(world.cast["head_teacher"]).get(reverse("screening:sitting_print", args=[sitting.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    link = f"http://testserver{reverse('screening:enter')}?code={sitting.code}"
    assert f'data-testid="sitting-code">{sitting.code}<' in text
    assert link in text
    block = text[text.index('data-testid="sitting-qr"') :]
    svg = block[block.index("<svg") : block.index("</svg>") + 6]
    assert dark_modules(svg) == expected_modules(link)
    assert "css/screening-print.css" in text and "js/screening-print.js" in text
    assert 'style="' not in text


@pytest.mark.parametrize("who", [w for w in ALL_STAFF if w not in ("head_teacher", "advisor")] + ["student"])
def test_others_get_404_on_the_printable_sheet(world, client_for, sitting, who):
    assert client_for(world.cast[who]).get(reverse("screening:sitting_print", args=[sitting.pk])).status_code == 404


def test_head_teacher_of_another_class_gets_404(world, client_for):

    campaign = make_campaign(world)
    other = open_sitting(campaign, world.a1, world.cast["head_teacher"])
    teacher = UserFactory(username="T20001", full_name="另一位班主任")
    appoint(teacher, Post.HEAD_TEACHER, world.a2, starts_on=SINCE)
    client = client_for(teacher)
    assert client.get(reverse("screening:sitting_print", args=[other.pk])).status_code == 404
    assert client.get(reverse("screening:sitting_detail", args=[other.pk])).status_code == 404
