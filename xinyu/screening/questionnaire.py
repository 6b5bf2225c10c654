"""Answering a campaign: consent, answers saved as you go, and the one idempotent submission.

- `record_consent` first: agreeing opens the questionnaire (one Response per instrument), declining is
  allowed and recorded (with the consent version shown).
- `save_answer` writes one answer at once, so a dropped connection resumes exactly where it stopped.
- `submit(participation, submission_key)` scores every instrument, stores Result rows, records
  data-quality flags (for review, never as risk), writes an audit entry and hands the results to
  `xinyu.screening.triage.triage_submission`, all in one transaction. A retried submit returns the same
  results and never makes a second set.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import Event, record
from xinyu.org.scope import Tier
from xinyu.policy.errors import DomainError
from xinyu.policy.loader import policy_in_force
from xinyu.privacy.consent import record_campaign_consent
from xinyu.screening.campaigns import campaign_instruments, instrument_ids
from xinyu.screening.models import Participation, Response, Result
from xinyu.screening.scoring import score
from xinyu.screening.triage import triage_submission

# Answered faster than this on average is flagged for review (a careless or automated answer).
MIN_SECONDS_PER_ITEM = 1.5


class QuestionnaireError(DomainError):
    """A refused step, with a message to show."""


class MissingAnswers(QuestionnaireError):
    """Required items left unanswered: `missing` lists (instrument name, item number)."""

    def __init__(self, missing: list[tuple[str, int]]):
        self.missing = missing
        super().__init__(_("Some required questions are not answered yet."))


@dataclass(frozen=True)
class Page:
    """One instrument of the questionnaire as the student sees it."""

    response: Response
    definition: object
    answered: int
    total: int


def _open_for_answers(participation: Participation) -> None:
    if participation.status == Participation.Status.SUBMITTED:
        raise QuestionnaireError(_("You have already submitted this questionnaire."))
    if participation.status == Participation.Status.DECLINED:
        raise QuestionnaireError(_("You declined this questionnaire."))
    if not participation.campaign.is_open():
        raise QuestionnaireError(_("This campaign is not open."))


@transaction.atomic
def record_consent(participation: Participation, *, agreed: bool, consent_version: str) -> Participation:
    """Record the student's answer to the consent text they were shown (its version must be current)."""
    participation = Participation.objects.select_for_update().select_related("campaign").get(pk=participation.pk)
    campaign = participation.campaign
    if participation.status in Participation.MOVES.final():
        return participation
    if not campaign.is_open():
        raise QuestionnaireError(_("This campaign is not open."))
    if consent_version != campaign.consent_version:
        raise QuestionnaireError(_("The consent text has changed. Read it again, please."))
    Participation.MOVES.check(
        participation.status,
        Participation.Status.IN_PROGRESS if agreed else Participation.Status.DECLINED,
        error=QuestionnaireError,
    )
    now = timezone.now()
    participation.consent_version = consent_version
    if agreed:
        participation.consented_at = now
        participation.started_at = participation.started_at or now
        participation.status = Participation.Status.IN_PROGRESS
        Response.objects.bulk_create(
            [Response(participation=participation, instrument=i) for i in campaign_instruments(campaign)],
            ignore_conflicts=True,
        )
        record_campaign_consent(participation, at=now)
    else:
        participation.consented_at = None
        participation.declined_at = now
        participation.status = Participation.Status.DECLINED
    participation.save(update_fields=["consent_version", "consented_at", "declined_at", "started_at", "status"])
    return participation


def pages(participation: Participation) -> list[Page]:
    """The instruments in campaign order, each with its saved answers and progress."""
    order = {instrument_id: position for position, instrument_id in enumerate(instrument_ids(participation.campaign))}
    # Definitions come parsed from the per-process cache by (row, digest): their JSON is not read again.
    responses = sorted(
        Response.objects.filter(participation=participation)
        .select_related("instrument")
        .defer("instrument__definition"),
        key=lambda response: order.get(response.instrument_id, len(order)),
    )
    result = []
    for response in responses:
        definition = response.instrument.parsed()
        answered = sum(1 for item in definition.items if str(item.number) in (response.answers or {}))
        result.append(Page(response, definition, answered, len(definition.items)))
    return result


def resume_position(participation: Participation) -> tuple[int, int] | None:
    """(instrument position, item number) of the first unanswered item: where a reload resumes."""
    for position, page in enumerate(pages(participation)):
        for item in page.definition.items:
            if str(item.number) not in (page.response.answers or {}):
                return position, item.number
    return None


def screens(page_list: list[Page]) -> list[tuple[Page, object]]:
    """One question per screen: (page, item) in the order asked, numbered 1… by position."""
    return [(page, item) for page in page_list for item in page.definition.items]


def resume_screen(page_list: list[Page]) -> int:
    """The 1-based screen where a student resumes: the first unanswered question after the last answered
    one (where they stopped), else the first required question still unanswered, else one past the last
    (the screen to submit). An optional question skipped earlier does not pull them back."""
    flat = screens(page_list)
    answered = [str(item.number) in (page.response.answers or {}) for page, item in flat]
    last = max((position for position, done in enumerate(answered, start=1) if done), default=0)
    for position in range(last + 1, len(flat) + 1):
        if not answered[position - 1]:
            return position
    for position, (_page, item) in enumerate(flat, start=1):
        if item.required and not answered[position - 1]:
            return position
    return len(flat) + 1


