"""Anonymised research extracts: only consenting students, a per-study pseudonym, generalised until every
combination holds k people or refused; recorded and logged; the pages × the cast; the command."""

import csv
import datetime as dt
import io
import itertools

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from tests.factories import StudentFactory
from tests.screening.test_triage import make_campaign, phq9, submit
from xinyu.audit.models import AuditEntry
from xinyu.privacy.models import ConsentRecord
from xinyu.reports import research
from xinyu.reports.annual import year_figures
from xinyu.reports.models import ResearchExtract
from xinyu.reports.monthly import ReportError

BORN = dt.date(2006, 3, 1)
NUMBERS = itertools.count(1)


def study(world, title="大学生睡眠与情绪研究", k=5):
    return research.approve_study(
        world.school, by=world.cast["supervisor"], title=title, purpose="了解睡眠与抑郁症状的关系",
        starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2099, 12, 31), k=k,
    )  # fmt: skip


def answered(world, campaign, count, *, consent=True, **fields):
    students = []
    for _n in range(count):
        student = StudentFactory(school=world.school, class_group=world.a1, date_of_birth=BORN,
                                 student_number=f"R{next(NUMBERS):06d}", **fields)  # fmt: skip
        submit(campaign, student, {"PHQ-9": phq9(6)})
        if consent:
            ConsentRecord.objects.create(student=student, purpose="research", text_version="v1", text_digest="d")
        students.append(student)
    return students


def rows_of(extract) -> list[dict]:
    return [dict(zip(extract.header, row, strict=True)) for row in extract.rows]


@pytest.mark.django_db
def test_only_consenting_students_under_the_studys_pseudonym(world):
    campaign = make_campaign(world)
    consenting = answered(world, campaign, 6)
    answered(world, campaign, 3, consent=False)
    withdrawn = answered(world, campaign, 1)[0]
    ConsentRecord.objects.filter(student=withdrawn).update(withdrawn_at=dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    first, second = study(world), study(world, title="第二项研究")
    extract = research.build_extract(first, campaign)
    rows = rows_of(extract)
    assert len(rows) == 6 and extract.step == "fine" and extract.k_achieved == 6
    assert {row["pseudonym"] for row in rows} == {research.pseudonym(first, s.pk) for s in consenting}
    assert {row["pseudonym"] for row in rows}.isdisjoint({research.pseudonym(second, s.pk) for s in consenting})
    assert rows[0]["college"] == "信息工程学院" and rows[0]["grade"] == "2025级" and rows[0]["PHQ-9_total"] == 6.0
    text = research.to_csv(extract).decode("utf-8")
    for student in consenting:
        assert student.name not in text and student.student_number not in text
    assert all(len(row["month"]) == 7 for row in rows)  # no date finer than the month


@pytest.mark.django_db
def test_generalised_until_every_group_holds_k_or_refused(world):
    campaign = make_campaign(world)
    answered(world, campaign, 5, gender="male")
    answered(world, campaign, 2, gender="female")
    extract = research.build_extract(study(world), campaign)
    assert extract.step == "gender_only" and extract.k_achieved == 7
    assert {row["gender"] for row in rows_of(extract)} == {"—"}
    with pytest.raises(ReportError, match="k = 8"):
        research.build_extract(study(world, title="k8", k=8), campaign)
    with pytest.raises(ReportError, match="at least 5"):
        research.build_extract(study(world, title="k3"), campaign, k=3)


@pytest.mark.django_db
def test_only_the_centres_supervisor_approves_and_takes_extracts_and_each_is_recorded(world):
    campaign = make_campaign(world)
    answered(world, campaign, 5)
    for who in ("counsellor", "student_affairs", "leading_group_member"):
        with pytest.raises(ReportError):
            research.approve_study(world.school, by=world.cast[who], title="x", purpose="y",
                                   starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2027, 1, 1))  # fmt: skip
    approved = study(world)
    with pytest.raises(ReportError):
        research.take_extract(approved, campaign, by=world.cast["counsellor"])
    _extract, taken = research.take_extract(approved, campaign, by=world.cast["supervisor"])
    assert (taken.rows, taken.k_achieved, taken.generalisation) == (5, 5, "fine")
    entry = AuditEntry.objects.get(what="reports.research.extract")
    assert entry.action == "export" and entry.student is None and entry.detail["rows"] == 5


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["supervisor", "counsellor", "student_affairs", "leading_group_member", "student"])
def test_the_research_pages_are_the_supervisors(world, client_for, who):
    # "reports:research", "reports:research_study"
    campaign = make_campaign(world)
    answered(world, campaign, 5)
    approved = study(world)
    client = client_for(world.cast[who])
    listing = client.get(reverse("reports:research"))
    page = reverse("reports:research_study", args=[approved.pk])
    assert listing.status_code == client.get(page).status_code == (200 if who == "supervisor" else 404)
    download = client.post(page, {"campaign": campaign.pk, "k": 5})
    if who == "supervisor":
        assert download.status_code == 200 and download["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
        assert rows[0][:5] == ["pseudonym", "age_band", "college", "grade", "gender"] and len(rows) == 6
        refused = client.post(page, {"campaign": campaign.pk, "k": 9})
        assert refused.status_code == 400 and "k = 9" in refused.content.decode()
        assert ResearchExtract.objects.count() == 1
    else:
        assert download.status_code == 404 and not ResearchExtract.objects.exists()


@pytest.mark.django_db
def test_the_command_writes_the_csv_or_says_why_not(world, tmp_path):
    campaign = make_campaign(world)
    answered(world, campaign, 5)
    study(world)
    out = tmp_path / "extract.csv"
    call_command(
        "research_extract", campaign=campaign.pk, study="大学生睡眠与情绪研究", out=str(out), stdout=io.StringIO()
    )
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 6
    with pytest.raises(CommandError, match="k = 6"):
        call_command("research_extract", campaign=campaign.pk, study="大学生睡眠与情绪研究", k=6, out=str(out))
    with pytest.raises(CommandError, match="没有名为"):
        call_command("research_extract", campaign=campaign.pk, study="不存在", out=str(out))


@pytest.mark.django_db
def test_the_research_register_feeds_the_years_summary(world, client_for):
    # "reports:research_outputs"
    url = reverse("reports:research_outputs")
    assert client_for(world.cast["counsellor"]).get(url).status_code == 404
    client = client_for(world.cast["supervisor"])
    assert client.post(url, {"kind": "paper", "title": "", "people": "", "on": ""}).status_code == 400
    paper = {
        "kind": "paper",
        "title": "高职新生抑郁症状调查",
        "people": "卫主任等",
        "venue": "某学报",
        "on": "2026-06-01",
    }
    assert client.post(url, paper).status_code == 302
    assert "高职新生抑郁症状调查" in client.get(url).content.decode()
    assert year_figures(world.school, 2026)["research"] == {"project": 0, "paper": 1, "activity": 0}
