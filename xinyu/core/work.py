"""Work that other apps add to a staff member's "my work" page (care plans, registry reviews, bookings …),
listed in WORK_SOURCES below (this page sits above every app it shows).

A source is `source(user, now) -> WorkSection | None`. It must use xinyu.org.scope for whatever it
lists (who may see the students named), and return None when the user has nothing of that kind at all
(e.g. not a counsellor), so the page shows only relevant sections. Sources keep a fixed number of
queries however many items they return.

Every item declares the student it is about and the tier of what it reveals (DESIGN.md §4, "What a T2
holder may learn"): "talk with 张三" is T2, "the screening interview of 张三" is T3. The page, the home
page's counts and anything else built from the sections show an item only to someone holding that tier
over that student now (`scope.may_be_told`); the others are withheld and only counted, so that nothing is
silently lost and nothing leaks.
"""

import datetime as dt
from collections.abc import Callable

from xinyu.care.sources import registry_work
from xinyu.common.work import WorkItem, WorkSection  # noqa: F401 - the sources' shapes, re-exported
from xinyu.counselling.sources import counselling_work
from xinyu.education.sources import plan_work
from xinyu.grants.work import grants_and_resets_work
from xinyu.org import scope
from xinyu.privacy.breakglass import review_work
from xinyu.referrals.sources import referral_work
from xinyu.reports.sources import calendar_work, decision_work, monthly_report_work
from xinyu.training.sources import training_work
from xinyu.workforce.sources import conference_work, supervision_work

WorkSource = Callable[[object, dt.datetime], WorkSection | None]

WORK_SOURCES: tuple[WorkSource, ...] = (
    registry_work,
    counselling_work,
    referral_work,
    review_work,
    grants_and_resets_work,
    monthly_report_work,
    decision_work,
    calendar_work,
    supervision_work,
    conference_work,
    plan_work,
    training_work,
)


def sources() -> tuple[WorkSource, ...]:
    return WORK_SOURCES


def shown_to(user, section: WorkSection) -> WorkSection:
    """The section with only the items `user` may be told about; the rest counted in `withheld`."""
    answers = scope.may_be_told(user, [(item.student, item.tier) for item in section.items])
    kept = [item for item, shown in zip(section.items, answers, strict=True) if shown]
    section.withheld += len(section.items) - len(kept)
    section.items = kept
    return section


def extra_sections(user, now: dt.datetime) -> list[WorkSection]:
    sections = []
    for source in WORK_SOURCES:
        section = source(user, now)
        if section is not None:
            sections.append(shown_to(user, section))
    return sections
