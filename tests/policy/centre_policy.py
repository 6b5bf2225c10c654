"""A fixture that puts a policy with a different [centre] table in force, to show that a page's help text
comes from the policy file and nowhere else. Import `other_centre` into a test module to use it."""

import dataclasses

import pytest

from xinyu.policy import loader
from xinyu.policy.centre import parse_centre

OTHER_CENTRE = {
    "name": "阳光心理中心",
    "summary": "测试用的中心简介。",
    "offers": ["测试服务甲", "测试服务乙"],
    "rooms": [{"name": "测试接待室", "location": "测试楼九层", "hours": "周三 9:00—10:00"}],
    "booking": "测试预约说明。",
    "phone": "0570-7654321",
    "phone_hours": "测试时段",
    "email": "test-centre@example.org",
    "crisis_line": {"name": "测试值班电话", "number": "0570-7777777"},
    "hotlines": [{"name": "测试热线", "number": "400-000-1234", "hours": "夜间"}],
    "emergency": [{"name": "测试报警", "number": "110"}, {"name": "测试急救", "number": "120"}],
}


@pytest.fixture
def other_centre(monkeypatch):
    """Every policy version, with [centre] as OTHER_CENTRE."""
    centre = parse_centre(OTHER_CENTRE)
    original = loader._all_versions
    monkeypatch.setattr(
        loader,
        "_all_versions",
        lambda directory, family: tuple(
            dataclasses.replace(policy, centre=centre) for policy in original(directory, family)
        ),
    )
    return OTHER_CENTRE
