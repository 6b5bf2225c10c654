"""The pages: who may reach each (in scope and out of scope), what they show, and the writes they make."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.training.conftest import COLLEGE_KEEPERS, NOT_KEEPERS, SCHOOL_KEEPERS, STUDENTS, YEAR, attend, event
from xinyu.audit.models import AuditEntry
from xinyu.compliance.models import Qualification
from xinyu.notify.models import Notification
from xinyu.training.models import Attendance, Certificate, TrainingEvent

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def records(world):
    """A school event with the counsellor and the head teacher, a college B event, a certificate, a pending
    report by the advisor: things that could leak."""
    cast = world.cast
    school_event = event(world, trainer=cast["supervisor"])
    counsellor = attend(school_event, cast["counsellor"], certificate_number="C-1")
    Certificate.objects.create(attendance=counsellor, file_name="证书.pdf", content_type="application/pdf",
                               size=len(PDF), content=PDF)  # fmt: skip
    head_teacher = attend(school_event, cast["head_teacher"])
    college_b = event(world, college=world.college_b, topic="机电学院班主任培训")
    outsider = attend(college_b, cast["outsider"])
    college_a = event(world, college=world.college_a, topic="信息学院班主任培训")
    reported = event(world, topic="外出研修", reported=True, provider="external")
    pending = attend(reported, cast["advisor"], status=Attendance.Status.PENDING)
    return {"school_event": school_event, "counsellor": counsellor, "head_teacher": head_teacher,
            "college_b": college_b, "outsider": outsider, "college_a": college_a, "pending": pending}  # fmt: skip


def test_every_staff_member_sees_their_own_page_and_students_get_404(world, client_for, records):
    for name in SCHOOL_KEEPERS + COLLEGE_KEEPERS + NOT_KEEPERS + ["outsider"]:
        client = client_for(world.cast[name])
        assert client.get(reverse("training:mine")).status_code == 200, name
        assert client.get(reverse("training:report")).status_code == 200, name
    for name in STUDENTS:
        client = client_for(world.cast[name])
        for url in (
            reverse("training:mine"),
            reverse("training:report"),
            reverse("training:overview"),
            reverse("training:events"),
            reverse("training:certificate", args=[records["counsellor"].pk]),
        ):
            assert client.get(url).status_code == 404, (name, url)  # fmt: skip


def test_my_page_shows_my_hours_against_my_minimum_and_my_qualification(world, client_for, records):
    cast = world.cast
    Qualification.objects.create(person=cast["counsellor"], degree="master", certificate="国家二级心理咨询师",
                                 certificate_expires_on=dt.date.today() + dt.timedelta(days=30))  # fmt: skip
    response = client_for(cast["counsellor"]).get(reverse("training:mine") + f"?year={YEAR}")
    page = response.content.decode()
    assert "个案研讨" in page and "4.0" in page and "40" in page
    assert 'data-testid="short"' in page and 'data-testid="expiring"' in page and "国家二级心理咨询师" in page
    assert reverse("training:certificate", args=[records["counsellor"].pk]) in page
    assert "信息学院班主任培训" not in page and "外出研修" not in page  # other people's training
    assert "日历年" in page  # says the year is the calendar year


def test_the_overview_lists_who_is_short_within_the_viewers_scope(world, client_for, records):
    cast = world.cast
    attend(event(world, hours="20", topic="长课"), cast["advisor"])
    url = reverse("training:overview") + f"?year={YEAR}"
    short_of = {}
    for name in [*SCHOOL_KEEPERS, "college_leader"]:
        page = client_for(cast[name]).get(url).content.decode()
        short_of[name] = {u for u in ("T10001", "T10002", "T10003", "T10005", "T10007", "T10008") if
                          f'data-testid="short-person" data-user="{u}"' in page}  # fmt: skip
    everyone_short = {"T10001", "T10003", "T10005", "T10007", "T10008"}  # the advisor has 20 of 16 hours
    assert short_of["student_affairs"] == short_of["supervisor"] == short_of["counsellor"] == everyone_short
    assert short_of["college_leader"] == {"T10001", "T10003"}  # college A's staff only
    for name in ["head_teacher", "advisor", "outsider", "leading_group_member", *STUDENTS]:
        assert client_for(cast[name]).get(url).status_code == 404, name


def test_someones_record_in_and_out_of_scope(world, client_for, records):
    cast = world.cast
    head_teacher = reverse("training:person", args=[cast["head_teacher"].pk])
    outsider = reverse("training:person", args=[cast["outsider"].pk])
    for name in SCHOOL_KEEPERS:
        client = client_for(cast[name])
        assert client.get(head_teacher).status_code == 200 and client.get(outsider).status_code == 200
    leader = client_for(cast["college_leader"])
    assert leader.get(head_teacher).status_code == 200
    assert leader.get(outsider).status_code == 404  # college B's staff
    assert leader.get(reverse("training:person", args=[cast["student"].pk])).status_code == 404
    for name in ["head_teacher", "advisor", "outsider", *STUDENTS]:
        assert client_for(cast[name]).get(head_teacher).status_code == 404, name


def main_of(response) -> str:
    """The page's own content, without the menus (which name pages such as 个案研讨)."""
    return response.content.decode().split("<main", 1)[1]


