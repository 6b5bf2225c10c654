"""The year's workforce report (`manage.py workforce_report`): per staff member, training hours against
the policy's minimum for their posts (第十五条), supervision given and received (第十六条), counselling and
interview hours (第十三条), course hours (第七条(三)), and certificates expiring within 90 days. The
calendar year, as the training minimum is counted."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone

from xinyu.accounts.models import User
from xinyu.org.models import Appointment
from xinyu.policy.loader import policy_in_force
from xinyu.training.workload import expiring_qualifications, yearly_hours
from xinyu.workforce import statement as st

EXPIRY_WINDOW_DAYS = 90


@dataclass
class ReportRow:
    username: str
    name: str
    posts: list[str]
    training_hours: Decimal
    training_minimum: int | None
    supervision_given_hours: Decimal
    supervision_received_hours: Decimal
    counselling_hours: Decimal
    interview_hours: Decimal
    course_hours: Decimal
    expiring: list[dict] = field(default_factory=list)

    @property
    def training_short(self) -> bool:
        return self.training_minimum is not None and self.training_hours < self.training_minimum

    def as_json(self) -> dict:
        return {
            "username": self.username,
            "name": self.name,
            "posts": self.posts,
            "training_hours": float(self.training_hours),
            "training_minimum_hours": self.training_minimum,
            "training_short": self.training_short,
            "supervision_given_hours": float(self.supervision_given_hours),
            "supervision_received_hours": float(self.supervision_received_hours),
            "counselling_hours": float(self.counselling_hours),
            "interview_hours": float(self.interview_hours),
            "course_hours": float(self.course_hours),
            "qualifications_expiring": self.expiring,
        }


def _posts_by_person(on: dt.date) -> dict[int, list[str]]:
    posts: dict[int, list[str]] = {}
    for person_id, post in Appointment.objects.current(on).values_list("person_id", "post").order_by("post"):
        if post not in posts.setdefault(person_id, []):
            posts[person_id].append(post)
    return posts


def workforce_report(year: int, *, today: dt.date | None = None) -> list[ReportRow]:
    today = today or timezone.localdate()
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    on = min(today, end - dt.timedelta(days=1))
    rules = policy_in_force(on).workforce
    posts = _posts_by_person(on)
    minimums = {person: rules.minimum_hours(held) for person, held in posts.items()}
    work = {row.user_id: row for row in st.statement(start, end)}
    training = yearly_hours(year)
    expiring: dict[int, list[dict]] = {}
    for qualification in expiring_qualifications(today, within_days=EXPIRY_WINDOW_DAYS):
        expiring.setdefault(qualification.person_id, []).append(
            {"certificate": qualification.certificate, "expires_on": qualification.certificate_expires_on.isoformat()}
        )
    people = {person for person, minimum in minimums.items() if minimum is not None} | set(work) | set(training)
    people |= set(expiring)
    users = User.objects.filter(Q(pk__in=people), kind=User.Kind.STAFF).only("pk", "username", "full_name")
    rows = []
    for user in users:
        lines = work.get(user.pk) or st.StatementRow(user.pk, user.username, user.full_name)

        def hours_of(kind, lines=lines):
            line = lines.line(kind)
            return line.hours if line else Decimal("0.0")

        rows.append(
            ReportRow(
                username=user.username,
                name=user.full_name,
                posts=posts.get(user.pk, []),
                training_hours=Decimal(training.get(user.pk, 0)).quantize(Decimal("0.1")),
                training_minimum=minimums.get(user.pk),
                supervision_given_hours=hours_of("supervision_given"),
                supervision_received_hours=hours_of("supervision_received"),
                counselling_hours=hours_of("counselling"),
                interview_hours=hours_of("interview"),
                course_hours=hours_of("course"),
                expiring=expiring.get(user.pk, []),
            )
        )
    return sorted(rows, key=lambda row: row.username)
