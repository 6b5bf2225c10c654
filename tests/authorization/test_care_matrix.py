"""The authorization matrix of the care side: every view of care, counselling, referrals, privacy and studentfile ×
every cast member (and a part-time counsellor who treats none of them, and the centre's supervisor of another
school) × the in-scope, other-class and other-college students, with records of every kind present, each
text carrying a marker (tests/authorization/care_data.py). The views are enumerated from the URL resolver: a new
view without an expectation fails.

For each request: the status code, that no marker the viewer must not read is in the response (the text
of a Word or Excel download included), that a refused request writes nothing to the access log, and that
a form refused on GET is refused on POST. The expectations are written out by hand from DESIGN.md §4
and the regulation, not derived from the scope module:
- counselling notes, intake and addenda (T4): the treating counsellor and the centre's supervisor, and
  only on pages behind step-up; the diagnosis, medication and hospital statements likewise for the
  counsellor who recorded them and the supervisor;
- T3 text (why a student is on the registry, the plan, progress notes, referral and leave reasons): never
  for the head teacher, advisor, dorm leader, wellbeing rep, students, leading group or 学工部;
- a dorm leader sees only the name of the dorm-mate they were asked to check in on;
- students see only their own records;
- break-glass gives T3 on one student to its holder, while it is in force.

The data is built once for the module; every test runs in its own transaction on top of it.
"""

import io
import zipfile

import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import translation

from tests.authorization.care_data import (
    BREAK_GLASS_KINDS,
    CLINICAL_KINDS,
    CONSENT_KINDS,
    COUNSELLING_KINDS,
    SESSION_KINDS,
    T2_KINDS,
    T3_KINDS,
    build_care_data,
    marker,
)
from tests.conftest import build_world
from xinyu.accounts.twofactor import VERIFIED_SESSION_KEY
from xinyu.audit.models import AuditEntry
from xinyu.care import registry
from xinyu.grants.posts import end_post
from xinyu.notify.models import Notification
from xinyu.org.models import Appointment, Post
from xinyu.privacy.models import BreakGlassGrant, ConsentRecord

pytestmark = pytest.mark.django_db

NAMESPACES = ("care", "counselling", "referrals", "privacy", "studentfile")
# The dorm check-ins belong to the care work but are concern reports' pages (a dorm's word on a student).
CARE_PAGES_ELSEWHERE = {"concerns:check_ins", "concerns:check_in"}
STUDENTS = ("in_scope", "other_class", "other_college")
VIEWERS = (
    "dorm_leader", "wellbeing_rep", "head_teacher", "advisor", "mental_health_advisor", "college_leader",
    "counsellor", "other_counsellor", "leading_group_member", "outsider", "student", "supervisor", "student_affairs",
    "foreign_supervisor",
)  # fmt: skip
STUDENT_VIEWERS = {"dorm_leader", "wellbeing_rep", "student"}
STAFF = set(VIEWERS) - STUDENT_VIEWERS
CENTRE = {"counsellor", "other_counsellor", "supervisor"}
# The centre's pages (not its students): the supervisor of another school opens them too, and sees nobody there.
CENTRE_PAGES = CENTRE | {"foreign_supervisor"}
SUPERVISORS = {"supervisor", "foreign_supervisor"}
# Staff with a post granting T2 or more over some students (the registry pages).
REGISTRY_USERS = {"head_teacher", "advisor", "mental_health_advisor", "college_leader", "outsider", "student_affairs"}
REGISTRY_USERS |= CENTRE_PAGES
# Staff with a post granting T3 or more over some students (the referral pages).
REFERRAL_USERS = {"mental_health_advisor", "college_leader", "outsider"} | CENTRE_PAGES

# Each viewer's tier on (in_scope, other_class, other_college), from DESIGN.md §4 and the world: the
# leading-group member holds T3 on other_college through break-glass only; the outsider's grant on
# in_scope and the head teacher's on other_class have ended.
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
}


def tier(who, key):
    return TIER[who][STUDENTS.index(key)]


