"""The whole crisis flow in a real browser: a dorm leader reports on a phone → the advisor takes the
report and opens a level B case → raises it to C out of office hours → the duty leader is notified and takes
the steps → the steps are completed → the case is closed with its post-crisis records (第十二条(四)).

"Out of office hours" is made deterministic on the server side: the live server runs under a test policy
(tests/concerns/policies/after-hours.toml) whose office hours are five minutes a night, and the duty roster
has the duty leader on duty now.
"""

import datetime as dt
import re
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.concerns.conftest import crisis_world  # noqa: F401 - the crisis cast of tests/concerns, as a fixture here
from tests.e2e.conftest import PHONE
from tests.e2e.steps import assert_fits_width, open_phone_menu, screenshot, sign_in_to_home
from xinyu.concerns.models import CaseEvent, ConcernReport, CrisisCase, DutyShift
from xinyu.notify.models import Notification
from xinyu.policy import calendar
from xinyu.policy import loader as policy

pytestmark = pytest.mark.e2e

POLICIES = Path(__file__).resolve().parent.parent / "concerns" / "policies"
WHAT_HAPPENED = "昨晚熄灯后说了不想活了，一直在哭"
# C's steps and what each asks to be written down (the policy's evidence), as the test fills them in.
NOW_TEXT = "2026-11-29T22:00"
EVIDENCE = {
    "take_charge": {"note": "已签收，统筹处置，启动值班联络"},
    "on_site_protection": {"note": "已到现场，送校医院处置伤口"},
    "leaders_told": {"note": "22:05 已电话报告分管校领导"},
    "watch_24h": {"watchers": "周辅导员、郑副书记、室友赵寝", "watch_from": NOW_TEXT},
    "family_told": {
        "family_who": "张三的母亲",
        "family_relation": "母亲",
        "family_when": NOW_TEXT,
        "family_how": "phone",
        "family_outcome": "已知情，已请其明早到校",
    },
    "psychiatric_evaluation": {"hospital": "衢州市第三医院", "hospital_when": NOW_TEXT},
    "written_report": {"note": "书面报告已交学工部"},
}


@pytest.fixture
def after_hours(settings, crisis_world):  # noqa: F811 - the fixture imported above
    """The live server under the after-hours test policy, with the duty leader on the roster now."""
    settings.XINYU_POLICY_DIR = POLICIES
    settings.XINYU_POLICY = "test-after-hours"
    policy.clear_cache()
    rules = policy.policy_in_force()
    # Office time is 03:00–03:05 each night: a test starting just before it waits until it has passed.
    while calendar.is_office_time(rules, timezone.now() + dt.timedelta(minutes=10)) or calendar.is_office_time(
        rules, timezone.now()
    ):
        time.sleep(20)
    now = timezone.now()
    DutyShift.objects.create(
        person=crisis_world.cast["duty_leader"],
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=6),
    )
    yield SimpleNamespace(world=crisis_world, policy=rules)
    policy.clear_cache()


def sign_out(page: Page, *, phone: bool = False) -> None:
    if phone:
        open_phone_menu(page)
    page.locator(f'form[action="{reverse("accounts:logout")}"] button[type=submit]').click()
    page.wait_for_url(f"**{reverse('accounts:login')}")


def case_action(page: Page, path: str):
    """Waits for the htmx answer of a form posted to `path` on the case page."""
    return page.expect_response(
        lambda r: r.url.endswith(path) and r.request.method == "POST" and r.request.headers.get("hx-request") == "true"
    )


def report_on_the_phone(page: Page, world, width: int) -> ConcernReport:
    sign_in_to_home(page, world.cast["dorm_leader"].username)
    page.goto(reverse("concerns:report_new"))
    form = page.get_by_test_id("report-form")
    form.get_by_test_id("pick-student").filter(has_text="张三").click()
    with page.expect_response(lambda r: "part=urgency" in r.url and r.request.headers.get("hx-request") == "true"):
        form.get_by_test_id("category-self_harm").click()
    expect(page.locator("#urgency-urgent")).to_be_checked()
    form.get_by_test_id("description").fill(WHAT_HAPPENED)
    form.locator("input[name=place]").fill("1号楼101")
    assert_fits_width(page, width)
    form.get_by_test_id("report-submit").click()
    page.wait_for_url("**/thanks/")
    return ConcernReport.objects.get()


