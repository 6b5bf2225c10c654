"""`manage.py grant_post`: the server's way to grant a post, under the same rules as the pages."""

import io

import pytest
from django.core.management import CommandError, call_command

from tests.factories import SchoolFactory, UserFactory
from xinyu.audit.models import AuditEntry
from xinyu.org.models import Appointment, Post

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command("grant_post", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_grant_from_the_server_follows_the_table(network):
    run("T20001", Post.HEAD_TEACHER, "信息工程学院/网络2501班", "--by", "T10009")
    made = Appointment.objects.get(person__username="T20001")
    assert (made.post, made.class_group, made.status) == (Post.HEAD_TEACHER, network.a2, "active")
    with pytest.raises(CommandError, match="不能给自己任命岗位"):
        run("T10009", Post.ADVISOR, "软件2501班", "--by", "T10009")
    with pytest.raises(CommandError):
        run("T20001", Post.CENTRE_SUPERVISOR, "学校", "--by", "T10009")
    with pytest.raises(CommandError, match="没有名为“没有这个班”的"):
        run("T20001", Post.HEAD_TEACHER, "没有这个班", "--by", "T10009")


def test_bootstrap_only_while_nobody_could_confirm(network):
    # The world's school has a leading group: its first supervisor is confirmed by them, not bootstrapped.
    with pytest.raises(CommandError, match="由其确认"):
        run("T20001", Post.CENTRE_SUPERVISOR, "学校", "--by", "A00001", "--bootstrap")
    assert not Appointment.objects.filter(person__username="T20001").exists()  # all or nothing
    # A new school with nobody in post: the technical administrator's first grant takes effect, logged.
    school = SchoolFactory(name="新学校", code="NEW")
    UserFactory(username="T30001", full_name="新组长")
    run("T30001", Post.LEADING_GROUP_HEAD, "NEW", "--by", "A00001", "--bootstrap")
    head = Appointment.objects.get(person__username="T30001")
    assert (head.status, head.school) == ("active", school)
    entry = AuditEntry.objects.filter(what="org.appointment.confirm").get()
    assert (entry.post, entry.actor_username) == ("bootstrap", "A00001")
