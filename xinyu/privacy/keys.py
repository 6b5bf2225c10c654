"""Key rotation: every encrypted value re-encrypted under the current FIELD_ENCRYPTION_KEY.

Covers every EncryptedTextField (xinyu.common.fields.encrypted_fields) and Student.id_number_ciphertext.
Values are read and written as stored (raw SQL, never through the field's decryption), in batches by
primary key, all in one transaction; values already under the current key are skipped.
"""

from dataclasses import dataclass

from django.db import connection, transaction

from xinyu.common import crypto
from xinyu.common.fields import encrypted_fields
from xinyu.org.models import Student

BATCH = 1000


@dataclass
class ColumnCount:
    label: str  # "app.Model.field"
    total: int = 0
    rotated: int = 0
    current: int = 0
    missing_table: bool = False  # the model's table does not exist (migrations not applied)


def encrypted_columns() -> list[tuple[str, object, object]]:
    """(label, model, field) of every column holding encrypted tokens."""
    columns = [(f"{model._meta.label}.{field.name}", model, field) for model, field in encrypted_fields()]
    columns.append(("org.Student.id_number_ciphertext", Student, Student._meta.get_field("id_number_ciphertext")))
    return columns


def _raw_rows(model, field, after, limit):
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    column = connection.ops.quote_name(field.column)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {column} FROM {table} WHERE {pk} > %s AND {column} IS NOT NULL AND {column} <> '' "  # noqa: S608
            f"ORDER BY {pk} LIMIT %s",
            [after, limit],
        )
        return cursor.fetchall()


def _write(model, field, rows) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    column = connection.ops.quote_name(field.column)
    with connection.cursor() as cursor:
        cursor.executemany(f"UPDATE {table} SET {column} = %s WHERE {pk} = %s", rows)  # noqa: S608


def rotate_keys(*, dry_run: bool = False, batch_size: int = BATCH) -> list[ColumnCount]:
    """Re-encrypt every value not under the current key. Any value no known key opens fails the whole
    run (nothing is changed)."""
    counts = []
    with transaction.atomic():
        tables = set(connection.introspection.table_names())
        for label, model, field in encrypted_columns():
            count = ColumnCount(label)
            if model._meta.db_table not in tables:
                count.missing_table = True
                counts.append(count)
                continue
            after = -1
            while True:
                rows = _raw_rows(model, field, after, batch_size)
                if not rows:
                    break
                after = rows[-1][0]
                changed = []
                for pk, token in rows:
                    count.total += 1
                    if crypto.is_current(token):
                        count.current += 1
                        continue
                    changed.append((crypto.rotate(token), pk))
                count.rotated += len(changed)
                if changed and not dry_run:
                    _write(model, field, changed)
            counts.append(count)
    return counts