def advisor_opens_a_level_b_case(page: Page, world, report: ConcernReport) -> CrisisCase:
    sign_in_to_home(page, world.cast["advisor"].username)
    page.goto(reverse("core:my_work"))
    page.locator(f'[data-testid="work-item"][data-kind="report"][data-id="{report.pk}"]').click()
    page.wait_for_url(f"**{reverse('concerns:report_detail', args=[report.pk])}")
    page.get_by_test_id("report-acknowledge").click()
    expect(page.get_by_test_id("report-state")).to_have_attribute("data-status", "acknowledged")
    triage = page.get_by_test_id("triage-crisis")
    triage.get_by_test_id("level-B").click()
    triage.get_by_test_id("triage-reason").fill("有明显自伤倾向，需要专人陪护")
    triage.get_by_test_id("triage-crisis-submit").click()
    case = CrisisCase.objects.get()
    page.wait_for_url(f"**{reverse('concerns:case_detail', args=[case.pk])}")
    page_case = page.get_by_test_id("case")
    expect(page_case).to_have_attribute("data-level", "B")
    expect(page.get_by_test_id("organiser")).to_contain_text("郑副书记")  # the college leader in charge
    expect(page_case.get_by_test_id("step")).to_have_count(5)
    return case


def raise_to_c(page: Page, case: CrisisCase) -> None:
    action = page.get_by_test_id("action-raise")
    action.locator("summary").click()
    form = action.get_by_test_id("raise-form")
    form.locator("select[name=to_level]").select_option("C")
    form.locator("textarea[name=reason]").fill("夜间用刀片划伤手臂，已有自伤行为")
    with case_action(page, reverse("concerns:case_raise", args=[case.pk])):
        form.locator("button[type=submit]").click()
    expect(page.get_by_test_id("case")).to_have_attribute("data-level", "C")


def complete_step(page: Page, case: CrisisCase, code: str, values: dict) -> None:
    row = page.locator(f'[data-testid="step"][data-code="{code}"]')
    row.get_by_test_id("complete").locator("summary").click()
    form = row.get_by_test_id("complete-form")
    for name, value in values.items():
        field = form.locator(f"[name={name}]")
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)
    step_pk = case.steps.get(code=code, superseded_at__isnull=True).pk
    with case_action(page, reverse("concerns:case_step_complete", args=[case.pk, step_pk])):
        form.locator("button[type=submit]").click()
    expect(page.locator(f'[data-testid="step"][data-code="{code}"]')).to_have_attribute("data-state", "done")


def submit_action(page: Page, case: CrisisCase, testid: str, url_name: str, fill) -> None:
    action = page.get_by_test_id(testid)
    action.locator("summary").click()
    fill(action)
    with case_action(page, reverse(url_name, args=[case.pk])):
        action.locator("button[type=submit]").click()
    expect(page.get_by_test_id("case-done")).to_be_visible()


