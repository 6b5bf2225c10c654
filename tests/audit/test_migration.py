"""The migration that brings the links into the chain: it checks the old chain, refuses a broken one, and
computes every entry's HMAC again under the new form, on a populated log. And the one that lets entries be
written unsealed: it leaves every numbered entry as it was."""

import datetime as dt
import importlib
import json

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.audit.tampering import triggers_disabled
from tests.conftest import build_world
from tests.helpers import empty_access_log_for_flush
from xinyu.audit.models import AuditEntry
from xinyu.audit.seal import seal_audit
from xinyu.audit.services import Event, record_many
from xinyu.audit.verify import verify_chain
from xinyu.privacy import breakglass

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("latest_schema_afterwards")]

BEFORE = ("audit", "0002_append_only_trigger")
AFTER = ("audit", "0003_chain_covers_links_and_triggers_refuse_all_changes")
migration = importlib.import_module(f"xinyu.audit.migrations.{AFTER[1]}")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])


def rows():
    return list(AuditEntry.objects.order_by("seq").values(*migration.COLUMNS))


def old_chain_holds() -> bool:
    return chain_holds(migration.OLD_FIELDS)


def chain_holds(fields=migration.NEW_FIELDS) -> bool:
    """The migration's own check (its frozen form), which reads only the columns this schema has."""
    try:
        migration._check(_Apps(), fields, "")
    except migration.BrokenChainError:
        return False
    return True


class _Apps:
    """The part of a migration's `apps` that the checks use: the access log's model."""

    def get_model(self, app_label, name):
        return AuditEntry


@pytest.fixture
def populated():
    """A world with reads and an emergency access written by today's code, then the log taken back to the
    old form (the migration backwards), plus one entry written as the old code wrote a break-glass grant:
    its reason in clear."""
    world = build_world()
    record_many(
        world.cast["counsellor"],
        [
            Event(AuditEntry.Action.VIEW, "student.detail", student=student, tier=3, detail={"n": n})
            for n, student in enumerate(world.students.values())
        ],
        address="10.1.2.3",
    )
    grant = breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason="联系不上辅导员，需要家长电话")
    migrate(BEFORE)
    assert old_chain_holds()
    last = AuditEntry.objects.order_by("-seq").only("seq", "mac").first()
    old = {
        "seq": last.seq + 1, "at": dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC), "actor_username": "T10001",
        "actor_name": "旧代码", "post": "break_glass", "student_number": world.other_class.student_number,
        "action": "create", "what": "privacy.break_glass", "tier": 3, "detail": {"grant": grant.pk},
        "reason": "旧日志里的明文理由", "address": None,
    }  # fmt: skip
    mac = migration._mac(old, last.mac, migration.OLD_FIELDS)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO audit_auditentry (seq, at, actor_id, actor_username, actor_name, post, student_id,"
            " student_number, action, what, tier, detail, reason, address, prev_mac, mac)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
            [
                old["seq"], old["at"], world.cast["outsider"].pk, old["actor_username"], old["actor_name"],
                old["post"], world.other_class.pk, old["student_number"], old["action"], old["what"], old["tier"],
                json.dumps(old["detail"]), old["reason"], None, last.mac, mac,
            ],
        )  # fmt: skip
    assert old_chain_holds()
    yield world
    migrate(AFTER)
    empty_access_log_for_flush()


def test_the_migration_computes_every_hmac_again_under_the_new_form(populated):
    world = populated
    before = rows()
    assert not chain_holds()  # the old form does not pass the new check
    migrate(AFTER)
    after = rows()
    assert chain_holds()
    assert [row["seq"] for row in after] == [row["seq"] for row in before]
    assert all(new["mac"] != old["mac"] for new, old in zip(after, before, strict=True))
    # Who and whose: unchanged, and now under the chain.
    keep = ("id", "actor_id", "student_id", "student_number", "actor_username", "what", "detail", "at")
    assert [{k: row[k] for k in keep} for row in after] == [{k: row[k] for k in keep} for row in before]
    # The break-glass reason the old code wrote in clear is gone; the grant keeps it.
    assert [row["reason"] for row in after if row["what"] == "privacy.break_glass"] == ["", ""]
    assert before[-1]["reason"] == "旧日志里的明文理由"
    # The new triggers refuse clearing a link, which the old ones let through.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET student_id = NULL WHERE seq = 1")
    assert AuditEntry.objects.filter(seq=1).values_list("student_id", flat=True).get() == world.in_scope.pk


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET student_number = '2099999999' WHERE seq = 2",
        "DELETE FROM audit_auditentry WHERE seq = 2",
    ],
)
def test_the_migration_refuses_a_broken_old_chain_and_changes_nothing(populated, statement):
    with triggers_disabled() as cursor:
        cursor.execute(statement)
    before = rows()
    with pytest.raises(migration.BrokenChainError) as refused:
        migrate(AFTER)
    assert "第 2 条" in str(refused.value) or "第 3 条" in str(refused.value)
    assert "迁移已中止，未作任何改动" in str(refused.value)
    assert rows() == before
    assert MigrationExecutor(connection).loader.applied_migrations.keys() >= {BEFORE}
    assert AFTER not in MigrationExecutor(connection).loader.applied_migrations
    # Put right (as a restore from backup would), it goes through.
    with triggers_disabled() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    migrate(AFTER)
    assert chain_holds() and rows() == []


SEALING = ("audit", "0004_entries_are_sealed_off_the_request_path")
sealing_migration = importlib.import_module(f"xinyu.audit.migrations.{SEALING[1]}")


@pytest.fixture
def emptied_afterwards():
    yield
    empty_access_log_for_flush()


def test_entries_written_before_sealing_keep_their_numbers_and_macs_and_still_verify(emptied_afterwards):
    """Backwards, the entries not yet sealed are sealed (in id order, after the last numbered one); forwards,
    nothing already numbered is touched, the old entries verify as they are, and new ones chain after them."""
    world = build_world()
    events = [Event(AuditEntry.Action.VIEW, "student.detail", student=world.in_scope, tier=3)]
    record_many(world.cast["counsellor"], events * 2)
    seal_audit()
    record_many(world.cast["counsellor"], events * 3)  # not sealed yet
    migrate(AFTER)
    numbered = list(AuditEntry.objects.order_by("seq").values_list("id", "seq", "prev_mac", "mac"))
    assert [row[1] for row in numbered] == [1, 2, 3, 4, 5]
    assert [row[0] for row in numbered] == sorted(row[0] for row in numbered)
    assert chain_holds()
    migrate(SEALING)
    assert list(AuditEntry.objects.order_by("seq").values_list("id", "seq", "prev_mac", "mac")) == numbered
    assert verify_chain() == (5, None)
    record_many(world.cast["counsellor"], events)
    call_command("verify_audit")
    assert verify_chain() == (6, None)


def test_going_back_refuses_an_unsealed_entry_that_was_edited(emptied_afterwards):
    world = build_world()
    entry = record_many(world.cast["counsellor"], [Event(AuditEntry.Action.VIEW, "student.list")])[0]
    with triggers_disabled() as cursor:
        cursor.execute("UPDATE audit_auditentry SET what = 'x' WHERE id = %s", [entry.pk])
    with pytest.raises(sealing_migration.UnsealableEntryError, match=f"id {entry.pk}"):
        migrate(AFTER)
    assert AuditEntry.objects.filter(seq__isnull=True).count() == 1
