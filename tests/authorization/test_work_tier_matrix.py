"""Work lists and notifications follow the tiers (DESIGN.md §4, "What a T2 holder may learn").

Every work source (the built-in lists of "my work" and the sections of care, counselling, referrals and
break-glass) and every kind of notification, × every viewer of the care matrix (tests/conftest.py's cast,
a part-time counsellor, another school's centre supervisor) and two more (the school leader in charge and
后勤保卫处 staff, neither holding a post over students), × the three marked students, with records of every
kind (tests/authorization/care_data.py, work_data.py). For each viewer, in "my work", the home page's
counts, the inbox and the texts of the messages leaving Xinyu:
- every item shown is of a kind whose tier (written out by hand below, not taken from the code) the viewer
  holds over its student, and a work item declares exactly that tier;
- nobody holding less than T3 over every student reads a T3 marker or a T3 fact (an interview, a
  screening, an instrument or its item 9, counselling, a referral, a leave or return);
- nobody reads the name or student number of a student they hold T0 over (the leading group sees names
  only where a case role gives them T2);
- what is withheld is counted, never silently dropped; a notification to someone lacking its tier says
  only that something needs them, without a link.

The data is built once for the module, frozen at an office-hours moment.
"""

import re

import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.authorization.care_data import (
    BREAK_GLASS_KINDS,
    CLINICAL_KINDS,
    COUNSELLING_KINDS,
    SESSION_KINDS,
    T3_KINDS,
    build_care_data,
    marker,
)
from tests.authorization.work_data import REPORT_DESCRIPTION, T3_WORDS, build_work_data
from tests.concerns.conftest import OFFICE_TIME
from tests.conftest import build_world
from tests.helpers import freeze_time
from xinyu.core.my_work import work_counts
from xinyu.notify import delivery, senders
from xinyu.notify.models import Notification, OutboxMessage
from xinyu.notify.services import as_told_now, default_withheld_title
from xinyu.org import scope

pytestmark = pytest.mark.django_db

STUDENTS = ("in_scope", "other_class", "other_college")
VIEWERS = (
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "other_counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "foreign_supervisor", "school_leader", "security",
)  # fmt: skip
STUDENT_VIEWERS = {"dorm_leader", "wellbeing_rep", "student"}
# Each viewer's tier on (in_scope, other_class, other_college), from DESIGN.md §4 and the data: the leading
# group member holds T3 on 王五 by break-glass; the outsider (college B's mental-health advisor) T3 on 王五;
# the school leader T2 on 李四 while the crisis case about 李四 is open, having been escalated to on it.
TIER = {
    "dorm_leader": (0, 0, 0),
    "wellbeing_rep": (0, 0, 0),
    "student": (0, 0, 0),
    "head_teacher": (2, 0, 0),
    "advisor": (2, 0, 0),
    "mental_health_advisor": (3, 3, 0),
    "college_leader": (3, 3, 0),
    "counsellor": (3, 3, 3),
    "other_counsellor": (3, 3, 3),
    "leading_group_member": (0, 0, 3),
    "outsider": (0, 0, 3),
    "supervisor": (4, 4, 4),
    "student_affairs": (2, 2, 2),
    "foreign_supervisor": (0, 0, 0),
    "school_leader": (0, 2, 0),
    "security": (0, 0, 0),
}
# Who holds T3 over nobody at all (the centre's supervisor of another school holds T4 there: the page's
# empty sections name screening and counselling for them).
NO_T3 = {who for who, tiers in TIER.items() if max(tiers) < 3} - {"foreign_supervisor"}

