"""The demo college's student files: registry entries with plans, counselling
sessions, referrals and a student on leave each show in the file, at the right tier for the viewer."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from xinyu.accounts.models import User
from xinyu.care.models import RegistryEntry
from xinyu.counselling.models import Session
from xinyu.org import scope
from xinyu.org.demo import demo_accounts
from xinyu.org.models import Student
from xinyu.org.responsibility import holders_of
from xinyu.referrals.models import Leave, Referral
from xinyu.studentfile.timeline import timeline_for

STUDENTS, SEED = 600, 11


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("demo_accounts", stdout=StringIO())
        call_command("seed_demo", f"--students={STUDENTS}", f"--seed={SEED}", stdout=StringIO())
        yield {account.key: User.objects.get(username=account.username) for account in demo_accounts()}
        transaction.set_rollback(True)


def kinds(student, viewer) -> set[str]:
    tier, _grant = scope.tier_for(viewer, student)
    return {entry.kind for entry in timeline_for(student, viewer, tier)}


def test_each_kind_of_record_is_in_the_centre_supervisors_view_of_the_file(demo, db):
    supervisor = demo["centre_supervisor"]
    registry = RegistryEntry.objects.filter(status="active").select_related("student").first().student
    counselled = Session.objects.select_related("student").first().student
    referred = Referral.objects.select_related("student").first().student
    on_leave = Leave.objects.filter(returned_on__isnull=True).select_related("student").first().student
    assert on_leave.status == Student.Status.ON_LEAVE
    assert "registry_entry" in kinds(registry, supervisor)
    assert "counselling_session" in kinds(counselled, supervisor)
    assert "referral" in kinds(referred, supervisor)
    assert "leave" in kinds(on_leave, supervisor)


def test_the_chain_sees_the_registry_but_counselling_and_diagnoses_stay_with_the_centre(demo, db):
    head_teacher = demo["head_teacher"]
    mine = scope.students_for(head_teacher, scope.Tier.T2)
    entry = RegistryEntry.objects.filter(status="active", student__in=mine).select_related("student").first()
    assert "registry_entry" in kinds(entry.student, head_teacher)  # T2: that the student is on the registry
    referred = Referral.objects.filter(student__in=mine).select_related("student").first().student
    assert not {"referral", "referral_clinical"} & kinds(referred, head_teacher)  # T3 and T4
    # The college's own mental-health advisor (T3 over the college) sees the referral, not its diagnosis,
    # and nothing of counselling.
    counselled = Session.objects.select_related("student__class_group").first().student
    advisor = holders_of("mental_health_advisor", counselled)[0]
    assert scope.tier_for(advisor, counselled)[0] == scope.Tier.T3
    assert "counselling_session" not in kinds(counselled, advisor)
    with_diagnosis = next(referral for referral in Referral.objects.select_related("student") if referral.has_clinical)
    college_advisor = holders_of("mental_health_advisor", with_diagnosis.student)[0]
    assert "referral" in kinds(with_diagnosis.student, college_advisor)
    assert "referral_clinical" not in kinds(with_diagnosis.student, college_advisor)
    assert "referral_clinical" in kinds(with_diagnosis.student, demo["centre_supervisor"])
