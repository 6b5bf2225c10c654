"""Training hours for the workload statement and the yearly minimum (第七条(八), 第十五条).

`training_minutes(start, end)` and `yearly_hours(year)` are the fixed interface the workforce app's
statement and `workforce_report` use; "yearly" is the calendar year (1 January to 31 December). An event
counts in the period its first day falls in; only confirmed attendance counts."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from xinyu.accounts.models import User
from xinyu.compliance.models import Qualification
from xinyu.org.models import Appointment, College
from xinyu.policy.loader import policy_in_force
from xinyu.training.models import Attendance, TrainingEvent

MINUTES_PER_HOUR = 60
QUALIFICATION_WARNING_DAYS = 90


def _minutes(hours: Decimal) -> int:
    return int((hours * MINUTES_PER_HOUR).to_integral_value())


def training_minutes(start: dt.date, end: dt.date) -> tuple[dict[int, int], dict[int, int]]:
    """(user id → minutes of training attended, confirmed; user id → minutes of training given as the
    trainer), for events whose first day is in [start, end)."""
    attended: dict[int, int] = defaultdict(int)
    for person_id, hours in Attendance.objects.filter(
        status=Attendance.Status.CONFIRMED, event__starts_on__gte=start, event__starts_on__lt=end
    ).values_list("person_id", "hours"):
        attended[person_id] += _minutes(hours)
    given: dict[int, int] = defaultdict(int)
    for trainer_id, hours in TrainingEvent.objects.filter(
        trainer__isnull=False, reported=False, starts_on__gte=start, starts_on__lt=end
    ).values_list("trainer_id", "hours"):
        given[trainer_id] += _minutes(hours)
    return dict(attended), dict(given)


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)


def yearly_hours(year: int) -> dict[int, Decimal]:
    """User id → hours of confirmed training attended in the calendar year `year`."""
    hours: dict[int, Decimal] = defaultdict(Decimal)
    start, end = year_bounds(year)
    for person_id, credited in Attendance.objects.filter(
        status=Attendance.Status.CONFIRMED, event__starts_on__gte=start, event__starts_on__lt=end
    ).values_list("person_id", "hours"):
        hours[person_id] += credited
    return dict(hours)


def hours_of(person, year: int) -> Decimal:
    start, end = year_bounds(year)
    return sum(
        Attendance.objects.filter(
            person=person, status=Attendance.Status.CONFIRMED, event__starts_on__gte=start, event__starts_on__lt=end
        ).values_list("hours", flat=True),
        Decimal(0),
    )


def posts_by_person(on: dt.date, people=None) -> dict[int, set[str]]:
    """User id → the posts each staff member holds on `on` (their current appointments)."""
    rows = Appointment.objects.current(on).filter(person__kind=User.Kind.STAFF)
    if people is not None:
        rows = rows.filter(person__in=people)
    posts: dict[int, set[str]] = defaultdict(set)
    for person_id, post in rows.values_list("person_id", "post"):
        posts[person_id].add(post)
    return dict(posts)


def colleges_by_person(on: dt.date, people=None) -> dict[int, set[int]]:
    """User id → the colleges a staff member works in (posts over a college or one of its classes)."""
    rows = Appointment.objects.current(on).filter(Q(college__isnull=False) | Q(class_group__isnull=False))
    if people is not None:
        rows = rows.filter(person__in=people)
    colleges: dict[int, set[int]] = defaultdict(set)
    for person_id, college_id, class_college in rows.values_list("person_id", "college_id", "class_group__college_id"):
        colleges[person_id].add(college_id or class_college)
    return dict(colleges)


def minimum_for(posts, on: dt.date | None = None) -> int | None:
    return policy_in_force(on).workforce.minimum_hours(posts)


@dataclass
class Standing:
    """One staff member's training in a year against the minimum for their posts."""

    person: User
    posts: set[str]
    colleges: list[College]
    hours: Decimal
    minimum: int | None

    @property
    def short(self) -> bool:
        return self.minimum is not None and self.hours < self.minimum

    @property
    def missing(self) -> Decimal:
        return max(Decimal(self.minimum or 0) - self.hours, Decimal(0))


def standings(year: int, people, on: dt.date) -> list[Standing]:
    """Every person of `people` (a queryset of staff) holding a post with a minimum on `on`, with their
    hours in `year`; ordered by name."""
    posts = posts_by_person(on, people)
    minimum_hours = policy_in_force(on).workforce.minimum_hours
    with_minimum = {pk: held for pk, held in posts.items() if minimum_hours(held) is not None}
    hours = yearly_hours(year)
    college_ids = colleges_by_person(on, people)
    colleges = College.objects.in_bulk({c for ids in college_ids.values() for c in ids})
    rows = []
    for person in User.objects.filter(pk__in=with_minimum).order_by("full_name", "username"):
        rows.append(
            Standing(
                person=person,
                posts=with_minimum[person.pk],
                colleges=sorted((colleges[c] for c in college_ids.get(person.pk, ())), key=lambda c: c.code),
                hours=hours.get(person.pk, Decimal(0)),
                minimum=minimum_hours(with_minimum[person.pk]),
            )
        )
    return rows


def expiring_qualifications(on: dt.date, within_days: int = QUALIFICATION_WARNING_DAYS) -> list[Qualification]:
    """Qualifications whose certificate has expired by `on` or expires within `within_days` days after it
    (valid through its last day), of people still active; soonest first."""
    return list(
        Qualification.objects.filter(
            certificate_expires_on__isnull=False,
            certificate_expires_on__lte=on + dt.timedelta(days=within_days),
            person__is_active=True,
        )
        .filter(Q(person__left_on__isnull=True) | Q(person__left_on__gt=on))
        .select_related("person")
        .order_by("certificate_expires_on", "person__username")
    )
