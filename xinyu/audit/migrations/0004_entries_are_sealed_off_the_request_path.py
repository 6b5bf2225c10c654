"""Entries are written unsealed and a sealer numbers and chains them, off the request path.

Forwards: the number (`seq`) may be empty until the sealer sets it, `prev_mac` and `mac` are blank until
then, and each entry carries the HMAC of its own content (`entry_mac`). Nothing already written is
touched: entries numbered before keep their numbers and MACs and still verify (they have no `entry_mac`;
the chain covers them). The triggers are put back so that they refuse every change but one: the sealer
numbering an unsealed entry, its content and its own HMAC left exactly as they are.

Backwards: entries still unsealed are sealed here, in id order, after the last numbered one (an entry
whose own HMAC does not match stops the migration, nothing changed), then the columns and the triggers
go back to what 0003 made. The forms of both HMACs are frozen here, whatever chain.py becomes.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64
CHAINED_FIELDS = (
    "seq", "at", "actor_id", "actor_username", "actor_name", "post", "student_id", "student_number",
    "action", "what", "tier", "detail", "reason", "address",
)  # fmt: skip
ENTRY_FIELDS = ("id", *(name for name in CHAINED_FIELDS if name != "seq"))
ENTRY_CONTEXT = b"xinyu-audit-entry\n"
# Everything the seal leaves as it is (PostgreSQL compares jsonb `detail` as it is).
KEPT = (
    "id", "at", "actor_id", "actor_username", "actor_name", "post", "student_id", "student_number", "action",
    "what", "tier", "detail", "reason", "address", "entry_mac",
)  # fmt: skip


class UnsealableEntryError(RuntimeError):
    pass


def _hmac(message: bytes) -> str:
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), message, hashlib.sha256).hexdigest()


def _canonical(row: dict, fields) -> bytes:
    values = {name: row[name] for name in fields}
    values["at"] = row["at"].isoformat(timespec="microseconds")
    values["address"] = row["address"] or ""
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def seal_the_unsealed(apps, schema_editor):
    entry_model = apps.get_model("audit", "AuditEntry")
    last = entry_model.objects.filter(seq__isnull=False).order_by("-seq").values_list("seq", "mac").first()
    seq, prev_mac = last or (0, GENESIS)
    updates = []
    for row in entry_model.objects.filter(seq__isnull=True).order_by("id").values(*KEPT, "prev_mac", "mac"):
        own = _hmac(ENTRY_CONTEXT + _canonical(row, ENTRY_FIELDS))
        if not row["entry_mac"] or not hmac.compare_digest(own, row["entry_mac"]) or row["mac"] or row["prev_mac"]:
            raise UnsealableEntryError(
                f"审计日志中尚未编号的记录（id {row['id']}）内容与其 HMAC 不符（编号前被改动）。迁移已中止，"
                "未作任何改动。请按安全事件处理，并确认 AUDIT_HMAC_KEY 无误。"
            )
        seq += 1
        row["seq"] = seq
        mac = _hmac(prev_mac.encode() + b"|" + _canonical(row, CHAINED_FIELDS))
        updates.append([seq, prev_mac, mac, row["id"]])
        prev_mac = mac
    table = schema_editor.connection.ops.quote_name(entry_model._meta.db_table)
    with schema_editor.connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET seq = %s, prev_mac = %s, mac = %s WHERE id = %s", updates)  # noqa: S608


# --- triggers -------------------------------------------------------------------------------------------

SEALING_POSTGRES = f"""
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    -- The one change allowed: the sealer numbering and chaining an unsealed entry, nothing else changed.
    IF TG_OP = 'UPDATE' AND OLD.seq IS NULL AND NEW.seq IS NOT NULL AND OLD.prev_mac = '' AND OLD.mac = ''
       AND ROW({", ".join(f"NEW.{name}" for name in KEPT)})
           IS NOT DISTINCT FROM ROW({", ".join(f"OLD.{name}" for name in KEPT)}) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
SEALING_SQLITE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry "
    "WHEN NOT (OLD.seq IS NULL AND NEW.seq IS NOT NULL AND OLD.prev_mac = '' AND OLD.mac = '' AND "
    + " AND ".join(f"NEW.{name} IS OLD.{name}" for name in KEPT)
    + ") BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
# What 0003 made.
OLD_POSTGRES = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
OLD_SQLITE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
DROP_POSTGRES = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""
DROP_SQLITE = ["DROP TRIGGER IF EXISTS audit_entry_no_update;", "DROP TRIGGER IF EXISTS audit_entry_no_delete;"]


def _run(schema_editor, postgres: str, sqlite: list[str]) -> None:
    statements = {"postgresql": [postgres], "sqlite": sqlite}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    _run(schema_editor, DROP_POSTGRES, DROP_SQLITE)


def seal_then_drop_triggers(apps, schema_editor):
    _run(schema_editor, DROP_POSTGRES, DROP_SQLITE)
    seal_the_unsealed(apps, schema_editor)


def create_sealing_triggers(apps, schema_editor):
    _run(schema_editor, SEALING_POSTGRES, SEALING_SQLITE)


def create_old_triggers(apps, schema_editor):
    _run(schema_editor, OLD_POSTGRES, OLD_SQLITE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chain_covers_links_and_triggers_refuse_all_changes")]

    operations = [
        migrations.RunPython(drop_triggers, create_old_triggers),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.PositiveBigIntegerField(blank=True, null=True, unique=True, verbose_name="number"),
        ),
        migrations.AlterField(
            model_name="auditentry", name="prev_mac", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.AlterField(
            model_name="auditentry", name="mac", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.AddField(
            model_name="auditentry", name="entry_mac", field=models.CharField(blank=True, default="", max_length=64)
        ),
        migrations.AlterModelOptions(
            name="auditentry",
            options={"ordering": ["-id"], "verbose_name": "audit entry", "verbose_name_plural": "audit entries"},
        ),
        migrations.AddIndex(
            model_name="auditentry",
            index=models.Index(condition=models.Q(("seq__isnull", True)), fields=["id"], name="audit_unsealed"),
        ),
        migrations.RunPython(create_sealing_triggers, seal_then_drop_triggers),
    ]
