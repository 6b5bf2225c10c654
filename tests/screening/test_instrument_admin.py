"""The centre's instrument pages beyond activation: versions grouped with the campaigns using them, an import
previewed before anything is saved, and trying an instrument as a student would (nothing saved)."""

import io
import json

import pytest
from django.urls import reverse

from tests.helpers import queries_for_page
from tests.screening.test_campaigns import make_campaign
from xinyu.audit.models import AuditEntry
from xinyu.concerns.models import ConcernReport
from xinyu.screening.definition import definition_to_json, shipped_definition
from xinyu.screening.models import Instrument, Participation, Response, Result

pytestmark = pytest.mark.django_db


def phq9_file(code="PHQ-9", version="2", **changes) -> io.BytesIO:
    """PHQ-9 in Xinyu's own format (with its bands and red flag), as a new version."""
    raw = definition_to_json(shipped_definition("PHQ-9")) | {"code": code, "version": version} | changes
    upload = io.BytesIO(json.dumps(raw, ensure_ascii=False).encode())
    upload.name = "phq9-v2.json"
    return upload


def nothing_written():
    return (Instrument.objects.count(), AuditEntry.objects.count())


def test_the_preview_shows_what_students_and_the_centre_will_read_and_saves_nothing(world, client_for):
    client = client_for(world.cast["counsellor"])
    before = nothing_written()

    response = client.post(reverse("screening:instrument_import"), {"file": phq9_file()})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-testid="not-saved"' in page and "尚未保存任何内容" in page
    assert "做事时提不起劲或没有兴趣" in page  # an item as the student reads it
    assert "完全不会 = 0" in page and "几乎每天 = 3" in page  # options with their weights
    assert "15–19" in page and "中重度" in page  # bands
    assert "第 9 题：有不如死掉或伤害自己的念头" in page  # the red flag
    assert "目前正在使用第 1 版" in page
    assert nothing_written() == before


def test_confirming_saves_the_previewed_file_as_a_draft(world, client_for):
    client = client_for(world.cast["counsellor"])
    sealed = client.post(reverse("screening:instrument_import"), {"file": phq9_file()}).context["sealed"]

    response = client.post(reverse("screening:instrument_import_confirm"), {"sealed": sealed})

    draft = Instrument.objects.get(code="PHQ-9", version="2")
    assert response.url == reverse("screening:instrument_detail", args=[draft.pk])
    assert draft.is_draft and Instrument.objects.get(code="PHQ-9", version="1").is_active
    assert AuditEntry.objects.filter(what="screening.instrument").count() == 1


def test_a_bad_file_is_refused_in_chinese_naming_the_item(world, client_for):
    client = client_for(world.cast["counsellor"])
    raw = definition_to_json(shipped_definition("PHQ-9")) | {"version": "2"}
    raw["items"][2]["option_set"] = "nope"
    upload = io.BytesIO(json.dumps(raw).encode())
    upload.name = "bad.json"
    before = nothing_written()

    response = client.post(reverse("screening:instrument_import"), {"file": upload})

    assert response.status_code == 400
    assert "第 3 题.option_set: 未知选项集“nope”" in response.content.decode()
    assert nothing_written() == before


@pytest.mark.parametrize("tamper", ["altered", "other_user", "empty"])
def test_a_confirmation_not_from_this_users_preview_is_refused(world, client_for, tamper):
    client = client_for(world.cast["counsellor"])
    sealed = client.post(reverse("screening:instrument_import"), {"file": phq9_file()}).context["sealed"]
    if tamper == "altered":
        sealed = sealed[:-3] + ("aaa" if not sealed.endswith("aaa") else "bbb")
    elif tamper == "other_user":
        client = client_for(world.cast["supervisor"])
    else:
        sealed = ""

    response = client.post(reverse("screening:instrument_import_confirm"), {"sealed": sealed})

    assert response.status_code == 400
    assert "预览已过期或被改动" in response.content.decode()
    assert not Instrument.objects.filter(code="PHQ-9", version="2").exists()


