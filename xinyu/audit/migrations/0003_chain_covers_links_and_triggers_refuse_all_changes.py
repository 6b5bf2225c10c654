"""The HMAC chain covers the links to the person and the student; the database refuses every change.

Before, the chain covered the copied names and numbers only, the links were ON DELETE SET NULL and the
triggers let them be cleared, so a link could be cut or re-pointed without `verify_audit` noticing. Now:

1. the whole chain is checked under the old form first; a broken chain stops the migration with the
   number of the first broken entry, and nothing is changed;
2. the old triggers are dropped;
3. the links become plain references that nothing changes (no database constraint, no cascade: deleting
   a user or a student leaves the number in the entry);
4. break-glass reasons are taken out of the log (the grant keeps them, encrypted; the entry names the
   grant), and every entry's HMAC is computed again under the new form, in order;
5. new triggers refuse every UPDATE and DELETE.

Both canonical forms are frozen here, so that this migration means the same whatever chain.py becomes.
Backwards: the same in reverse (links to rows that no longer exist are cleared first, since the old
links had a database constraint; the break-glass reasons stay out of the log).
"""

import hashlib
import hmac
import json

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

GENESIS = "0" * 64
BATCH = 2000
OLD_FIELDS = (
    "seq", "at", "actor_username", "actor_name", "post", "student_number",
    "action", "what", "tier", "detail", "reason", "address",
)  # fmt: skip
NEW_FIELDS = (
    "seq", "at", "actor_id", "actor_username", "actor_name", "post", "student_id", "student_number",
    "action", "what", "tier", "detail", "reason", "address",
)  # fmt: skip
COLUMNS = ("id", "prev_mac", "mac", *NEW_FIELDS)


class BrokenChainError(RuntimeError):
    pass


def _mac(row: dict, prev_mac: str, fields) -> str:
    values = {name: row[name] for name in fields}
    values["at"] = row["at"].isoformat(timespec="microseconds")
    values["address"] = row["address"] or ""
    canonical = json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()
    return hmac.new(settings.AUDIT_HMAC_KEY.encode(), prev_mac.encode() + b"|" + canonical, hashlib.sha256).hexdigest()


def _rows(apps):
    """Every entry in sequence order, a batch at a time (keyset pages, so updates cannot disturb the walk)."""
    entry_model = apps.get_model("audit", "AuditEntry")
    last = 0
    while True:
        batch = list(entry_model.objects.filter(seq__gt=last).order_by("seq").values(*COLUMNS)[:BATCH])
        if not batch:
            return
        yield batch
        last = batch[-1]["seq"]


def _check(apps, fields, form: str) -> None:
    expected, prev_mac = 1, GENESIS
    for batch in _rows(apps):
        for row in batch:
            why = ""
            if row["seq"] != expected:
                why = f"缺少第 {expected} 条" if row["seq"] > expected else "编号顺序错乱"
            elif row["prev_mac"] != prev_mac:
                why = "与前一条衔接不上（插入或重排）"
            elif _mac(row, prev_mac, fields) != row["mac"]:
                why = "内容与其 HMAC 不符（被改动）"
            if why:
                raise BrokenChainError(
                    f"审计日志在{form}校验方式下第 {row['seq']} 条已不完好：{why}。迁移已中止，未作任何改动。"
                    "请先从备份恢复日志或按安全事件处理，并确认 AUDIT_HMAC_KEY 无误，再运行 migrate。"
                )
            prev_mac, expected = row["mac"], expected + 1


