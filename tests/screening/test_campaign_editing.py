"""Editing and closing a campaign (the centre): everything before it opens; while open only the close time
(later), the resources and the reminder text; after closing only the resources. Every change audited."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import ClassGroupFactory, CollegeFactory, SchoolFactory
from tests.screening.test_campaigns import make_campaign, participant_ids
from xinyu.audit.models import AuditEntry
from xinyu.screening.campaigns import (
    EDITABLE_AFTER_CLOSING,
    EDITABLE_BEFORE_OPENING,
    EDITABLE_WHILE_OPEN,
    close_campaign,
    editable_fields,
    update_campaign,
)
from xinyu.screening.models import Campaign, Participation, Sitting
from xinyu.screening.questionnaire import record_consent
from xinyu.screening.services import get_instrument
from xinyu.screening.sittings import EntryError, enter_sitting, open_sitting


def local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def draft(world):
    now = timezone.now()
    return make_campaign(world, opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=8))


@pytest.fixture
def running(world):
    return make_campaign(world)


@pytest.fixture
def finished(world):
    campaign = make_campaign(world)
    Campaign.objects.filter(pk=campaign.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    campaign.refresh_from_db()
    return campaign


def edit_url(campaign):
    return reverse("screening:campaign_edit", args=[campaign.pk])


def close_url(campaign):
    return reverse("screening:campaign_close", args=[campaign.pk])


def form_data(campaign, **changes) -> dict:
    """The edit form as the page would post it, with `changes` applied."""
    data = {
        "kind": campaign.kind,
        "title": campaign.title,
        "instruments": [str(i.pk) for i in campaign.instruments.all()],
        "opens_at": local(campaign.opens_at),
        "closes_at": local(campaign.closes_at),
        "enrolment_years": ", ".join(str(y) for y in campaign.enrolment_years),
        "colleges": [str(c.pk) for c in campaign.colleges.all()],
        "class_groups": [str(g.pk) for g in campaign.class_groups.all()],
        "student_statuses": campaign.student_statuses or ["enrolled"],
        "consent_text": campaign.consent_text,
        "consent_version": campaign.consent_version,
        "resources_text": campaign.resources_text,
        "reminder_text": campaign.reminder_text,
    }
    if campaign.show_summary_to_student:
        data["show_summary_to_student"] = "on"
    if campaign.one_item_per_screen:
        data["one_item_per_screen"] = "on"
    data.update(changes)
    return data


def test_what_may_change_follows_the_state(draft, running, finished):
    assert editable_fields(draft) == EDITABLE_BEFORE_OPENING
    assert editable_fields(running) == EDITABLE_WHILE_OPEN == ("closes_at", "resources_text", "reminder_text")
    assert editable_fields(finished) == EDITABLE_AFTER_CLOSING == ("resources_text",)


def test_before_opening_everything_changes_and_the_targets_follow(world, draft):
    by = world.cast["counsellor"]
    assert world.in_scope.pk in participant_ids(draft)
    changed = update_campaign(
        draft,
        by=by,
        title="2025秋季新生普查",
        kind=Campaign.Kind.CENSUS,
        instruments=[get_instrument("GAD-7"), get_instrument("PHQ-9")],
        colleges=[world.college_b],
        consent_version="v2",
        consent_text="新的知情同意书。",
        show_summary_to_student=True,
        one_item_per_screen=True,
        reminder_text="请尽快完成。",
    )
    assert set(changed) == {
        "title",
        "kind",
        "instruments",
        "colleges",
        "consent_version",
        "consent_text",
        "show_summary_to_student",
        "one_item_per_screen",
        "reminder_text",
    }
    draft.refresh_from_db()
    assert draft.title == "2025秋季新生普查"
    assert draft.one_item_per_screen and draft.show_summary_to_student
    assert [i.code for i in draft.instruments.order_by("campaigninstrument__position")] == ["GAD-7", "PHQ-9"]
    assert participant_ids(draft) == {world.other_college.pk}  # only college B is asked now
    entry = AuditEntry.objects.get(what="screening.campaign")
    assert entry.actor == by
    assert entry.action == AuditEntry.Action.UPDATE
    assert entry.detail["campaign"] == draft.pk
    gad, phq = get_instrument("GAD-7"), get_instrument("PHQ-9")
    assert entry.detail["changed"]["instruments"] == [
        [f"PHQ-9@{phq.version}"],
        [f"GAD-7@{gad.version}", f"PHQ-9@{phq.version}"],
    ]
    assert set(entry.detail["changed"]) == set(changed)
    # Widening the target again brings the students back.
    update_campaign(draft, by=by, colleges=[])
    assert world.in_scope.pk in participant_ids(draft)


def test_nothing_changed_writes_nothing(world, draft):
    assert update_campaign(draft, by=world.cast["counsellor"], title=draft.title, closes_at=draft.closes_at) == []
    assert not AuditEntry.objects.filter(what="screening.campaign").exists()


def test_close_before_open_is_refused_in_chinese_terms(world, draft):
    with pytest.raises(ValidationError) as refused:
        update_campaign(draft, by=world.cast["counsellor"], closes_at=draft.opens_at - dt.timedelta(hours=1))
    assert refused.value.messages == [gettext("The campaign must close after it opens.")]
    draft.refresh_from_db()
    assert draft.closes_at > draft.opens_at
    assert not AuditEntry.objects.filter(what="screening.campaign").exists()


def test_while_open_only_later_close_resources_and_reminder(world, running):
    by = world.cast["counsellor"]
    later = running.closes_at + dt.timedelta(days=2)
    changed = update_campaign(running, by=by, closes_at=later, resources_text="中心电话 1234", reminder_text="别忘了")
    assert set(changed) == {"closes_at", "resources_text", "reminder_text"}
    running.refresh_from_db()
    assert running.closes_at == later
    assert running.resources_text == "中心电话 1234"
    for change in (
        {"title": "改名"},
        {"instruments": [get_instrument("GAD-7")]},
        {"consent_text": "改过的同意书"},
        {"opens_at": running.opens_at - dt.timedelta(days=1)},
        {"colleges": [world.college_a]},
        {"show_summary_to_student": True},
    ):
        with pytest.raises(ValidationError):
            update_campaign(running, by=by, **change)
    with pytest.raises(ValidationError):  # earlier: use "close now"
        update_campaign(running, by=by, closes_at=running.closes_at - dt.timedelta(hours=1))
    running.refresh_from_db()
    assert running.title == "2025秋季心理普查"
    assert running.closes_at == later
    assert AuditEntry.objects.filter(what="screening.campaign").count() == 1


def test_after_closing_only_the_resources(world, finished):
    by = world.cast["counsellor"]
    assert update_campaign(finished, by=by, resources_text="新的资源") == ["resources_text"]
    with pytest.raises(ValidationError):
        update_campaign(finished, by=by, closes_at=timezone.now() + dt.timedelta(days=1))
    with pytest.raises(ValidationError):
        update_campaign(finished, by=by, reminder_text="太晚了")


def test_close_now_ends_answers_and_sittings(world, running):
    sitting = open_sitting(running, world.a1, world.cast["head_teacher"])
    participation = Participation.objects.get(campaign=running, student=world.in_scope)
    record_consent(participation, agreed=True, consent_version="v1")
    close_campaign(running, by=world.cast["counsellor"])
    running.refresh_from_db()
    assert not running.is_open()
    sitting.refresh_from_db()
    assert sitting.closes_at <= timezone.now()
    with pytest.raises(EntryError):
        enter_sitting(sitting.code, world.in_scope.student_number, world.in_scope.reveal_id_number()[-6:])
    entry = AuditEntry.objects.get(what="screening.campaign_close")
    assert entry.actor == world.cast["counsellor"]
    assert entry.detail["sittings_closed"] == 1
    with pytest.raises(ValidationError):  # already closed
        close_campaign(running, by=world.cast["counsellor"])


def test_a_draft_cannot_be_closed(world, draft):
    with pytest.raises(ValidationError):
        close_campaign(draft, by=world.cast["counsellor"])
    assert not AuditEntry.objects.filter(what="screening.campaign_close").exists()


# --- The pages ---


@pytest.mark.parametrize("who", ["counsellor", "supervisor"])
def test_centre_edits_in_the_page(world, client_for, draft, who):
    client = client_for(world.cast[who])
    page = client.get(edit_url(draft))
    assert page.status_code == 200
    assert 'data-testid="campaign-form"' in page.content.decode()
    saved = client.post(edit_url(draft), form_data(draft, title="改过的标题", one_item_per_screen="on"))
    assert saved.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "改过的标题"
    assert draft.one_item_per_screen
    assert AuditEntry.objects.get(what="screening.campaign").actor == world.cast[who]


def test_impossible_edit_in_the_page_says_what(world, client_for, draft):
    client = client_for(world.cast["counsellor"])
    refused = client.post(edit_url(draft), form_data(draft, closes_at=local(draft.opens_at - dt.timedelta(hours=2))))
    assert refused.status_code == 400
    text = refused.content.decode()
    assert 'data-testid="form-errors"' in text
    with pytest.raises(ValidationError) as error:
        update_campaign(draft, by=None, closes_at=draft.opens_at - dt.timedelta(hours=2))
    assert error.value.messages[0] in text  # the same (translated) message the service gives
    draft.refresh_from_db()
    assert draft.closes_at > draft.opens_at


def test_open_campaign_page_locks_the_settings_that_no_longer_change(world, client_for, running):
    client = client_for(world.cast["counsellor"])
    text = client.get(edit_url(running)).content.decode()
    assert 'name="title"' in text and "disabled" in text
    later = running.closes_at + dt.timedelta(days=1)
    # A posted title is ignored (the field is disabled); the later close time is saved.
    saved = client.post(edit_url(running), form_data(running, title="偷偷改名", closes_at=local(later)))
    assert saved.status_code == 302
    running.refresh_from_db()
    assert running.title == "2025秋季心理普查"
    assert local(running.closes_at) == local(later)
    earlier = client.post(
        edit_url(running), form_data(running, closes_at=local(running.closes_at - dt.timedelta(days=1)))
    )
    assert earlier.status_code == 400
    assert 'data-testid="form-errors"' in earlier.content.decode()


def test_saving_an_open_campaign_unchanged_is_no_change(world, client_for, running):
    client = client_for(world.cast["counsellor"])
    saved = client.post(edit_url(running), form_data(running))  # times posted to the minute, as the page shows
    assert saved.status_code == 302
    assert not AuditEntry.objects.filter(what="screening.campaign").exists()


def test_close_now_needs_the_confirmation(world, client_for, running):
    client = client_for(world.cast["counsellor"])
    page = client.get(close_url(running))
    assert page.status_code == 200
    assert 'data-testid="close-form"' in page.content.decode()
    unconfirmed = client.post(close_url(running), {})
    assert unconfirmed.status_code == 400
    running.refresh_from_db()
    assert running.is_open()
    confirmed = client.post(close_url(running), {"confirm": "on"})
    assert confirmed.url == edit_url(running)
    running.refresh_from_db()
    assert not running.is_open()
    assert AuditEntry.objects.filter(what="screening.campaign_close", actor=world.cast["counsellor"]).count() == 1


def test_closing_a_draft_in_the_page_is_refused(world, client_for, draft):
    client = client_for(world.cast["counsellor"])
    assert 'data-testid="not-open"' in client.get(close_url(draft)).content.decode()
    assert client.post(close_url(draft), {"confirm": "on"}).status_code == 400
    draft.refresh_from_db()
    assert draft.opens_at > timezone.now()


@pytest.mark.parametrize(
    "who",
    [
        "head_teacher",
        "advisor",
        "mental_health_advisor",
        "college_leader",
        "leading_group_member",
        "outsider",
        "student_affairs",
        "student",
        "dorm_leader",
    ],
)
def test_only_the_centre_edits_or_closes(world, client_for, running, who):
    client = client_for(world.cast[who])
    assert client.get(edit_url(running)).status_code == 404
    assert client.post(edit_url(running), form_data(running, title="x")).status_code == 404
    assert client.get(close_url(running)).status_code == 404
    assert client.post(close_url(running), {"confirm": "on"}).status_code == 404
    running.refresh_from_db()
    assert running.is_open() and running.title == "2025秋季心理普查"
    assert not AuditEntry.objects.filter(what__startswith="screening.campaign").exists()


def test_another_schools_campaign_is_404_for_the_centre(world, client_for):
    other_school = SchoolFactory(code="OTHER", name="另一所学院")
    group = ClassGroupFactory(college=CollegeFactory(school=other_school))
    campaign = make_campaign(world, school=other_school, class_groups=[group])
    client = client_for(world.cast["counsellor"])
    assert client.get(edit_url(campaign)).status_code == 404
    assert client.post(close_url(campaign), {"confirm": "on"}).status_code == 404
    campaign.refresh_from_db()
    assert campaign.is_open()


def test_campaign_list_links_to_editing_for_the_centre_only(world, client_for, running):
    centre = client_for(world.cast["counsellor"]).get(reverse("screening:campaign_list")).content.decode()
    assert edit_url(running) in centre
    advisor = client_for(world.cast["mental_health_advisor"]).get(reverse("screening:campaign_list")).content.decode()
    assert edit_url(running) not in advisor


def test_sittings_of_a_closed_campaign_stop_counting(world, running):
    close_campaign(running, by=world.cast["counsellor"])
    assert not Sitting.objects.filter(campaign=running, closes_at__gt=timezone.now()).exists()
