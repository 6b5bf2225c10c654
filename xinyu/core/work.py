"""Work that other apps add to a staff member's "my work" page (care plans, registry reviews, bookings …).

An app registers a source in its AppConfig.ready():

    from xinyu.core.work import register_work_source
    register_work_source(registry_reviews_due)

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
from dataclasses import dataclass, field

from xinyu.org import scope
from xinyu.org.scope import Tier


@dataclass(kw_only=True)
class WorkItem:
    kind: str  # a short code, used in data-kind for tests and styling
    title: str
    tier: Tier  # the tier of what the item reveals (its title, detail and link together)
    student: object | None  # the Student the item is about (None: about nobody; then only T0)
    due: dt.date | dt.datetime | None = None
    overdue: bool = False
    url: str = ""
    detail: str = ""
    id: int | None = None

    def __post_init__(self):
        if self.student is None and self.tier > Tier.T0:
            raise ValueError(f"work item {self.kind!r} reveals T{int(self.tier)} but names no student")


@dataclass
class WorkSection:
    key: str  # used as data-testid="work-<key>"
    title: str
    items: list[WorkItem] = field(default_factory=list)
    empty_text: str = ""
    withheld: int = 0  # items about students the viewer does not hold the items' tier over

    @property
    def overdue_count(self) -> int:
        return sum(1 for item in self.items if item.overdue)


WorkSource = Callable[[object, dt.datetime], WorkSection | None]
_sources: list[WorkSource] = []


def register_work_source(source: WorkSource) -> WorkSource:
    if source not in _sources:
        _sources.append(source)
    return source


def sources() -> tuple[WorkSource, ...]:
    return tuple(_sources)


def shown_to(user, section: WorkSection) -> WorkSection:
    """The section with only the items `user` may be told about; the rest counted in `withheld`."""
    answers = scope.may_be_told(user, [(item.student, item.tier) for item in section.items])
    kept = [item for item, shown in zip(section.items, answers, strict=True) if shown]
    section.withheld += len(section.items) - len(kept)
    section.items = kept
    return section


def extra_sections(user, now: dt.datetime) -> list[WorkSection]:
    sections = []
    for source in _sources:
        section = source(user, now)
        if section is not None:
            sections.append(shown_to(user, section))
    return sections
