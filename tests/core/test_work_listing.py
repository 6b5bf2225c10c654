"""Long work lists: the urgent and the overdue first and counted at the top, a filter by college, class,
kind, overdue and urgency, 50 a page; the filter never shows more than the viewer's own list, and the
access log names only the students on the page shown."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests.concerns.conftest import OFFICE_TIME
from tests.core.test_my_work import follow_up, submit
from tests.factories import student_with_account
from tests.helpers import freeze_time, last_entry_id, queries_for_page
from xinyu.audit.models import AuditEntry
from xinyu.core.listing import PAGE_SIZE

pytestmark = pytest.mark.django_db

TODAY = OFFICE_TIME.date()
MY_WORK = reverse("core:my_work")
INTERVIEWS = reverse("core:interview_list")


@pytest.fixture
def long_list(world):
    """The centre counsellor's work: 40 interviews in 软件2501班 (college A) due from tomorrow, 20 overdue in
    机电2501班 (college B), one urgent concern report about 张三 to take, and (about nobody) this year's
    training hours still short."""
    w = world
    for n in range(60):
        overdue = n >= 40
        student = student_with_account(
            name=f"学生{n:02d}", student_number=f"20259{n:05d}", class_group=w.b1 if overdue else w.a1, school=w.school
        )
        follow_up(w, "counsellor", TODAY + dt.timedelta(days=-1 - n if overdue else 1 + n % 5), student=student)
    with freeze_time(OFFICE_TIME):
        report = submit(w)
    return w, report


def rows(response) -> list[tuple[str, str]]:
    """(data-section, data-id) of each row on the page, in order."""
    return re.findall(r'data-testid="work-item" data-section="([^"]+)" data-kind="[^"]+"(?: data-id="(\d+)")?',
                      response.content.decode())  # fmt: skip


@freeze_time(OFFICE_TIME)
def test_the_urgent_then_the_overdue_come_first_and_are_counted(long_list, client_for):
    w, report = long_list
    response = client_for(w.cast["counsellor"]).get(MY_WORK)
    shown = response.context["listing"]
    assert (shown.total, shown.urgent, shown.overdue) == (62, 1, 20)
    page = rows(response)
    assert len(page) == PAGE_SIZE
    assert page[0] == ("report", str(report.pk))
    overdue = [entry for entry in shown.page.object_list[1:21]]
    assert all(entry.overdue and entry.college_name == "机电工程学院" for entry in overdue)
    assert [entry.due for entry in overdue] == sorted(entry.due for entry in overdue)  # the oldest first
    assert not any(entry.overdue for entry in shown.page.object_list[21:])
    body = response.content.decode()
    assert 'data-testid="list-counts" data-total="62" data-urgent="1" data-overdue="20"' in body
    assert 'data-testid="list-pager"' in body


@freeze_time(OFFICE_TIME)
def test_the_second_page_holds_the_rest_and_keeps_the_filter(long_list, client_for):
    w, _report = long_list
    client = client_for(w.cast["counsellor"])
    first, second = client.get(MY_WORK), client.get(MY_WORK, {"page": 2})
    assert len(rows(second)) == 62 - PAGE_SIZE
    assert ("training", "") in rows(second)  # due at the year's end: last
    assert not set(rows(first)) & set(rows(second))
    filtered = client.get(MY_WORK, {"college": w.college_a.pk, "page": 1}).content.decode()
    assert f"college={w.college_a.pk}&amp;page=2" not in filtered  # 40 + 张三's report: one page
    wide = client.get(INTERVIEWS, {"kind": "concern_report"}).content.decode()
    assert "kind=concern_report&amp;page=2" in wide


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"overdue": "on"}, 20),
        ({"urgent": "on"}, 1),
        ({"kind": "report"}, 1),
        ({"kind": "interview"}, 60),
        ({"kind": "interview", "overdue": "on"}, 20),
        ({"kind": "training"}, 1),
        ("college_b", 20),
        ("class_a1", 41),
    ],
)
def test_the_filter_keeps_what_it_names(long_list, client_for, params, expected):
    w, _report = long_list
    if params == "college_b":
        params = {"college": w.college_b.pk}
    elif params == "class_a1":
        params = {"class_group": w.a1.pk}
    response = client_for(w.cast["counsellor"]).get(MY_WORK, params)
    shown = response.context["listing"]
    assert shown.matching == expected
    assert shown.total == 62  # the counts at the top are of the whole list
    assert f'data-testid="list-matching" data-count="{expected}"' in response.content.decode()


@freeze_time(OFFICE_TIME)
def test_the_class_choices_follow_the_college_chosen(long_list, client_for):
    w, _report = long_list
    form = client_for(w.cast["counsellor"]).get(MY_WORK, {"college": w.college_b.pk}).context["listing"].form
    assert [label for value, label in form.fields["class_group"].choices if value] == ["机电2501班"]
    assert {label for value, label in form.fields["college"].choices if value} == {"信息工程学院", "机电工程学院"}


@freeze_time(OFFICE_TIME)
def test_a_filter_outside_the_list_is_an_error_in_chinese_and_shows_the_whole_list(long_list, client_for):
    w, _report = long_list
    # College A's mental-health advisor sees nothing of college B: naming it finds nothing, says so, and
    # lists only what they had.
    advisor = w.cast["mental_health_advisor"]
    follow_up(w, "mental_health_advisor", TODAY)
    response = client_for(advisor).get(MY_WORK, {"college": w.college_b.pk, "kind": "nonsense"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "选择一个有效的选项" in body and "is-invalid" in body
    assert response.context["listing"].matching == response.context["listing"].total
    assert "学生4" not in body  # no student of college B, whatever the filter asked
    assert "机电工程学院" not in body.split('data-testid="list-filter"')[1].split("</form>")[0]


@freeze_time(OFFICE_TIME)
def test_the_access_log_names_the_students_on_the_page_only(long_list, client_for):
    w, _report = long_list
    before_id = last_entry_id()
    response = client_for(w.cast["counsellor"]).get(MY_WORK, {"overdue": "on"})
    entries = AuditEntry.objects.filter(id__gt=before_id, what="concern.my_work")
    named = set(entries.values_list("student_id", flat=True))
    assert named == {entry.student.pk for entry in response.context["listing"].page}
    assert len(named) == 20


@freeze_time(OFFICE_TIME)
def test_the_interview_list_pages_and_filters_mine_from_my_students(long_list, client_for):
    w, _report = long_list
    counsellor = client_for(w.cast["counsellor"]).get(INTERVIEWS).context["listing"]
    assert (counsellor.total, counsellor.overdue, len(counsellor.page)) == (60, 20, PAGE_SIZE)
    assert "mine" not in counsellor.form.fields  # every one is their own: nothing to tell apart
    # College A's advisor is assigned one; the other 40 of college A are the counsellor's, open, of their students.
    follow_up(w, "mental_health_advisor", TODAY)
    client = client_for(w.cast["mental_health_advisor"])
    everything = client.get(INTERVIEWS).context["listing"]
    assert (everything.total, everything.overdue) == (41, 0)
    assert "mine" in everything.form.fields
    mine = client.get(INTERVIEWS, {"mine": "on"}).context["listing"]
    assert mine.matching == 1
    assert [entry.title for entry in mine.page] == ["张三"]


def test_students_have_no_work_list(world, client_for):
    for url in (MY_WORK, INTERVIEWS):
        assert client_for(world.cast["student"]).get(url, {"college": world.college_a.pk}).status_code == 404


@freeze_time(OFFICE_TIME)
@pytest.mark.parametrize("url", [MY_WORK, INTERVIEWS])
def test_the_queries_do_not_grow_with_the_list(world, client_for, url):
    w = world
    client = client_for(w.cast["counsellor"])

    def give(count, offset):
        for n in range(offset, offset + count):
            student = student_with_account(name=f"学生{n:02d}", student_number=f"20257{n:05d}", class_group=w.b1,
                                           school=w.school)  # fmt: skip
            follow_up(w, "counsellor", TODAY - dt.timedelta(days=n % 3), student=student)

    give(3, 0)
    few, _response = queries_for_page(client, url)
    give(PAGE_SIZE + 10, 3)
    many, response = queries_for_page(client, url)
    assert response.context["listing"].page.paginator.num_pages == 2
    assert few == many