@transaction.atomic
def save_answer(participation: Participation, instrument_id: int, item_number: int, value) -> Response:
    """Save one answer (an option code, or text for a free-text item; empty clears it)."""
    participation = Participation.objects.select_related("campaign").get(pk=participation.pk)
    _open_for_answers(participation)
    if participation.status != Participation.Status.IN_PROGRESS:
        raise QuestionnaireError(_("Agree to the consent text first."))
    response = (
        Response.objects.select_for_update()
        .select_related("instrument")
        .filter(participation=participation, instrument_id=instrument_id)
        .first()
    )
    if response is None:
        raise QuestionnaireError(_("No such questionnaire."))
    definition = response.instrument.parsed()
    try:
        item = definition.item(int(item_number))
    except (IndexError, TypeError, ValueError):
        raise QuestionnaireError(_("No such question.")) from None
    if int(item_number) < 1:
        raise QuestionnaireError(_("No such question."))
    value = "" if value is None else str(value).strip()
    answers = dict(response.answers or {})
    if value == "":
        answers.pop(str(item.number), None)
    else:
        if item.option_set:
            codes = {option.code for option in definition.option_set(item.option_set).options}
            if value not in codes:
                raise QuestionnaireError(_("That is not one of the answers to this question."))
        else:
            value = value[:1000]
        answers[str(item.number)] = value
    response.answers = answers
    response.save(update_fields=["answers", "updated_at"])
    return response


def missing_items(participation: Participation, page_list: list[Page] | None = None) -> list[tuple[str, int]]:
    """(instrument name, item number) of each required item without an answer."""
    missing = []
    for page in pages(participation) if page_list is None else page_list:
        answers = page.response.answers or {}
        for item in page.definition.items:
            if item.required and str(item.number) not in answers:
                missing.append((str(page.definition.name), item.number))
    return missing


def quality_flags(participation: Participation, page_list: list[Page], now) -> list[dict]:
    """Data-quality flags for review (never risk): answered implausibly fast; the same answer throughout
    a multi-item instrument."""
    flags = []
    items = sum(page.total for page in page_list)
    if participation.started_at and items:
        seconds = (now - participation.started_at).total_seconds()
        if seconds / items < MIN_SECONDS_PER_ITEM:
            flags.append({"code": "too_fast", "seconds": round(seconds, 1), "items": items})
    for page in page_list:
        values = [v for k, v in (page.response.answers or {}).items() if page.definition.item(int(k)).option_set]
        if page.total > 1 and len(values) == page.total and len(set(values)) == 1:
            flags.append({"code": "same_answer", "instrument": page.definition.code, "answer": values[0]})
    return flags


def _stored_results(participation: Participation) -> list[Result]:
    return list(
        Result.objects.filter(response__participation=participation)
        .select_related("instrument")
        .order_by("response__id")
    )


def submit(participation: Participation, submission_key: str, *, actor=None, address: str | None = None):
    """Score and store the participation's answers once; returns its Result rows. A retry (the same or
    another key after success) returns the stored results without writing anything."""
    submission_key = (submission_key or "").strip()[:64]
    if not submission_key:
        raise QuestionnaireError(_("The submission is missing its key. Reload the page, please."))
    with transaction.atomic():
        participation = (
            Participation.objects.select_for_update(of=("self",))
            .select_related("campaign", "student__class_group")
            .get(pk=participation.pk)
        )
        if participation.status == Participation.Status.SUBMITTED:
            return _stored_results(participation)
        _open_for_answers(participation)
        Participation.MOVES.check(
            participation.status,
            Participation.Status.SUBMITTED,
            error=QuestionnaireError,
            message=_("Agree to the consent text first."),
        )
        page_list = pages(participation)
        missing = missing_items(participation, page_list)
        if missing:
            raise MissingAnswers(missing)
        now = timezone.now()
        rules = policy_in_force(now.date()).screening.scoring
        results = []
        for page in page_list:
            answers = {int(number): value for number, value in (page.response.answers or {}).items()}
            outcome = score(page.definition, answers, rules=rules)
            if not outcome.complete:
                raise QuestionnaireError(
                    _("%(instrument)s: %(problem)s")
                    % {"instrument": page.definition.name, "problem": outcome.errors[0].message}
                )
            detail = outcome.to_dict()
            results.append(
                Result(
                    response=page.response,
                    student=participation.student,
                    campaign=participation.campaign,
                    instrument=page.response.instrument,
                    total=outcome.total,
                    band=outcome.band.code if outcome.band else "",
                    classification=outcome.classification.code if outcome.classification else "",
                    severity=outcome.severity or "",
                    flags=detail["flags"],
                    detail=detail,
                    rules_version=outcome.rules_version,
                    scored_at=now,
                )
            )
        Result.objects.bulk_create(results)
        Response.objects.filter(participation=participation, completed_at__isnull=True).update(completed_at=now)
        participation.quality_flags = quality_flags(participation, page_list, now)
        participation.status = Participation.Status.SUBMITTED
        participation.submitted_at = now
        participation.submission_key = submission_key
        participation.save(update_fields=["quality_flags", "status", "submitted_at", "submission_key"])
        results.sort(key=lambda result: result.response_id)  # as _stored_results orders them
        triage_submission(participation, results)
        # The access log's entry is written unchained in this transaction (no lock); the sealer chains it later.
        record(
            actor,
            Event(
                AuditEntry.Action.CREATE,
                "screening.submission",
                student=participation.student,
                tier=Tier.T3,
                detail={
                    "campaign": participation.campaign_id,
                    "participation": participation.pk,
                    "instruments": [page.definition.key for page in page_list],
                    "quality_flags": [flag["code"] for flag in participation.quality_flags],
                },
            ),
            address=address,
        )
    return results


def has_red_flag(results) -> bool:
    return any(isinstance(flag, dict) and flag.get("red_flag") for result in results for flag in result.flags)
