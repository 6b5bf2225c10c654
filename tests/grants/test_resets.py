"""Credential resets (DESIGN.md §9): the ladder, the second person, never both credentials within seven days,
no password ever shown, the holder told, every step logged — through the service and through the pages."""

import datetime as dt
import re
import time

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD
from tests.factories import UserFactory
from tests.helpers import freeze_time, unreachable, walk_move
from xinyu.accounts.models import CredentialReset, TwoFactorDevice
from xinyu.accounts.stepup import SESSION_KEY as REAUTH_KEY
from xinyu.audit.models import AuditEntry
from xinyu.core.my_work import work_for
from xinyu.grants import resets
from xinyu.grants.posts import grant_post
from xinyu.notify.models import Notification

pytestmark = pytest.mark.django_db

PASSWORD_RESET, AUTHENTICATOR = CredentialReset.Kind.PASSWORD, CredentialReset.Kind.AUTHENTICATOR
IN_PERSON, EMAIL = CredentialReset.Delivery.IN_PERSON, CredentialReset.Delivery.EMAIL
NEW_PASSWORD = "Lu-5837-ziyu"


def device_for(user) -> TwoFactorDevice:
    return TwoFactorDevice.objects.create(user=user, secret="JBSWY3DPEHPK3PXP", confirmed_at=timezone.now())


# The ladder ---------------------------------------------------------------------------------------------

# (who asks, whose account) → allowed without confirmation?
LADDER = [
    ("head_teacher", "student", True),  # a T2 chain member resets a student of their class
    ("head_teacher", "other_class_student", False),
    ("head_teacher", "advisor", False),  # T2 cannot reset T2
    ("student_affairs", "student", True),
    ("student_affairs", "leading_group_member", True),  # T0 staff
    ("student_affairs", "head_teacher", False),  # 学工部 holds T2: not a T2 account
    ("office_director", "head_teacher", True),  # the college's 学工办 (T3) resets its college's T2 staff
    ("office_director", "outsider", False),  # T3 account, and of another college
    ("supervisor", "counsellor", False),  # T3 accounts: the technical administrator asks
    ("student_affairs", "supervisor", False),
    ("counsellor", "student", True),
    ("admin", "head_teacher", True),
    ("head_teacher", "head_teacher", False),  # oneself
    ("supervisor", "admin", False),  # the technical administrator's account: on the server only
]


@pytest.mark.parametrize("who,whose,allowed", LADDER)
def test_who_may_reset_whom(network, who, whose, allowed):
    w = network
    accounts = {"student": w.in_scope.user, "other_class_student": w.other_class.user} | w.cast
    refusal = resets.refusal(w.cast[who], accounts[whose], PASSWORD_RESET)
    assert (refusal is None) is allowed, refusal


def test_a_password_is_never_shown_the_holder_sets_it_with_a_one_time_code(network):
    w = network
    student = w.in_scope.user
    reset, code = resets.request_reset(
        student, PASSWORD_RESET, by=w.cast["head_teacher"], delivery=IN_PERSON, reason="忘记密码"
    )
    assert reset.status == "issued" and len(code) == resets.CODE_LENGTH
    student.refresh_from_db()
    assert student.check_password(PASSWORD) and not student.check_password(code)  # nothing changed yet
    assert reset.token_digest == resets.digest(code) and code not in str(AuditEntry.objects.values_list())
    typed = f"{code[:5].lower()} {code[5:].lower()}"  # as a person types it from a slip
    assert resets.use_code(student.username, typed, NEW_PASSWORD) == student
    student.refresh_from_db()
    assert student.check_password(NEW_PASSWORD)
    assert resets.use_code(student.username, code, "Another-9842-pw") is None  # once only
    told = Notification.objects.get(recipient=student)
    assert told.title == "Your Password was reset at the request of 孙班主任."
    steps = [
        (entry.detail["step"], entry.actor_username, entry.post)
        for entry in AuditEntry.objects.filter(what=resets.AUDIT_WHAT).order_by("id")
    ]
    assert steps == [
        ("requested", "T10001", "head_teacher"), ("issued", "T10001", "head_teacher"), ("used", student.username, ""),
    ]  # fmt: skip


def test_a_code_expires_after_a_day_and_does_not_work_for_another_account(network):
    w = network
    _reset, code = resets.request_reset(w.in_scope.user, PASSWORD_RESET, by=w.cast["head_teacher"], delivery=IN_PERSON)
    assert resets.use_code(w.cast["advisor"].username, code, NEW_PASSWORD) is None
    with freeze_time(timezone.now() + dt.timedelta(hours=resets.VALID_HOURS, minutes=1)):
        assert resets.use_code(w.in_scope.user.username, code, NEW_PASSWORD) is None


