"""The pages: who may reach each (in scope and out of scope), what they show, and the writes they make."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document

from tests.compliance.conftest import EDITORS, OUTSIDERS, READERS, YEAR, budget, good_rows, ledger_file, spend
from tests.conftest import SINCE
from tests.factories import CollegeFactory, DepartmentFactory, SchoolFactory, UserFactory
from xinyu.audit.models import AuditEntry
from xinyu.compliance.models import Budget, Category, LedgerLine, Qualification, Station, StationDocument
from xinyu.counselling.models import Room
from xinyu.org.models import Department, Post
from xinyu.org.services import appoint

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


@pytest.fixture
def records(world):
    """A room, a station with both documents, a qualification and a year's ledger: things that could leak."""
    room = Room.objects.create(school=world.school, name="心理测评室", kind=Room.Kind.ASSESSMENT)
    station = Station.objects.create(college=world.college_a, location="A 楼 101")
    for kind in ("rules", "plan"):
        StationDocument.objects.create(station=station, kind=kind, file_name=f"{kind}.pdf",
                                       content_type="application/pdf", size=len(PDF), content=PDF)  # fmt: skip
    Qualification.objects.create(person=world.cast["counsellor"], degree="master", certificate="国家二级心理咨询师",
                                 certificate_number="ZX-001", certificate_expires_on=dt.date(2030, 1, 1))  # fmt: skip
    spend(world.school, YEAR, Category.ACTIVITIES, "1000.00", "V-1")
    return {"room": room, "station": station}


def read_urls(world, records):
    return [
        reverse("compliance:board"),
        reverse("compliance:board_xlsx") + f"?year={YEAR}",
        reverse("compliance:board_docx") + f"?year={YEAR}",
        reverse("compliance:ledger"),
        reverse("compliance:qualifications"),
        reverse("compliance:facilities"),
        reverse("compliance:station_document", args=[world.college_a.pk, "rules"]),
    ]


def edit_urls(world, records):
    return [
        reverse("compliance:budget") + f"?year={YEAR}",
        reverse("compliance:qualification_edit", args=[world.cast["counsellor"].pk]),
        reverse("compliance:room_new"),
        reverse("compliance:room_edit", args=[records["room"].pk]),
        reverse("compliance:station_edit", args=[world.college_a.pk]),
    ]


def test_readers_read_and_everyone_else_gets_404(world, client_for, records):
    for name in READERS:
        client = client_for(world.cast[name])
        for url in read_urls(world, records):
            assert client.get(url).status_code == 200, (name, url)
    for name in OUTSIDERS:
        client = client_for(world.cast[name])
        for url in read_urls(world, records) + edit_urls(world, records):
            assert client.get(url).status_code == 404, (name, url)
        upload = client.post(reverse("compliance:ledger_import"), {"year": YEAR, "file": ledger_file(good_rows())})
        assert upload.status_code == 404
    assert LedgerLine.objects.count() == 1


def test_editors_edit_the_leading_group_cannot(world, client_for, records):
    for name in EDITORS:
        client = client_for(world.cast[name])
        for url in edit_urls(world, records):
            assert client.get(url).status_code == 200, (name, url)
    leader = client_for(world.cast["leading_group_member"])
    for url in edit_urls(world, records):
        assert leader.get(url).status_code == 404, url
    assert (
        leader.post(reverse("compliance:ledger_import"), {"year": YEAR, "file": ledger_file(good_rows())}).status_code
        == 404
    )
    edit_link = f'href="{reverse("compliance:station_edit", args=[world.college_a.pk])}"'
    assert edit_link not in leader.get(reverse("compliance:facilities")).content.decode()
    supervisor = client_for(world.cast["supervisor"])
    assert edit_link in supervisor.get(reverse("compliance:facilities")).content.decode()


