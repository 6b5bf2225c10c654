"""The privacy demo records: deterministic, and each emergency access is by someone outside the chain."""

from django.db import transaction

from xinyu.org import scope
from xinyu.privacy.demo import seed_privacy
from xinyu.privacy.models import BreakGlassGrant, ConsentRecord, RetentionRun, StudentRetention


def digest():
    rows = [
        (c.student.student_number, c.purpose, c.text_version, c.text_digest, c.withdrawn_at is not None)
        for c in ConsentRecord.objects.select_related("student").order_by("student__student_number", "purpose")
    ]
    rows += [
        (g.person.username, g.student.student_number, g.outcome)
        for g in BreakGlassGrant.objects.select_related("person", "student").order_by("granted_at")
    ]
    return rows


def test_seed_is_deterministic_and_sensible(world):
    with transaction.atomic():
        first_made = seed_privacy(world.school, 7)
        first = digest()
        transaction.set_rollback(True)
    made = seed_privacy(world.school, 7)
    assert made == first_made and digest() == first
    assert made["consents"] >= 5 and made["grants"] == 2
    # A year of quarterly retention dry runs for the retention page; none archives or destroys anything.
    runs = list(RetentionRun.objects.order_by("ran_at"))
    assert made["retention_runs"] == len(runs) == 4 and all(run.dry_run for run in runs)
    assert (runs[-1].ran_at - runs[0].ran_at).days == 273
    assert not StudentRetention.objects.exists()
    assert ConsentRecord.objects.filter(withdrawn_at__isnull=False).count() <= 1
    grants = list(BreakGlassGrant.objects.select_related("person", "student"))
    assert {g.outcome for g in grants} == {"justified", ""}
    for grant in grants:
        assert not grant.is_active()
        # Outside the chain: without the (expired) grant they have no tier on the student.
        assert scope.tier_for(grant.person, grant.student)[0] == scope.Tier.T0
        assert not scope.students_for(grant.person).filter(pk=grant.student_id).exists()
