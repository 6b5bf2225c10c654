"""Screening in the demo college: a finished freshmen census and an open semester screening.

- 新生心理普查 for the current freshmen (the latest enrolment year) with PHQ-9, GAD-7 and UPI, closed three
  weeks ago: about 3% never answered and 0.5% declined; everyone else submitted answers drawn with
  `random.Random(seed)` from a few latent levels of distress, so that PHQ-9 totals are mostly 0–9 with about
  10% at 10 or more and 3% at 15 or more, item 9 answered above 0 by about 2%, GAD-7 alike, UPI 第一类 about
  8% and 第二类 about 12%. The answers are scored by the real scorer under the policy's rules into Result rows
  with their rules_version, and triaged by the triage module's own rules (`red_flags`, `needed_task`) into
  interview and centre-evaluation tasks. A red flag makes a centre evaluation (the centre reaches the
  student) instead of thousands of urgent reports; the open crisis cases of the demo are seed_open_cases'.
- 学期排查 (PHQ-9 and GAD-7) for all enrolled students, opened three days ago for two weeks, with a few
  classes partly answered and a sitting open for the demo class, opened by its head teacher.

Rows are bulk-created (no per-row queries) and each instrument's scorer is compiled once. The demo
accounts' own student records are never given a red flag. The same seed gives the same answers.
"""

import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.care.interviews import assignee_for
from xinyu.care.models import Interview
from xinyu.org.demo.accounts import ACCOUNT, DEMO_COLLEGE, DEMO_STUDENT_KEYS, current_intake, demo_class_name
from xinyu.org.models import ClassGroup, Student
from xinyu.org.scope import Tier
from xinyu.policy.loader import policy_in_force
from xinyu.screening.campaigns import create_campaign
from xinyu.screening.labels import flag_label
from xinyu.screening.models import Campaign, InterviewLink, Participation, Response, Result
from xinyu.screening.scoring import scorer_for
from xinyu.screening.services import get_instrument, load_shipped_instruments
from xinyu.screening.sittings import open_sitting
from xinyu.screening.triage import needed_task, red_flags, task_reason

BATCH = 2000
CONSENT_TEXT = (
    "本次测评用于了解你的心理健康状况，以便学校及时提供支持。你的作答仅由学校心理健康工作人员按规定查看，"
    "不计入任何成绩。你可以选择不参加。"
)
CONSENT_VERSION = "demo-1"
CENSUS_TITLE = "{intake}级新生心理普查"
SEMESTER_TITLE = "{year}学年第一学期心理健康排查"

# Latent levels of distress: (share of students, P(item score 0, 1, 2, 3) for PHQ-9 and GAD-7 items,
# P(PHQ-9 item 9 above 0), P(a UPI item is yes), P(a UPI key item 8/16/26 is yes), P(a UPI item 61–63 is yes)).
LEVELS = (
    ("low", 0.80, (0.72, 0.24, 0.03, 0.01), 0.003, 0.07, 0.012, 0.006),
    ("mid", 0.06, (0.45, 0.37, 0.14, 0.04), 0.02, 0.17, 0.08, 0.12),
    ("moderate", 0.10, (0.22, 0.42, 0.25, 0.11), 0.05, 0.30, 0.18, 0.31),
    ("severe", 0.04, (0.06, 0.22, 0.37, 0.35), 0.30, 0.50, 0.40, 0.55),
)
UPI_KEY_ITEMS = (8, 16, 26)
UPI_AUXILIARY = (61, 62, 63)
UPI_SUICIDE_ITEM = 25
NO_REQUEST = ("无", "没有", "无", "暂无", "没有问题", "")
REQUESTS = ("最近睡眠不好，想和老师聊聊", "不太适应大学生活，想咨询一下", "和室友相处有困扰", "学习压力大，想找人谈谈")


@dataclass
class DemoScreening:
    census: Campaign | None = None
    semester: Campaign | None = None
    counts: Counter = field(default_factory=Counter)


def _account(key: str) -> User:
    intake = current_intake(timezone.localdate())
    return User.objects.get(username=ACCOUNT[key].username.format(intake=intake))


def _draw_level(rng: random.Random) -> int:
    roll, upto = rng.random(), 0.0
    for index, level in enumerate(LEVELS):
        upto += level[1]
        if roll < upto:
            return index
    return 0


