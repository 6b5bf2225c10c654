"""The posts and capacities the access log names are shown in words on the log's pages, never as codes."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from xinyu.audit.reads import Read
from xinyu.org.access_log import CAPACITIES, post_label, record_read
from xinyu.org.models import Post
from xinyu.org.scope import BREAK_GLASS, Tier

pytestmark = pytest.mark.django_db


def test_every_post_and_capacity_has_chinese_words():
    with translation.override("zh-hans"):
        for value in [*Post.values, *CAPACITIES]:
            assert re.search(r"[\u4e00-\u9fff]", post_label(value)), value


def test_a_value_from_before_the_list_reads_as_stored():
    assert post_label("some_old_capacity") == "some_old_capacity"


@pytest.mark.parametrize(
    ("url_name", "args"), [("privacy:log", lambda w: []), ("studentfile:access_log", lambda w: [w.in_scope.pk])]
)
def test_the_log_pages_name_posts_and_capacities_in_words(world, client_for, url_name, args):
    record_read(world.cast["head_teacher"], Read.STUDENT_DETAIL, student=world.in_scope, tier=Tier.T2)
    record_read(world.cast["outsider"], Read.STUDENT_FILE, student=world.in_scope, tier=Tier.T3, post=BREAK_GLASS)
    page = client_for(world.cast["supervisor"]).get(reverse(url_name, args=args(world))).content.decode()
    with translation.override("zh-hans"):
        head_teacher, emergency = str(Post.HEAD_TEACHER.label), post_label(BREAK_GLASS)
    assert f"<td>{head_teacher}</td>" in page and f"<td>{emergency}</td>" in page
    assert "<td>head_teacher</td>" not in page and "<td>break_glass</td>" not in page