def test_a_t3_account_is_reset_by_the_technical_administrator_and_confirmed_by_the_supervisor(network):
    w = network
    counsellor = w.cast["counsellor"]
    device_for(counsellor)
    reset, code = resets.request_reset(counsellor, AUTHENTICATOR, by=w.cast["admin"], reason="手机丢失")
    assert (reset.status, code) == ("pending", None)
    assert TwoFactorDevice.objects.filter(user=counsellor).exists()  # nothing happens before the confirmation
    asked = set(Notification.objects.filter(dedupe_key__startswith=f"reset{reset.pk}:confirm").values_list(
        "recipient__username", flat=True))  # fmt: skip
    assert asked == {"T10008"}
    for wrong in ("admin", "counsellor", "student_affairs", "deputy"):
        assert not resets.may_decide(w.cast[wrong], reset)
    with pytest.raises(resets.ResetError):
        resets.decide(reset, by=w.cast["student_affairs"], confirm=True)
    resets.decide(reset, by=w.cast["supervisor"], confirm=True)
    assert not TwoFactorDevice.objects.filter(user=counsellor).exists()


def test_a_t4_accounts_in_person_password_reset_is_confirmed_by_the_leading_group_and_issued_to_the_asker(network):
    w = network
    supervisor = w.cast["supervisor"]
    reset, _code = resets.request_reset(supervisor, PASSWORD_RESET, by=w.cast["admin"], delivery=IN_PERSON)
    assert resets.decide(reset, by=w.cast["deputy"], confirm=True) is None  # the confirmer never sees a code
    with pytest.raises(resets.ResetError):
        resets.issue(reset, by=w.cast["deputy"])
    code = resets.issue(reset, by=w.cast["admin"])
    assert resets.use_code(supervisor.username, code, NEW_PASSWORD) is not None
    with pytest.raises(resets.ResetError):
        resets.issue(reset, by=w.cast["admin"])


def test_a_refused_reset_changes_nothing_and_needs_a_reason(network):
    w = network
    device_for(w.cast["counsellor"])
    reset, _ = resets.request_reset(w.cast["counsellor"], AUTHENTICATOR, by=w.cast["admin"])
    with pytest.raises(resets.ResetError, match="why"):
        resets.decide(reset, by=w.cast["supervisor"], confirm=False, reason="")
    resets.decide(reset, by=w.cast["supervisor"], confirm=False, reason="本人未申请")
    reset.refresh_from_db()
    assert reset.status == "refused" and TwoFactorDevice.objects.filter(user=w.cast["counsellor"]).exists()


def test_one_person_never_resets_both_credentials_of_an_account_within_seven_days(network):
    w = network
    student = w.in_scope.user
    resets.request_reset(student, PASSWORD_RESET, by=w.cast["head_teacher"], delivery=IN_PERSON)
    with pytest.raises(resets.ResetError, match="7"):
        resets.request_reset(student, AUTHENTICATOR, by=w.cast["head_teacher"])
    resets.request_reset(student, AUTHENTICATOR, by=w.cast["advisor"])  # a colleague may
    with freeze_time(timezone.now() + dt.timedelta(days=8)):
        resets.request_reset(student, AUTHENTICATOR, by=w.cast["head_teacher"])
    # A confirmer counts as taking part.
    counsellor = w.cast["counsellor"]
    first, _ = resets.request_reset(counsellor, PASSWORD_RESET, by=w.cast["admin"], delivery=IN_PERSON)
    resets.decide(first, by=w.cast["supervisor"], confirm=True)
    assert resets.refusal(w.cast["admin"], counsellor, AUTHENTICATOR) is not None  # the asker
    second_admin = UserFactory(username="A00002", full_name="第二管理员", is_superuser=True)
    second, _ = resets.request_reset(counsellor, AUTHENTICATOR, by=second_admin)
    assert not resets.may_decide(w.cast["supervisor"], second)  # the confirmer of the password reset


