"""The file reads right: one filter chip per kind of record as the viewer reads it (with its count), and a
crisis case shows the level it was opened at and each change of level, not today's level as its start."""

import datetime as dt
import re

from django.urls import reverse
from django.utils import translation

from tests.care.conftest import confirm, propose
from tests.concerns.conftest import OFFICE_TIME
from tests.helpers import freeze_time
from xinyu.care.registry import review_entry
from xinyu.concerns.services import cases
from xinyu.studentfile.services import read_file


def file_url(student) -> str:
    return reverse("studentfile:file", args=[student.pk])


def chips(page: str) -> list[tuple[str, str, str]]:
    """(kind, label, count) of each filter chip."""
    return re.findall(r'data-testid="kind-([\w-]+)">([^<]*?) <span class="badge text-bg-light">(\d+)</span>', page)


def on_the_registry(world):
    """An entry proposed, confirmed and reviewed: the entry and two events at T3."""
    entry = confirm(world, propose(world))
    review_entry(entry, by=world.cast["mental_health_advisor"], assessment="情绪平稳", support="每周谈心")
    return entry


def test_one_chip_per_kind_of_record_with_its_count(world, client_for):
    on_the_registry(world)
    page = client_for(world.cast["mental_health_advisor"]).get(file_url(world.in_scope)).content.decode()
    registry = [chip for chip in chips(page) if chip[1].strip() == "重点关注学生库"]
    assert len(registry) == 1
    kind, _label, count = registry[0]
    assert int(count) >= 3
    # The chip (or any kind behind it) shows every registry record, and only those.
    for asked in (kind, "registry_entry"):
        response = client_for(world.cast["mental_health_advisor"]).get(file_url(world.in_scope), {"kind": asked})
        shown = response.context["file"].entries
        assert len(shown) == int(count)
        assert {str(entry.kind_label) for entry in shown} == {"重点关注学生库"}
        assert [choice.label for choice in response.context["file"].kinds if choice.selected] == ["重点关注学生库"]


def test_the_chain_at_t2_sees_one_registry_chip_and_outsiders_get_404(world, client_for):
    on_the_registry(world)
    page = client_for(world.cast["head_teacher"]).get(file_url(world.in_scope)).content.decode()
    assert [chip[1].strip() for chip in chips(page)].count("重点关注学生库") == 1
    for who in ("outsider", "student", "dorm_leader"):
        assert client_for(world.cast[who]).get(file_url(world.in_scope)).status_code == 404


def test_a_case_opened_at_b_and_raised_to_c_reads_so(crisis_world, client_for):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        case = cases.open_case(w.in_scope, "B", by=w.cast["mental_health_advisor"], reason="情绪失控")
    with freeze_time(OFFICE_TIME + dt.timedelta(days=2)):
        cases.raise_level(case, by=w.cast["mental_health_advisor"], to_level="C", reason="夜间出现自伤行为")
    for who in ("mental_health_advisor", "head_teacher"):
        response = client_for(w.cast[who]).get(file_url(w.in_scope), {"kind": "crisis"})
        titles = [str(entry.title) for entry in response.context["file"].entries]
        assert titles == ["危机等级由B级提高为C级", "启动危机处置：B级"], who
        opened = response.context["file"].entries[-1]
        assert "现为C级" in opened.summary
        page = response.content.decode()
        assert "启动危机处置：C级" not in page
        # Today's level is the header's.
        assert "C级" in "".join(str(badge) for badge in response.context["file"].badges)
    assert client_for(w.cast["outsider"]).get(file_url(w.in_scope)).status_code == 404


def test_a_case_never_changed_names_its_level_once(crisis_world):
    w = crisis_world
    with freeze_time(OFFICE_TIME):
        cases.open_case(w.in_scope, "B", by=w.cast["mental_health_advisor"], reason="情绪失控")
    with translation.override("zh-hans"):
        student_file = read_file(w.cast["mental_health_advisor"], w.in_scope, 3, None, kinds=["crisis"])
        titles = [(str(entry.title), entry.summary) for entry in student_file.entries]
    assert titles[-1][0] == "启动危机处置：B级" and "现为" not in titles[-1][1]
