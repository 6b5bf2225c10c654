"""Workforce test data: a second counsellor of the centre, counselling sessions to bring to supervision."""

import pytest

from tests.conftest import SINCE
from tests.factories import UserFactory
from xinyu.counselling import services as counselling
from xinyu.org.models import Post
from xinyu.org.services import appoint
from xinyu.workforce import services

QUESTION = "来访者反复提到家庭冲突，我不确定是否应建议家庭治疗"
GUIDANCE = "先稳定情绪，暂缓家庭治疗建议；下次咨询评估支持系统"


@pytest.fixture
def other_counsellor(world):
    """A part-time counsellor of the same centre: not the treating counsellor of the world's cases."""
    user = UserFactory(username="T10020", full_name="韩兼职")
    appoint(user, Post.CENTRE_PART_TIME_COUNSELLOR, world.school, starts_on=SINCE)
    return user


def counsel(world, counsellor, student=None, *, next_step="continue"):
    return counselling.record_session(
        student or world.in_scope, by=counsellor, kind="individual", risk_level="low", next_step=next_step,
        notes="咨询记录",
    )  # fmt: skip


@pytest.fixture
def case_session(world):
    """A counselling session of the world's counsellor with 张三, whose next step is supervision."""
    return counsel(world, world.cast["counsellor"], next_step="supervision")


@pytest.fixture
def supervision_request(world, case_session):
    return services.submit_request(world.in_scope, by=world.cast["counsellor"], question=QUESTION, session=case_session)
