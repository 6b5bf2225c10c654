"""The demo student file: deterministic for a seed, and the mental-health advisor sees it at T3."""

from django.db import transaction
from django.urls import reverse

from xinyu.accounts.models import User
from xinyu.concerns.demo import seed_open_cases
from xinyu.org.demo import build_demo_college, demo_accounts
from xinyu.studentfile.demo import seed_studentfile


def seeded(seed, *, with_cases=True):
    college = build_demo_college(students=300, seed=7, class_size=25)
    if with_cases:
        seed_open_cases(college.school, seed)
    return seed_studentfile(college.school, seed)


def test_the_demo_file_is_the_same_for_a_seed_and_shows_its_records(db, client_for):
    with transaction.atomic():
        first = seeded(5, with_cases=False).student.student_number
        transaction.set_rollback(True)
    with transaction.atomic():
        assert seeded(5, with_cases=False).student.student_number == first
        transaction.set_rollback(True)
    demo = seeded(5)
    assert demo.student.crisis_cases.filter(level="A", status="open").exists()
    assert len(demo.family_contacts) == 1 and len(demo.reviews) == 1
    assert [i.conducted_at is not None for i in demo.interviews] == [True, False]
    accounts = {account.key: account for account in demo_accounts()}
    advisor = User.objects.get(username=accounts["mental_health_advisor"].username)
    response = client_for(advisor).get(reverse("studentfile:file", args=[demo.student.pk]))
    assert response.status_code == 200
    kinds = {entry.kind for entry in response.context["file"].entries}
    assert {"family_contact", "interview", "review_support", "crisis"} <= kinds
    assert len(response.context["file"].months) >= 2
