"""Requests write unsealed entries without a lock; the sealer numbers and chains them, and refuses one edited
before it got there. Every kind of tampering is still caught, before and after sealing."""

import logging

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tests.audit.tampering import triggers_disabled
from xinyu.audit.anchor import read_anchor
from xinyu.audit.chain import GENESIS, compute_mac, entry_mac
from xinyu.audit.models import AuditEntry
from xinyu.audit.seal import seal_audit
from xinyu.audit.services import Event, record_many
from xinyu.audit.verify import Break, check_chain, check_unsealed, verify_chain
from xinyu.core.management.commands.run_clock import Clock

pytestmark = pytest.mark.django_db


def write(world, count, *, actor="counsellor", student=None):
    events = [
        Event(AuditEntry.Action.VIEW, "student.detail", student=student or world.in_scope, tier=3, detail={"n": n})
        for n in range(count)
    ]
    return record_many(world.cast[actor], events, address="10.1.2.3")


@pytest.fixture
def sealed(world):
    """Three entries, sealed, then two more written and not sealed yet."""
    write(world, 3)
    seal_audit()
    return write(world, 2)


def unsealed_ids():
    return list(AuditEntry.objects.filter(seq__isnull=True).order_by("id").values_list("id", flat=True))


def verify_fails() -> str:
    with pytest.raises(CommandError) as failure:
        call_command("verify_audit")
    return str(failure.value)


def test_entries_are_written_unsealed_with_their_own_hmac(world):
    entries = write(world, 2)
    stored = list(AuditEntry.objects.order_by("id"))
    assert [entry.pk for entry in stored] == [entry.pk for entry in entries]
    for entry in stored:
        assert (entry.seq, entry.prev_mac, entry.mac) == (None, "", "")
        assert entry.entry_mac == entry_mac(entry) != ""
    assert verify_chain() == (0, None)
    assert check_unsealed().checked == 2 and check_unsealed().broken == []


def test_the_sealer_numbers_and_chains_in_id_order_after_the_last_sealed_entry(sealed):
    before = list(AuditEntry.objects.filter(seq__isnull=False).order_by("seq").values_list("id", "seq", "mac"))
    sealing = seal_audit()
    assert (sealing.sealed, sealing.refused, sealing.last_seq) == (2, [], 5)
    after = list(AuditEntry.objects.order_by("seq"))
    assert [(entry.id, entry.seq, entry.mac) for entry in after[:3]] == before  # the sealed ones untouched
    assert [entry.pk for entry in after[3:]] == [entry.pk for entry in sealed]
    assert [entry.seq for entry in after] == [1, 2, 3, 4, 5]
    assert after[3].prev_mac == after[2].mac and after[4].prev_mac == after[3].mac
    assert after[4].mac == compute_mac(after[4], after[3].mac)
    assert verify_chain() == (5, None)
    assert seal_audit().sealed == 0  # nothing left: a second run changes nothing


def test_the_sealer_works_in_batches(world):
    write(world, 7)
    assert seal_audit(batch_size=3).sealed == 7
    assert verify_chain() == (7, None)


def test_pages_show_unsealed_entries_at_once(world, client_for):
    entry = write(world, 1)[0]
    client = client_for(world.cast["supervisor"])
    page = client.get(reverse("privacy:log"))
    assert page.context["page"][0].pk == entry.pk
    assert "尚未编号" in page.content.decode()
    file_log = client.get(reverse("studentfile:access_log", args=[world.in_scope.pk]))
    assert entry.pk in [row.pk for row in file_log.context["rows"]]
    # The short view counts it too.
    assert sum(reader.count for reader in file_log.context["readers"]) >= 1


def test_verify_audit_seals_first_then_checks_and_anchors(sealed, capsys):
    call_command("verify_audit")
    out = capsys.readouterr().out
    assert "5 entries, the whole chain verified" in out and "2 new entries were sealed first" in out
    assert unsealed_ids() == []
    assert (read_anchor().seq, read_anchor().mac) == (5, AuditEntry.objects.get(seq=5).mac)


