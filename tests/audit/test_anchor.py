"""The anchor outside the database catches what the chain alone cannot: the newest entries deleted."""

import json
import logging
import os
import socket

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import translation

from tests.audit.tampering import triggers_disabled
from xinyu.audit import anchor as anchors
from xinyu.audit.anchor import Anchor, AnchorError, advance_anchor, read_anchor, record_checked
from xinyu.audit.chain import GENESIS
from xinyu.audit.models import AuditEntry
from xinyu.audit.seal import seal_audit
from xinyu.audit.services import Event, record, record_many
from xinyu.audit.verify import verify_chain
from xinyu.core.management.commands.run_clock import Clock
from xinyu.env import syslog_target

pytestmark = pytest.mark.django_db


def add_entries(world, count, *, seal=True):
    """`count` entries, sealed (as the clock does within one interval) unless `seal` is False."""
    events = [
        Event(AuditEntry.Action.VIEW, "student.detail", student=world.in_scope, tier=3, detail={"n": n})
        for n in range(count)
    ]
    entries = record_many(world.cast["counsellor"], events, address="10.1.2.3")
    if seal:
        seal_audit()
    return entries


@pytest.fixture
def log(world):
    add_entries(world, 5)
    return AuditEntry.objects.order_by("seq")


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    return str(failure.value)


def delete_newest(count):
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq > (SELECT MAX(seq) FROM audit_auditentry) - %s", [count])


def test_verify_audit_writes_the_anchor_after_a_clean_check(log, own_audit_anchor, capsys):
    assert read_anchor() is None
    call_command("verify_audit")
    captured = capsys.readouterr()
    assert "No anchor" in captured.err
    anchor = read_anchor()
    assert (anchor.seq, anchor.mac) == (5, log.last().mac)
    assert json.loads(own_audit_anchor.read_text())["signature"] == anchor.signature()
    call_command("verify_audit")
    assert "reaches the anchor" in capsys.readouterr().out


def test_deleting_the_newest_entries_is_detected(log, world):
    call_command("verify_audit")
    delete_newest(2)
    # The chain that is left still links up: only the anchor knows it used to be longer.
    assert verify_chain() == (3, None)
    message = verify_fails()
    assert message == (
        "Access log entry #5 failed the check against the anchor: the log ends at #3, but the anchor written at "
        f"{read_anchor().local_time} records #5: the newest entries were deleted."
    )
    # The anchor stays where it was: another run, or the clock, does not paper over the loss.
    assert read_anchor().seq == 5
    assert Clock().run_pass(sweep_inline=True)["audit_anchor"] == "disagrees"
    assert "#5" in verify_fails()


def test_the_failure_is_in_chinese_for_the_operator(log):
    call_command("verify_audit")
    delete_newest(1)
    with translation.override("zh-hans"), pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    assert "审计日志第 5 条" in str(failure.value) and "最新的记录被删除" in str(failure.value)


def test_deleting_the_newest_entries_and_writing_new_ones_in_their_place_is_detected(log, world):
    call_command("verify_audit")
    delete_newest(2)
    add_entries(world, 3)  # numbers 4, 5, 6 again, chained after #3: a complete chain, longer than before
    assert verify_chain() == (6, None)
    assert "#5" in verify_fails() and "differs from the one the anchor" in verify_fails()


def test_deleting_every_entry_is_detected(log):
    call_command("verify_audit")
    delete_newest(5)
    assert verify_chain() == (0, None)
    assert "the log ends at #0" in verify_fails()


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.update(seq=3),  # hide the deletion of two entries by moving the anchor back
        lambda data: data.update(mac="0" * 64),
        lambda data: data.update(at="2020-01-01T00:00:00+00:00"),
        lambda data: data.update(signature="f" * 64),
    ],
)
def test_an_anchor_with_a_bad_signature_is_refused(log, own_audit_anchor, change):
    call_command("verify_audit")
    data = json.loads(own_audit_anchor.read_text())
    change(data)
    own_audit_anchor.write_text(json.dumps(data))
    assert verify_fails() == (
        "The access log's anchor has a bad signature: it was altered, or written with another AUDIT_HMAC_KEY."
    )
    with pytest.raises(AnchorError):
        advance_anchor()
    assert json.loads(own_audit_anchor.read_text()) == data  # left as found, for whoever investigates


