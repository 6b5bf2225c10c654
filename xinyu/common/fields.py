"""Model fields shared across apps."""

from django.apps import apps
from django.db import models

from xinyu.common import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted (Fernet, key outside the database): for T4 notes and diagnoses.

    The database holds only the token; Python code sees the clear text. Such a field cannot be searched
    or ordered by its content in SQL, on purpose. `rotate_encryption_keys` re-encrypts every such field.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(value)


def encrypted_fields():
    """(model, field) for every EncryptedTextField in the project, for key rotation and checks."""

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedTextField)
    ]
