"""Imported instruments keep their safety net: a draft until the centre activates it; activation shows its
bands, flags and red-flag items and refuses, unless explicitly confirmed (and logged), one that lacks what
the shipped instrument it stands for has; English texts are stored as English and shown to the student in
the language they read."""

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.screening.questionnaires import as_bytes, english_phq9
from tests.screening.test_campaigns import make_campaign
from xinyu.audit.models import AuditEntry
from xinyu.screening.activation import ActivationRefused, activate_instrument, safety_net
from xinyu.screening.definition import definition_to_json, parse_definition, shipped_definition
from xinyu.screening.fhir import ORDINAL_VALUE, definition_to_questionnaire
from xinyu.screening.forms import CampaignForm
from xinyu.screening.models import Instrument, Participation
from xinyu.screening.questionnaire import record_consent
from xinyu.screening.services import read_definition_upload, store_definition

pytestmark = pytest.mark.django_db

PHQ9_MISSING = (
    "没有分段（随附的 PHQ-9 分为：无或极轻微抑郁、轻度抑郁、中度抑郁、中重度抑郁、重度抑郁）",
    "没有红色警示（随附的 PHQ-9：第 9 题：有不如死掉或伤害自己的念头）",
    "第 9 题（LOINC 44260-8）在随附的 PHQ-9 中是红色警示题（第 9 题：有不如死掉或伤害自己的念头），这里却没有红色警示",
)


def imported(resource, by=None) -> Instrument:
    definition, source = read_definition_upload(as_bytes(resource), "phq9.json")
    return store_definition(definition, source=source, by=by).instrument


def activations():
    return list(AuditEntry.objects.filter(what="screening.instrument_activation").order_by("id"))


def test_an_english_phq9_without_language_is_stored_as_english_and_as_a_draft():
    instrument = imported(english_phq9())
    definition = instrument.parsed()

    assert (instrument.code, instrument.is_active, instrument.is_draft, instrument.name) == (
        "PHQ9",
        False,
        True,
        "Patient Health Questionnaire-9",
    )
    assert [item.text.zh for item in definition.items] == [""] * 9
    assert definition.item(9).text.en == shipped_definition("PHQ-9").item(9).text.en
    assert definition.option_sets[0].options[1].label.en == "Several days"
    assert definition.source == (
        "FHIR Questionnaire；题目文字为英文（Questionnaire 没有写 language，按题目文字判断：9 道题中 0 道含汉字、"
        "9 道只有拉丁字母）"
    )
    assert (definition.bands, definition.flags) == (None, ())
    assert AuditEntry.objects.filter(what="screening.instrument").get().detail == {
        "instrument": "PHQ9@1",
        "source": "fhir",
        "draft": True,
    }


def test_the_language_it_declares_wins_over_the_script():
    chinese = english_phq9(language="zh-CN")
    for item, shipped in zip(chinese["item"], shipped_definition("PHQ-9").items, strict=False):
        item["text"] = shipped.text.zh

    definition = imported(chinese).parsed()

    assert definition.item(1).text.zh == shipped_definition("PHQ-9").item(1).text.zh
    assert definition.source.endswith("题目文字为中文（Questionnaire.language 为“zh-CN”）")


def test_the_safety_net_of_an_english_phq9_names_what_it_lacks():
    net = safety_net(imported(english_phq9()).parsed())

    assert (net.shipped.code, net.matched_by, net.missing) == ("PHQ-9", "LOINC 44249-1", PHQ9_MISSING)
    assert (net.red_flags, net.red_flag_items, net.without_chinese) == ((), (), tuple(range(1, 10)))


def test_activation_is_refused_without_confirmation_and_nothing_changes(world):
    instrument = imported(english_phq9())

    with pytest.raises(ActivationRefused) as caught:
        activate_instrument(instrument, by=world.cast["counsellor"])

    assert str(caught.value) == "PHQ9@1 不能启用：" + "；".join(PHQ9_MISSING) + "。如确实要这样启用，请明确确认"
    instrument.refresh_from_db()
    assert (instrument.is_active, instrument.is_draft, activations()) == (False, True, [])


