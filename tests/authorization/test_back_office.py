"""The back office (Django admin) is the technical administrator's, and read-only for what grants access.

Every URL of the back office (each registered model's list, add, change, delete and history pages, the
index, each app's index and the password page) × the 14 viewers of the authorization matrices: nobody but
the technical administrator enters, and a refused request writes nothing. The two attacks seen from the
inside are tests here: 学工部 and a part-time counsellor granting themselves the centre supervisor's post
through the back office, and the back office resetting the supervisor's password or authenticator.
"""

import datetime as dt

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import SchoolFactory, UserFactory
from xinyu.accounts.models import TwoFactorDevice, User
from xinyu.api.models import ServiceAccount
from xinyu.api.tokens import create_token
from xinyu.audit.models import AuditEntry
from xinyu.concerns.models import DutyShift
from xinyu.counselling.models import Room
from xinyu.notify.services import notify
from xinyu.org.models import Appointment, Post
from xinyu.org.scope import Tier
from xinyu.org.services import appoint
from xinyu.privacy.models import StudentDeparture
from xinyu.privacy.retention import apply_retention

pytestmark = pytest.mark.django_db

VIEWERS = (
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "other_counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "foreign_supervisor",
)  # fmt: skip
THIRD_PARTY = {"django_tasks_database"}  # its task results: none are made while tests run tasks at once


@pytest.fixture
def office(world, settings):
    """The world with the matrices' two extra viewers, a technical administrator and a row of every model."""
    cast = world.cast
    cast["other_counsellor"] = UserFactory(username="T10020", full_name="韩兼职")
    appoint(cast["other_counsellor"], Post.CENTRE_PART_TIME_COUNSELLOR, world.school)
    cast["foreign_supervisor"] = UserFactory(username="T10021", full_name="沈外校主任")
    appoint(cast["foreign_supervisor"], Post.CENTRE_SUPERVISOR, SchoolFactory(name="外校", code="W"))
    cast["admin"] = UserFactory(username="A00001", full_name="系统管理员", is_superuser=True)
    Room.objects.create(school=world.school, name="个体咨询室1")
    now = timezone.now()
    DutyShift.objects.create(person=cast["leading_group_member"], starts_at=now, ends_at=now + dt.timedelta(hours=8))
    StudentDeparture.objects.create(student=world.other_college, left_on="2020-07-01")
    settings.NOTIFY_EMAIL = True
    cast["advisor"].email = "zhou@example.edu.cn"
    cast["advisor"].save(update_fields=["email"])
    notify([cast["advisor"]], student=None, tier=Tier.T0, key="test:1", title="有一项工作等待处理", link="/")

    apply_retention(dry_run=True)
    create_token(ServiceAccount.objects.create(name="学工系统", owner=cast["student_affairs"]), ["network.read"])
    return world


def back_office_urls() -> list[str]:
    """Every page of the back office, for one row of each registered model."""
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse("admin:app_list", args=[meta.app_label]))
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
        row = model.objects.order_by("pk").first()
        assert row is not None or meta.app_label in THIRD_PARTY, f"no {meta.label} row to try"
        if row is not None:
            urls += [reverse(f"{prefix}_{page}", args=[row.pk]) for page in ("change", "delete", "history")]
    urls.append(reverse("admin:auth_user_password_change", args=[User.objects.order_by("pk").first().pk]))
    return sorted(set(urls))


@pytest.mark.parametrize("who", VIEWERS)
def test_nobody_but_the_technical_administrator_enters(office, who):
    client = Client()
    client.force_login(office.cast[who])
    before = AuditEntry.objects.count()
    for url in back_office_urls():
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, (who, url, response.status_code)
            assert response["Location"].startswith(reverse("admin:login")), (who, url)
    assert AuditEntry.objects.count() == before


def test_the_technical_administrator_sees_every_list_and_row(office, client_for):
    client = client_for(office.cast["admin"])
    for model in admin.site._registry:
        meta = model._meta
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        assert client.get(reverse(f"{prefix}_changelist")).status_code == 200, meta.label
        row = model.objects.order_by("pk").first()
        if row is not None:
            assert client.get(reverse(f"{prefix}_change", args=[row.pk])).status_code == 200, meta.label