# The tier of what each kind of work item reveals, written out from DESIGN.md §4.
KIND_TIER = {
    # built-in lists of "my work"
    "report": 2, "report-to-triage": 2, "step": 2,
    # an interview, by what raised it: that a screening called for one (or the centre's evaluation), or that
    # the student is back from leave, is T3; a talk after a report or a crisis case's follow-up is T2
    "interview-screening": 3, "interview-return_from_leave": 3, "interview-concern_report": 2,
    "interview-crisis_case": 2,
    # the key-concern registry and care plans: that the student is on it, and what I am asked to do
    "registry_proposed": 2, "registry_removal_requested": 2, "care_student_contact": 2, "care_family_contact": 2,
    "care_review": 2,
    # counselling, referral, leave and return
    "counselling-to-confirm": 3, "counselling-to-record": 3, "referral_outcome": 3, "return_assessment": 3,
    "return_sign_off": 3,
    "break_glass_review": 2,  # that someone opened the student's file in an emergency
    "monthly_report": 0,  # a college's monthly report to write, approve or chase: about no student
    "decision": 0,  # a decision of the symposium
    "policy_calendar": 0,  # next year's public holidays to add to the policy file
    # supervision: the queue names the case brought (T4, for supervisors); the treating counsellor's own items say
    # only that the student comes to counselling (T3)
    "supervision-queue": 4, "supervision-guidance": 3, "supervision-to-submit": 3,
    # a case conference's task: what I am asked to do about the student (T2), or under the case's code (T0)
    "conference_task": 2, "conference_task-coded": 0,
    "plan_item": 0,  # an item of the year's work plan, due soon or late
    # training and qualifications: about staff, never a student
    "training_short": 0, "training_shortfall": 0, "training_report": 0, "qualification_expiring": 0,
}  # fmt: skip
BUILT_IN = {
    "reports_waiting": "report", "reports_taken": "report-to-triage", "steps": "step", "interviews": "interview",
}  # fmt: skip
# The tier of what each kind of notification says, by its key, written out from DESIGN.md §4.
KEY_TIER = (
    (r"ack\d+:", 2), (r"case\d+:level", 2), (r"interview\.(crisis_case|concern_report):", 2),
    (r"interview\.(screening|return_from_leave):", 3), (r"care\.registry\d+:", 2), (r"care\.overdue:", 2),
    (r"care\.checkin\d+:", 0), (r"counselling\.booking\.", 3),
    (r"screening-remind:", 0), (r"privacy\.break_glass\d+", 2), (r"invariant:", 2), (r"leave\d+:returned", 3),
    (r"training\.", 0),
)  # fmt: skip
WITHHELD_TITLES = {
    "Something in Xinyu needs your attention. Please contact the psychology centre.",
    "A concern report in your school has not been taken in time. Please call the Student Affairs Department to "
    "make sure it is taken now.",
    "A crisis step has not been acknowledged in time. Please call the Student Affairs Department.",
}
T3_MARKER_KINDS = T3_KINDS + COUNSELLING_KINDS + SESSION_KINDS + CLINICAL_KINDS + BREAK_GLASS_KINDS
# Links whose path says something T3 (a campaign's or a sitting's page does not).
# (An interview's page says as much as its source: see KIND_TIER.)
T3_AREAS = ("/screening/results/", "/counselling/", "/referrals/")


def key_tier(dedupe_key: str) -> int:
    for pattern, tier in KEY_TIER:
        if re.match(pattern, dedupe_key):
            return tier
    raise AssertionError(f"a notification of an unknown kind: {dedupe_key}")


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    frozen = freeze_time(OFFICE_TIME)
    frozen.start()
    try:
        with django_db_blocker.unblock(), transaction.atomic(), translation.override("en"):
            world = build_world()
            for n, user in enumerate(world.cast.values()):
                user.email = f"person{n}@example.edu.cn"
                user.save(update_fields=["email"])
            care = build_care_data(world)
            for n, who in enumerate(("other_counsellor", "foreign_supervisor")):
                world.cast[who].email = f"extra{n}@example.edu.cn"
                world.cast[who].save(update_fields=["email"])
            data = build_work_data(world, care)
            data["clients"] = {who: Client() for who in VIEWERS}
            for who, client in data["clients"].items():
                client.force_login(world.cast[who])
            yield world, data
            transaction.set_rollback(True)
    finally:
        frozen.stop()