def test_events_are_kept_by_the_school_and_by_each_college_for_its_own(world, client_for, records):
    cast = world.cast
    ids = [records[key].pk for key in ("school_event", "college_a", "college_b")]
    for name in SCHOOL_KEEPERS:
        client = client_for(cast[name])
        page = main_of(client.get(reverse("training:events") + f"?year={YEAR}"))
        assert "机电学院班主任培训" in page and "信息学院班主任培训" in page and "个案研讨" in page
        for pk in ids:
            assert client.get(reverse("training:event", args=[pk])).status_code == 200
            assert client.get(reverse("training:event_edit", args=[pk])).status_code == 200
        assert client.get(reverse("training:event_new")).status_code == 200
    for name in COLLEGE_KEEPERS:
        client = client_for(cast[name])
        page = main_of(client.get(reverse("training:events") + f"?year={YEAR}"))
        assert "信息学院班主任培训" in page and "机电学院班主任培训" not in page and "个案研讨" not in page
        assert client.get(reverse("training:event", args=[records["college_a"].pk])).status_code == 200
        assert client.get(reverse("training:event", args=[records["college_b"].pk])).status_code == 404
        assert client.get(reverse("training:event", args=[records["school_event"].pk])).status_code == 404
        assert client.get(reverse("training:event_edit", args=[records["college_b"].pk])).status_code == 404
    outsider = client_for(cast["outsider"])
    page = main_of(outsider.get(reverse("training:events") + f"?year={YEAR}"))
    assert "机电学院班主任培训" in page and "信息学院班主任培训" not in page and "个案研讨" not in page
    assert outsider.get(reverse("training:event", args=[records["college_b"].pk])).status_code == 200
    for url in (
        reverse("training:event", args=[records["college_a"].pk]),
        reverse("training:event_edit", args=[records["school_event"].pk]),
        reverse("training:attendance_certificate", args=[records["head_teacher"].pk]),
    ):
        assert outsider.get(url).status_code == 404, url  # fmt: skip
    for name in NOT_KEEPERS + STUDENTS:
        client = client_for(cast[name])
        for url in (
            reverse("training:events"),
            reverse("training:event_new"),
            reverse("training:event", args=[records["college_a"].pk]),
            reverse("training:event_edit", args=[records["college_a"].pk]),
            reverse("training:attendance_certificate", args=[records["head_teacher"].pk]),
        ):
            assert client.get(url).status_code == 404, (name, url)  # fmt: skip
        add = client.post(reverse("training:attendance_add", args=[records["college_a"].pk]), {"numbers": "T10001"})
        assert add.status_code == 404
        remove = client.post(reverse("training:attendance_remove", args=[records["head_teacher"].pk]))
        assert remove.status_code == 404
    assert Attendance.objects.filter(event=records["college_a"]).count() == 0
    assert Attendance.objects.filter(pk=records["head_teacher"].pk).exists()


