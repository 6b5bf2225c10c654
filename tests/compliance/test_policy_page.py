"""The policy page: who may read it, that it reads the policy in force in Chinese without codes, its
calendar warning, and the comparison of two versions."""

import datetime as dt
import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.helpers import freeze_time
from tests.reports.conftest import SHANGHAI
from xinyu.compliance.policy_page import compare, date_ranges, duration, render_policy
from xinyu.policy.loader import clear_cache, load_policy_file, policy_in_force

pytestmark = pytest.mark.django_db

READERS = ["counsellor", "supervisor", "student_affairs"]
OUTSIDERS = ["leading_group_member", "mental_health_advisor", "college_leader", "head_teacher", "advisor",
             "outsider", "student", "dorm_leader", "wellbeing_rep"]  # fmt: skip
SHIPPED = settings.BASE_DIR / "policy" / "quzhou-2021.toml"
CODES = re.compile(
    r"\b(mental_health_advisor|college_leader_in_charge|student_affairs|logistics_security|school_leader|"
    r"watch_shifts|family_told|suicidal_ideation|counselling_request|moderately_severe|office|always|"
    r"upi_class1_min_total|retention_destroy_after_years|centre_supervisor|class_1|flag_only)\b"
)


@pytest.fixture
def two_versions(tmp_path, settings):
    """The shipped policy and a version 2 from 2027-03-01 with three settings changed."""
    text = SHIPPED.read_text()
    (tmp_path / "quzhou-2021.toml").write_text(text)
    newer = (
        text.replace("version = 1", "version = 2")
        .replace("effective_from = 2021-06-16", "effective_from = 2027-03-01")
        .replace("urgent_ack_minutes = 15 ", "urgent_ack_minutes = 10 ")
        .replace("retention_destroy_after_years = 5", "retention_destroy_after_years = 6")
        .replace('receivers = ["advisor", "mental_health_advisor"]', 'receivers = ["advisor"]')
    )
    (tmp_path / "quzhou-2021-v2.toml").write_text(newer)
    settings.XINYU_POLICY_DIR = tmp_path
    clear_cache()
    yield
    clear_cache()


@pytest.mark.parametrize("who", READERS)
def test_the_centre_and_student_affairs_read_the_policy_in_chinese_without_codes(world, client_for, who):
    response = client_for(world.cast[who]).get(reverse("compliance:policy"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "衢州职业技术学院学生心理危机应急处置流程" in page
    assert "技术管理员" in page  # read-only: who changes it, and where
    for words in ("学院心理辅导员", "学工部", "全天候 15 分钟", "4 小时（工作时间）", "A级", "D级", "阳光心理中心",
                  "2026-02-15 至 2026-02-23", "每年培训学时下限：专职心理教师", "UPI 第一类：总分不低于"):  # fmt: skip
        assert words in page, words
    assert not CODES.search(re.sub(r"<[^>]+>", " ", page)), CODES.search(re.sub(r"<[^>]+>", " ", page))


@pytest.mark.parametrize("who", OUTSIDERS)
def test_others_get_404(world, client_for, who):
    assert client_for(world.cast[who]).get(reverse("compliance:policy")).status_code == 404


def test_signed_out_is_sent_to_sign_in(client):
    response = client.get(reverse("compliance:policy"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_the_page_warns_when_the_calendar_runs_out_and_not_before(world, client_for):
    client = client_for(world.cast["student_affairs"])
    with freeze_time(dt.datetime(2026, 12, 7, 10, tzinfo=SHANGHAI)):
        page = client.get(reverse("compliance:policy")).content.decode()
    assert 'data-testid="calendar-warning"' in page and "2026-12-31" in page and "2027 年的法定节假日" in page
    assert "working_days" not in page and "[calendar]" not in page  # the page names no file keys
    with freeze_time(dt.datetime(2026, 9, 1, 10, tzinfo=SHANGHAI)):
        page = client.get(reverse("compliance:policy")).content.decode()
    assert 'data-testid="calendar-warning"' not in page


def test_words_for_durations_and_dates():
    assert (duration(240), duration(90), duration(15)) == ("4 hours", "1 hour 30 minutes", "15 minutes")
    days = [dt.date(2026, 2, 15), dt.date(2026, 2, 16), dt.date(2026, 2, 17), dt.date(2026, 4, 4)]
    assert date_ranges(days) == "2026-02-15 to 2026-02-17、2026-04-04"


def test_every_setting_of_the_policy_has_a_row():
    sections = render_policy(policy_in_force(dt.date(2026, 12, 7)))
    keys = {(section.key, row.key) for section in sections for row in section.rows}
    assert ("care", "care:retention_destroy_after_years") in keys
    assert ("screening", "scoring:upi_item64_request") in keys
    assert ("level:D", "step:debrief") in keys
    assert ("workforce", "training:head_teacher") in keys
    assert len(keys) == sum(len(section.rows) for section in sections)  # keys are unique: the diff pairs them


def test_comparing_a_version_with_itself_finds_nothing():
    policy = load_policy_file(SHIPPED)
    assert compare(policy, policy) == []


def test_the_comparison_names_each_changed_setting_old_and_new(world, client_for, two_versions):
    with freeze_time(dt.datetime(2027, 3, 2, 10, tzinfo=SHANGHAI)):
        client = client_for(world.cast["supervisor"])
        page = client.get(reverse("compliance:policy")).content.decode()
        assert "第 2 版，自 2027-03-01 起生效" in page  # the version in force
        assert 'data-testid="calendar-warning"' in page  # the 2026 calendar no longer covers anything
        response = client.get(reverse("compliance:policy"), {"old": "quzhou-2021@1", "new": "quzhou-2021@2"})
    assert response.status_code == 200
    changes = [(c.label, c.old, c.new) for c in response.context["changes"]]
    labels = [label for label, _old, _new in changes]
    assert labels == ["版本", "生效日期", "一般上报的接收人", "紧急上报的签收时限", "学生离校后档案销毁时间"]
    assert ("紧急上报的签收时限", "全天候 15 分钟", "全天候 10 分钟") in changes
    assert ("一般上报的接收人", "辅导员、二级学院心理辅导员", "辅导员") in changes
    assert ("学生离校后档案销毁时间", "5 年", "6 年") in changes
    page = response.content.decode()
    assert 'data-testid="policy-diff"' in page and "<del" in page and "全天候 15 分钟" in page


def test_an_unknown_version_is_404(world, client_for):
    client = client_for(world.cast["supervisor"])
    assert client.get(reverse("compliance:policy"), {"old": "quzhou-2021@1", "new": "x@9"}).status_code == 404


@pytest.mark.parametrize("who", ["counsellor", "student_affairs", "leading_group_member", "advisor"])
def test_the_menu_links_the_policy_and_retention_pages_for_those_who_may_read_them(world, client_for, who):
    page = client_for(world.cast[who]).get(reverse("core:home"), follow=True).content.decode()
    expected = who in READERS
    assert ('data-testid="nav-policy"' in page) is expected
    assert ('data-testid="nav-retention"' in page) is expected
