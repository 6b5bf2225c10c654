"""The back office's privacy pages: leaving dates for those who keep the roster, retention runs for the centre."""

import pytest
from django.urls import reverse

from xinyu.privacy.models import StudentDeparture
from xinyu.privacy.retention import apply_retention


@pytest.mark.parametrize(
    "who,allowed", [("student_affairs", True), ("supervisor", True), ("advisor", False), ("outsider", False)]
)
def test_departures_in_the_back_office(world, client_for, who, allowed):
    StudentDeparture.objects.create(student=world.other_college, left_on="2020-07-01")
    response = client_for(world.cast[who]).get(reverse("admin:privacy_studentdeparture_changelist"))
    if allowed:
        assert response.status_code == 200 and world.other_college.student_number in response.content.decode()
    else:
        assert response.status_code in (302, 403)


@pytest.mark.parametrize(
    "who,allowed", [("counsellor", True), ("supervisor", True), ("student_affairs", False), ("advisor", False)]
)
def test_retention_runs_in_the_back_office(world, client_for, who, allowed):
    apply_retention(dry_run=True)
    response = client_for(world.cast[who]).get(reverse("admin:privacy_retentionrun_changelist"))
    assert (response.status_code == 200) == allowed