TREATING = {"in_scope": "counsellor", "other_class": "counsellor", "other_college": "other_counsellor"}
# Confirm a proposal, review, edit the plan: the college's mental-health advisor and the centre.
CONFIRMERS = {
    "in_scope": {"mental_health_advisor"} | CENTRE,
    "other_class": {"mental_health_advisor"} | CENTRE,
    "other_college": {"outsider"} | CENTRE,
}
REMOVAL_REQUESTERS = {"in_scope": {"mental_health_advisor", "college_leader"}}  # other_college's is requested
BREAK_GLASS_HOLDER = {"other_college": "leading_group_member", "other_class": "head_teacher", "in_scope": "outsider"}
# Who may open a break-glass grant: its holder, the centre and 学工部.
GRANT_READERS = {key: {holder, "student_affairs"} | CENTRE for key, holder in BREAK_GLASS_HOLDER.items()}

# Pages behind step-up re-authentication; T4 text shows nowhere else.
STEP_UP_PAGES = {
    "counselling:session_detail", "counselling:session_edit", "counselling:addendum_add", "counselling:intake",
    "counselling:session_exception", "referrals:referral_clinical",
    "referrals:leave_confidential", "privacy:break_glass", "studentfile:file_print", "studentfile:file_export",
}  # fmt: skip

# Pages with a form (GET shows it, POST acts): a viewer refused the page is refused the post as well.
FORM_VIEWS = {
    "care:entry_propose", "care:entry_confirm", "care:entry_review", "care:plan_edit", "care:removal_request",
    "care:removal_decision", "counselling:book", "counselling:room_new", "counselling:room_edit",
    "counselling:booking_change", "counselling:availability_new",
    "counselling:session_new", "counselling:session_new_walk_in", "counselling:session_edit", "counselling:intake",
    "counselling:session_exception", "referrals:referral_new", "referrals:referral_detail",
    "referrals:referral_clinical", "referrals:leave_new", "referrals:leave_detail", "privacy:break_glass",
}  # fmt: skip

# Which object each view's URL names: "student", a record of a student, or nothing (None).
OBJECT = {
    "care:registry": None, "care:review_list": None, "care:entry_propose": "student", "care:entry_detail": "entry",
    "care:entry_confirm": "entry", "care:entry_review": "entry", "care:plan_edit": "entry", "care:plan_note": "entry",
    "care:removal_request": "entry", "care:removal_decision": "entry", "concerns:check_ins": None,
    "concerns:check_in": "assignment",
    "counselling:my_bookings": None, "counselling:booking_start": None, "counselling:slot_list": None,
    "counselling:book": "free_slot",
    "counselling:booking_change": "booking", "counselling:booking_cancel": "booking", "counselling:room_list": None,
    "counselling:room_new": None, "counselling:room_edit": "room",
    "counselling:schedule": None, "counselling:availability_new": None, "counselling:slot_withdraw": "slot",
    "counselling:booking_confirm": "booking", "counselling:booking_decline": "booking",
    "counselling:booking_no_show": "booking", "counselling:session_list": None, "counselling:session_new": "booking",
    "counselling:session_new_walk_in": "student", "counselling:session_detail": "session",
    "counselling:session_edit": "session", "counselling:addendum_add": "session", "counselling:intake": "session",
    "counselling:session_exception": "session", "counselling:workload": None, "counselling:workload_export": None,
    "referrals:index": None, "referrals:hospitals": None, "referrals:referral_new": "student",
    "referrals:referral_detail": "referral", "referrals:referral_clinical": "referral",
    "referrals:leave_new": "student",
    "referrals:leave_detail": "leave", "referrals:leave_confidential": "leave",
    "privacy:break_glass": None, "privacy:break_glass_list": None, "privacy:break_glass_detail": "grant",
    "privacy:break_glass_end": "grant", "privacy:break_glass_review": "grant", "privacy:mine": None,
    "privacy:consent_withdraw": "consent", "privacy:log": None, "privacy:retention": None,
    "studentfile:mine": None, "studentfile:file": "student", "studentfile:file_print": "student",
    "studentfile:file_export": "student", "studentfile:access_log": "student",
}  # fmt: skip


def _only(allowed, status=200):
    return lambda who, key=None: status if who in allowed else 404


def _t3_referrals(who, key):
    return 200 if who in REFERRAL_USERS and tier(who, key) >= 3 else 404


def _t4_reader(who, key):
    return 200 if who in {TREATING[key], "supervisor"} else 404


