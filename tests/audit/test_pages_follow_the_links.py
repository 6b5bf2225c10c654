"""The pages that read the log find people and students by the chained values (the ids and the copied
numbers), and show an emergency access's reason only from its grant."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory
from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record
from xinyu.org.scope import Tier
from xinyu.privacy import breakglass
from xinyu.studentfile.views import breakglass as used

pytestmark = pytest.mark.django_db

REASON = "紧急情况：联系不上辅导员，需要家长电话"


def read(user, student, what="screening.results"):
    return record(user, Event(AuditEntry.Action.VIEW, what, student=student, tier=Tier.T3, post="centre_counsellor"))


def accesses(client):
    return [(a.name, *a.kinds) for a in client.get(reverse("privacy:mine")).context["accesses"]]


def test_who_opened_my_file_lists_reads_by_the_chained_student_id(world, client_for):
    reader = UserFactory(username="T18888", full_name="曾经的咨询师")
    read(reader, world.in_scope)
    read(world.cast["counsellor"], world.other_class)  # someone else's file
    student = client_for(world.cast["student"])
    assert accesses(student) == [("曾经的咨询师", "测评结果")]
    # The reader leaves and their account is deleted; the student's number is corrected: the read still shows.
    reader.delete()
    world.in_scope.student_number = "2025000999"
    world.in_scope.save()
    assert accesses(student) == [("曾经的咨询师", "测评结果")]
    # The student's own reads of their own file are not "someone opened my file".
    read(world.cast["student"], world.in_scope)
    assert accesses(student) == [("曾经的咨询师", "测评结果")]


def test_the_centres_log_finds_a_student_and_a_person_by_id_after_their_numbers_changed(world, client_for):
    entry = read(world.cast["head_teacher"], world.in_scope)
    read(world.cast["advisor"], world.other_class)
    old_number, old_username = world.in_scope.student_number, world.cast["head_teacher"].username
    world.in_scope.student_number = "2025000999"
    world.in_scope.save()
    world.cast["head_teacher"].username = "T29999"
    world.cast["head_teacher"].save()
    client = client_for(world.cast["supervisor"])

    def found(**params):
        return [row.pk for row in client.get(reverse("privacy:log"), params).context["page"]]

    assert found(student="2025000999") == [entry.pk]  # by the id behind the new number
    assert found(student=old_number) == [entry.pk]  # by the number copied at the time
    assert found(person="T29999") == [entry.pk]
    assert found(person=old_username) == [entry.pk]
    assert found(student="2099000000") == []


def test_an_emergency_access_reason_shows_only_from_its_grant(world, client_for):
    grant = breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason=REASON)
    entry = AuditEntry.objects.get(what="privacy.break_glass", action=AuditEntry.Action.CREATE)
    assert entry.reason == ""
    supervisor = client_for(world.cast["supervisor"])
    # The student file's access log (the centre) reads the reason from the grant, which the centre may open.
    page = supervisor.get(reverse("studentfile:access_log", args=[world.in_scope.pk])).content.decode()
    assert REASON in page
    # The whole log links to the grant instead.
    page = supervisor.get(reverse("privacy:log")).content.decode()
    assert REASON not in page
    assert f'href="{reverse("privacy:break_glass_detail", args=[grant.pk])}" data-testid="audit-grant-link"' in page


def test_the_reason_is_not_shown_to_a_reader_who_may_not_open_the_grant(world, client_for):

    breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason=REASON)
    rows = list(AuditEntry.objects.filter(what="privacy.break_glass"))
    assert used.reasons_behind(world.cast["supervisor"], rows) == {rows[0].pk: REASON}
    assert used.reasons_behind(world.cast["head_teacher"], rows) == {}
