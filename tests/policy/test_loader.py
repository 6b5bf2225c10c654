import datetime as dt
import tomllib

import pytest
from django.conf import settings

from tests.concerns.conftest import SHANGHAI
from xinyu.policy import calendar
from xinyu.policy.checks import check_policy
from xinyu.policy.loader import PolicyError, parse_policy, policy_in_force


def raw_policy():
    with (settings.XINYU_POLICY_DIR / "quzhou-2021.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_shipped_policy_loads_with_four_levels():
    policy = policy_in_force(dt.date(2026, 11, 29))
    assert policy.key == "quzhou-2021@1"
    assert [policy.level(level).organiser for level in "ABCD"] == [
        "mental_health_advisor", "college_leader_in_charge", "school_leader", "school_leader"
    ]  # fmt: skip


@pytest.mark.parametrize(
    "path,value,message",
    [
        (("levels", "A", "organiser"), "janitor", "未知角色"),
        (("levels", "B", "steps", 0, "clock"), "sometimes", "计时方式"),
        (("levels", "C", "steps", 0, "evidence"), ["photo"], "未知记录类型"),
        (("levels", "D", "steps", 0, "within_minutes"), 0, "时限必须大于 0"),
        (("office_hours", "periods"), [["14:00", "12:00"]], "不重叠"),
        (("escalation", "escalate_every_minutes"), 0, "必须大于 0"),
        (("reports", "urgent_ack_minutes"), -5, "必须大于 0"),
    ],
)
def test_bad_policies_are_refused_with_where_and_what(path, value, message):
    raw = raw_policy()
    target = raw
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(PolicyError, match=message):
        parse_policy(raw)


def test_c_and_d_are_urgent_unless_the_file_says_otherwise():
    assert policy_in_force(dt.date(2026, 11, 29)).urgent_levels == ("C", "D")
    raw = raw_policy()
    raw["levels"]["B"]["urgent"] = True
    raw["levels"]["D"]["urgent"] = False
    assert parse_policy(raw).urgent_levels == ("B", "C")
    raw["levels"]["A"]["urgent"] = "yes"
    with pytest.raises(PolicyError, match=r"levels\.A\.urgent"):
        parse_policy(raw)


def test_a_missing_level_is_refused():
    raw = raw_policy()
    del raw["levels"]["D"]
    with pytest.raises(PolicyError, match="A、B、C、D"):
        parse_policy(raw)


def at(*args):
    return dt.datetime(*args, tzinfo=SHANGHAI)


def test_office_time_and_holidays():
    policy = policy_in_force(dt.date(2026, 11, 29))
    assert calendar.is_office_time(policy, at(2026, 11, 25, 10, 0))
    assert not calendar.is_office_time(policy, at(2026, 11, 25, 12, 0))  # lunch
    assert not calendar.is_office_time(policy, at(2026, 11, 28, 10, 0))  # Saturday
    assert not calendar.is_office_time(policy, at(2026, 10, 5, 10, 0))  # National Day holiday
    assert calendar.is_office_time(policy, at(2026, 10, 10, 10, 0))  # adjusted working Saturday


def test_office_minutes_skip_lunch_nights_and_weekends():
    policy = policy_in_force(dt.date(2026, 11, 29))
    assert calendar.add_office_minutes(policy, at(2026, 11, 25, 11, 0), 60) == at(2026, 11, 25, 14, 30)
    assert calendar.add_office_minutes(policy, at(2026, 11, 27, 17, 0), 60) == at(2026, 11, 30, 8, 30)
    assert calendar.add_office_minutes(policy, at(2026, 11, 25, 23, 0), 15) == at(2026, 11, 26, 8, 15)
    # Three working days of 7 office hours from a Friday afternoon: Wednesday at the same time.
    assert calendar.add_office_minutes(policy, at(2026, 11, 27, 15, 0), 1260) == at(2026, 12, 2, 15, 0)


def test_a_broken_policy_fails_the_start_up_checks(tmp_path, settings):

    assert check_policy() == []
    (tmp_path / "bad.toml").write_text('[policy]\nid = "quzhou-2021"\n', encoding="utf-8")
    settings.XINYU_POLICY_DIR = tmp_path
    errors = check_policy()
    assert [e.id for e in errors] == ["xinyu.E001"] and "bad.toml" in errors[0].msg
    settings.XINYU_POLICY_DIR = settings.BASE_DIR / "policy"
    assert check_policy() == []
