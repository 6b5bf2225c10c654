"""Key rotation: after switching keys everything stays readable; after rotating, the old key can go; the
database never holds clear ID numbers or encrypted-field text."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from tests.factories import valid_id_number
from xinyu.common import crypto
from xinyu.common.fields import encrypted_fields
from xinyu.org.models import Student
from xinyu.privacy import breakglass
from xinyu.privacy.keys import encrypted_columns, rotate_keys
from xinyu.privacy.models import BreakGlassGrant

REASON = "紧急：学生失联，需要查看家长联系方式。"
NEW_KEY = "a-brand-new-field-encryption-key-for-tests"


def raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


@pytest.fixture
def encrypted(world):
    grant = breakglass.open_break_glass(world.cast["outsider"], world.in_scope, reason=REASON)
    breakglass.review_break_glass(grant, by=world.cast["supervisor"], outcome="justified", note="属实，处理及时。")
    return grant


def readable(world, grant):
    grant = BreakGlassGrant.objects.get(pk=grant.pk)
    student = Student.objects.get(pk=world.in_scope.pk)
    return (
        grant.reason == REASON
        and grant.review_note == "属实，处理及时。"
        and student.reveal_id_number() == valid_id_number(1)
    )


def no_plaintext(world):
    tokens = [row[0] for row in raw("SELECT reason FROM privacy_breakglassgrant")]
    tokens += [row[0] for row in raw("SELECT review_note FROM privacy_breakglassgrant")]
    numbers = [row[0] for row in raw("SELECT id_number_ciphertext FROM org_student")]
    dumped = " ".join(tokens + numbers)
    return REASON not in dumped and "属实" not in dumped and valid_id_number(1) not in dumped


def test_rotation_keeps_everything_readable_and_the_old_key_can_go(world, settings, encrypted):
    old_key = settings.FIELD_ENCRYPTION_KEY
    assert no_plaintext(world)
    with override_settings(FIELD_ENCRYPTION_KEY=NEW_KEY, FIELD_ENCRYPTION_OLD_KEYS=[old_key]):
        assert readable(world, encrypted)  # new key first, old key still decrypts
        out = StringIO()
        call_command("rotate_encryption_keys", "--dry-run", stdout=out)
        assert "dry run" in out.getvalue()
        assert not crypto.is_current(raw("SELECT reason FROM privacy_breakglassgrant")[0][0])  # dry run: unchanged
        out = StringIO()
        call_command("rotate_encryption_keys", "--batch-size", "2", stdout=out)
        text = out.getvalue()
        assert "privacy.BreakGlassGrant.reason: 1 values, 1 re-encrypted" in text
        assert "org.Student.id_number_ciphertext: 5 values, 5 re-encrypted" in text
        assert no_plaintext(world)
    with override_settings(FIELD_ENCRYPTION_KEY=NEW_KEY, FIELD_ENCRYPTION_OLD_KEYS=[]):
        assert readable(world, encrypted)  # the old key dropped
        counts = {count.label: count for count in rotate_keys()}
        assert counts["org.Student.id_number_ciphertext"].rotated == 0
        assert counts["org.Student.id_number_ciphertext"].current == 5


def test_rotation_is_all_or_nothing_when_a_value_cannot_be_read(world, settings, encrypted):
    old_key = settings.FIELD_ENCRYPTION_KEY
    # A stray token under an unknown key, in the last table rotated.
    with override_settings(FIELD_ENCRYPTION_KEY="some-unknown-key"):
        stray = crypto.encrypt("x")
    raw("UPDATE org_student SET id_number_ciphertext = %s WHERE id = %s", [stray, world.other_college.pk])
    with override_settings(FIELD_ENCRYPTION_KEY=NEW_KEY, FIELD_ENCRYPTION_OLD_KEYS=[old_key]):
        with pytest.raises(CommandError, match="Nothing was changed"):
            call_command("rotate_encryption_keys", stdout=StringIO())
        reason_token = raw("SELECT reason FROM privacy_breakglassgrant")[0][0]
        assert not crypto.is_current(reason_token)  # rolled back


def test_every_encrypted_field_is_covered(world):

    labels = {label for label, _model, _field in encrypted_columns()}
    assert {f"{model._meta.label}.{field.name}" for model, field in encrypted_fields()} <= labels
    assert {"privacy.BreakGlassGrant.reason", "privacy.BreakGlassGrant.review_note"} <= labels
    assert "org.Student.id_number_ciphertext" in labels