def _item_score(rng: random.Random, weights) -> str:
    roll, upto = rng.random(), 0.0
    for code, weight in enumerate(weights):
        upto += weight
        if roll < upto:
            return str(code)
    return "0"


def _phq9(rng, level, protect):
    weights, item9 = LEVELS[level][2], LEVELS[level][3]
    answers = {str(n): _item_score(rng, weights) for n in range(1, 9)}
    suicidal = rng.random() < item9 and not protect
    answers["9"] = str(1 + (rng.random() < 0.3)) if suicidal else "0"
    return answers


def _gad7(rng, level):
    if rng.random() < 0.3:
        level = _draw_level(rng)  # anxiety goes with low mood, not always
    weights = LEVELS[level][2]
    return {str(n): _item_score(rng, weights) for n in range(1, 8)}


def _upi(rng, level, suicidal, protect):
    _name, _share, _weights, _item9, plain, key, auxiliary = LEVELS[level]
    answers = {}
    for n in range(1, 61):
        chance = key if n in UPI_KEY_ITEMS else plain
        answers[str(n)] = "1" if rng.random() < chance else "0"
    answers[str(UPI_SUICIDE_ITEM)] = "1" if (suicidal and rng.random() < 0.6) and not protect else "0"
    for n in UPI_AUXILIARY:
        answers[str(n)] = "1" if rng.random() < auxiliary else "0"
    if rng.random() < 0.01 and not protect:
        answers["64"] = rng.choice(REQUESTS)
    else:
        text = rng.choice(NO_REQUEST)
        if text:
            answers["64"] = text
    return answers


class _Scoring:
    """Compiled scorers for the campaign's instruments, and the rows written for submitted participations."""

    def __init__(self, campaign, instruments, rules):
        self.campaign = campaign
        self.instruments = instruments
        self.rules = rules
        self.scorers = {instrument.code: scorer_for(instrument.parsed(), rules.scoring) for instrument in instruments}
        self.assignees = {}

    def answers_for(self, rng, protect) -> dict[str, dict]:
        level = _draw_level(rng)
        phq = _phq9(rng, level, protect)
        drawn = {"PHQ-9": phq}
        codes = {instrument.code for instrument in self.instruments}
        if "GAD-7" in codes:
            drawn["GAD-7"] = _gad7(rng, level)
        if "UPI" in codes:
            drawn["UPI"] = _upi(rng, level, phq["9"] != "0", protect)
        return {code: answers for code, answers in drawn.items() if code in codes}

    def write(self, submitted: list[tuple[Participation, Student, dict, dt.datetime]]) -> Counter:
        """Responses, Results and triage tasks for (participation, student, answers by code, submitted at)."""
        counts = Counter()
        responses = []
        for participation, _student, answers, at in submitted:
            for instrument in self.instruments:
                responses.append(
                    Response(
                        participation=participation,
                        instrument=instrument,
                        answers=answers[instrument.code],
                        completed_at=at,
                    )
                )
        Response.objects.bulk_create(responses, batch_size=BATCH)
        results, per_participation = [], []
        position = 0
        for participation, student, _answers, at in submitted:
            rows = []
            for instrument in self.instruments:
                response = responses[position]
                position += 1
                outcome = self.scorers[instrument.code].score(
                    {int(number): value for number, value in response.answers.items()}
                )
                detail = outcome.to_dict()
                rows.append(
                    Result(
                        response=response,
                        student=student,
                        campaign=self.campaign,
                        instrument=instrument,
                        total=outcome.total,
                        band=outcome.band.code if outcome.band else "",
                        classification=outcome.classification.code if outcome.classification else "",
                        severity=outcome.severity or "",
                        flags=detail["flags"],
                        detail=detail,
                        rules_version=outcome.rules_version,
                        scored_at=at,
                    )
                )
            results.extend(rows)
            per_participation.append((participation, student, rows, at))
        Result.objects.bulk_create(results, batch_size=BATCH)
        counts["results"] += len(results)
        tasks = []
        for _participation, student, rows, at in per_participation:
            task = self._task(student, rows, at)
            if task is not None:
                tasks.append(task)
                counts[task[0].kind] += 1
        interviews = Interview.objects.bulk_create([interview for interview, _result in tasks], batch_size=BATCH)
        InterviewLink.objects.bulk_create(
            [
                InterviewLink(interview=interview, campaign=self.campaign, result=result)
                for interview, (_task, result) in zip(interviews, tasks, strict=True)
            ],
            batch_size=BATCH,
        )
        counts["red_flags"] += sum(1 for interview in interviews if interview.reason.startswith("红色预警"))
        return counts

    def _task(self, student, rows, at) -> tuple[Interview, Result] | None:
        """The one task triage would make, a red flag sent to the centre as an evaluation."""
        flagged = red_flags(rows, self.rules)
        if flagged:
            result, flag, item = flagged[0]
            kind = Interview.Kind.CENTRE_EVALUATION
            words = flag_label(result, flag)
            reason = f"红色预警 {result.instrument.name} 第 {item} 题：{words}" if item else f"红色预警 {words}"
        else:
            task = needed_task(rows, self.rules)
            if task is None:
                return None
            kind, result = task
            reason = task_reason(result)
        assignee = self._assignee(kind, student)
        if assignee is None:
            return None
        days = (
            self.rules.centre_evaluation_within_days
            if kind == Interview.Kind.CENTRE_EVALUATION
            else self.rules.interview_within_days
        )
        interview = Interview(
            student=student,
            source=Interview.Source.SCREENING,
            kind=kind,
            reason=reason[:200],
            assignee=assignee,
            due_on=timezone.localdate(at) + dt.timedelta(days=days),
        )
        return interview, result

    def _assignee(self, kind, student):
        """triage.assignee_for, asked once per class (the holders of a role are the same for a class)."""
        key = (kind, student.class_group_id)
        if key not in self.assignees:
            self.assignees[key] = assignee_for(kind, student, tier=Tier.T3)
        return self.assignees[key]


