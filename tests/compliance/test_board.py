"""The board's arithmetic (第十三–十五条): the fund per student, the number of full-time teachers, their
certificates, the rooms and the colleges' stations; earlier years; hours credited."""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from tests.compliance.conftest import budget, spend
from tests.conftest import SINCE
from tests.factories import UserFactory
from xinyu.compliance import board as bd
from xinyu.compliance.models import Category, Qualification, Station, StationDocument
from xinyu.counselling.models import Room
from xinyu.counselling.services import record_session
from xinyu.org.models import Post
from xinyu.org.services import appoint


def rows(school, year):
    return {row.code: row for row in bd.board(school, year)}


def qualify(user, *, expires_on, degree=Qualification.Degree.MASTER, certificate="国家二级心理咨询师"):
    return Qualification.objects.create(
        person=user, degree=degree, certificate=certificate, certificate_number="X1", certificate_expires_on=expires_on
    )


def test_required_full_time_teachers_at_the_edges():
    assert [bd.required_teachers(n) for n in (0, 1, 4000, 4001, 8000, 8001, 12001)] == [2, 2, 2, 2, 2, 3, 4]


def test_the_fund_counts_only_the_counted_categories(world):
    budget(world.school, 2025, 100)
    spend(world.school, 2025, Category.ACTIVITIES, "1500.00", "1")
    spend(world.school, 2025, Category.TEACHER_TRAINING, "499.99", "2")
    for excluded in (Category.OFFICE_EQUIPMENT, Category.SPECIAL_EQUIPMENT, Category.TEACHING_PAY):
        spend(world.school, 2025, excluded, "10000.00", excluded)
    spend(world.school, 2024, Category.ACTIVITIES, "9999.00", "other year")
    fund = rows(world.school, 2025)[bd.FUNDING]
    # 1999.99 ÷ 100 = 19.9999: shown rounded down, short by one fen in all.
    assert (fund.required, fund.actual, fund.ok, fund.shortfall) == (Decimal("20.00"), Decimal("19.99"), False,
                                                                      Decimal("0.01"))  # fmt: skip
    spend(world.school, 2025, Category.DAILY_WORK, "0.01", "3")
    fund = rows(world.school, 2025)[bd.FUNDING]
    assert (fund.actual, fund.ok, fund.shortfall) == (Decimal("20.00"), True, Decimal("0.00"))
    assert bd.figures(world.school, 2025).total_spending == Decimal("32000.00")


def test_full_time_teachers_4000_and_4001_students(world):
    # The world's centre: a full-time counsellor and the supervisor (full-time posts); a part-timer does not count.
    appoint(UserFactory(username="T10040"), Post.CENTRE_PART_TIME_COUNSELLOR, world.school, starts_on=SINCE)
    budget(world.school, 2025, 8000)
    teachers = rows(world.school, 2025)[bd.TEACHERS]
    assert (teachers.required, teachers.actual, teachers.ok, teachers.shortfall) == (2, 2, True, 0)
    world_budget = bd.Budget.objects.get(school=world.school, year=2025)
    world_budget.headcount = 8001
    world_budget.save()
    teachers = rows(world.school, 2025)[bd.TEACHERS]
    assert (teachers.required, teachers.actual, teachers.ok, teachers.shortfall) == (3, 2, False, 1)


def test_teachers_are_counted_on_the_budget_day(world):
    late = UserFactory(username="T10041")
    appoint(late, Post.CENTRE_COUNSELLOR, world.school, starts_on=dt.date(2025, 10, 1))
    budget(world.school, 2025, 100, on=dt.date(2025, 9, 30))
    assert rows(world.school, 2025)[bd.TEACHERS].actual == 2
    budget(world.school, 2026, 100, on=dt.date(2026, 9, 30))
    assert rows(world.school, 2026)[bd.TEACHERS].actual == 3


def test_an_expired_or_missing_certificate_is_not_qualified(world):
    budget(world.school, 2025, 100, on=dt.date(2025, 9, 30))
    qualify(world.cast["counsellor"], expires_on=dt.date(2025, 9, 30))  # valid through its last day
    qualify(world.cast["supervisor"], expires_on=dt.date(2025, 9, 29))
    qualified = rows(world.school, 2025)[bd.QUALIFIED]
    assert (qualified.required, qualified.actual, qualified.ok, qualified.shortfall) == (2, 1, False, 1)
    Qualification.objects.filter(person=world.cast["supervisor"]).update(certificate_expires_on=dt.date(2030, 1, 1))
    assert rows(world.school, 2025)[bd.QUALIFIED].ok is True
    Qualification.objects.filter(person=world.cast["supervisor"]).update(degree=Qualification.Degree.OTHER)
    assert rows(world.school, 2025)[bd.QUALIFIED].actual == 1


