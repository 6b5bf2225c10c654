import datetime as dt

import pytest

from tests.factories import UserFactory
from tests.helpers import freeze_time
from xinyu.org.models import Post
from xinyu.org.services import appoint

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOVEMBER = dt.date(2026, 11, 1)
# 3 December 2026, a Thursday: November's report is due on the fifth working day of December, Monday the 7th.
TODAY = dt.datetime(2026, 12, 3, 10, 0, tzinfo=SHANGHAI)
DUE = dt.date(2026, 12, 7)


@pytest.fixture
def now():
    with freeze_time(TODAY) as traveller:
        yield traveller


@pytest.fixture
def heads(world):
    """College A's working group head, beside its leader in charge."""
    head = UserFactory(username="T10030", full_name="郑组长")
    appoint(head, Post.COLLEGE_GROUP_HEAD, world.college_a, starts_on=dt.date(2026, 1, 1))
    world.cast["group_head"] = head
    return head
