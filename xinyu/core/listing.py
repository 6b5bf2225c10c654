"""A long work list made workable: the urgent and the overdue first and counted at the top, a filter by
college, class, kind, overdue and urgency, and 50 a page.

The lists hand over their rows as `Entry`s, already cut to what the viewer may be told about (the scope
rules decide that before a row becomes an entry); this module only orders, filters and pages them, so
a filter can never show more than the whole list.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.core.paginator import Page, Paginator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from xinyu.org.access_log import read_event
from xinyu.org.models import ClassGroup, Student
from xinyu.org.scope import Tier

PAGE_SIZE = 50


@dataclass(kw_only=True, slots=True)
class Entry:
    kind: str  # what the kind filter matches
    kind_label: str
    title: str
    student: object | None  # the Student the row is about, or None
    tier: Tier  # of what the row reveals about its student (the page's read is logged at it)
    row_kind: str = ""  # the row's data-kind (tests, styling); `kind` when empty
    detail: str = ""
    due: dt.date | dt.datetime | None = None
    due_label: str = ""
    overdue: bool = False
    urgent: bool = False
    mine: bool = True  # assigned to the viewer (rather than one of their students' open items)
    url: str = ""
    id: int | None = None
    source: str = ""  # an interview's source, for data-source
    badges: list[tuple[str, str]] = field(default_factory=list)  # (words, Bootstrap colour class)
    class_name: str = ""  # set from the student's class (see `_place`)
    college_name: str = ""
    college_id: int | None = None
    class_id: int | None = None
    obj: object = None  # the row's record, for `fill`
    # Sets the words and the link of the rows on the page shown, all of a kind in one call (one query).
    fill: Callable[[list["Entry"]], None] | None = None

    @property
    def due_has_time(self) -> bool:
        return isinstance(self.due, dt.datetime)


def _place(entries: list[Entry]) -> None:
    """Each entry's class and college, in one query however many entries there are."""
    class_ids = {entry.student.class_group_id for entry in entries if entry.student is not None}
    classes = ClassGroup.objects.filter(pk__in=class_ids).select_related("college").only(
        "name", "college__name"
    )  # fmt: skip
    by_id = {class_group.pk: class_group for class_group in classes}
    for entry in entries:
        class_group = by_id.get(entry.student.class_group_id) if entry.student is not None else None
        if class_group is not None:
            entry.class_id, entry.class_name, entry.college_id = (
                class_group.pk,
                class_group.name,
                class_group.college_id,
            )
            entry.college_name = class_group.college.name


def _fill(entries) -> None:
    waiting: dict[Callable, list[Entry]] = {}
    for entry in entries:
        if entry.fill is not None:
            waiting.setdefault(entry.fill, []).append(entry)
    for fill, group in waiting.items():
        fill(group)


FAR_FUTURE = dt.datetime.max.replace(tzinfo=dt.UTC)


def _ordering(tz):
    """The sort key: urgent, then overdue, then by deadline (a date counts from its start), in `tz`."""

    def moment(due) -> dt.datetime:
        if due is None:
            return FAR_FUTURE
        if isinstance(due, dt.datetime):
            return due
        return dt.datetime(due.year, due.month, due.day, tzinfo=tz)

    return lambda entry: (not entry.urgent, not entry.overdue, moment(entry.due), entry.kind, entry.id or 0)


class ListFilter(forms.Form):
    college = forms.TypedChoiceField(label=_("College"), required=False, coerce=int, empty_value=None)
    class_group = forms.TypedChoiceField(label=_("Class"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    urgent = forms.BooleanField(label=_("Urgent only"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    mine = forms.BooleanField(label=_("Assigned to me only"), required=False)

    def __init__(self, data, entries: list[Entry]):
        super().__init__(data)
        everyone = pgettext_lazy("any value", "All")
        colleges = {entry.college_id: entry.college_name for entry in entries if entry.college_id is not None}
        self.fields["college"].choices = [("", everyone), *sorted(colleges.items(), key=lambda item: item[1])]
        chosen = self.data.get("college")
        classes = {
            entry.class_id: entry.class_name
            for entry in entries
            if entry.class_id is not None and (not chosen or str(entry.college_id) == chosen)
        }
        self.fields["class_group"].choices = [("", everyone), *sorted(classes.items(), key=lambda item: item[1])]
        kinds = {entry.kind: entry.kind_label for entry in entries}
        self.fields["kind"].choices = [("", everyone), *kinds.items()]
        if all(entry.mine for entry in entries):
            del self.fields["mine"]

    def matches(self, entry: Entry) -> bool:
        wanted = self.cleaned_data
        return (
            (wanted["college"] is None or entry.college_id == wanted["college"])
            and (wanted["class_group"] is None or entry.class_id == wanted["class_group"])
            and (not wanted["kind"] or entry.kind == wanted["kind"])
            and (not wanted["urgent"] or entry.urgent)
            and (not wanted["overdue"] or entry.overdue)
            and (not wanted.get("mine") or entry.mine)
        )


@dataclass
class Listing:
    page: Page
    form: ListFilter
    total: int  # the whole list, before the filter
    urgent: int
    overdue: int
    matching: int  # what the filter keeps
    query: str  # the filter as a query string, for the pages' links

    @property
    def filtered(self) -> bool:
        return self.form.is_bound and self.form.is_valid() and any(self.form.cleaned_data.values())

    def reads(self, what, *, post: str) -> list:
        """The access-log events of showing this page: each student its rows name, once, at the highest
        tier those rows reveal (the rows of other pages are not shown, so not read)."""
        tiers: dict[int, Tier] = {}
        for entry in self.page:
            if entry.student is not None:
                tiers[entry.student.pk] = max(entry.tier, tiers.get(entry.student.pk, Tier.T0))
        students = Student.objects.in_bulk(tiers)  # a row may hold only what the list needs of its student
        return [read_event(what, student=students[pk], tier=tier, post=post) for pk, tier in tiers.items()]


def listing(entries: list[Entry], params, *, page_size: int = PAGE_SIZE) -> Listing:
    """`entries` ordered (urgent, then overdue, then by deadline), filtered by `params` (a QueryDict: an
    invalid filter is shown with its error and filters nothing) and cut to the page `params` asks for."""
    _place(entries)
    entries.sort(key=_ordering(timezone.get_current_timezone()))
    form = ListFilter(params, entries)
    kept = [entry for entry in entries if form.matches(entry)] if form.is_valid() else entries
    query = params.copy()
    query.pop("page", None)
    page = Paginator(kept, page_size).get_page(params.get("page"))
    _fill(page.object_list)
    return Listing(
        page=page,
        form=form,
        total=len(entries),
        urgent=sum(entry.urgent for entry in entries),
        overdue=sum(entry.overdue for entry in entries),
        matching=len(kept),
        query=query.urlencode(),
    )