def test_signed_out_people_are_sent_to_sign_in(world, client, records):
    response = client.get(reverse("compliance:board"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_another_schools_student_affairs_sees_only_its_own_school(world, client_for, records):
    school = SchoolFactory(name="另一学院", code="OTHER")
    CollegeFactory(school=school, name="另一个二级学院", code="Z")
    department = DepartmentFactory(school=school, name="学工部", kind=Department.Kind.STUDENT_AFFAIRS)
    stranger = UserFactory(username="T19999", full_name="外校学工")
    appoint(stranger, Post.STUDENT_AFFAIRS_STAFF, department, starts_on=SINCE)
    client = client_for(stranger)
    board = client.get(reverse("compliance:board"))
    assert board.status_code == 200 and board.context["school"] == school
    assert world.college_a.name not in client.get(reverse("compliance:facilities")).content.decode()
    assert client.get(reverse("compliance:station_document", args=[world.college_a.pk, "rules"])).status_code == 404
    assert client.get(reverse("compliance:station_edit", args=[world.college_a.pk])).status_code == 404
    assert client.get(reverse("compliance:room_edit", args=[records["room"].pk])).status_code == 404
    assert client.get(reverse("compliance:qualification_edit", args=[world.cast["counsellor"].pk])).status_code == 404


def test_the_board_page_in_chinese_with_counts_only(world, client_for, records):
    budget(world.school, YEAR, 100)
    budget(world.school, YEAR - 1, 10)
    response = client_for(world.cast["leading_group_member"]).get(reverse("compliance:board") + f"?year={YEAR}")
    page = response.content.decode()
    rows = {row.code: row for row in response.context["rows"]}
    assert (rows["funding_per_student"].actual, rows["funding_per_student"].ok) == (Decimal("10.00"), False)
    assert "还差 1000.00 元" in page and "生均专项经费（元）" in page and "达标" in page
    assert "心理测评室" in page and "第13条" in page
    assert [facts.year for facts, _rows in response.context["history"]] == [YEAR - 1]
    for student in world.students.values():
        assert student.name not in page and student.student_number not in page
    assert "Short by" not in page and "Compliance board" not in page
    entry = AuditEntry.objects.get(what="compliance.board", actor=world.cast["leading_group_member"])
    assert (entry.action, entry.detail) == ("view", {"year": YEAR})
    assert 'data-testid="nav-compliance"' in page


def test_the_navbar_link_only_for_readers(world, client_for):
    home = reverse("core:home")
    assert 'data-testid="nav-compliance"' in client_for(world.cast["student_affairs"]).get(home).content.decode()
    assert 'data-testid="nav-compliance"' not in client_for(world.cast["counsellor"]).get(home).content.decode()


def test_importing_the_ledger_through_the_page(world, client_for, records):
    client = client_for(world.cast["student_affairs"])
    url = reverse("compliance:ledger_import")
    bad = [*good_rows(), (dt.date(YEAR, 7, 1), "买咖啡", "未知类别", 10, "2026-006")]
    refused = client.post(url, {"year": YEAR, "file": ledger_file(bad)})
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "未导入任何数据" in page and "工作表“专项经费”第 7 行“类别”列" in page and "类别不正确" in page
    assert list(LedgerLine.objects.values_list("document_number", flat=True)) == ["V-1"]
    wrong_kind = client.post(url, {"year": YEAR, "file": SimpleUploadedFile("台账.pdf", PDF)})
    assert wrong_kind.status_code == 400 and "只能导入 .xlsx 或 .csv 文件" in wrong_kind.content.decode()
    done = client.post(url, {"year": YEAR, "file": ledger_file(good_rows())}, follow=True)
    assert "已导入，共 4 条（新增 4 条，修改 0 条，删除 1 条，未变 0 条）" in done.content.decode()
    assert LedgerLine.objects.filter(school=world.school).count() == 4
    ledger_page = client.get(reverse("compliance:ledger") + f"?year={YEAR}")
    assert ledger_page.status_code == 200 and "办公桌椅" in ledger_page.content.decode()
    assert str(ledger_page.context["facts"].counted_spending) == "5000.50"


def test_budget_and_headcount(world, client_for):
    client = client_for(world.cast["supervisor"])
    url = reverse("compliance:budget") + f"?year={YEAR}"
    response = client.post(url, {"year": YEAR, "amount": "50000", "headcount_on": f"{YEAR}-09-30", "headcount": ""})
    assert response.status_code == 302
    saved = Budget.objects.get(school=world.school, year=YEAR)
    assert (saved.amount, saved.headcount, saved.headcount_on) == (Decimal("50000.00"), 5, dt.date(YEAR, 9, 30))
    client.post(url, {"year": YEAR, "amount": "50000", "headcount_on": f"{YEAR}-09-30", "headcount": "12000"})
    saved.refresh_from_db()
    assert saved.headcount == 12000
    assert AuditEntry.objects.filter(what="compliance.budget").count() == 2


def test_editing_a_qualification(world, client_for):
    client = client_for(world.cast["student_affairs"])
    url = reverse("compliance:qualification_edit", args=[world.cast["counsellor"].pk])
    data = {"degree": "master", "major": "应用心理学", "certificate": "国家二级心理咨询师", "certificate_number": "Z1",
            "certificate_expires_on": "2031-06-30", "employment": "full_time"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    saved = Qualification.objects.get(person=world.cast["counsellor"])
    assert (saved.certificate_number, saved.certificate_expires_on) == ("Z1", dt.date(2031, 6, 30))
    listing = client.get(reverse("compliance:qualifications")).content.decode()
    assert "资质有效" in listing and "未录入" in listing  # the supervisor has none
    # Only the centre's teachers have a qualification here.
    other = reverse("compliance:qualification_edit", args=[world.cast["head_teacher"].pk])
    assert client.get(other).status_code == 404


def test_a_station_with_its_documents(world, client_for):
    client = client_for(world.cast["supervisor"])
    url = reverse("compliance:station_edit", args=[world.college_b.pk])
    refused = client.post(url, {"location": "B 楼 2 楼", "rules": SimpleUploadedFile("制度.pdf", b"MZ not a pdf")})
    assert refused.status_code == 200 and "只接受 PDF 和 Word（.docx）文件" in refused.content.decode()
    assert not Station.objects.filter(college=world.college_b).exists()
    saved = client.post(url, {"location": "B 楼 2 楼", "rules": SimpleUploadedFile("制度.pdf", PDF),
                              "plan": SimpleUploadedFile("方案.docx", docx_bytes())})  # fmt: skip
    assert saved.status_code == 302
    station = Station.objects.get(college=world.college_b)
    assert sorted(station.documents.values_list("kind", "content_type")) == [
        ("plan", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("rules", "application/pdf"),
    ]
    reader = client_for(world.cast["leading_group_member"])
    served = reader.get(reverse("compliance:station_document", args=[world.college_b.pk, "rules"]))
    assert served.content == PDF and served["Content-Type"] == "application/pdf"
    assert "attachment" in served["Content-Disposition"] and served["X-Content-Type-Options"] == "nosniff"
    assert AuditEntry.objects.filter(what="compliance.station_document").count() == 1
    missing = reader.get(reverse("compliance:station_document", args=[world.college_b.pk, "other"]))
    assert missing.status_code == 404


def test_adding_a_room_of_article_14(world, client_for):
    client = client_for(world.cast["student_affairs"])
    response = client.post(reverse("compliance:room_new"), {"name": "综合素质训练室", "kind": "training",
                                                             "location": "活动中心 401", "active": "on"})  # fmt: skip
    assert response.status_code == 302
    room = Room.objects.get(name="综合素质训练室")
    assert (room.school, room.kind) == (world.school, Room.Kind.TRAINING)
    client.post(reverse("compliance:room_edit", args=[room.pk]), {"name": "综合素质训练室", "kind": "training",
                                                                    "location": "活动中心 402"})  # fmt: skip
    room.refresh_from_db()
    assert (room.location, room.active) == ("活动中心 402", False)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_list_pages_do_not_query_per_row(world, client_for, records):
    client = client_for(world.cast["supervisor"])
    ledger, facilities = reverse("compliance:ledger") + f"?year={YEAR}", reverse("compliance:facilities")
    qualifications = reverse("compliance:qualifications")
    client.get(ledger)  # the first request of a session does its own once-only work
    one = [_queries(client, url) for url in (ledger, facilities, qualifications)]
    for number in ("V-2", "V-3"):
        spend(world.school, YEAR, Category.TEACHING_PAY, "10.00", number)
    for name in ("团体活动室", "专职教师办公室"):
        Room.objects.create(school=world.school, name=name, kind=Room.Kind.GROUP)
    station = Station.objects.create(college=world.college_b, location="B 楼")
    StationDocument.objects.create(station=station, kind="plan", file_name="p.pdf", content_type="application/pdf",
                                   size=len(PDF), content=PDF)  # fmt: skip
    for username in ("T10050", "T10051"):
        appoint(UserFactory(username=username), Post.CENTRE_COUNSELLOR, world.school, starts_on=SINCE)
    assert [_queries(client, url) for url in (ledger, facilities, qualifications)] == one