def _rewrite(apps, schema_editor, fields, *, clear_dangling: bool = False) -> None:
    """Compute every entry's HMAC again under `fields`, in sequence order; break-glass reasons leave the log."""
    connection = schema_editor.connection
    entry_model = apps.get_model("audit", "AuditEntry")
    table = connection.ops.quote_name(entry_model._meta.db_table)
    users, students = set(), set()
    if clear_dangling:
        users = set(apps.get_model(settings.AUTH_USER_MODEL).objects.values_list("pk", flat=True))
        students = set(apps.get_model("org", "Student").objects.values_list("pk", flat=True))
    prev_mac = GENESIS
    with connection.cursor() as cursor:
        for batch in _rows(apps):
            updates = []
            for row in batch:
                if row["what"] == "privacy.break_glass" and row["action"] == "create" and (row["detail"] or {}).get(
                    "grant"
                ):
                    row["reason"] = ""
                if clear_dangling:
                    row["actor_id"] = row["actor_id"] if row["actor_id"] in users else None
                    row["student_id"] = row["student_id"] if row["student_id"] in students else None
                row["prev_mac"] = prev_mac
                row["mac"] = _mac(row, prev_mac, fields)
                prev_mac = row["mac"]
                updates.append([row["reason"], row["actor_id"], row["student_id"], row["prev_mac"], row["mac"], row["id"]])
            cursor.executemany(
                f"UPDATE {table} SET reason = %s, actor_id = %s, student_id = %s, prev_mac = %s, mac = %s WHERE id = %s",  # noqa: S608
                updates,
            )


# --- triggers -------------------------------------------------------------------------------------------

OLD_POSTGRES = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'audit entries are append-only';
    END IF;
    IF ROW(NEW.seq, NEW.at, NEW.actor_username, NEW.actor_name, NEW.post, NEW.student_number, NEW.action,
           NEW.what, NEW.tier, NEW.detail::text, NEW.reason, NEW.address, NEW.prev_mac, NEW.mac)
       IS DISTINCT FROM
       ROW(OLD.seq, OLD.at, OLD.actor_username, OLD.actor_name, OLD.post, OLD.student_number, OLD.action,
           OLD.what, OLD.tier, OLD.detail::text, OLD.reason, OLD.address, OLD.prev_mac, OLD.mac)
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
       OR (NEW.student_id IS NOT NULL AND NEW.student_id IS DISTINCT FROM OLD.student_id) THEN
        RAISE EXCEPTION 'audit entries are append-only';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
OLD_CHAINED_COLUMNS = (
    "seq, at, actor_username, actor_name, post, student_number, action, what, tier, detail, reason, address, "
    "prev_mac, mac"
)
OLD_SQLITE = [
    f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OF {OLD_CHAINED_COLUMNS} ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER audit_entry_no_relink BEFORE UPDATE OF actor_id, student_id ON audit_auditentry "
    "WHEN (NEW.actor_id IS NOT NULL AND NEW.actor_id IS NOT OLD.actor_id) "
    "OR (NEW.student_id IS NOT NULL AND NEW.student_id IS NOT OLD.student_id) "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
NEW_POSTGRES = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
NEW_SQLITE = [
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
DROP_POSTGRES = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""
DROP_SQLITE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    "DROP TRIGGER IF EXISTS audit_entry_no_relink;",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
]


def _run(schema_editor, postgres: str, sqlite: list[str]) -> None:
    statements = {"postgresql": [postgres], "sqlite": sqlite}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def check_old_chain_then_drop_triggers(apps, schema_editor):
    _check(apps, OLD_FIELDS, "旧的")
    _run(schema_editor, DROP_POSTGRES, DROP_SQLITE)


def create_old_triggers(apps, schema_editor):
    _run(schema_editor, OLD_POSTGRES, OLD_SQLITE)


def rewrite_under_new_form(apps, schema_editor):
    _rewrite(apps, schema_editor, NEW_FIELDS)


def check_new_chain_then_rewrite_under_old_form(apps, schema_editor):
    _check(apps, NEW_FIELDS, "新的")
    _rewrite(apps, schema_editor, OLD_FIELDS, clear_dangling=True)


def create_new_triggers(apps, schema_editor):
    _run(schema_editor, NEW_POSTGRES, NEW_SQLITE)


def drop_new_triggers(apps, schema_editor):
    _run(schema_editor, DROP_POSTGRES, DROP_SQLITE)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0002_append_only_trigger"),
        ("org", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(check_old_chain_then_drop_triggers, create_old_triggers),
        migrations.AlterField(
            model_name="auditentry",
            name="actor",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="student",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="org.student",
            ),
        ),
        migrations.RunPython(rewrite_under_new_form, check_new_chain_then_rewrite_under_old_form),
        migrations.RunPython(create_new_triggers, drop_new_triggers),
    ]
