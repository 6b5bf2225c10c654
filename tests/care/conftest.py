"""Registry fixtures: a proposal for 张三 (in_scope, A1, room R1) and the same entry confirmed with a plan."""

import pytest

from tests.concerns.conftest import crisis_world  # noqa: F401  (the crisis cast, as a fixture here)
from xinyu.care.registry import PlanInput, confirm_entry, propose_entry


def propose(world, student=None, **extra):
    values = {"source": "centre", "proposed_by": world.cast["counsellor"], "reason": "家庭变故后情绪低落"} | extra
    return propose_entry(student or world.in_scope, **values)


def plan_input(world, **extra) -> PlanInput:
    values = {
        "goals": "情绪稳定，正常上课",
        "measures_centre": "每两周一次心理咨询",
        "measures_college": "每月与家长联系",
        "measures_class": "辅导员每两周谈心一次",
        "centre_person": world.cast["counsellor"],
        "college_person": world.cast["mental_health_advisor"],
        "class_person": world.cast["advisor"],
        "dorm_leader": world.cast["dorm_leader"],
    }
    return PlanInput(**(values | extra))


def confirm(world, entry, **extra):
    return confirm_entry(
        entry,
        by=world.cast["mental_health_advisor"],
        categories=["family_change"],
        risk_level="medium",
        plan=plan_input(world, **extra),
    )


@pytest.fixture
def proposed(world):
    return propose(world)


@pytest.fixture
def active(world, proposed):
    return confirm(world, proposed)