def test_activation_confirmed_is_logged_with_what_was_missing(world):
    instrument = imported(english_phq9())

    activate_instrument(instrument, by=world.cast["counsellor"], confirm_missing=True, address="10.0.0.5")

    instrument.refresh_from_db()
    assert (instrument.is_active, instrument.activated_by) == (True, world.cast["counsellor"])
    [entry] = activations()
    assert (entry.actor, entry.action, entry.address) == (world.cast["counsellor"], "update", "10.0.0.5")
    assert entry.detail == {
        "instrument": "PHQ9@1",
        "source": "fhir",
        "replaces": None,
        "bands": False,
        "red_flag_items": [],
        "missing_safety_net": list(PHQ9_MISSING),
        "confirmed_without_safety_net": True,
    }
    assert entry.reason == "确认在缺少安全网的情况下启用：" + "；".join(PHQ9_MISSING)


def test_a_version_with_its_safety_net_activates_without_confirmation_and_replaces_the_old_one(world):
    document = definition_to_json(shipped_definition("PHQ-9")) | {"version": "2"}
    instrument = imported(definition_to_questionnaire(parse_definition(document)))

    net = activate_instrument(instrument, by=world.cast["supervisor"])

    assert (net.missing, net.red_flag_items) == ((), (9,))
    assert {(row.version, row.is_active) for row in Instrument.objects.filter(code="PHQ-9")} == {
        ("1", False),
        ("2", True),
    }
    [entry] = activations()
    assert (entry.detail["replaces"], entry.detail["confirmed_without_safety_net"], entry.reason) == (
        "PHQ-9@1",
        False,
        "",
    )


def test_an_item_that_is_a_red_flag_elsewhere_needs_one_here_too():
    """A home-made instrument reusing PHQ-9's item 9 (by its LOINC code) under another name and code."""
    resource = english_phq9(name="MYMOOD", code=[], title="My mood check")

    net = safety_net(imported(resource).parsed())

    assert (net.shipped, net.missing) == (None, (PHQ9_MISSING[2],))


def test_the_same_code_written_differently_is_matched():
    resource = english_phq9(code=[], name="phq_9")

    net = safety_net(imported(resource).parsed())

    assert (net.shipped.code, net.matched_by) == ("PHQ-9", "代码 PHQ-9")


def test_a_draft_cannot_be_used_in_a_campaign_and_is_not_offered(world):
    draft = imported(english_phq9())

    with pytest.raises(ValidationError, match="is a draft"):
        make_campaign(world, instruments=[draft])
    offered = set(CampaignForm(school=world.school).fields["instruments"].queryset.values_list("code", flat=True))
    assert offered == {"GAD-7", "PHQ-9", "UPI"}


def test_a_draft_can_never_be_the_active_version_in_the_database():

    draft = imported(english_phq9())
    with pytest.raises(IntegrityError), transaction.atomic():
        Instrument.objects.filter(pk=draft.pk).update(is_active=True)


def test_shipped_instruments_stay_active_and_count_as_activated():
    assert {(row.code, row.is_active, row.is_draft) for row in Instrument.objects.all()} == {
        ("GAD-7", True, False),
        ("PHQ-9", True, False),
        ("SCL-90", True, False),
        ("UPI", True, False),
    }


def test_the_data_migration_keeps_what_was_in_use_and_leaves_the_rest_as_drafts():
    """Before it, nothing had `activated_at`: shipped rows (active or not) and active rows get it; a college's
    version never made active stays a draft."""
    migration = importlib.import_module("xinyu.screening.migrations.0006_instrument_drafts_and_activation")
    draft = imported(english_phq9())
    Instrument.objects.filter(code="UPI").update(is_active=False)
    Instrument.objects.filter(code="UPI").update(activated_at=None)

    migration.activated_already(django_apps, None)

    rows = {row.code: row for row in Instrument.objects.all()}
    assert (rows["UPI"].is_draft, rows["PHQ9"].is_draft) == (False, True)
    assert rows["UPI"].activated_at == rows["UPI"].loaded_at
    assert draft.pk == rows["PHQ9"].pk


