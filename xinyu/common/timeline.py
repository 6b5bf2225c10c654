"""The shape of a student-file timeline entry that apps hand to the file (`xinyu.studentfile.timeline`)."""

import datetime as dt
from dataclasses import dataclass

from xinyu.common.tiers import Tier


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
