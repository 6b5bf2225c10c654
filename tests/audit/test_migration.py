"""The migration that brings the links into the chain: it checks the old chain, refuses a broken one, and
computes every entry's HMAC again under the new form, on a populated log."""

import datetime as dt
import importlib
import json

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from tests.audit.tampering import triggers_disabled
from tests.conftest import build_world
from tests.helpers import empty_access_log_for_flush
from xinyu.audit.models import AuditEntry
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
    try:
        migration._check(_Apps(), migration.OLD_FIELDS, "旧的")
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
    last = AuditEntry.objects.order_by("-seq").first()
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
    assert verify_chain()[1].seq == 1  # the old form does not pass the new check
    migrate(AFTER)
    after = rows()
    assert verify_chain() == (len(before), None)
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
    assert AuditEntry.objects.get(seq=1).student_id == world.in_scope.pk


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
    assert verify_chain() == (0, None)