# The expected status of a GET, by view: f(who) for pages without an object, f(who, key) for the others.
# POST-only views answer 405 to a GET once the viewer passes the view's access declaration.
EXPECTED = {
    "care:registry": _only(REGISTRY_USERS),
    "care:review_list": _only({"mental_health_advisor", "college_leader", "outsider"} | CENTRE_PAGES),
    "care:entry_propose": lambda who, key: 200 if who in REGISTRY_USERS and tier(who, key) >= 3 else 404,
    "care:entry_detail": lambda who, key: 200 if who in REGISTRY_USERS and tier(who, key) >= 2 else 404,
    "care:entry_confirm": lambda who, key: 200 if key == "other_class" and who in CONFIRMERS[key] else 404,
    "care:entry_review": lambda who, key: 200 if key != "other_class" and who in CONFIRMERS[key] else 404,
    "care:plan_edit": lambda who, key: 200 if key != "other_class" and who in CONFIRMERS[key] else 404,
    "care:plan_note": lambda who, key: 405 if who in REGISTRY_USERS else 404,
    "care:removal_request": lambda who, key: 200 if who in REMOVAL_REQUESTERS.get(key, ()) else 404,
    "care:removal_decision": lambda who, key: 200 if key == "other_college" and who in CENTRE else 404,
    "concerns:check_ins": _only({"dorm_leader"}),
    "concerns:check_in": lambda who, key: 405 if who == "dorm_leader" else 404,
    "counselling:my_bookings": _only(STUDENT_VIEWERS),
    # Everyone signed in: a student is sent on to the open times (302), staff read that booking is for students.
    "counselling:booking_start": lambda who, key=None: 302 if who in STUDENT_VIEWERS else 200,
    "counselling:slot_list": _only(STUDENT_VIEWERS),
    "counselling:book": _only(STUDENT_VIEWERS),
    "counselling:booking_change": lambda who, key: 200 if (who, key) == ("student", "in_scope") else 404,
    "counselling:booking_cancel": lambda who, key: 405 if who in STUDENT_VIEWERS else 404,
    "counselling:room_list": _only(CENTRE_PAGES),
    "privacy:log": _only(CENTRE_PAGES),  # the access log: the centre
    "privacy:retention": _only(CENTRE_PAGES | {"student_affairs"}),  # counts by year and the runs, no name
    # The centre's supervisor keeps its rooms; another school's supervisor adds rooms to their own centre only.
    "counselling:room_new": _only(SUPERVISORS),
    "counselling:room_edit": _only({"supervisor"}),
    "counselling:schedule": _only(CENTRE_PAGES),
    "counselling:availability_new": _only(CENTRE_PAGES),
    "counselling:slot_withdraw": lambda who, key: 405 if who in CENTRE_PAGES else 404,
    "counselling:booking_confirm": lambda who, key: 405 if who in CENTRE_PAGES else 404,
    "counselling:booking_decline": lambda who, key: 405 if who in CENTRE_PAGES else 404,
    "counselling:booking_no_show": lambda who, key: 405 if who in CENTRE_PAGES else 404,
    "counselling:session_list": _only(CENTRE_PAGES),
    "counselling:session_new": lambda who, key: 200 if who == TREATING[key] else 404,
    "counselling:session_new_walk_in": lambda who, key: 200 if who in CENTRE else 404,
    "counselling:session_detail": _t4_reader,
    "counselling:session_edit": lambda who, key: 200 if who == TREATING[key] else 404,
    "counselling:addendum_add": lambda who, key: 404,  # POST only, and then by the treating counsellor
    "counselling:intake": lambda who, key: 200 if who == TREATING[key] else 404,
    "counselling:session_exception": _t4_reader,
    # The counselling-only workload page became the workload statement (tests/workforce): staff are sent there.
    "counselling:workload": _only(STAFF, 302),
    "counselling:workload_export": _only(STAFF, 302),
    "referrals:index": _only(REFERRAL_USERS),
    "referrals:hospitals": _only(STAFF),
    "referrals:referral_new": _t3_referrals,
    "referrals:referral_detail": _t3_referrals,
    "referrals:referral_clinical": _t4_reader,
    "referrals:leave_new": _t3_referrals,
    "referrals:leave_detail": _t3_referrals,
    "referrals:leave_confidential": _t4_reader,
    "privacy:break_glass": _only(STAFF),
    "privacy:break_glass_list": _only(STAFF),
    "privacy:break_glass_detail": lambda who, key: 200 if who in GRANT_READERS[key] else 404,
    "privacy:break_glass_end": lambda who, key: 405 if who in STAFF else 404,
    "privacy:break_glass_review": lambda who, key: 405 if who in SUPERVISORS else 404,
    "privacy:mine": _only(STUDENT_VIEWERS),
    "privacy:consent_withdraw": lambda who, key: 405 if who in STUDENT_VIEWERS else 404,
    "studentfile:mine": _only(STUDENT_VIEWERS),
    "studentfile:file": lambda who, key: 200 if who in STAFF and tier(who, key) >= 2 else 404,
    "studentfile:file_print": lambda who, key: 200 if who in STAFF and tier(who, key) >= 2 else 404,
    "studentfile:file_export": lambda who, key: 200 if who in STAFF and tier(who, key) >= 2 else 404,
    "studentfile:access_log": lambda who, key: 200 if who in CENTRE else 404,
}