def _protected_numbers(intake: int) -> set[str]:
    return {ACCOUNT[key].username.format(intake=intake) for key in DEMO_STUDENT_KEYS}


def _instruments(*codes):
    return [get_instrument(code) for code in codes]


SEMESTER_REMINDER = "本学期心理排查将于两周内结束，请抽空完成，约需10分钟。作答内容严格保密。"


def _seed_census(school, rng, now, rules, by, intake) -> tuple[Campaign, Counter]:
    year = Student.objects.filter(school=school).order_by("-enrolment_year").values_list("enrolment_year", flat=True)
    freshmen = year.first() or intake
    instruments = _instruments("PHQ-9", "GAD-7", "UPI")
    closes_at = now - dt.timedelta(days=21)
    opens_at = closes_at - dt.timedelta(days=14)
    campaign = create_campaign(
        school=school,
        kind=Campaign.Kind.CENSUS,
        title=CENSUS_TITLE.format(intake=freshmen),
        instruments=instruments,
        opens_at=opens_at,
        closes_at=closes_at,
        consent_text=CONSENT_TEXT,
        consent_version=CONSENT_VERSION,
        by=by,
        enrolment_years=[freshmen],
        show_summary_to_student=True,  # the freshmen see a supportive summary on "my earlier screenings"
    )
    scoring = _Scoring(campaign, instruments, rules)
    protected = _protected_numbers(intake)
    participations = list(
        Participation.objects.filter(campaign=campaign).select_related("student").order_by("student__student_number")
    )
    # Each class answers on one day of the fortnight, in a sitting of an hour.
    days = {}
    submitted, declined, changed = [], [], []
    for participation in participations:
        student = participation.student
        day = days.setdefault(student.class_group_id, rng.randrange(13))
        roll = rng.random()
        if roll < 0.005:
            participation.status = Participation.Status.DECLINED
            participation.declined_at = opens_at + dt.timedelta(days=day, minutes=rng.randrange(60))
            declined.append(participation)
            changed.append(participation)
            continue
        if roll < 0.035:
            continue  # never answered
        started = opens_at + dt.timedelta(days=day, hours=1, minutes=rng.randrange(20))
        at = started + dt.timedelta(minutes=8 + rng.randrange(15), seconds=rng.randrange(60))
        _fill(participation, started, at)
        changed.append(participation)
        answers = scoring.answers_for(rng, student.student_number in protected)
        submitted.append((participation, student, answers, at))
    _save_participations(campaign, changed)
    counts = scoring.write(submitted)
    counts.update(submitted=len(submitted), declined=len(declined), participations=len(participations))
    return campaign, counts


