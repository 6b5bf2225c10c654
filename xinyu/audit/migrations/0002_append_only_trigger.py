"""The database itself refuses to change or delete access-log entries.

The one update allowed is a foreign key being cleared (ON DELETE SET NULL when a user or student row is
deleted): entries keep copies of who and which student, and the HMAC chain covers only those copies.
Anyone who can bypass the triggers (a superuser disabling them, a file edited on disk) is still caught
by `verify_audit`.
"""

from django.db import migrations

CHAINED_COLUMNS = (
    "seq, at, actor_username, actor_name, post, student_number, action, what, tier, detail, reason, address, "
    "prev_mac, mac"
)

POSTGRES_FORWARD = f"""
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
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS audit_entry_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_entry_append_only();
"""
SQLITE_FORWARD = [
    f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE OF {CHAINED_COLUMNS} ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER audit_entry_no_relink BEFORE UPDATE OF actor_id, student_id ON audit_auditentry "
    "WHEN (NEW.actor_id IS NOT NULL AND NEW.actor_id IS NOT OLD.actor_id) "
    "OR (NEW.student_id IS NOT NULL AND NEW.student_id IS NOT OLD.student_id) "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_auditentry "
    "BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    "DROP TRIGGER IF EXISTS audit_entry_no_relink;",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
]


def forward(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_FORWARD], "sqlite": SQLITE_FORWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = {"postgresql": [POSTGRES_BACKWARD], "sqlite": SQLITE_BACKWARD}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
