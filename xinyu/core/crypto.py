"""Field encryption and keyed hashes for identifiers that must be searchable but never stored in clear."""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet
from django.conf import settings


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def encrypt(text: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode()).decode()


def keyed_digest(text: str) -> str:
    """A stable HMAC of `text`, for exact-match lookups without the clear value."""
    return hmac.new(settings.FIELD_HASH_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()