@override_settings(XINYU_BASE_URL="https://xinyu.example.edu.cn")
def test_an_email_link_sets_the_password_once(network, client, django_capture_on_commit_callbacks):
    w = network
    staff = w.cast["leading_group_member"]
    staff.email = "chen@example.edu.cn"
    staff.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        resets.request_reset(staff, PASSWORD_RESET, by=w.cast["student_affairs"], delivery=EMAIL)
    (message,) = [sent for sent in mail.outbox if "/accounts/reset/" in sent.body]
    assert message.to == ["chen@example.edu.cn"]
    link = re.search(r"https://xinyu\.example\.edu\.cn(/\S+)", message.body).group(1)
    assert client.get(link).status_code == 200
    response = client.post(link, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    staff.refresh_from_db()
    assert staff.check_password(NEW_PASSWORD)
    assert client.get(link).status_code == 404  # used
    with pytest.raises(resets.ResetError):  # no e-mail address: no link
        resets.request_reset(w.in_scope.user, PASSWORD_RESET, by=w.cast["head_teacher"], delivery=EMAIL)


# The pages ----------------------------------------------------------------------------------------------

VIEWERS = ("dorm_leader", "student", "head_teacher", "advisor", "mental_health_advisor", "counsellor",
           "leading_group_member", "outsider", "supervisor", "student_affairs", "admin", "deputy")  # fmt: skip
MAY_RESET = {"head_teacher", "advisor", "mental_health_advisor", "counsellor", "outsider", "supervisor",
             "student_affairs", "admin"}  # fmt: skip
RESET_PAGES = MAY_RESET | {"deputy"}


def stepped_up(user) -> Client:
    client = Client()
    client.force_login(user)
    session = client.session
    session[REAUTH_KEY] = int(time.time())
    session.save()
    return client


@pytest.mark.parametrize("who", VIEWERS)
def test_who_reaches_the_reset_pages(network, who):
    w = network
    client = stepped_up(w.cast[who] if who != "student" else w.in_scope.user)
    assert client.get(reverse("grants:people")).status_code == (200 if who in MAY_RESET else 404)
    assert client.get(reverse("grants:resets")).status_code == (200 if who in RESET_PAGES else 404)
    posted = client.post(reverse("grants:reset_request", args=[w.other_college.user.pk]), {"kind": "password"})
    assert posted.status_code in ((302,) if who in MAY_RESET else (404,))
    assert not CredentialReset.objects.exists()  # no reason given, or not allowed: nothing asked


def test_finding_an_account_shows_only_one_the_viewer_may_reset(network):
    w = network
    client = stepped_up(w.cast["head_teacher"])
    found = client.get(reverse("grants:people"), {"number": w.in_scope.student_number})
    assert found.context["row"]["account"] == w.in_scope.user
    for number in (w.other_college.student_number, "T10008", "nobody"):
        assert client.get(reverse("grants:people"), {"number": number}).context["row"] is None


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
def test_the_reset_pages_ask_for_step_up_first(network, client_for):
    w = network
    client = client_for(w.cast["head_teacher"])
    response = client.get(reverse("grants:people"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:step_up"))
    posted = client.post(
        reverse("grants:reset_request", args=[w.in_scope.user.pk]),
        {"kind": "password", "delivery": "in_person", "reason": "忘记密码"},
    )
    assert posted.status_code == 302 and not CredentialReset.objects.exists()


def test_a_head_teacher_hands_a_code_to_a_student_who_sets_a_new_password(network):
    w = network
    client = stepped_up(w.cast["head_teacher"])
    response = client.post(
        reverse("grants:reset_request", args=[w.in_scope.user.pk]),
        {"kind": "password", "delivery": "in_person", "reason": "忘记密码"},
    )
    code = response.context["code"]
    assert response.status_code == 200 and code in response.content.decode()
    student = Client()
    wrong = student.post(
        reverse("grants:reset_with_code"),
        {"username": w.in_scope.student_number, "code": "WRONGCODE1", "new_password1": NEW_PASSWORD,
         "new_password2": NEW_PASSWORD},
    )  # fmt: skip
    assert wrong.status_code == 200 and wrong.context["form"].non_field_errors()
    done = student.post(
        reverse("grants:reset_with_code"),
        {"username": w.in_scope.student_number, "code": code, "new_password1": NEW_PASSWORD,
         "new_password2": NEW_PASSWORD},
    )  # fmt: skip
    assert done.status_code == 302
    w.in_scope.user.refresh_from_db()
    assert w.in_scope.user.check_password(NEW_PASSWORD)


def test_attack_student_affairs_cannot_reset_the_supervisor_on_the_pages_either(network):
    w = network
    target = w.cast["supervisor"]
    device_for(target)
    client = stepped_up(w.cast["student_affairs"])
    for kind in ("password", "authenticator"):
        client.post(
            reverse("grants:reset_request", args=[target.pk]),
            {"kind": kind, "delivery": "in_person", "reason": "试图接管"},
        )
    assert not CredentialReset.objects.exists()
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and TwoFactorDevice.objects.filter(user=target).exists()


def test_confirming_on_the_page(network):
    w = network
    device_for(w.cast["counsellor"])
    stepped_up(w.cast["admin"]).post(
        reverse("grants:reset_request", args=[w.cast["counsellor"].pk]), {"kind": "authenticator", "reason": "丢手机"}
    )
    reset = CredentialReset.objects.get()
    outsider = stepped_up(w.cast["student_affairs"])
    assert outsider.post(reverse("grants:reset_decision", args=[reset.pk, "confirm"])).status_code == 404
    supervisor = stepped_up(w.cast["supervisor"])
    assert [r.pk for r in supervisor.get(reverse("grants:resets")).context["waiting"]] == [reset.pk]
    supervisor.post(reverse("grants:reset_decision", args=[reset.pk, "confirm"]))
    assert not TwoFactorDevice.objects.filter(user=w.cast["counsellor"]).exists()


def test_grants_and_resets_waiting_show_in_my_work(network):

    w = network
    grant_post(w.cast["newcomer"], "centre_counsellor", w.school, by=w.cast["student_affairs"])
    resets.request_reset(w.cast["outsider"], AUTHENTICATOR, by=w.cast["admin"])
    section = next(s for s in work_for(w.cast["supervisor"]).sections if s.key == "grants")
    assert sorted(item.kind for item in section.items) == ["grant_to_confirm", "reset_to_confirm"]
    assert all(s.key != "grants" for s in work_for(w.cast["head_teacher"]).sections)


# The moves CredentialReset.Status declares -----------------------------------------------------------------


def _asked(w) -> CredentialReset:
    """An in-person password reset of a T4 account: waiting for the leading group's confirmation."""
    reset, _code = resets.request_reset(w.cast["supervisor"], PASSWORD_RESET, by=w.cast["admin"], delivery=IN_PERSON)
    assert reset.status == CredentialReset.Status.PENDING
    return reset


def test_a_reset_starts_waiting_or_confirmed():
    assert unreachable(CredentialReset.MOVES) == {CredentialReset.Status.PENDING}
    assert CredentialReset.MOVES.final() == {CredentialReset.Status.USED, CredentialReset.Status.REFUSED}


@pytest.mark.parametrize("current", CredentialReset.Status.values)
@pytest.mark.parametrize("confirm", [True, False], ids=["confirm", "refuse"])
def test_a_decision_moves_a_reset_as_the_table_says(network, current, confirm):
    w = network
    target = CredentialReset.Status.CONFIRMED if confirm else CredentialReset.Status.REFUSED
    if not CredentialReset.MOVES.allows(current, CredentialReset.Status.CONFIRMED):
        # Only a reset that may still be confirmed is open to a decision either way.
        target = CredentialReset.Status.CONFIRMED
    walk_move(
        CredentialReset.MOVES, _asked(w), current, target,
        lambda reset: resets.decide(reset, by=w.cast["deputy"], confirm=confirm, reason="本人未申请"),
        error=resets.ResetError,
    )  # fmt: skip


@pytest.mark.parametrize("current", CredentialReset.Status.values)
def test_issuing_moves_a_reset_as_the_table_says(network, current):
    w = network
    walk_move(
        CredentialReset.MOVES, _asked(w), current, CredentialReset.Status.ISSUED,
        lambda reset: resets.issue(reset, by=w.cast["admin"]), error=resets.ResetError,
    )  # fmt: skip


@pytest.mark.parametrize("current", CredentialReset.Status.values)
def test_a_code_is_used_only_from_an_issued_reset(network, current):
    w = network
    reset = _asked(w)
    resets.decide(reset, by=w.cast["deputy"], confirm=True)
    code = resets.issue(reset, by=w.cast["admin"])
    CredentialReset.objects.filter(pk=reset.pk).update(status=current)
    used = resets.use_code(w.cast["supervisor"].username, code, NEW_PASSWORD)
    reset.refresh_from_db()
    assert (used is not None) is CredentialReset.MOVES.allows(current, CredentialReset.Status.USED)
    assert reset.status == (CredentialReset.Status.USED if used else current)


@pytest.mark.parametrize("current", CredentialReset.Status.values)
def test_a_newer_code_sets_aside_only_an_issued_one(network, current):
    w = network
    older = _asked(w)
    CredentialReset.objects.filter(pk=older.pk).update(status=current)
    newer = _asked(w)
    resets.decide(newer, by=w.cast["deputy"], confirm=True)
    resets.issue(newer, by=w.cast["admin"])
    older.refresh_from_db()
    if current == CredentialReset.Status.ISSUED:
        assert older.status == CredentialReset.Status.REFUSED
        assert CredentialReset.MOVES.allows(current, CredentialReset.Status.REFUSED)
    else:
        assert older.status == current
