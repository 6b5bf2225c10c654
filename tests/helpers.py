"""Small helpers shared by tests."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def queries_for_page(client, url):
    """(number of queries, response) for a second GET of `url`: the first warms the session up."""
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response


def empty_access_log_for_flush():
    """After a transactional test on SQLite, empty the access log so the test database can be flushed:
    its append-only triggers refuse DELETE, so they are dropped for that one statement and put back.
    (PostgreSQL's flush uses TRUNCATE, which the row-level trigger does not see.)"""
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_auditentry'")
        triggers = cursor.fetchall()
        for name, _sql in triggers:
            cursor.execute(f'DROP TRIGGER "{name}"')
        cursor.execute("DELETE FROM audit_auditentry")
        for _name, sql in triggers:
            cursor.execute(sql)
