"""The student file's timeline: every app that keeps records about a student contributes its entries.

The sources are listed in TIMELINE_SOURCES below (the file sits above every app it shows). A source is
`source(student, viewer, tier) -> iterable of TimelineEntry`, where `tier` is the viewer's tier on the
student from xinyu.org.scope (break-glass and case membership included). The source returns only what that
viewer may see, deciding through the scope module (T4 counselling notes, for instance, only for the
treating counsellor and the centre's supervisors), in a fixed number of queries. Entries carry their own
tier so the page can mark them and the access log can record the highest read. An entry may also carry a
`header_badge` for the file's header (the registry source marks a current entry with "On the key-concern
registry"); the page knows no source by name.
"""

from collections.abc import Callable, Iterable

from xinyu.care.sources import registry_timeline
from xinyu.common.tiers import Tier
from xinyu.common.timeline import TimelineEntry
from xinyu.counselling.sources import counselling_timeline
from xinyu.referrals.sources import timeline_entries as referral_timeline
from xinyu.studentfile.sources import SOURCES as FILE_SOURCES

TimelineSource = Callable[[object, object, Tier], Iterable[TimelineEntry]]

TIMELINE_SOURCES: tuple[TimelineSource, ...] = (
    *FILE_SOURCES,
    registry_timeline,
    counselling_timeline,
    referral_timeline,
)


def timeline_for(student, viewer, tier: Tier) -> list[TimelineEntry]:
    """All entries the viewer may see, newest first. An entry above the viewer's tier is dropped unless
    it is confidential (T4), which its source grants by a rule of its own (the treating counsellor)."""
    entries = [
        entry
        for source in TIMELINE_SOURCES
        for entry in source(student, viewer, tier)
        if entry.tier <= tier or entry.confidential
    ]
    return sorted(entries, key=lambda entry: entry.at, reverse=True)
