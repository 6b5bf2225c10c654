"""What a student reads about their own screenings: a supportive summary where the campaign allows it.

Never the raw labels (bands such as 重度抑郁, UPI's 第一类, scores or flags): one plain sentence chosen by
the result's severity, written to encourage, with the help resources beside it. For a campaign that does
not let students see a summary, nothing about the result at all.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from xinyu.screening.models import Participation, Result
from xinyu.screening.questionnaire import has_red_flag

SUPPORTIVE = {
    "none": _("Your answers do not point to any particular difficulty at the moment. Keep looking after yourself."),
    "mild": _(
        "Your answers suggest some stress or low mood lately. That is common; rest, exercise and talking with "
        "people you trust help, and the psychology centre is there if you would like to talk."
    ),
    "moderate": _(
        "Your answers suggest you have been carrying quite a lot lately. Talking with someone helps: you are "
        "welcome at the psychology centre, and someone from your college may invite you for a chat."
    ),
    "severe": _(
        "Your answers suggest you are going through a hard time. You do not have to face it alone: please "
        "contact the psychology centre or one of the help lines below; someone from the school will also get "
        "in touch with you."
    ),
}
SEVERITY_WORDING = {
    "": "none",
    "none": "none",
    "mild": "mild",
    "moderate": "moderate",
    "moderately_severe": "severe",
    "severe": "severe",
}


def supportive_line(severity: str) -> str:
    return str(SUPPORTIVE[SEVERITY_WORDING.get(severity or "", "moderate")])


def summary_rows(results) -> list[dict]:
    """(instrument name, supportive sentence) for each result, in the order given."""
    return [{"instrument": result.instrument.name, "text": supportive_line(result.severity)} for result in results]


@dataclass
class OwnCampaign:
    participation: Participation
    shows_summary: bool
    summary: list[dict] = field(default_factory=list)
    red_flag: bool = False
    resources: list[str] = field(default_factory=list)  # the campaign's own lines, before the centre's help

    @property
    def campaign(self):
        return self.participation.campaign


def own_history(student) -> list[OwnCampaign]:
    """The campaigns `student` submitted, newest first; a summary only where the campaign allows it."""
    if student is None:
        return []

    participations = list(
        Participation.objects.filter(student=student, status=Participation.Status.SUBMITTED)
        .select_related("campaign")
        .order_by("-submitted_at", "-pk")
    )
    shown = [p.pk for p in participations if p.campaign.show_summary_to_student]
    results: dict[int, list[Result]] = {pk: [] for pk in shown}
    for result in (
        Result.objects.filter(response__participation_id__in=shown, student=student)
        .select_related("instrument", "response")
        .order_by("response__id")
    ):
        results[result.response.participation_id].append(result)
    history = []
    for participation in participations:
        campaign = participation.campaign
        if not campaign.show_summary_to_student:
            history.append(OwnCampaign(participation, shows_summary=False))
            continue
        rows = results[participation.pk]
        history.append(
            OwnCampaign(
                participation,
                shows_summary=True,
                summary=summary_rows(rows),
                red_flag=has_red_flag(rows),
                resources=[line for line in campaign.resources_text.splitlines() if line.strip()],
            )
        )
    return history