def test_the_clock_seals_every_pass_then_moves_the_anchor(sealed, world):
    clock = Clock()
    summary = clock.run_pass(sweep_inline=True)
    assert (summary["audit_seal"], summary["audit_anchor"]) == (2, 5)
    write(world, 1)
    summary = clock.run_pass(sweep_inline=True)
    assert (summary["audit_seal"], summary["audit_anchor"]) == (1, 6)
    assert clock.failures == 0


# --- tampering with entries not yet sealed --------------------------------------------------------------


@pytest.mark.parametrize(
    "column,value",
    [
        ("reason", "编造的理由"),
        ("student_number", "2099999999"),
        ("at", "2020-01-01 00:00:00"),
        ("detail", '{"n": 99}'),
        ("actor_id", None),
        ("actor_id", "other"),
        ("student_id", None),
        ("student_id", "other"),
        ("entry_mac", "f" * 64),
        ("entry_mac", ""),
    ],
)
def test_an_unsealed_entry_edited_before_the_sealer_runs_is_refused_and_reported(sealed, world, column, value, caplog):
    if value == "other":
        value = world.cast["supervisor"].pk if column == "actor_id" else world.other_college.pk
    edited = sealed[0]
    with triggers_disabled() as cursor:
        cursor.execute(f"UPDATE audit_auditentry SET {column} = %s WHERE id = %s", [value, edited.pk])  # noqa: S608
    with caplog.at_level(logging.ERROR, logger="xinyu.clock"):
        assert Clock().run_pass(sweep_inline=True)["audit_seal"] == 1  # the other one is sealed
    assert f"left unsealed: ids {edited.pk}" in caplog.text
    assert unsealed_ids() == [edited.pk]
    assert verify_chain() == (4, None)  # the chain itself is whole
    assert [entry.pk for entry in check_unsealed().broken] == [edited.pk]
    message = verify_fails()
    assert message.startswith("1 access log entries not yet numbered failed the check")
    assert f"id {edited.pk}, written at" in message
    assert unsealed_ids() == [edited.pk]  # still refused, still there for whoever looks


def test_an_unsealed_entry_with_another_id_is_refused(sealed):
    """Its own HMAC covers its id: moved to another id, it no longer matches."""
    moved = sealed[1]
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET id = id + 1000 WHERE id = %s", [moved.pk])
    assert seal_audit().refused == [moved.pk + 1000]
    assert "not yet numbered failed the check" in verify_fails()


def test_a_forged_or_copied_unsealed_entry_is_refused(sealed, world):
    """Without the key nobody writes a matching HMAC; a copy of a genuine entry (its HMAC with it) under a new
    id does not match either, so it cannot be passed off as a second read."""
    original = AuditEntry.objects.get(pk=sealed[0].pk)
    columns = (
        "at, actor_id, actor_username, actor_name, post, student_id, student_number, action, what, tier, detail,"
        " reason, address, prev_mac, mac, entry_mac"
    )
    with triggers_disabled() as cursor:
        cursor.execute(
            f"INSERT INTO audit_auditentry ({columns}) SELECT {columns} FROM audit_auditentry WHERE id = %s",  # noqa: S608
            [original.pk],
        )
        cursor.execute(
            f"INSERT INTO audit_auditentry ({columns}) VALUES (%s, %s, 'T10005', '冯咨询师', '', %s, %s, 'view',"  # noqa: S608
            " 'studentfile.file', 4, '{}', '', NULL, '', '', %s)",
            [original.at, original.actor_id, world.other_class.pk, world.other_class.student_number, "e" * 64],
        )
    copy, forged = unsealed_ids()[2:]
    sealing = seal_audit()
    assert (sealing.sealed, sealing.refused) == (2, [copy, forged])
    assert verify_chain() == (5, None)
    assert [entry.pk for entry in check_unsealed().broken] == [copy, forged]


