"""The activities each person organised, for the workload statement (xinyu.workforce.statement)."""

import datetime as dt

from django.db.models import Count, Sum

from xinyu.education.models import Activity


def organised_activities(start: dt.date, end: dt.date) -> dict[int, tuple[int, int]]:
    """User id → (how many activities they organised, their minutes), held in [start, end)."""
    rows = (
        Activity.objects.filter(held_on__gte=start, held_on__lt=end)
        .values("organiser_id")
        .annotate(count=Count("pk"), minutes=Sum("minutes"))
    )
    return {row["organiser_id"]: (row["count"], row["minutes"]) for row in rows}