def test_each_room_kind_and_each_college_station(world):
    for name, kind in (("办公室", Room.Kind.OFFICE), ("个体1", Room.Kind.INDIVIDUAL), ("测评", Room.Kind.ASSESSMENT),
                       ("团辅", Room.Kind.GROUP)):  # fmt: skip
        Room.objects.create(school=world.school, name=name, kind=kind)
    Room.objects.create(school=world.school, name="训练室", kind=Room.Kind.TRAINING, active=False)
    result = rows(world.school, 2026)
    assert {code: result[code].ok for code, *_rest in bd.ROOM_KINDS} == {
        "room_office": True, "room_development": True, "room_assessment": True, "room_group": True,
        "room_training": False,
    }  # fmt: skip
    assert result["room_training"].shortfall == 1
    station = Station.objects.create(college=world.college_a, location="A 楼 101")
    StationDocument.objects.create(station=station, kind="rules", file_name="r.pdf", content_type="application/pdf",
                                   size=3, content=b"abc")  # fmt: skip
    stations = rows(world.school, 2026)[bd.STATIONS]
    assert (stations.required, stations.actual, stations.shortfall) == (2, 0, 2)
    StationDocument.objects.create(station=station, kind="plan", file_name="p.pdf", content_type="application/pdf",
                                   size=3, content=b"abc")  # fmt: skip
    stations = rows(world.school, 2026)[bd.STATIONS]
    assert (stations.actual, stations.ok, stations.shortfall) == (1, False, 1)


def test_students_come_from_the_budget_or_the_roster(world):
    # The world has five enrolled students (2025 intake): none enrolled by 2024.
    assert bd.students_for(world.school, 2026) == 5
    assert bd.students_for(world.school, 2024) == 0
    world.other_class.status = "withdrawn"
    world.other_class.save()
    kept = budget(world.school, 2026, None)
    assert bd.take_headcount(kept).headcount == 4
    world.in_scope.status = "withdrawn"
    world.in_scope.save()
    assert bd.students_for(world.school, 2026) == 4  # the kept figure does not move


def test_history_lists_earlier_years_with_data(world):
    budget(world.school, 2023, 100)
    spend(world.school, 2024, Category.ACTIVITIES, "5000", "a")
    spend(world.school, 2026, Category.ACTIVITIES, "5000", "b")
    history = bd.history(world.school, 2026)
    assert [facts.year for facts, _rows in history] == [2024, 2023]
    funds = {facts.year: {row.code: row for row in rows}[bd.FUNDING] for facts, rows in history}
    assert (funds[2023].ok, funds[2023].actual, funds[2023].shortfall) == (False, Decimal("0.00"), Decimal(2000))
    # Nobody on the roster had enrolled by 2024 and no count was kept: nothing is owed.
    assert (funds[2024].ok, funds[2024].actual, funds[2024].shortfall) == (True, Decimal("0.00"), Decimal(0))
    assert bd.years_with_data(world.school) == [2026, 2024, 2023]


def test_hours_credited_to_the_centres_teachers(world):
    now = timezone.now()
    record_session(world.in_scope, by=world.cast["counsellor"], duration_minutes=90, held_at=now)
    record_session(world.in_scope, by=world.cast["counsellor"], duration_minutes=30,
                   held_at=now - dt.timedelta(days=400))  # fmt: skip
    hours = {row.username: row for row in bd.credited_hours(world.school, now.year)}
    assert set(hours) == {"T10005", "T10008"}
    assert (hours["T10005"].sessions, hours["T10005"].session_hours, hours["T10005"].full_time) == (1, 1.5, True)
    assert hours["T10008"].total_hours == 0


def test_the_rows_say_how_far_short_in_words(world):
    budget(world.school, 2025, 100)
    fund = rows(world.school, 2025)[bd.FUNDING]
    assert fund.shortfall_text == "Short by 2000.00 yuan"
    assert fund.as_dict() == {
        "code": "funding_per_student", "article": 13, "label": "Special fund per student (yuan)", "required": 20.0,
        "actual": 0.0, "ok": False, "shortfall": 2000.0,
    }  # fmt: skip