def test_an_unsealed_entry_given_a_mac_does_not_stop_the_sealer(sealed):
    """Someone writing a chain MAC into an unsealed entry (triggers bypassed) gets it refused, not the
    sealer stuck: the entries after it are sealed."""
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET mac = %s WHERE id = %s", ["a" * 64, sealed[0].pk])
    assert seal_audit().refused == [sealed[0].pk]
    assert AuditEntry.objects.get(pk=sealed[1].pk).seq == 4


def test_an_entry_sealed_by_someone_without_the_key_breaks_the_chain(sealed):
    """Edited, then numbered by hand to get past the sealer's refusal: the chain breaks there."""
    edited = sealed[0]
    last = AuditEntry.objects.get(seq=3)
    with triggers_disabled() as cursor:
        cursor.execute(
            "UPDATE audit_auditentry SET reason = 'x', seq = 4, prev_mac = %s, mac = %s WHERE id = %s",
            [last.mac, "b" * 64, edited.pk],
        )
    assert verify_chain()[1] == Break(4, "its content does not match its HMAC (edited)")
    assert "#4 " in verify_fails()


def test_a_sealed_entrys_own_hmac_must_still_match(sealed):
    """After sealing the chain covers the content; the entry's own HMAC, blanked out or changed, is caught too."""
    seal_audit()
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET entry_mac = %s WHERE seq = 4", ["c" * 64])
    assert verify_chain()[1] == Break(4, "its content does not match its own HMAC (edited)")


@pytest.mark.parametrize("where", ["seq = 2", "seq = 5"])
def test_a_sealed_entry_deleted_or_edited_after_sealing_is_caught(sealed, where):
    call_command("verify_audit")
    with triggers_disabled() as cursor:
        cursor.execute(f"UPDATE audit_auditentry SET post = 'x' WHERE {where}")  # noqa: S608
    assert verify_chain()[1].seq == int(where[-1])
    with triggers_disabled() as cursor:
        cursor.execute(f"DELETE FROM audit_auditentry WHERE {where}")  # noqa: S608
    assert "#" in verify_fails()


def test_the_window_an_entry_deleted_before_it_is_sealed_is_not_caught(sealed):
    """Said plainly (README, xinyu/audit/seal.py): an unsealed entry deleted before the sealer runs (within one
    clock interval) leaves no gap in the chain. The clock's short interval is what keeps this window small."""
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [sealed[0].pk])
    call_command("verify_audit")
    assert verify_chain() == (4, None)


def test_a_chain_start_is_genesis(world):
    write(world, 1)
    seal_audit()
    assert AuditEntry.objects.get(seq=1).prev_mac == GENESIS
    assert check_chain().last_seq == 1


# --- what the database allows ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET reason = 'x' WHERE seq IS NULL",
        "UPDATE audit_auditentry SET student_id = NULL WHERE seq IS NULL",
        "UPDATE audit_auditentry SET entry_mac = '' WHERE seq IS NULL",
        "UPDATE audit_auditentry SET id = id + 1000 WHERE seq IS NULL",
        # Sealing and changing the content at once.
        "UPDATE audit_auditentry SET seq = 99, prev_mac = 'p', mac = 'm', reason = 'x' WHERE seq IS NULL",
        "UPDATE audit_auditentry SET seq = 99, prev_mac = 'p', mac = 'm', actor_id = NULL WHERE seq IS NULL",
        # Sealing again, or unsealing.
        "UPDATE audit_auditentry SET seq = seq + 100 WHERE seq IS NOT NULL",
        "UPDATE audit_auditentry SET seq = NULL, prev_mac = '', mac = '' WHERE seq = 3",
        "DELETE FROM audit_auditentry WHERE seq IS NULL",
    ],
)
def test_the_database_allows_sealing_and_nothing_else(sealed, statement):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    with transaction.atomic(), connection.cursor() as cursor:  # the seal itself goes through
        cursor.execute("UPDATE audit_auditentry SET seq = 99, prev_mac = 'p', mac = 'm' WHERE id = %s", [sealed[0].pk])
    assert AuditEntry.objects.get(pk=sealed[0].pk).seq == 99