def test_a_college_records_its_own_training(world, client_for):
    client = client_for(world.cast["mental_health_advisor"])
    data = {"topic": "班主任心理健康工作培训", "provider": "internal", "kind": "briefing", "starts_on": f"{YEAR}-03-20",
            "ends_on": f"{YEAR}-03-20", "hours": "4", "trainer_name": "徐老师", "organiser": "信息工程学院学工办",
            "college": world.college_b.pk}  # fmt: skip
    refused = client.post(reverse("training:event_new"), data)
    assert refused.status_code == 200 and TrainingEvent.objects.count() == 0  # college B is not theirs
    response = client.post(reverse("training:event_new"), {**data, "college": world.college_a.pk})
    saved = TrainingEvent.objects.get()
    assert response.status_code == 302 and saved.college == world.college_a and saved.school == world.school
    assert saved.recorded_by == world.cast["mental_health_advisor"]
    assert AuditEntry.objects.filter(what="training.event", action=AuditEntry.Action.CREATE).count() == 1


def test_the_event_form_says_what_is_wrong(world, client_for):
    client = client_for(world.cast["student_affairs"])
    data = {"topic": "研修", "provider": "external", "kind": "conference", "starts_on": f"{YEAR}-03-20",
            "ends_on": f"{YEAR}-03-19", "hours": "0", "organiser": "省教育厅"}  # fmt: skip
    page = client.post(reverse("training:event_new"), data).content.decode()
    assert "最后一天早于第一天" in page and "学时应大于 0" in page and "培训人" in page
    assert TrainingEvent.objects.count() == 0


def test_attendance_for_many_at_once_by_list_and_pasted_numbers(world, client_for, records):
    cast = world.cast
    client = client_for(cast["student_affairs"])
    college_a = records["college_a"]
    page = client.get(reverse("training:event", args=[college_a.pk]) + "?post=head_teacher").content.decode()
    assert "孙班主任" in page and "周辅导员" not in page  # filtered by post
    wrong = client.post(reverse("training:attendance_add", args=[college_a.pk]),
                        {"numbers": "T10001, T10002\nX99999 2025000001"})  # fmt: skip
    assert wrong.status_code == 400 and "X99999、2025000001" in wrong.content.decode()
    assert Attendance.objects.filter(event=college_a).count() == 0  # all or nothing
    done = client.post(reverse("training:attendance_add", args=[college_a.pk]),
                       {"people": [cast["head_teacher"].pk], "numbers": "T10002，T10001", "hours": "3"})  # fmt: skip
    assert done.status_code == 302
    assert {(a.person.username, a.hours) for a in Attendance.objects.filter(event=college_a)} == {
        ("T10001", Decimal("3")), ("T10002", Decimal("3"))}  # fmt: skip
    again = client.post(reverse("training:attendance_add", args=[college_a.pk]), {"numbers": "T10001"})
    assert again.status_code == 302 and Attendance.objects.filter(event=college_a).count() == 2
    # a college's keeper may record only their college's staff
    keeper = client_for(cast["mental_health_advisor"])
    refused = keeper.post(reverse("training:attendance_add", args=[college_a.pk]), {"numbers": "T10007"})
    assert refused.status_code == 400 and not Attendance.objects.filter(person=cast["outsider"], event=college_a)
    removed = client.post(reverse("training:attendance_remove", args=[records["head_teacher"].pk]))
    assert removed.status_code == 302 and not Attendance.objects.filter(pk=records["head_teacher"].pk).exists()


def test_certificates_are_checked_and_served_only_to_the_person_student_affairs_and_the_centre(
    world, client_for, records
):
    cast = world.cast
    keeper = client_for(cast["student_affairs"])
    url = reverse("training:attendance_certificate", args=[records["head_teacher"].pk])
    bad = keeper.post(url, {"certificate_number": "Z-1", "file": SimpleUploadedFile("证书.pdf", b"MZ not a pdf")})
    assert bad.status_code == 200 and "只接受 PDF、JPEG 和 PNG" in bad.content.decode()
    big = SimpleUploadedFile("证书.png", PNG + b"\x00" * (5 * 1024 * 1024))
    assert "证书文件超过 5 MB" in keeper.post(url, {"file": big}).content.decode()
    good = keeper.post(url, {"certificate_number": "Z-1", "file": SimpleUploadedFile("证书.png", PNG)})
    assert good.status_code == 302
    attendance = Attendance.objects.get(pk=records["head_teacher"].pk)
    assert attendance.certificate_number == "Z-1" and attendance.certificate_file.content_type == "image/png"
    download = reverse("training:certificate", args=[attendance.pk])
    for name in ["head_teacher", *SCHOOL_KEEPERS]:
        response = client_for(cast[name]).get(download)
        assert response.status_code == 200 and bytes(response.content) == PNG, name
    for name in ["advisor", "college_leader", "mental_health_advisor", "outsider", "leading_group_member"]:
        assert client_for(cast[name]).get(download).status_code == 404, name
    no_file = reverse("training:certificate", args=[records["outsider"].pk])
    assert client_for(cast["student_affairs"]).get(no_file).status_code == 404


