"""The shapes of work that apps hand to "my work" (`xinyu.core.work` lists the sources).

Every item declares the student it is about and the tier of what it reveals (DESIGN.md §4, "What a T2
holder may learn"): "talk with 张三" is T2, "the screening interview of 张三" is T3. The page, the home
page's counts and anything else built from the sections show an item only to someone holding that tier
over that student now; the others are withheld and only counted.
"""

import datetime as dt
from dataclasses import dataclass, field

from xinyu.common.tiers import Tier


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
    withheld: int = 0  # items about students the viewer does not hold the items' tier over

    @property
    def overdue_count(self) -> int:
        return sum(1 for item in self.items if item.overdue)
