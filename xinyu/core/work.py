"""Work that other apps add to a staff member's "my work" page (care plans, registry reviews, bookings …).

An app registers a source in its AppConfig.ready():

    from xinyu.core.work import register_work_source
    register_work_source(registry_reviews_due)

A source is `source(user, now) -> WorkSection | None`. It must use xinyu.org.scope for whatever it
lists (who may see the students named), and return None when the user has nothing of that kind at all
(e.g. not a counsellor), so the page shows only relevant sections. Sources keep a fixed number of
queries however many items they return.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class WorkItem:
    kind: str  # a short code, used in data-kind for tests and styling
    title: str
    due: dt.date | dt.datetime | None = None
    overdue: bool = False
    student: object | None = None  # the Student the item names (T2 at least), for the access log
    url: str = ""
    detail: str = ""
    id: int | None = None


@dataclass
class WorkSection:
    key: str  # used as data-testid="work-<key>"
    title: str
    items: list[WorkItem] = field(default_factory=list)
    empty_text: str = ""

    @property
    def overdue_count(self) -> int:
        return sum(1 for item in self.items if item.overdue)


WorkSource = Callable[[object, dt.datetime], WorkSection | None]
_sources: list[WorkSource] = []


def register_work_source(source: WorkSource) -> WorkSource:
    if source not in _sources:
        _sources.append(source)
    return source


def extra_sections(user, now: dt.datetime) -> list[WorkSection]:
    sections = []
    for source in _sources:
        section = source(user, now)
        if section is not None:
            sections.append(section)
    return sections