def test_reporting_an_external_training_and_student_affairs_confirming_it(world, client_for):
    cast = world.cast
    client = client_for(cast["head_teacher"])
    data = {"topic": "团体心理辅导工作坊", "kind": "workshop", "organiser": "浙江省高校心理健康教育研究会",
            "starts_on": f"{YEAR}-04-10", "ends_on": f"{YEAR}-04-11", "hours": "12", "certificate_number": "ZJ-7",
            "file": SimpleUploadedFile("证书.pdf", PDF)}  # fmt: skip
    assert client.post(reverse("training:report"), data).status_code == 302
    attendance = Attendance.objects.get(person=cast["head_teacher"])
    assert attendance.status == Attendance.Status.PENDING and attendance.event.reported
    assert attendance.certificate_file.size == len(PDF)
    assert Notification.objects.filter(recipient=cast["student_affairs"], dedupe_key__startswith="training.report")
    pending = reverse("training:pending")
    for name in ["supervisor", "counsellor", "college_leader", "head_teacher", *STUDENTS]:
        assert client_for(cast[name]).get(pending).status_code == 404, name
        assert client_for(cast[name]).post(reverse("training:decide", args=[attendance.pk]),
                                           {"decision": "confirm"}).status_code == 404  # fmt: skip
    confirmer = client_for(cast["student_affairs"])
    assert "团体心理辅导工作坊" in confirmer.get(pending).content.decode()
    no_reason = confirmer.post(reverse("training:decide", args=[attendance.pk]), {"decision": "decline"})
    assert no_reason.status_code == 302
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.PENDING
    confirmer.post(reverse("training:decide", args=[attendance.pk]), {"decision": "confirm"})
    attendance.refresh_from_db()
    assert attendance.status == Attendance.Status.CONFIRMED and attendance.decided_by == cast["student_affairs"]
    assert Notification.objects.filter(recipient=cast["head_teacher"], dedupe_key__startswith="training.report")
    again = confirmer.post(reverse("training:decide", args=[attendance.pk]), {"decision": "decline", "reason": "x"})
    assert again.status_code == 404  # no longer waiting


def test_a_report_in_the_future_is_refused(world, client_for):
    data = {"topic": "将来的研修", "kind": "workshop", "organiser": "某机构", "starts_on": "2099-01-01",
            "ends_on": "2099-01-01", "hours": "4"}  # fmt: skip
    page = client_for(world.cast["advisor"]).post(reverse("training:report"), data).content.decode()
    assert "培训结束后再申报" in page and not TrainingEvent.objects.exists()


@pytest.mark.parametrize("url_name", ["training:events", "training:pending", "training:overview", "training:mine"])
def test_list_pages_keep_a_fixed_number_of_queries(world, client_for, url_name):
    from tests.helpers import queries_for_page  # noqa: PLC0415 - only here

    cast = world.cast
    client = client_for(cast["student_affairs"])
    url = reverse(url_name) + f"?year={YEAR}"

    def add(n):
        for i in range(n):
            made = event(world, topic=f"培训{i}", trainer=cast["supervisor"], reported=True)
            attend(made, cast["head_teacher"], status=Attendance.Status.PENDING)
            attend(made, cast["student_affairs"])

    add(1)
    one, _response = queries_for_page(client, url)
    add(2)
    three, _response = queries_for_page(client, url)
    assert one == three
