import datetime as dt
import zoneinfo

import pytest

from tests.factories import DepartmentFactory, UserFactory
from tests.helpers import freeze_time
from tests.shared import shared_fixture
from xinyu.concerns.models import DutyShift
from xinyu.org.models import Department, Post
from xinyu.org.services import appoint

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
# A Wednesday in term, in office hours, and the same day at night.
OFFICE_TIME = dt.datetime(2026, 11, 25, 10, 0, tzinfo=SHANGHAI)
NIGHT_TIME = dt.datetime(2026, 11, 25, 23, 0, tzinfo=SHANGHAI)


@shared_fixture
def crisis_world(world):
    """The world plus the school-level people a crisis needs: the school leader in charge, a duty leader
    on the roster tonight, and 后勤保卫处 staff."""
    leader = UserFactory(username="T10010", full_name="严分管校领导")
    appoint(leader, Post.LEADING_GROUP_HEAD, world.school, starts_on=dt.date(2026, 1, 1))
    duty = UserFactory(username="T10011", full_name="韩值班领导")
    DutyShift.objects.create(
        person=duty, starts_at=NIGHT_TIME.replace(hour=17, minute=30), ends_at=NIGHT_TIME + dt.timedelta(hours=10)
    )
    security = UserFactory(username="T10012", full_name="杨保卫")
    department = DepartmentFactory(school=world.school, name="后勤保卫处", kind=Department.Kind.LOGISTICS_SECURITY)
    appoint(security, Post.DEPARTMENT_STAFF, department, starts_on=dt.date(2026, 1, 1))
    world.cast.update({"school_leader": leader, "duty_leader": duty, "security": security})
    return world


@pytest.fixture
def office_time():
    """Time stands still on a Wednesday in term, in office hours (modules ask for it in their pytestmark)."""
    with freeze_time(OFFICE_TIME) as frozen:
        yield frozen