def may_read(who, kind, key, view) -> bool:
    """Whether `who` may read the marker of `kind` about student `key` on the page of `view`."""
    t = tier(who, key)
    if kind in T3_KINDS:
        return t >= 3 or (kind == "CHECKIN-NOTE" and who == "dorm_leader" and key == "in_scope")
    if kind in T2_KINDS:
        return t >= 2
    if kind in COUNSELLING_KINDS:  # that a student asked for counselling: the centre and the student
        return who in CENTRE or (who, key) == ("student", "in_scope")
    if kind in SESSION_KINDS or kind in CLINICAL_KINDS:
        return who in {TREATING[key], "supervisor"} and view in STEP_UP_PAGES
    if kind in BREAK_GLASS_KINDS:
        return who in GRANT_READERS[key] and (view.startswith("privacy:") or view == "studentfile:access_log")
    if kind in CONSENT_KINDS:  # the student's own page; the centre's access log records the withdrawal
        centre_log = view in ("studentfile:access_log", "privacy:log")
        return (who, key) == ("student", "in_scope") or (who in CENTRE and centre_log)
    raise AssertionError(kind)


def may_see_name(who, key, view) -> bool:
    if tier(who, key) >= 1:
        return True
    if key == "in_scope" and who in {"student", "dorm_leader"}:  # oneself; the dorm-mate one checks in on
        return True
    return who in GRANT_READERS[key] and view.startswith("privacy:")  # one's own (ended) grant


ALL_KINDS = T3_KINDS + T2_KINDS + COUNSELLING_KINDS + SESSION_KINDS + CLINICAL_KINDS + BREAK_GLASS_KINDS
ALL_KINDS += CONSENT_KINDS
COUNSELLING_ON_FILE = 'data-testid="kind-counselling_session"'  # the file's filter for counselling sessions


