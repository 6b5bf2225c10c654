"""One English word, two meanings: where a page means something else than the common sense of a word, it
asks the catalogue in a context, so the Chinese says what the column or badge holds."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.counselling.conftest import make_slot
from xinyu.common.choices import BLANK_CHOICE
from xinyu.concerns.models import DutyShift
from xinyu.core.interviews import InterviewForm
from xinyu.counselling.models import Room, Session
from xinyu.courses.models import Section
from xinyu.org.models import Appointment, Student
from xinyu.public.models import Article
from xinyu.referrals.models import Leave
from xinyu.training.models import Attendance
from xinyu.workforce.models import SupervisionRequest

pytestmark = pytest.mark.django_db


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_an_unbooked_slot_is_open_for_booking_not_a_case_in_hand(world, client_for):
    room = Room.objects.create(school=world.school, name="个体咨询室1", kind=Room.Kind.INDIVIDUAL)
    make_slot(world.cast["counsellor"], room)
    html = page(client_for(world.cast["counsellor"]), reverse("counselling:schedule"))
    assert "可预约" in html and "处置中" not in html


def test_the_access_logs_last_column_holds_addresses(world, client_for):
    html = page(client_for(world.cast["supervisor"]), reverse("privacy:log"))
    assert "<th>IP 地址</th>" in html and "<th>起始日期</th>" not in html


def test_an_emergency_access_has_a_status_not_a_student_status(world, client_for):
    html = page(client_for(world.cast["supervisor"]), reverse("privacy:break_glass_list"))
    assert "<th>状态</th>" in html and "学籍状态" not in html


def test_a_students_status_is_their_student_status_and_a_plans_is_only_a_status(world, client_for):
    client = client_for(world.cast["mental_health_advisor"])
    html = page(client, reverse("org:student_detail", args=[world.in_scope.pk]))
    assert "学籍状态" in html
    assert "<th>状态</th>" in page(client_for(world.cast["student_affairs"]), reverse("education:plans"))


def test_a_group_session_is_a_group_not_a_scope():
    with translation.override("zh-hans"):
        assert str(Session.Kind.GROUP.label) == "团体"


def test_a_select_with_nothing_chosen_asks_in_chinese():
    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE[1]) == "— 请选择 —"
        field = Room._meta.get_field("school").formfield()
        assert [str(label) for _value, label in field.choices][:1] == ["— 请选择 —"]


def test_withdrawn_says_what_happened_to_what():
    with translation.override("zh-hans"):
        assert str(Student.Status.WITHDRAWN.label) == "退学"
        assert str(Appointment.Status.WITHDRAWN.label) == "已撤回"
        assert str(SupervisionRequest.Status.WITHDRAWN.label) == "已撤回"
        assert str(Article.Status.WITHDRAWN.label) == "已撤下"
        assert str(Attendance.Status.DECLINED.label) == "不予认定"
        assert str(DutyShift._meta.get_field("starts_at").verbose_name) == "开始时间"


def test_words_shared_with_other_records_say_what_they_mean_here():
    with translation.override("zh-hans"):
        assert str(SupervisionRequest.Status.CLOSED.label) == "已结束"  # a crisis case is 已结案
        assert str(Section._meta.get_field("room").verbose_name) == "教室"  # a dorm room is 寝室号
        assert str(Leave._meta.get_field("parents_note").verbose_name) == "备注"  # an interview's notes 约谈记录
        assert str(InterviewForm.base_fields["method"].label) == "约谈方式"
        assert str(InterviewForm.base_fields["outcome"].label) == "约谈结论"