@pytest.fixture(autouse=True)
def still_frozen(matrix):
    with freeze_time(OFFICE_TIME):
        yield


def student_key(world, student) -> str | None:
    if student is None:
        return None  # about no student (T0): a monthly report, a decision
    for key in STUDENTS:
        if getattr(student, "pk", None) == world.students[key].pk:
            return key
    raise AssertionError(f"an item about a student outside the matrix: {student}")


def tier(who, key) -> int:
    if key is None:
        return 0  # about no student: what everyone may be told
    return TIER[who][STUDENTS.index(key)]


def main(body: str) -> str:
    """The page's own content (the navigation names pages, not students), without the forms' CSRF tokens,
    whose random letters may spell a word looked for (a token once held "gAd")."""
    content = body.split('<main class="container-lg pb-5">', 1)[1].split("</main>", 1)[0]
    return re.sub(r'<input type="hidden" name="csrfmiddlewaretoken" value="[^"]*">', "", content)


def leaks(text: str, who: str, world, *, words=True) -> list[str]:
    """What `text` tells `who` that they may not be told."""
    found = []
    for key in STUDENTS:
        student = world.students[key]
        if tier(who, key) == 0 and not (who == "student" and key == "in_scope"):
            found += [value for value in (student.name, student.student_number) if value in text]
        if tier(who, key) < 3:
            found += [marker(kind, key) for kind in T3_MARKER_KINDS if marker(kind, key) in text]
    if tier(who, "other_college") < 2 and REPORT_DESCRIPTION in text:
        found.append(REPORT_DESCRIPTION)
    if words and who in NO_T3:
        lowered = text.lower()
        found += [word for word in T3_WORDS if word.lower() in lowered]
    return found


def shown_items(world, work) -> list[tuple[str, str, int | None]]:
    """(kind, student key, declared tier or None) of every item on the page."""
    items = []
    for name, kind in BUILT_IN.items():
        for row in getattr(work, name):
            student = row.case.student if name == "steps" else row.student
            items.append((f"{kind}-{row.source}" if name == "interviews" else kind, student_key(world, student), None))
    for section in work.sections:
        for item in section.items:
            items.append((item.kind, student_key(world, item.student), int(item.tier)))
    return items


# --- my work and its counts ----------------------------------------------------------------------------


@pytest.mark.parametrize("who", VIEWERS)
def test_my_work_shows_each_item_only_to_holders_of_its_tier(matrix, who):
    world, data = matrix
    response = data["clients"][who].get(reverse("core:my_work"))
    if who in STUDENT_VIEWERS:
        assert response.status_code == 404
        return
    assert response.status_code == 200
    problems = []
    for kind, key, declared in shown_items(world, response.context["work"]):
        if kind not in KIND_TIER:
            problems.append(f"an item of an unknown kind {kind}")
            continue
        if declared is not None and declared != KIND_TIER[kind]:
            problems.append(f"{kind} declares T{declared}, reveals T{KIND_TIER[kind]}")
        if tier(who, key) < KIND_TIER[kind]:
            problems.append(f"{kind} about {key} (T{KIND_TIER[kind]}) shown at T{tier(who, key)}")
    problems += [f"leaked {text}" for text in leaks(main(response.content.decode()), who, world)]
    assert not problems, "\n".join(problems)


# What the page does show (so that the matrix cannot pass on empty pages), and what it withholds.
SHOWS = {
    "head_teacher": {("care_student_contact", "in_scope"), ("interview-concern_report", "in_scope")},
    "advisor": {("report", "in_scope")},
    "mental_health_advisor": {
        ("interview-screening", "in_scope"), ("report", "in_scope"), ("registry_proposed", "other_class"),
        ("referral_outcome", "in_scope"), ("care_family_contact", "in_scope"),
        ("interview-return_from_leave", "in_scope"),
    },
    "college_leader": {("report", "in_scope"), ("step", "other_class"), ("return_sign_off", "other_class")},
    "counsellor": {("report", "in_scope"), ("step", "other_class"), ("counselling-to-confirm", "in_scope"),
                   ("return_assessment", "other_college"), ("registry_removal_requested", "other_college")},
    "other_counsellor": {("counselling-to-confirm", "other_college"), ("return_assessment", "other_class")},
    "supervisor": {("break_glass_review", "other_college"), ("report", "in_scope")},
    "outsider": {("report-to-triage", "other_college"), ("care_family_contact", "other_college")},
    "student_affairs": {("report", "in_scope"), ("step", "other_class"), ("interview-crisis_case", "other_class")},
    "school_leader": {("step", "other_class")},  # a case role: escalated to on 李四's case
}  # fmt: skip
WITHHELD = {"school_leader": 1, "security": 2}  # 张三's report; the interview and 李四's follow-up