def test_the_whole_crisis_flow(phone_page, page, after_hours, screenshot_dir):
    w = after_hours.world
    width = PHONE["viewport"]["width"]
    case_path = None

    def phone_shot(name):
        """Layout check and screenshot on a freshly loaded page, then a reload: Playwright leaves style=""
        on what it photographs, which htmx would carry into swapped content and the CSP rightly refuses."""
        assert_fits_width(phone_page, width)
        screenshot(phone_page, screenshot_dir, f"phone-{name}")
        phone_page.reload()

    # 1. The dorm leader reports on the phone.
    report = report_on_the_phone(phone_page, w, width)
    assert (report.student, report.urgency) == (w.in_scope, "urgent")
    sign_out(phone_page, phone=True)

    # 2. The advisor takes it and opens a level B case; the college leader in charge organises it.
    case = advisor_opens_a_level_b_case(page, w, report)
    case_path = reverse("concerns:case_detail", args=[case.pk])
    screenshot(page, screenshot_dir, "desktop-case-b")
    page.reload()
    assert not calendar.is_office_time(after_hours.policy, timezone.now())

    # 3. Out of office hours, the advisor raises it to C: the duty leader organises it.
    raise_to_c(page, case)
    expect(page.get_by_test_id("organiser")).to_contain_text("韩值班领导")
    expect(page.get_by_test_id("superseded-step")).to_have_count(5)
    expect(page.get_by_test_id("step")).to_have_count(7)
    case.refresh_from_db()
    assert (case.level, case.organiser) == ("C", w.cast["duty_leader"])
    sign_out(page)

    # 4. The duty leader, on their phone at night, finds it in their inbox, opens it and takes the steps.
    duty = phone_page
    sign_in_to_home(duty, w.cast["duty_leader"].username)
    duty.goto(reverse("notify:inbox"))
    told = Notification.objects.filter(recipient=w.cast["duty_leader"], link=case_path).order_by("pk").first()
    item = duty.locator(f'[data-testid="notification"][data-id="{told.pk}"]')
    expect(item).to_have_attribute("data-unread", "1")
    item.get_by_test_id("open-notification").click()
    duty.wait_for_url(f"**{case_path}")
    phone_shot("case-c")
    expect(duty.get_by_test_id("step").filter(has=duty.get_by_test_id("acknowledge"))).to_have_count(7)
    for code in ("take_charge", "on_site_protection", "leaders_told"):
        step_pk = case.steps.get(code=code, superseded_at__isnull=True).pk
        with case_action(duty, reverse("concerns:case_step_acknowledge", args=[case.pk, step_pk])):
            duty.locator(f'[data-testid="step"][data-code="{code}"]').get_by_test_id("acknowledge").click()
        expect(duty.locator(f'[data-testid="step"][data-code="{code}"]')).to_have_attribute(
            "data-state", "acknowledged"
        )

    # 5. The steps are completed, each with the records its policy asks for (a missing one is refused first).
    row = duty.locator('[data-testid="step"][data-code="watch_24h"]')
    row.get_by_test_id("complete").locator("summary").click()
    row.locator("[name=watchers]").fill("周辅导员")
    row.locator("[name=watch_from]").fill(NOW_TEXT)
    watch_pk = case.steps.get(code="watch_24h", superseded_at__isnull=True).pk
    with case_action(duty, reverse("concerns:case_step_complete", args=[case.pk, watch_pk])):
        row.get_by_test_id("complete-form").locator("button[type=submit]").click()
    expect(
        duty.locator('[data-testid="step"][data-code="watch_24h"] [data-testid="field-error"][data-field="watchers"]')
    ).to_be_visible()
    for code, values in EVIDENCE.items():
        complete_step(duty, case, code, values)
    expect(duty.locator('[data-testid="step"][data-state="done"]')).to_have_count(7)
    assert set(case.steps.filter(superseded_at__isnull=True).values_list("completed_by__username", flat=True)) == {
        w.cast["duty_leader"].username
    }

    # 6. The post-crisis records: family contact, a follow-up for the advisor, review and support.
    def family(action):
        action.locator("[name=contact_name]").fill("张三的母亲")
        action.locator("[name=relation]").fill("母亲")
        action.locator("[name=method]").select_option("in_person")
        action.locator("[name=outcome]").fill("母亲已到校，同意陪同就医")

    def follow_up(action):
        action.locator("[name=due_on]").fill((timezone.localdate() + dt.timedelta(days=1)).isoformat())
        action.locator("[name=assignee]").select_option(label="周辅导员")

    def review(action):
        action.locator("[name=assessment]").fill("情绪趋于平稳，已接受治疗")
        action.locator("[name=support]").fill("每天回访，室友陪伴")

    submit_action(duty, case, "action-family", "concerns:case_family_contact", family)
    submit_action(duty, case, "action-follow-up", "concerns:case_follow_up", follow_up)
    submit_action(duty, case, "action-review", "concerns:case_review_support", review)
    # Only the centre's assessment is still missing before the case can be closed.
    expect(duty.get_by_test_id("closing-gaps").locator("li")).to_have_count(1)
    expect(duty.get_by_test_id("action-close").locator("button[type=submit]")).to_be_disabled()

    # 7. The centre records its assessment, on a desktop.
    sign_in_to_home(page, w.cast["counsellor"].username)
    page.goto(case_path)
    submit_action(page, case, "action-assessment", "concerns:case_assessment",
                  lambda action: action.locator("[name=summary]").fill("风险已降低，可转入跟踪回访"))  # fmt: skip
    expect(page.get_by_test_id("closing-gaps")).to_have_count(0)

    # 8. The duty leader, as organiser, signs the case off.
    duty.goto(case_path)
    submit_action(duty, case, "action-close", "concerns:case_close",
                  lambda action: action.locator("[name=filing_note]").fill("资料已归档学工部心理危机档案"))  # fmt: skip
    expect(duty.get_by_test_id("case")).to_have_attribute("data-status", "closed")
    expect(duty.get_by_test_id("case-actions")).to_have_count(0)
    expect(duty.get_by_test_id("timeline").get_by_test_id("event").last).to_have_attribute("data-kind", "closed")
    case.refresh_from_db()
    assert (case.status, case.closed_by) == ("closed", w.cast["duty_leader"])
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds[:3] == [CaseEvent.Kind.OPENED, CaseEvent.Kind.ORGANISER_SET, CaseEvent.Kind.LEVEL_RAISED]
    assert kinds.count(CaseEvent.Kind.STEP_COMPLETED) == 7 and kinds[-1] == CaseEvent.Kind.CLOSED
    duty.reload()
    phone_shot("case-closed")
    page.reload()
    screenshot(page, screenshot_dir, "desktop-case-closed")
    sign_out(duty, phone=True)

    # 9. The advisor holds the follow-up after the case closed: it waits in their work as an interview, and
    # the one interview form records it into the case's history.
    sign_out(page)
    sign_in_to_home(page, w.cast["advisor"].username)
    page.goto(reverse("core:my_work"))
    item = page.locator('[data-section="interview"][data-source="crisis_case"]')
    expect(item).to_have_count(1)
    item.click()
    form = page.get_by_test_id("interview-form")
    form.locator("[name=method][value=in_person]").check()
    form.locator("[name=outcome][value=watch]").check()
    form.locator("[name=notes]").fill("到寝室看望，情绪稳定，按时服药")
    form.get_by_test_id("interview-submit").click()
    expect(page.get_by_test_id("interview-state")).to_have_attribute("data-recorded", "yes")
    note = case.events.order_by("at", "pk").last()
    assert (note.kind, note.reason, note.by) == (
        CaseEvent.Kind.NOTE,
        "到寝室看望，情绪稳定，按时服药",
        w.cast["advisor"],
    )

    # 10. The reporter learns that the report was taken, and nothing of the case or why.
    sign_in_to_home(phone_page, w.cast["dorm_leader"].username)
    phone_page.goto(reverse("concerns:my_reports"))
    row = phone_page.locator(f'[data-testid="my-report"][data-report="{report.pk}"]')
    expect(row).to_have_attribute("data-status", "taken")
    for secret in ("C级", "B级", "韩值班领导", "衢州市第三医院", "自伤行为"):
        assert secret not in phone_page.content()
    response = phone_page.goto(case_path)
    assert response.status == 404 and WHAT_HAPPENED not in phone_page.content()


def test_each_crisis_card_prints_on_one_a4_page(page, after_hours, screenshot_dir):
    """The printable card keeps working when the server does not: one A4 sheet per level, nav and tools
    left off the print, the phone tree filled in from the network."""
    w = after_hours.world
    sign_in_to_home(page, w.cast["student_affairs"].username)
    for level in "ABCD":
        page.goto(f"{reverse('concerns:card', args=[level])}?college={w.college_a.pk}")
        expect(page.get_by_test_id("crisis-card")).to_have_attribute("data-level", level)
        expect(page.get_by_test_id("card-duty")).to_contain_text(w.cast["duty_leader"].full_name)
        page.emulate_media(media="print")
        expect(page.get_by_test_id("main-nav")).to_be_hidden()
        pdf = page.pdf(format="A4", print_background=True)
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
        assert pages == 1, f"level {level} prints on {pages} pages"
        if level == "D":
            screenshot(page, screenshot_dir, "print-card-D")
        page.emulate_media(media="screen")
