""" "Who opened this file" for the centre, in short: one line per person and day (their name and number, the
posts they read under, how many entries, what they read and did), above the page's full list of entries.
Grouped in the database: one query whatever the log's length."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.utils import timezone

from xinyu.audit.models import AuditEntry
from xinyu.audit.reads import what_label
from xinyu.org.access_log import post_label

SHOWN = 60  # person-days, newest first


@dataclass
class Reader:
    day: dt.date
    name: str
    username: str
    count: int = 0
    posts: list[str] = field(default_factory=list)
    whats: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    highest_tier: int = 0


def readers_by_day(student, *, shown: int = SHOWN) -> list[Reader]:
    rows = (
        AuditEntry.objects.filter(student=student)
        .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
        .values("actor_id", "actor_username", "actor_name", "post", "what", "action", "day")
        .annotate(n=Count("id"), last=Max("at"), tier=Max("tier"))
        .order_by()
    )
    groups: dict = {}
    for row in rows:
        key = (row["actor_id"] or row["actor_username"], row["day"])
        if key not in groups:
            groups[key] = {"reader": Reader(row["day"], row["actor_name"], row["actor_username"]), "last": row["last"]}
        group = groups[key]
        reader = group["reader"]
        reader.count += row["n"]
        reader.highest_tier = max(reader.highest_tier, row["tier"])
        group["last"] = max(group["last"], row["last"])
        for values, value in (
            (reader.posts, post_label(row["post"]) if row["post"] else ""),
            (reader.whats, what_label(row["what"])),
            (reader.actions, str(AuditEntry.Action(row["action"]).label)),
        ):
            if value and value not in values:
                values.append(value)
    ordered = sorted(groups.values(), key=lambda group: (group["reader"].day, group["last"]), reverse=True)
    for group in ordered:
        for values in (group["reader"].posts, group["reader"].whats, group["reader"].actions):
            values.sort()
    return [group["reader"] for group in ordered[:shown]]