@pytest.mark.parametrize("who", sorted(set(VIEWERS) - STUDENT_VIEWERS))
def test_my_work_shows_what_it_may_and_counts_what_it_withholds(matrix, who):
    world, data = matrix
    response = data["clients"][who].get(reverse("core:my_work"))
    work = response.context["work"]
    shown = {(kind, key) for kind, key, _declared in shown_items(world, work)}
    assert SHOWS.get(who, set()) <= shown
    assert work.withheld_total == WITHHELD.get(who, 0)
    body = response.content.decode()
    assert ('data-testid="work-withheld"' in body) == (who in WITHHELD)
    if who in WITHHELD:
        assert f'data-testid="work-withheld" data-count="{WITHHELD[who]}"' in body


@pytest.mark.parametrize("who", VIEWERS)
def test_the_home_page_counts_only_what_my_work_shows(matrix, who):
    world, data = matrix
    client = data["clients"][who]
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    body = response.content.decode()
    summary = body.split('data-testid="work-summary"', 1)[1].split("</section>", 1)[0]
    assert leaks(summary, who, world) == []
    if who in STUDENT_VIEWERS:
        assert 'data-testid="count-reports"' not in summary
        return
    work = client.get(reverse("core:my_work")).context["work"]
    today = OFFICE_TIME.date()
    expected = {
        "reports": len(work.reports_waiting) + len(work.reports_taken),
        "steps": len(work.steps),
        "interviews": sum(1 for interview in work.interviews if interview.due_on <= today),
    }
    for name, count in expected.items():
        assert f'data-testid="count-{name}" data-count="{count}"' in summary, name
    counts = work_counts(world.cast[who])
    assert counts["other"] == sum(len(section.items) for section in work.sections)
    if who == "security":  # two items withheld, none counted
        assert counts["total"] == 0


# --- the inbox and what leaves Xinyu -----------------------------------------------------------------------


@pytest.mark.parametrize("who", VIEWERS)
def test_the_inbox_tells_each_recipient_only_what_they_hold_the_tier_for(matrix, who):
    world, data = matrix
    response = data["clients"][who].get(reverse("notify:inbox"))
    assert response.status_code == 200
    problems = []
    for notification in response.context["items"]:
        expected = key_tier(notification.dedupe_key)
        about = student_key(world, notification.student) if notification.student_id else None
        if notification.tier == 0 and expected > 0:
            # Told without details: only that something needs them, and no link.
            if notification.title not in WITHHELD_TITLES or notification.link or notification.body:
                problems.append(f"{notification.dedupe_key}: withheld but says {notification.title!r}")
            if about is not None and tier(who, about) >= expected:
                problems.append(f"{notification.dedupe_key}: withheld from someone holding T{expected}")
            continue
        if notification.tier != expected:
            problems.append(f"{notification.dedupe_key}: declares T{notification.tier}, says T{expected}")
        own = who == "student" and about == "in_scope"
        if expected > 0 and (about is None or (tier(who, about) < expected and not own)):
            problems.append(f"{notification.dedupe_key} (T{expected}) about {about} told to {who}")
    problems += [f"leaked {text}" for text in leaks(main(response.content.decode()), who, world)]
    assert not problems, "\n".join(problems)