# --- the command line ----------------------------------------------------------------------------------


def test_the_command_imports_a_draft_and_refuses_to_activate_it_unconfirmed(tmp_path):
    path = tmp_path / "phq9-en.json"
    path.write_bytes(as_bytes(english_phq9()))

    with pytest.raises(CommandError) as caught:
        call_command("load_instruments", "--file", str(path), "--activate", stdout=io.StringIO())

    assert str(caught.value).startswith("PHQ9@1 不能启用：没有分段")
    assert str(caught.value).endswith("请明确确认（--confirm-missing-safety-net）。PHQ9@1 已作为草稿载入，未启用。")
    assert Instrument.objects.get(code="PHQ9").is_draft
    out = io.StringIO()
    call_command("load_instruments", "--file", str(path), "--activate", "--confirm-missing-safety-net", stdout=out)
    assert out.getvalue().splitlines()[0] == "PHQ9@1：无变化（当前使用）"
    assert activations()[0].actor_username == "system"


# --- the centre's pages --------------------------------------------------------------------------------

CENTRE = ("counsellor", "supervisor")
OTHERS = (
    "head_teacher",
    "advisor",
    "mental_health_advisor",
    "college_leader",
    "student_affairs",
    "student",
    "outsider",
)


@pytest.mark.parametrize("who", CENTRE + OTHERS)
def test_only_the_centre_reaches_the_instrument_pages(world, client_for, who):
    client = client_for(world.cast[who])
    draft = imported(english_phq9())
    upload = io.BytesIO(as_bytes(english_phq9(name="PHQ9B")))
    upload.name = "phq9b.json"

    preview = client.post(reverse("screening:instrument_import"), {"file": upload})
    sealed = preview.context["sealed"] if preview.status_code == 200 else "x"
    pages = [
        client.get(reverse("screening:instrument_list")),
        client.get(reverse("screening:instrument_detail", args=[draft.pk])),
        preview,
        client.post(reverse("screening:instrument_import_confirm"), {"sealed": sealed}),
        client.get(reverse("screening:instrument_try", args=[draft.pk])),
        client.post(reverse("screening:instrument_try", args=[draft.pk]), {"q1": "0"}),
        client.post(reverse("screening:instrument_activate", args=[draft.pk]), {"confirm_missing": "on"}),
    ]

    if who in CENTRE:
        assert [page.status_code for page in pages] == [200, 200, 200, 302, 200, 200, 302]
        assert Instrument.objects.get(code="PHQ9").is_active
        assert Instrument.objects.get(code="PHQ9B").is_draft
    else:
        assert [page.status_code for page in pages] == [404] * 7
        assert not Instrument.objects.filter(code="PHQ9B").exists()
        assert Instrument.objects.get(code="PHQ9").is_draft


def test_the_activation_page_shows_the_safety_net_and_what_is_missing(world, client_for):
    client = client_for(world.cast["counsellor"])
    draft = imported(english_phq9())

    page = client.get(reverse("screening:instrument_detail", args=[draft.pk])).content.decode()

    assert "与随附的 PHQ-9 比较（按 LOINC 44249-1 匹配）" in page
    for line in PHQ9_MISSING:
        assert line in page
    assert 'data-testid="no-red-flags"' in page and 'data-testid="no-bands"' in page
    assert "9 道题只有英文" in page
    assert 'name="confirm_missing"' in page
    assert "草稿" in page


def test_the_page_of_a_shipped_instrument_shows_its_bands_and_red_flag(world, client_for):
    phq9 = Instrument.objects.get(code="PHQ-9")

    page = client_for(world.cast["counsellor"]).get(reverse("screening:instrument_detail", args=[phq9.pk]))

    text = page.content.decode()
    assert "第 9 题：有不如死掉或伤害自己的念头" in text
    assert "15–19" in text and "中重度" in text
    assert 'data-testid="missing"' not in text
    assert 'data-testid="active"' in text


