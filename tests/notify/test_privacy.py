"""Messages leaving Xinyu carry no student details: the whole crisis flow, every channel on, and not a
name, number, phone, class, room or word of the report in any payload, header or e-mail."""

import datetime as dt

import pytest

from tests.concerns.conftest import NIGHT_TIME
from tests.factories import valid_id_number
from tests.helpers import freeze_time
from xinyu.concerns import escalation
from xinyu.concerns.services import cases, reports
from xinyu.notify import delivery
from xinyu.notify.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db

DESCRIPTION, PLACE = "说了不想活了，晚上一直在哭", "1号楼101寝室"


def markers(world) -> dict[str, str]:
    student = world.in_scope
    return {
        "name": student.name,
        "student number": student.student_number,
        "ID number": valid_id_number(1),
        "masked ID number": student.id_number_masked,
        "guardian": student.guardians.get().name,
        "guardian's phone": student.guardians.get().phone,
        "student's phone": student.phone,
        "class group": student.class_group.name,
        "college": student.class_group.college.name,
        "dorm room": str(student.dorm_room),
        "report": DESCRIPTION,
        "place": PLACE,
    }


def leaks(text: str, world) -> list[str]:
    return [what for what, marker in markers(world).items() if marker and marker in text]


def test_no_student_detail_leaves_xinyu_through_any_channel(crisis_world, webhooks, gateway, mailoutbox):
    w = crisis_world
    for n, person in enumerate(w.cast.values()):
        person.phone, person.email = f"1370000{n:04d}", f"person{n}@example.edu.cn"
        person.save(update_fields=["phone", "email"])
    w.in_scope.phone = "13600000001"
    w.in_scope.save(update_fields=["phone"])

    with freeze_time(NIGHT_TIME - dt.timedelta(hours=1)) as clock:
        report = reports.submit_report(
            w.cast["dorm_leader"], w.in_scope, category="self_harm", urgency="urgent", description=DESCRIPTION,
            place=PLACE,
        )  # fmt: skip
        case = reports.triage_report(report, by=w.cast["advisor"], crisis_level="B", note="情绪很不稳定，有自伤念头")
        clock.move_to(NIGHT_TIME)
        cases.raise_level(case, by=w.cast["advisor"], to_level="C", reason="已有自伤行为，划伤手臂")
        for hours in (1, 2, 4):  # nobody acknowledges: reminders, then up the chain
            clock.move_to(NIGHT_TIME + dt.timedelta(hours=hours))
            escalation.tick()
        assert delivery.deliver_due(limit=10_000) == OutboxMessage.objects.count()

    # Not vacuous: every channel carried messages, urgent and not.
    channels = set(OutboxMessage.objects.values_list("channel", flat=True))
    assert channels == {"email", "webhook:sms", "webhook:wecom", "webhook:dingtalk"}
    assert len(gateway.requests) >= 20 and len(mailoutbox) >= 10
    assert Notification.objects.filter(recipient=w.cast["duty_leader"]).exists()

    outgoing = [f"{r.path}\n{r.headers}\n{r.body.decode()}" for r in gateway.requests]
    outgoing += [email.message().as_string() + email.subject + email.body for email in mailoutbox]
    assert [leaks(text, w) for text in outgoing if leaks(text, w)] == []
    # What the inbox shows: the kind of item and a link; the item's page decides who sees the student.
    inbox = [f"{n.title}\n{n.body}\n{n.link}" for n in Notification.objects.all()]
    assert [leaks(text, w) for text in inbox if leaks(text, w)] == []