INBOX_SHOWS = {
    # who: (dedupe key pattern, withheld?)
    "school_leader": [(r"ack\d+:4:", True), (r"ack\d+:[34]:", False)],  # the report withheld; 李四's step told
    "mental_health_advisor": [(r"interview\.screening:", False), (r"leave\d+:returned", False)],
    "head_teacher": [(r"screening-remind:", False)],
    "dorm_leader": [(r"care\.checkin\d+:", False), (r"screening-remind:", False)],
    "student_affairs": [(r"invariant:", False), (r"privacy\.break_glass\d+:not_justified", False)],
    "counsellor": [(r"counselling\.booking\.", False)],
}


@pytest.mark.parametrize("who", sorted(INBOX_SHOWS))
def test_the_inbox_is_not_empty_and_withheld_items_are_there(matrix, who):
    _world, data = matrix
    items = data["clients"][who].get(reverse("notify:inbox")).context["items"]
    for pattern, withheld in INBOX_SHOWS[who]:
        matching = [n for n in items if re.match(pattern, n.dedupe_key) and (n.title in WITHHELD_TITLES) == withheld]
        assert matching, (pattern, withheld, [(n.dedupe_key, n.title) for n in items])


@pytest.mark.parametrize("who", VIEWERS)
def test_messages_leaving_xinyu_carry_no_name_and_no_t3_link_below_t3(matrix, who):
    world, _data = matrix
    user = world.cast[who]
    problems = []
    messages = OutboxMessage.objects.filter(notification__recipient=user).select_related("notification__student")
    for message in messages:
        (notification,) = as_told_now(user, [message.notification])
        words = senders.public_text(notification)
        text = f"{words.subject}\n{words.text}"
        for student in world.students.values():
            problems += [f"{value} in a message" for value in (student.name, student.student_number) if value in text]
        about = student_key(world, notification.student) if notification.student_id else None
        holds_t3 = about is not None and (tier(who, about) >= 3 or (who, about) == ("student", "in_scope"))
        if any(area in words.link for area in T3_AREAS) and not holds_t3:
            problems.append(f"{message.notification.dedupe_key}: a T3 link {words.link}")
        problems += [f"leaked {found}" for found in leaks(text, who, world, words=False)]
    assert not problems, "\n".join(problems)


def test_every_kind_of_notification_is_in_the_data_and_has_a_declared_tier(matrix):
    keys = list(Notification.objects.values_list("dedupe_key", flat=True))
    for pattern, _tier in KEY_TIER:
        assert any(re.match(pattern, key) for key in keys), pattern
    for key in keys:
        key_tier(key)


def test_the_e_mails_sent_name_nobody_and_link_below_t3_only_to_what_the_recipient_may_open(matrix):
    world, _data = matrix
    mail.outbox.clear()
    assert delivery.deliver_due(limit=2000) > 0
    assert mail.outbox
    people = {user.email: who for who, user in world.cast.items()}
    problems = []
    for message in mail.outbox:
        who = people[message.to[0]]
        text = f"{message.subject}\n{message.body}"
        for student in world.students.values():
            problems += [f"{who}: {value}" for value in (student.name, student.student_number) if value in text]
        if who in NO_T3 and any(area in text for area in T3_AREAS):
            problems.append(f"{who}: a T3 link in {text!r}")
    assert not problems, "\n".join(problems)
    assert default_withheld_title()  # the default words exist in the catalogue


def test_the_tiers_above_are_the_scope_modules_and_tiers_for_agrees_with_tier_for(matrix):
    """The hand-written table matches what the scope module decides, and the bulk answer used by the work
    lists and the inbox (`tiers_for`) is `tier_for`'s, student by student."""

    world, _data = matrix
    students = [world.students[key] for key in STUDENTS]
    for who in VIEWERS:
        user = world.cast[who]
        one_by_one = tuple(int(scope.tier_for(user, student)[0]) for student in students)
        assert one_by_one == TIER[who], who
        bulk = scope.tiers_for(user, students)
        assert tuple(int(bulk[student.pk]) for student in students) == one_by_one, who