def test_an_anchor_signed_with_another_key_is_refused(log):
    with override_settings(AUDIT_HMAC_KEY="someone-elses-key"):
        anchors.write_anchor(Anchor(seq=5, mac=log.last().mac, at="2026-01-01T00:00:00+00:00"))
    assert "bad signature" in verify_fails()


def test_a_damaged_anchor_is_refused(log, own_audit_anchor):
    own_audit_anchor.write_text("{not json")
    assert verify_fails() == "The access log's anchor cannot be read: it is damaged or not an anchor."


def test_the_clock_moves_the_anchor_on_over_entries_it_has_checked(log, world):
    clock = Clock()
    assert clock.run_pass(sweep_inline=True)["audit_anchor"] == 5
    add_entries(world, 2)
    assert clock.run_pass(sweep_inline=True)["audit_anchor"] == 7
    assert read_anchor().mac == AuditEntry.objects.get(seq=7).mac
    call_command("verify_audit")


def test_the_clock_does_not_move_the_anchor_over_an_edited_entry(log, world, caplog):
    clock = Clock()
    clock.run_pass(sweep_inline=True)
    add_entries(world, 2)
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET student_id = NULL WHERE seq = 6")
    with caplog.at_level(logging.ERROR, logger="xinyu.clock"):
        assert clock.run_pass(sweep_inline=True)["audit_anchor"] == "disagrees"
    assert "Access log entry #6: its content does not match its HMAC (edited)." in caplog.text
    assert read_anchor().seq == 5
    assert clock.failures == 0  # a finding, not a failing job


def test_the_anchor_never_moves_back(log):
    call_command("verify_audit")
    assert record_checked(3, AuditEntry.objects.get(seq=3).mac).seq == 5
    assert read_anchor().seq == 5


def test_an_empty_log_is_anchored_at_its_start(db):
    assert advance_anchor() == read_anchor()
    assert (read_anchor().seq, read_anchor().mac) == (0, GENESIS)


def test_the_anchor_is_written_whole_or_not_at_all(log, own_audit_anchor, monkeypatch):
    call_command("verify_audit")
    before = own_audit_anchor.read_text()
    record(log.first().actor, Event(AuditEntry.Action.VIEW, "student.list"))
    seal_audit()

    def crash(*_args):
        raise OSError("disk full")

    monkeypatch.setattr(anchors.os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        advance_anchor()
    assert own_audit_anchor.read_text() == before
    assert [name for name in os.listdir(own_audit_anchor.parent) if name.startswith(f".{own_audit_anchor.name}.")] == []


def test_each_new_anchor_goes_to_the_anchor_log_too(log, caplog):
    with caplog.at_level(logging.INFO, logger="xinyu.audit.anchor"):
        anchor = advance_anchor()
    assert [record.getMessage() for record in caplog.records if record.name == "xinyu.audit.anchor"] == [
        f"audit anchor {anchor.to_json()}"
    ]
    # The line holds the anchor itself: copied into a file, it can be checked against.
    assert anchors.parse_anchor(caplog.records[-1].getMessage().removeprefix("audit anchor ")) == anchor


def test_syslog_targets():

    assert syslog_target("/dev/log") == {"address": "/dev/log"}
    assert syslog_target("logs.example.edu.cn") == {
        "address": ("logs.example.edu.cn", 514),
        "socktype": socket.SOCK_DGRAM,
    }
    assert syslog_target("tcp://10.0.0.5:6514") == {"address": ("10.0.0.5", 6514), "socktype": socket.SOCK_STREAM}
    with pytest.raises(Exception, match="AUDIT_ANCHOR_SYSLOG"):
        syslog_target("10.0.0.5:port")