def test_activating_on_the_page_without_the_box_is_refused(world, client_for):
    client = client_for(world.cast["counsellor"])
    draft = imported(english_phq9())

    refused = client.post(reverse("screening:instrument_activate", args=[draft.pk]))

    assert refused.status_code == 400
    assert 'data-testid="activate-error"' in refused.content.decode()
    draft.refresh_from_db()
    assert (draft.is_draft, activations()) == (True, [])
    done = client.post(reverse("screening:instrument_activate", args=[draft.pk]), {"confirm_missing": "on"})
    assert done.status_code == 302
    draft.refresh_from_db()
    assert (draft.is_active, activations()[0].actor) == (True, world.cast["counsellor"])


def test_an_upload_lands_on_its_activation_page(world, client_for):
    upload = io.BytesIO(as_bytes(english_phq9()))
    upload.name = "phq9.json"

    client = client_for(world.cast["counsellor"])
    preview = client.post(reverse("screening:instrument_import"), {"file": upload})
    assert preview.status_code == 200 and not Instrument.objects.filter(code="PHQ9").exists()
    response = client.post(reverse("screening:instrument_import_confirm"), {"sealed": preview.context["sealed"]})

    instrument = Instrument.objects.get(code="PHQ9")
    assert response.url == reverse("screening:instrument_detail", args=[instrument.pk])
    assert instrument.is_draft
    assert AuditEntry.objects.get(what="screening.instrument").actor == world.cast["counsellor"]


# --- what the student reads ----------------------------------------------------------------------------


@pytest.fixture
def english_campaign(world):
    instrument = imported(english_phq9())
    activate_instrument(instrument, confirm_missing=True)
    campaign = make_campaign(world, instruments=[Instrument.objects.get(pk=instrument.pk)])
    participation = Participation.objects.get(campaign=campaign, student=world.in_scope)
    record_consent(participation, agreed=True, consent_version="v1")
    return participation


def questionnaire_page(world, client_for, participation, language=None):
    client = client_for(world.in_scope.user)
    if language:
        client.cookies["django_language"] = language
    client.post(reverse("screening:start_mine", args=[participation.pk]))
    return client.get(reverse("screening:answer") + "?view=all").content.decode()


def test_a_student_reading_chinese_sees_the_english_text_marked_as_such(world, client_for, english_campaign):
    page = questionnaire_page(world, client_for, english_campaign)

    assert '<span lang="en">Little interest or pleasure in doing things</span>' in page
    assert page.count('data-testid="fallback"') == 9
    assert "这道题还没有中文文本，现以英文显示。" in page


def test_a_student_reading_english_sees_the_english_text_plainly(world, client_for, english_campaign):
    page = questionnaire_page(world, client_for, english_campaign, language="en")

    assert "<span>Little interest or pleasure in doing things</span>" in page
    assert 'data-testid="fallback"' not in page


def test_a_shipped_instrument_is_shown_in_the_language_the_student_reads(world, client_for):
    campaign = make_campaign(world, codes=("PHQ-9",))
    participation = Participation.objects.get(campaign=campaign, student=world.in_scope)
    record_consent(participation, agreed=True, consent_version="v1")
    phq9 = shipped_definition("PHQ-9")

    chinese = questionnaire_page(world, client_for, participation)
    english = questionnaire_page(world, client_for, participation, language="en")

    assert f"<span>{phq9.item(9).text.zh}</span>" in chinese and phq9.item(9).text.en not in chinese
    assert f"<span>{phq9.item(9).text.en}</span>" in english
    assert 'data-testid="fallback"' not in chinese + english


def test_options_weights_survive_the_import():
    definition = imported(english_phq9()).parsed()

    assert [(option.code, option.value) for option in definition.option_sets[0].options] == [
        ("LA6568-5", 0),
        ("LA6569-3", 1),
        ("LA6570-1", 2),
        ("LA6571-9", 3),
    ]
    assert ORDINAL_VALUE.endswith("ordinalValue")