def body_text(response) -> str:
    """The page, or the text inside a Word or Excel download."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return content.decode("utf-8", "replace")


def leaks(body, who, view, world) -> list[str]:
    found = []
    for key in STUDENTS:
        for kind in ALL_KINDS:
            text = marker(kind, key)
            if text in body and not may_read(who, kind, key, view):
                found.append(text)
        student = world.students[key]
        if not may_see_name(who, key, view):
            found += [value for value in (student.name, student.student_number) if value in body]
    # That a student attends counselling at all is known to the centre only, whatever the viewer's tier.
    if COUNSELLING_ON_FILE in body and who not in CENTRE:
        found.append(COUNSELLING_ON_FILE)
    return found


# --- the data, once for the module ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic(), translation.override("en"):
        world = build_world()
        data = build_care_data(world)
        # Signed in once for the module: each test's changes to a session are rolled back with the test.
        data["clients"] = {who: Client() for who in VIEWERS}
        for who, client in data["clients"].items():
            client.force_login(world.cast[who])
        yield world, data
        transaction.set_rollback(True)


def object_pk(data, world, kind, key):
    match kind:
        case "student":
            return world.students[key].pk
        case "entry":
            return data["entries"][key].pk
        case "assignment":
            return data["assignment"].pk
        case "free_slot":
            return data["free_slot"].pk
        case "room":
            return data["room"].pk
        case "slot":
            return data["bookings"][key].slot_id
        case "booking":
            return data["bookings"][key].pk
        case "session":
            return data["sessions"][key].pk
        case "referral":
            return data["referrals"][key].pk
        case "leave":
            return data["leaves"][key].pk
        case "grant":
            return data["grants"][key].pk
        case "consent":
            return ConsentRecord.objects.get(student=world.students[key]).pk
    raise AssertionError(kind)


def targets(view):
    """(student key, ...) a view is asked about; None for a page without an object."""
    kind = OBJECT[view]
    if kind in (None, "free_slot", "room"):
        return [None]
    if kind == "assignment":
        return ["in_scope"]  # the only check-in assignment
    return list(STUDENTS)


def url_for(view, matrix_, key):
    world, data = matrix_
    kind = OBJECT[view]
    if kind is None:
        return reverse(view)
    return reverse(view, args=[object_pk(data, world, kind, key or "in_scope")])


def client_for_viewer(matrix_, who) -> Client:
    return matrix_[1]["clients"][who]


def named_views() -> list[str]:
    names = []

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = pattern.namespace or namespace
                if namespace and pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}"
                walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}"
                if namespace in NAMESPACES or name in CARE_PAGES_ELSEWHERE:
                    names.append(name)

    walk(get_resolver(), None)
    return sorted(set(names))


VIEWS = sorted(OBJECT)


def test_every_view_of_issue_5_has_an_expectation():
    assert named_views() == VIEWS
    assert set(EXPECTED) == set(OBJECT)
    assert set(OBJECT) >= STEP_UP_PAGES


# --- the matrix: GET every view as every viewer about every student --------------------------------------


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", VIEWERS)
def test_matrix(matrix, who, view):
    world, _data = matrix
    client = client_for_viewer(matrix, who)
    problems = []
    for key in targets(view):
        url = url_for(view, matrix, key)
        expected = EXPECTED[view](who) if OBJECT[view] in (None, "free_slot") else EXPECTED[view](who, key)
        before = AuditEntry.objects.count()
        response = client.get(url)
        if response.status_code != expected:
            problems.append(f"{url} ({key}): {response.status_code}, expected {expected}")
        if response.status_code in (404, 405) and AuditEntry.objects.count() != before:
            problems.append(f"{url} ({key}): a refused request wrote to the access log")
        if response.status_code == 200 and response.get("Cache-Control") != "no-store, private":
            problems.append(f"{url} ({key}): Cache-Control {response.get('Cache-Control')!r}, expected no-store")
        body = body_text(response)
        found = leaks(body, who, view, world)
        if found:
            problems.append(f"{url} ({key}): leaked {found}")
        if expected == 404 and view in FORM_VIEWS:
            # A form posted by someone who may not open it is refused before anything is done.
            response = client.post(url, {})
            if response.status_code != 404 or AuditEntry.objects.count() != before:
                problems.append(f"POST {url} ({key}): {response.status_code}, expected 404 and nothing recorded")
        if view.startswith("studentfile:file") and response.status_code == 200:
            # A print or export that asks for the confidential entries carries no T4 text either.
            response = client.get(url, {"confidential": "1"})
            found = leaks(body_text(response), who, view, world)
            if found:
                problems.append(f"{url}?confidential=1 ({key}): leaked {found}")
    assert not problems, "\n".join(problems)


# --- what each reader does see (so that the matrix above cannot pass on empty pages) ------------------------

SHOWS = [
    # (viewer, view, student, texts on the page)
    ("dorm_leader", "concerns:check_ins", None, ["张三"]),
    ("head_teacher", "care:entry_detail", "in_scope", ["张三", marker("PLAN-CLASS", "in_scope")]),
    ("student_affairs", "care:entry_detail", "other_college", ["王五", marker("PLAN-CLASS", "other_college")]),
    ("mental_health_advisor", "care:entry_detail", "in_scope",
     [marker(kind, "in_scope") for kind in ("REG-REASON", "PLAN-GOALS", "PROGRESS-NOTE", "CHECKIN-NOTE")]),
    ("outsider", "care:entry_detail", "other_college", [marker("REMOVAL-REASON", "other_college")]),
    ("college_leader", "referrals:referral_detail", "other_class", [marker("REFERRAL-REASON", "other_class")]),
    ("outsider", "referrals:leave_detail", "other_college", [marker("LEAVE-REASON", "other_college")]),
    ("leading_group_member", "studentfile:file", "other_college", [marker("LEAVE-REASON", "other_college")]),
    ("supervisor", "studentfile:file", "in_scope", [COUNSELLING_ON_FILE]),
    ("other_counsellor", "studentfile:file", "in_scope", [COUNSELLING_ON_FILE]),
    ("student", "counselling:my_bookings", None, [marker("BOOKING-REASON", "in_scope")]),
    ("counsellor", "counselling:schedule", None, [marker("BOOKING-REASON", k) for k in ("in_scope", "other_class")]),
    ("student_affairs", "privacy:break_glass_detail", "other_college", [marker("BG-REASON", "other_college")]),
    ("supervisor", "studentfile:access_log", "in_scope", [marker("BG-REASON", "in_scope")]),
]  # fmt: skip


@pytest.mark.parametrize("who,view,key,texts", SHOWS)
def test_readers_see_what_they_may(matrix, who, view, key, texts):
    response = client_for_viewer(matrix, who).get(url_for(view, matrix, key))
    assert response.status_code == 200
    body = body_text(response)
    assert [text for text in texts if text not in body] == []


# --- T4 text shows where it should, on its step-up pages, and is audited at T4 -----------------------------

T4_PAGES = {
    "counselling:session_detail": ("SESSION-NOTES", "ADDENDUM"),
    "counselling:session_edit": ("SESSION-NOTES",),
    "counselling:intake": ("INTAKE-CONCERN", "INTAKE-HISTORY"),
    "referrals:referral_clinical": ("DIAGNOSIS", "MEDICATION"),
    "referrals:leave_confidential": ("STATEMENT",),
}


WRITERS_ONLY = {"counselling:session_edit", "counselling:intake"}  # the treating counsellor's forms


@pytest.mark.parametrize(
    "view,key,who",
    [
        (view, key, who)
        for view in sorted(T4_PAGES)
        for key in STUDENTS
        for who in ("treating", "supervisor")
        if not (view in WRITERS_ONLY and who == "supervisor")
    ],
)
def test_t4_text_shows_to_its_readers_and_is_audited(matrix, view, key, who):
    world, _data = matrix
    who = TREATING[key] if who == "treating" else who
    response = client_for_viewer(matrix, who).get(url_for(view, matrix, key))
    assert response.status_code == 200
    body = body_text(response)
    for kind in T4_PAGES[view]:
        assert marker(kind, key) in body
    entry = AuditEntry.objects.order_by("-id").first()
    assert (entry.actor_username, entry.student_number, entry.tier) == (
        world.cast[who].username,
        world.students[key].student_number,
        4,
    )


# --- step-up: with two-factor enforced and no recent step-up, no T4 page opens ---------------------------------


@override_settings(XINYU_ENFORCE_TWO_FACTOR=True)
@pytest.mark.parametrize("who", sorted(CENTRE | {"student_affairs", "head_teacher", "leading_group_member"}))
def test_step_up_pages_need_a_recent_step_up(matrix, who):
    world, _data = matrix
    client = client_for_viewer(matrix, who)
    # Signed in with the second factor, but not re-authenticated recently.
    store = client.session
    store[VERIFIED_SESSION_KEY] = world.cast[who].pk
    store.save()
    step_up = reverse("accounts:step_up")
    problems = []
    for view in VIEWS:
        for key in targets(view):
            url = url_for(view, matrix, key)
            expected = EXPECTED[view](who) if OBJECT[view] in (None, "free_slot") else EXPECTED[view](who, key)
            response = client.get(url)
            redirected = response.status_code == 302 and response["Location"].startswith(step_up)
            if view in STEP_UP_PAGES and expected in (200, 405):
                if not redirected:
                    problems.append(f"{url}: {response.status_code}, expected the step-up page")
            elif expected != 404 and redirected:
                problems.append(f"{url}: sent to step-up but {view} is not listed as a step-up page")
            body = body_text(response)
            for key_ in STUDENTS:
                for kind in SESSION_KINDS + CLINICAL_KINDS:
                    if marker(kind, key_) in body:
                        problems.append(f"{url}: T4 text {marker(kind, key_)} without step-up")
    assert not problems, "\n".join(problems)


# --- POST to the views that change things: refused (404) for everyone not allowed, before any change -------------

POSTS = {
    # view: who may post about each student (a missing key: nobody)
    "care:plan_note": {
        "in_scope": {"advisor", "mental_health_advisor", "college_leader"} | CENTRE,  # the advisor is named
        "other_college": {"outsider"} | CENTRE,
    },
    "concerns:check_in": {"in_scope": {"dorm_leader"}},
    "counselling:slot_withdraw": {key: {TREATING[key]} for key in STUDENTS},
    "counselling:booking_confirm": {key: {TREATING[key], "supervisor"} for key in STUDENTS},
    "counselling:booking_decline": {key: {TREATING[key], "supervisor"} for key in STUDENTS},
    "counselling:booking_no_show": {key: {TREATING[key], "supervisor"} for key in STUDENTS},
    "counselling:booking_cancel": {"in_scope": {"student"}},
    "counselling:addendum_add": {key: {TREATING[key]} for key in STUDENTS},
    "privacy:break_glass_end": GRANT_READERS,
    "privacy:break_glass_review": {key: {"supervisor"} for key in STUDENTS},
    "privacy:consent_withdraw": {"in_scope": {"student"}},
}


@pytest.mark.parametrize("view", sorted(POSTS))
@pytest.mark.parametrize("who", VIEWERS)
def test_posts_are_refused_out_of_scope(matrix, who, view):
    world, _data = matrix
    client = client_for_viewer(matrix, who)
    problems = []
    for key in targets(view):
        url = url_for(view, matrix, key)
        before = AuditEntry.objects.count()
        response = client.post(url, {})
        allowed = who in POSTS[view].get(key, ())
        if allowed and response.status_code != 302:
            problems.append(f"{url} ({key}): {response.status_code}, expected a redirect")
        if not allowed:
            if response.status_code != 404:
                problems.append(f"{url} ({key}): {response.status_code}, expected 404")
            if AuditEntry.objects.count() != before:
                problems.append(f"{url} ({key}): a refused post wrote to the access log")
        if leaks(body_text(response), who, view, world):
            problems.append(f"{url} ({key}): leaked")
    assert not problems, "\n".join(problems)


# --- break-glass: only with a reason; then T3 on that student, logged as break-glass --------------------------------


def test_break_glass_needs_a_reason_and_its_reads_are_logged(matrix):
    world, _data = matrix
    advisor = client_for_viewer(matrix, "advisor")  # the advisor of A1 has nothing over other_college
    student = world.other_college
    file_url = reverse("studentfile:file", args=[student.pk])
    assert advisor.get(file_url).status_code == 404
    form = {"student_number": student.student_number, "student_name": student.name}
    response = advisor.post(reverse("privacy:break_glass"), form | {"reason": "紧急"})
    assert response.status_code == 200
    assert not BreakGlassGrant.objects.filter(person=world.cast["advisor"]).exists()
    response = advisor.post(
        reverse("privacy:break_glass"), form | {"reason": "学生在宿舍群里说要轻生，需要马上联系家长"}
    )
    assert response.status_code == 302 and response["Location"] == file_url
    grant = BreakGlassGrant.objects.get(person=world.cast["advisor"])
    assert AuditEntry.objects.filter(
        what="privacy.break_glass", post="break_glass", student_number=student.student_number
    )
    response = advisor.get(file_url)
    assert response.status_code == 200
    body = body_text(response)
    assert marker("REFERRAL-REASON", "other_college") in body or marker("LEAVE-REASON", "other_college") in body
    assert not leaks(body, "leading_group_member", "studentfile:file", world)  # T3 as the other holder: no T4
    # The centre is alerted at once; the alert does not name the student.
    alerts = Notification.objects.filter(dedupe_key__startswith=f"privacy.break_glass{grant.pk}:")
    alerted = {alert.recipient_id for alert in alerts}
    assert {world.cast["counsellor"].pk, world.cast["supervisor"].pk, world.cast["other_counsellor"].pk} <= alerted
    assert world.cast["advisor"].pk not in alerted
    assert all(student.name not in alert.title for alert in alerts)
    read = AuditEntry.objects.order_by("-id").first()
    assert (read.actor_username, read.student_number, read.post) == ("T10002", student.student_number, "break_glass")
    # Ended, the grant gives nothing any more.
    advisor.post(reverse("privacy:break_glass_end", args=[grant.pk]))
    assert advisor.get(file_url).status_code == 404


# --- a few states the module's data does not hold: a removed entry, a dorm leader who moved out, a held slot --------


def test_a_removed_entry_shows_to_the_centre_and_t3_only(matrix):

    world, data = matrix
    entry = registry.decide_removal(
        data["entries"]["other_college"], by=world.cast["supervisor"], assessment="情况稳定，同意解除", approve=True
    )
    detail = reverse("care:entry_detail", args=[entry.pk])
    for who in VIEWERS:
        client = client_for_viewer(matrix, who)
        expected = 200 if who in REGISTRY_USERS and tier(who, "other_college") >= 3 else 404
        response = client.get(detail)
        assert response.status_code == expected, who
        assert not leaks(body_text(response), who, "care:entry_detail", world), who
        if who in REGISTRY_USERS:
            listed = client.get(reverse("care:registry"), {"status": "removed"}).content.decode()
            assert ("王五" in listed) == (who in CENTRE), who
    # Its plan ended, and with it the dorm check-ins: nobody is asked about the student any more.
    assert not entry.plan.check_in_assignments.filter(ended_at__isnull=True).exists()


def test_a_dorm_leader_who_moved_out_sees_nobody(matrix):

    world, data = matrix
    client = client_for_viewer(matrix, "dorm_leader")
    assert "张三" in client.get(reverse("concerns:check_ins")).content.decode()
    ended = Appointment.objects.get(person=world.cast["dorm_leader"], post=Post.DORM_LEADER)
    end_post(ended, by=ended.person)
    response = client.get(reverse("concerns:check_ins"))
    assert response.status_code == 404
    assert "张三" not in response.content.decode()
    response = client.post(reverse("concerns:check_in", args=[data["assignment"].pk]), {"status": "ok"})
    assert response.status_code == 404


@pytest.mark.parametrize("who", sorted(STUDENT_VIEWERS))
def test_a_held_slot_shows_nothing_of_who_holds_it(matrix, who):
    world, data = matrix
    client = client_for_viewer(matrix, who)
    for key in STUDENTS:
        booking = data["bookings"][key]
        url = reverse("counselling:book", args=[booking.slot_id])
        response = client.get(url)
        assert response.status_code == 200
        assert not leaks(body_text(response), who, "counselling:book", world)
        response = client.post(url, {"reason": "想聊聊"})
        assert not leaks(body_text(response), who, "counselling:book", world)
        assert not booking.slot.bookings.exclude(pk=booking.pk).exists()


def test_a_counsellor_who_left_the_centre_reads_no_notes_any_more(matrix):

    world, _data = matrix
    client = client_for_viewer(matrix, "counsellor")
    views = ["counselling:session_detail", "referrals:referral_clinical", "referrals:leave_confidential"]
    assert all(client.get(url_for(view, matrix, "in_scope")).status_code == 200 for view in views)
    ended = Appointment.objects.get(person=world.cast["counsellor"], post=Post.CENTRE_COUNSELLOR)
    end_post(ended, by=ended.person)
    for view in [*views, "studentfile:file", "counselling:session_list", "referrals:index"]:
        response = client.get(url_for(view, matrix, "in_scope"))
        assert response.status_code == 404, view
        assert not leaks(body_text(response), "leading_group_member", view, world), view  # tier 0 on in_scope


def test_no_notification_of_all_this_names_a_student_or_carries_its_text(matrix):
    """Booking requests, check-in assignments, referrals, leaves, break-glass alerts …: the inbox says what
    kind of item waits, never who the student is or why."""
    world, _data = matrix
    notifications = list(Notification.objects.all())
    assert len(notifications) >= 5
    texts = [marker(kind, key) for key in STUDENTS for kind in ALL_KINDS]
    texts += [value for student in world.students.values() for value in (student.name, student.student_number)]
    for item in notifications:
        shown = f"{item.title} {item.body}"
        assert [text for text in texts if text in shown] == [], item.dedupe_key