def _fill(participation, started, at):
    participation.status = Participation.Status.SUBMITTED
    participation.consent_version = CONSENT_VERSION
    participation.consented_at = started
    participation.started_at = started
    participation.submitted_at = at
    participation.submission_key = f"demo-{participation.campaign_id}-{participation.student_id}"


def _save_participations(campaign, rows):
    """Replace the campaign's untouched Participation rows of these students by the filled-in ones: one
    DELETE and a bulk INSERT (bulk_update's CASE per column takes seconds at census size)."""
    if not rows:
        return
    students = [row.student_id for row in rows]
    for start in range(0, len(students), 500):
        Participation.objects.filter(campaign=campaign, student_id__in=students[start : start + 500]).delete()
    for row in rows:
        row.pk = None
    Participation.objects.bulk_create(rows, batch_size=BATCH)


def _seed_semester(school, rng, now, rules, by, head_teacher, intake) -> tuple[Campaign, Counter]:
    instruments = _instruments("PHQ-9", "GAD-7")
    opens_at = now - dt.timedelta(days=3)
    year = current_intake(timezone.localdate(now))
    campaign = create_campaign(
        school=school,
        kind=Campaign.Kind.SEMESTER,
        title=SEMESTER_TITLE.format(year=f"{year}–{year + 1}"),
        instruments=instruments,
        opens_at=opens_at,
        closes_at=opens_at + dt.timedelta(days=14),
        consent_text=CONSENT_TEXT,
        consent_version=CONSENT_VERSION,
        by=by,
        one_item_per_screen=True,
        reminder_text=SEMESTER_REMINDER,
    )
    scoring = _Scoring(campaign, instruments, rules)
    protected = _protected_numbers(intake)
    groups = ClassGroup.objects.filter(college__school=school)
    demo_class = groups.get(college__name=DEMO_COLLEGE, name=demo_class_name(intake))
    classes = list(groups.exclude(pk=demo_class.pk).order_by("name").values_list("pk", flat=True))
    answering = set(rng.sample(classes, min(6, len(classes))))
    participations = list(
        Participation.objects.filter(campaign=campaign, student__class_group_id__in=answering)
        .select_related("student")
        .order_by("student__student_number")
    )
    share = {pk: rng.uniform(0.4, 0.85) for pk in sorted(answering)}
    submitted, changed = [], []
    for participation in participations:
        student = participation.student
        if rng.random() >= share[student.class_group_id]:
            continue
        started = opens_at + dt.timedelta(days=rng.randrange(3), hours=rng.randrange(2, 10), minutes=rng.randrange(60))
        at = started + dt.timedelta(minutes=4 + rng.randrange(8), seconds=rng.randrange(60))
        _fill(participation, started, at)
        changed.append(participation)
        submitted.append((participation, student, scoring.answers_for(rng, student.student_number in protected), at))
    _save_participations(campaign, changed)
    counts = scoring.write(submitted)
    sitting = open_sitting(campaign, demo_class, head_teacher)
    counts.update(submitted=len(submitted), classes_answering=len(answering), sitting=1 if sitting else 0)
    return campaign, counts


@transaction.atomic
def seed_screening(school, seed: int) -> DemoScreening:
    """The finished freshmen census and the open semester screening of the demo college; see the docstring."""
    load_shipped_instruments()  # idempotent: the shipped instruments are there even after a flush
    rng = random.Random(f"screening:{seed}")
    now = timezone.now()
    rules = policy_in_force(timezone.localdate(now)).screening
    intake = current_intake(timezone.localdate(now))
    by = _account("centre_supervisor")
    head_teacher = _account("head_teacher")
    seeded = DemoScreening()
    seeded.census, census = _seed_census(school, rng, now, rules, by, intake)
    seeded.semester, semester = _seed_semester(school, rng, now, rules, by, head_teacher, intake)
    seeded.counts.update({f"census_{key}": value for key, value in census.items()})
    seeded.counts.update({f"semester_{key}": value for key, value in semester.items()})
    return seeded
