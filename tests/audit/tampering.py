"""What an attacker with database access does: switch off the append-only triggers, change rows, switch
them back on. Shared by the tests of the chain, the anchor and the migration."""

import contextlib

from django.db import connection


@contextlib.contextmanager
def triggers_disabled():
    """Yields a cursor with the access log's triggers off; they are back on afterwards."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses while FK checks are pending
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_no_update")
            yield cursor
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_no_update")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditentry'"
            )
            triggers = cursor.fetchall()
            assert triggers, "the access log has no triggers to switch off"
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield cursor
            for _name, sql in triggers:
                cursor.execute(sql)