def test_access_granting_data_is_read_only_in_the_back_office(office, client_for):
    client = client_for(office.cast["admin"])
    appointment = Appointment.objects.get(person=office.cast["head_teacher"])
    assert client.get(reverse("admin:org_appointment_add")).status_code == 403
    assert client.post(reverse("admin:org_appointment_add"), {"person": office.cast["admin"].pk}).status_code == 403
    delete = reverse("admin:org_appointment_delete", args=[appointment.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    change = client.get(reverse("admin:org_appointment_change", args=[appointment.pk]))
    assert change.status_code == 200 and not change.context["has_change_permission"]
    # A student's class, status and identity stay as the roster has them; contact details may be corrected.
    student = office.in_scope
    form = {"phone": "13800000000", "class_group": office.b1.pk, "status": "withdrawn", "name": "改名"}
    form |= {"guardians-TOTAL_FORMS": "0", "guardians-INITIAL_FORMS": "0"}
    client.post(reverse("admin:org_student_change", args=[student.pk]), form)
    student.refresh_from_db()
    assert (student.phone, student.class_group, student.status, student.name) == (
        "13800000000", office.a1, "enrolled", "张三",
    )  # fmt: skip
    # An account's access (superuser, active, kind) is not edited here, nor its password.
    target = office.cast["supervisor"]
    client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        {"username": "hijacked", "full_name": target.full_name, "is_superuser": "on", "is_active": ""},
    )
    target.refresh_from_db()
    assert (target.username, target.is_superuser, target.is_active) == ("T10008", False, True)
    password_page = reverse("admin:auth_user_password_change", args=[target.pk])
    assert client.get(password_page).status_code == 403
    assert client.post(password_page, {"password1": "Xx-12345678", "password2": "Xx-12345678"}).status_code == 403
    target.refresh_from_db()
    assert target.check_password(PASSWORD)


def test_a_new_staff_account_made_in_the_back_office_holds_nothing_and_must_change_its_password(office, client_for):
    client = client_for(office.cast["admin"])
    made = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "T20001", "full_name": "新同事", "password1": "Qz-81726354", "password2": "Qz-81726354"},
    )
    assert made.status_code == 302
    account = User.objects.get(username="T20001")
    assert (account.kind, account.must_change_password, account.is_superuser) == ("staff", True, False)
    assert not Appointment.objects.filter(person=account).exists()


def test_back_office_reads_of_students_are_logged_at_t1(office, client_for):
    admin_user = office.cast["admin"]
    client = client_for(admin_user)
    assert client.get(reverse("admin:org_student_change", args=[office.in_scope.pk])).status_code == 200
    entry = AuditEntry.objects.get(what="student.admin")
    assert (entry.actor_username, entry.student_number, entry.tier, entry.post, entry.action) == (
        admin_user.username, office.in_scope.student_number, 1, "technical_admin", "view",
    )  # fmt: skip
    listed = client.get(reverse("admin:org_student_changelist"))
    shown = set(
        AuditEntry.objects.filter(what="student.admin", id__gt=entry.id).values_list("student_number", flat=True)
    )
    assert listed.status_code == 200 and shown == {s.student_number for s in listed.context["cl"].result_list}


def test_the_back_office_shows_whom_notifications_went_to_not_what_they_say(office, client_for):
    client = client_for(office.cast["admin"])
    body = client.get(reverse("admin:notify_notification_changelist")).content.decode()
    assert office.cast["advisor"].full_name in body and "有一项工作等待处理" not in body


@pytest.mark.parametrize("who", ["student_affairs", "other_counsellor"])
def test_attack_granting_oneself_the_supervisors_post_through_the_back_office_is_refused(office, who):
    """As 学工部 (T2) and as the part-time counsellor (T3): the back office used to accept this."""
    attacker = office.cast[who]
    client = Client()
    client.force_login(attacker)
    response = client.post(
        reverse("admin:org_appointment_add"),
        {"person": attacker.pk, "post": Post.CENTRE_SUPERVISOR, "school": office.school.pk, "starts_on": "2026-01-01"},
    )
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert not Appointment.objects.filter(person=attacker, post=Post.CENTRE_SUPERVISOR).exists()
    # The network page refuses it too, and nothing is written or logged.
    page = client.post(
        reverse("grants:appoint"),
        {"person": attacker.username, "post": Post.CENTRE_SUPERVISOR, "place": f"school:{office.school.pk}",
         "starts_on": "2026-01-01"},
    )  # fmt: skip
    assert page.status_code in (200, 404)
    assert not Appointment.objects.filter(person=attacker, post=Post.CENTRE_SUPERVISOR).exists()
    assert not AuditEntry.objects.filter(what="org.appointment.grant").exists()


def test_attack_taking_over_the_supervisors_account_through_the_back_office_is_refused(office):
    """As 学工部: the user admin's reset actions used to show a new password and clear the authenticator."""
    target = office.cast["supervisor"]
    TwoFactorDevice.objects.create(user=target, secret="JBSWY3DPEHPK3PXP", confirmed_at="2026-01-01T00:00:00Z")
    client = Client()
    client.force_login(office.cast["student_affairs"])
    for action in ("reset_password", "reset_two_factor"):
        response = client.post(
            reverse("admin:accounts_user_changelist"), {"action": action, "_selected_action": [target.pk]}
        )
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    # Even the technical administrator has no such actions any more.
    admin_client = Client()
    admin_client.force_login(office.cast["admin"])
    for action in ("reset_password", "reset_two_factor"):
        form = {"action": action, "_selected_action": [target.pk]}
        admin_client.post(reverse("admin:accounts_user_changelist"), form)
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and not target.must_change_password
    assert TwoFactorDevice.objects.filter(user=target).exists()
