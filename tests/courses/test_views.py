"""The pages: who reaches each (in and out of scope), what the student lists show to whom, the writes, the
export and its access-log entry, and the clear refusals."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from tests.courses.conftest import COVERAGE_READERS, EDITORS, STAFF, STUDENTS, TERM, YEAR
from tests.helpers import queries_for_page
from xinyu.audit.models import AuditEntry
from xinyu.courses.models import Course, Enrolment, Section, SectionClass, SectionTeacher
from xinyu.org.models import Student

pytestmark = pytest.mark.django_db
CAST = STAFF + STUDENTS
NAMES = {"张三", "赵寝", "钱委", "王五"}


def read_urls(world, records):
    section = records["section"].pk
    return [reverse("courses:index"), reverse("courses:course", args=[records["course"].pk]),
            reverse("courses:section", args=[section])]  # fmt: skip


def edit_urls(world, records):
    return [reverse("courses:course_new"), reverse("courses:course_edit", args=[records["course"].pk]),
            reverse("courses:section_new", args=[records["course"].pk]),
            reverse("courses:section_edit", args=[records["section"].pk])]  # fmt: skip


def post_urls(world, records):
    section = records["section"].pk
    return {
        reverse("courses:section_teacher", args=[section]): {"username": "T10002", "class_periods": 4},
        reverse("courses:section_teacher_remove", args=[section, world.cast["counsellor"].pk]): {},
        reverse("courses:section_classes", args=[section]): {"class_groups": [world.a2.pk]},
        reverse("courses:section_class_remove", args=[section, world.a1.pk]): {},
        reverse("courses:section_student", args=[section]): {"student_number": "2025000002"},
        reverse("courses:section_student_remove", args=[section, world.in_scope.pk]): {},
    }


def state():
    return (list(Enrolment.objects.values_list("section_id", "student_id").order_by("pk")),
            list(SectionTeacher.objects.values_list("teacher_id", "class_periods").order_by("pk")),
            list(SectionClass.objects.values_list("class_group_id", flat=True).order_by("pk")),
            Course.objects.count(), Section.objects.count())  # fmt: skip


@pytest.mark.parametrize("who", CAST)
def test_matrix(world, records, client_for, who):
    client = client_for(world.cast[who])
    expected = {url: 200 if who in STAFF else 404 for url in read_urls(world, records)}
    expected |= {url: 200 if who in EDITORS else 404 for url in edit_urls(world, records)}
    expected[reverse("courses:coverage")] = 200 if who in COVERAGE_READERS else 404
    a_readers = set(COVERAGE_READERS) - {"outsider"}  # college B's mental-health advisor sees college B only
    expected[reverse("courses:coverage_college", args=[world.college_a.pk])] = 200 if who in a_readers else 404
    exporters = set(STAFF) - {"leading_group_member"}  # staff with a grant over students (T2 and up)
    expected[reverse("courses:section_export", args=[records["section"].pk])] = 200 if who in exporters else 404
    got = {url: client.get(url).status_code for url in expected}
    assert got == expected
    before = state()
    for url, data in post_urls(world, records).items():
        status = client.post(url, data).status_code
        if who not in EDITORS:
            assert status == 404, url
    if who not in EDITORS:
        assert state() == before


SHOWN = {
    "head_teacher": {"张三", "赵寝", "钱委"},
    "advisor": {"张三", "赵寝", "钱委"},
    "mental_health_advisor": {"张三", "赵寝", "钱委"},
    "college_leader": {"张三", "赵寝", "钱委"},
    "outsider": {"王五"},
    "counsellor": NAMES,
    "supervisor": NAMES,
    "student_affairs": NAMES,
    "leading_group_member": set(),
}


@pytest.mark.parametrize("who", STAFF)
def test_the_section_lists_only_the_students_the_viewer_sees(world, records, client_for, who):
    client = client_for(world.cast[who])
    body = client.get(reverse("courses:section", args=[records["section"].pk])).content.decode()
    assert {name for name in NAMES if name in body} == SHOWN[who]
    assert "孙班主任" not in body or who == "head_teacher"  # no teacher but the section's own is named
    assert "冯咨询师" in body  # the section's teacher: not student data
    hidden = len(NAMES) - len(SHOWN[who])
    assert ('data-testid="hidden-students"' in body) == bool(hidden)
    for url in read_urls(world, records)[:2]:
        page = client.get(url).content.decode()
        assert not {name for name in NAMES if name in page}  # the catalogue and course pages name no student


def test_students_who_left_are_shown_as_such(world, records, client_for):
    Student.objects.filter(pk=world.other_college.pk).update(status=Student.Status.WITHDRAWN)
    body = client_for(world.cast["counsellor"]).get(reverse("courses:section", args=[records["section"].pk]))
    assert body.content.decode().count('data-testid="left"') == 1
    assert "已离校（退学）" in body.content.decode()


@pytest.mark.parametrize(("who", "expected"), [("head_teacher", ["2025000001", "2025000004", "2025000005"]),
                                               ("outsider", ["2025000003"])])  # fmt: skip
def test_export_holds_the_viewers_students_in_chinese_and_is_logged(world, records, client_for, who, expected):
    response = client_for(world.cast[who]).get(reverse("courses:section_export", args=[records["section"].pk]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("序号", "学号", "姓名", "性别", "学院", "班级", "学籍状态")
    assert [row[1] for row in rows[1:]] == expected
    entry = AuditEntry.objects.get(what="courses.section_roster")
    assert entry.action == AuditEntry.Action.EXPORT and entry.detail["count"] == len(expected)
    assert entry.actor == world.cast[who]


def test_export_needs_a_fresh_step_up(world, records, client_for, settings):
    settings.XINYU_ENFORCE_TWO_FACTOR = True
    response = client_for(world.cast["counsellor"]).get(reverse("courses:section_export", args=[records["section"].pk]))
    assert response.status_code == 302 and reverse("accounts:step_up") in response["Location"]
    assert not AuditEntry.objects.filter(what="courses.section_roster").exists()


def test_create_a_course_and_a_section_with_clear_errors(world, records, client_for):
    client = client_for(world.cast["student_affairs"])
    bad = client.post(reverse("courses:course_new"), {"name": "重复", "code": "XL1001", "class_periods": 0,
                                                       "credits": "2"})  # fmt: skip
    assert bad.status_code == 400
    errors = bad.content.decode()
    assert "已有课程使用代码 XL1001" in errors and "课时应在 1 到 200 之间" in errors
    good = {"name": "团体心理辅导", "code": "XL3001", "class_periods": 16, "credits": "1.0", "active": "on"}
    response = client.post(reverse("courses:course_new"), good)
    course = Course.objects.get(code="XL3001")
    assert response.status_code == 302 and course.school == world.school and not course.required_for_freshmen
    for term in ("2019-2020-1", "2026-2028-1"):  # long past; no term at all
        response = client.post(reverse("courses:section_new", args=[course.pk]), {"term": term, "name": "1 班"})
        assert response.status_code == 400 and f"{term} 不在可用的选项中" in response.content.decode()
    from xinyu.policy.terms import term_of  # noqa: PLC0415

    today = term_of().code
    response = client.post(reverse("courses:section_new", args=[course.pk]), {"term": today, "name": "1 班",
                                                                               "room": "A101"})  # fmt: skip
    section = Section.objects.get(course=course)
    assert response.status_code == 302 and (section.term, section.room, section.created_by) == (
        today, "A101", world.cast["student_affairs"])  # fmt: skip
    again = client.post(reverse("courses:section_new", args=[course.pk]), {"term": today, "name": "1 班"})
    assert again.status_code == 400 and "该课程在这一学期已有名为 1 班 的教学班" in again.content.decode()
    assert AuditEntry.objects.filter(what__in=["courses.course", "courses.section"]).count() == 2


def test_section_writes_through_the_page(world, records, client_for):
    client = client_for(world.cast["counsellor"])
    section = records["section"]
    page = reverse("courses:section", args=[section.pk])
    assert client.post(reverse("courses:section_teacher", args=[section.pk]),
                       {"username": "T10002", "class_periods": 8}).status_code == 302  # fmt: skip
    bad = client.post(reverse("courses:section_teacher", args=[section.pk]), {"username": "2025000001",
                                                                              "class_periods": 8})  # fmt: skip
    assert bad.status_code == 400 and "没有工号为 2025000001 且在本校任职的教职工" in bad.content.decode()
    assert client.post(reverse("courses:section_classes", args=[section.pk]),
                       {"class_groups": [world.a2.pk]}).status_code == 302  # fmt: skip
    assert "李四" in client.get(page).content.decode()
    empty = client.post(reverse("courses:section_classes", args=[section.pk]), {})
    assert empty.status_code == 400 and "请至少选择一个班级" in empty.content.decode()
    bogus = client.post(reverse("courses:section_classes", args=[section.pk]), {"class_groups": ["abc", world.a1.pk]})
    assert bogus.status_code == 400 and "abc" in bogus.content.decode()  # not a class: refused, nothing added
    unknown = client.post(reverse("courses:section_student", args=[section.pk]), {"student_number": "99"})
    assert unknown.status_code == 400 and "您的范围内没有学号为 99 的学生" in unknown.content.decode()
    twice = client.post(reverse("courses:section_student", args=[section.pk]), {"student_number": "2025000001"})
    assert twice.status_code == 400 and "已在本教学班" in twice.content.decode()
    assert (
        client.post(reverse("courses:section_student_remove", args=[section.pk, world.in_scope.pk])).status_code == 302
    )
    assert client.post(reverse("courses:section_teacher_remove", args=[section.pk, world.cast["advisor"].pk])
                       ).status_code == 302  # fmt: skip
    assert client.post(reverse("courses:section_class_remove", args=[section.pk, world.a2.pk])).status_code == 302
    names = set(Enrolment.objects.filter(section=section).values_list("student__name", flat=True))
    assert names == {"赵寝", "钱委", "王五"}
    assert list(SectionTeacher.objects.filter(section=section).values_list("teacher__username", flat=True)) == [
        "T10005"]  # fmt: skip


def test_an_editor_adds_only_students_and_classes_in_their_scope(world, records, client_for):
    """The centre sees the whole school; a college-scoped editor (not in the cast) would not: the lookups go
    through the scope module. Here: a removal of a student the page would not show is a 404."""
    client = client_for(world.cast["counsellor"])
    missing = client.post(reverse("courses:section_student_remove", args=[records["other"].pk, world.in_scope.pk]))
    assert missing.status_code == 404


def test_coverage_pages(world, records, client_for):
    client = client_for(world.cast["mental_health_advisor"])
    body = client.get(reverse("courses:coverage") + f"?year={YEAR}").content.decode()
    assert "信息工程学院" in body and "机电工程学院" not in body  # their own college only
    assert "4 名新生中已有 3 名修读" in body
    drill = client.get(reverse("courses:coverage_college", args=[world.college_a.pk]) + f"?year={YEAR}&term=1")
    text = drill.content.decode()
    assert text.index("网络2501班") < text.index("软件2501班")  # the class not covered first
    assert not {name for name in NAMES if name in text}
    school = client_for(world.cast["leading_group_member"]).get(reverse("courses:coverage") + f"?year={YEAR}")
    assert "机电工程学院" in school.content.decode() and "5 名新生中已有 4 名修读" in school.content.decode()


def test_the_index_takes_a_fixed_number_of_queries(world, records, client_for):
    client = client_for(world.cast["counsellor"])
    url = reverse("courses:index") + f"?term={TERM}"
    one, _response = queries_for_page(client, url)
    for index in range(2):
        section = Section.objects.create(course=records["course"], term=TERM, name=f"加 {index}")
        SectionTeacher.objects.create(section=section, teacher=world.cast["counsellor"], class_periods=32)
    three, response = queries_for_page(client, url)
    assert one == three
    assert response.content.decode().count('data-testid="section-row"') == 3 + 4  # mine; the term's


@pytest.mark.parametrize("who", CAST)
def test_the_menu_links_the_courses_for_staff(world, client_for, who):
    body = client_for(world.cast[who]).get(reverse("core:home")).content.decode()
    assert ('data-testid="nav-courses"' in body) == (who in STAFF)