def test_the_list_groups_versions_and_names_the_campaigns_using_each(world, client_for):
    campaign = make_campaign(world, title="2026 级新生心理普查")
    client = client_for(world.cast["counsellor"])
    sealed = client.post(reverse("screening:instrument_import"), {"file": phq9_file()}).context["sealed"]
    client.post(reverse("screening:instrument_import_confirm"), {"sealed": sealed})

    page = client.get(reverse("screening:instrument_list")).content.decode()

    group = page[page.index('data-testid="instrument-group" data-code="PHQ-9"') :]
    group = group[: group.index("</section>")]
    assert "正在使用第 1 版" in group
    assert group.count('data-testid="instrument-row"') == 2
    first, second = group.split('data-testid="instrument-row"')[1:]
    assert campaign.title in first and "草稿" in second and campaign.title not in second


def test_trying_an_instrument_gives_score_band_and_red_flag_and_saves_nothing(world, client_for):
    phq9 = Instrument.objects.get(code="PHQ-9", is_active=True)
    client = client_for(world.cast["counsellor"])
    counts = (Response.objects.count(), Result.objects.count(), ConcernReport.objects.count(),
              Participation.objects.count(), AuditEntry.objects.count())  # fmt: skip

    form = client.get(reverse("screening:instrument_try", args=[phq9.pk]))
    answers = {f"q{n}": "2" for n in range(1, 10)} | {"q10": "1"}
    response = client.post(reverse("screening:instrument_try", args=[phq9.pk]), answers)

    page = form.content.decode()
    assert page.count('data-testid="item"') == 10 and 'data-testid="option"' in page
    assert "做事时提不起劲或没有兴趣" in page
    result = response.content.decode()
    assert 'data-testid="try-total"' in result and ">18<" in result  # 9 items × 2
    assert "中重度" in result
    assert "高危：立即发起危机预警上报" in result
    assert (Response.objects.count(), Result.objects.count(), ConcernReport.objects.count(),
            Participation.objects.count(), AuditEntry.objects.count()) == counts  # fmt: skip


def test_an_incomplete_try_says_which_item_is_missing(world, client_for):
    phq9 = Instrument.objects.get(code="PHQ-9", is_active=True)

    response = client_for(world.cast["counsellor"]).post(reverse("screening:instrument_try", args=[phq9.pk]),
                                                          {"q1": "3", "q9": "1"})  # fmt: skip

    page = response.content.decode()
    assert 'data-testid="try-incomplete"' in page and "第 2 题" in page
    assert "高危：立即发起危机预警上报" in page  # flags are evaluated on the answers given


@pytest.mark.parametrize("who", ["student_affairs", "mental_health_advisor", "advisor", "student", "outsider"])
def test_only_the_centre_tries_or_previews(world, client_for, who):
    phq9 = Instrument.objects.get(code="PHQ-9", is_active=True)
    client = client_for(world.cast[who])
    assert client.get(reverse("screening:instrument_try", args=[phq9.pk])).status_code == 404
    assert client.post(reverse("screening:instrument_import"), {"file": phq9_file()}).status_code == 404
    assert client.post(reverse("screening:instrument_import_confirm"), {"sealed": "x"}).status_code == 404


def test_the_list_costs_the_same_queries_with_one_campaign_or_three(world, client_for):
    client = client_for(world.cast["counsellor"])
    make_campaign(world, title="第一次")
    one, _page = queries_for_page(client, reverse("screening:instrument_list"))
    make_campaign(world, title="第二次", codes=("PHQ-9", "GAD-7"))
    make_campaign(world, title="第三次", codes=("UPI",))
    three, page = queries_for_page(client, reverse("screening:instrument_list"))
    assert one == three
    assert "第三次" in page.content.decode()
