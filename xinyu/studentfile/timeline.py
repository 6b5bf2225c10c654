"""The student file's timeline: every app that keeps records about a student contributes its entries.

An app registers a source in its AppConfig.ready():

    from xinyu.studentfile.timeline import register_timeline_source
    register_timeline_source(registry_entries)

A source is `source(student, viewer, tier) -> iterable of TimelineEntry`, where `tier` is the viewer's
tier on the student from xinyu.org.scope (break-glass and case membership included). The source
returns only what that viewer may see, deciding through the scope module (T4 counselling notes, for
instance, only for the treating counsellor and the centre's supervisors), in a fixed number of queries.
Entries carry their own tier so the page can mark them and the access log can record the highest read.
An entry may also carry a `header_badge` for the file's header (the registry source marks a current entry with
"On the key-concern registry"); the page knows no source by name.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from xinyu.org.scope import Tier


@dataclass
class TimelineEntry:
    at: dt.datetime  # aware; a date-only record uses the start of that day in the school's time zone
    kind: str  # a short code: "screening_result", "registry_entry", "counselling_session" …
    kind_label: str  # translated, shown as the entry's badge
    title: str
    tier: Tier
    summary: str = ""
    url: str = ""
    confidential: bool = False  # T4: shown with a mark, never printed or exported by default
    # A short translated label for the file's header while this record holds ("On the key-concern
    # registry", "Open crisis: Level B"); the header shows each distinct badge once, at the entry's tier.
    header_badge: str = ""


TimelineSource = Callable[[object, object, Tier], Iterable[TimelineEntry]]
_sources: list[TimelineSource] = []


def register_timeline_source(source: TimelineSource) -> TimelineSource:
    if source not in _sources:
        _sources.append(source)
    return source


def timeline_for(student, viewer, tier: Tier) -> list[TimelineEntry]:
    """All entries the viewer may see, newest first. An entry above the viewer's tier is dropped unless
    it is confidential (T4), which its source grants by a rule of its own (the treating counsellor)."""
    entries = [
        entry
        for source in _sources
        for entry in source(student, viewer, tier)
        if entry.tier <= tier or entry.confidential
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
