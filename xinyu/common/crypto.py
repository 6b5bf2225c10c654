"""Field encryption and keyed hashes for identifiers that must be searchable but never stored in clear.

Keys live outside the database (settings, from the environment). Encryption always uses
FIELD_ENCRYPTION_KEY; FIELD_ENCRYPTION_OLD_KEYS still decrypt, so a key can be rotated: put the new key
first, the old one in the old list, run `manage.py rotate_encryption_keys`, then drop the old key.
"""

import base64
import hashlib
import hmac
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from django.conf import settings


@cache
def _fernet(key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(key.encode()).digest()))


def _keys() -> MultiFernet:
    old = getattr(settings, "FIELD_ENCRYPTION_OLD_KEYS", ())
    return MultiFernet([_fernet(settings.FIELD_ENCRYPTION_KEY), *(_fernet(key) for key in old)])


def encrypt(text: str) -> str:
    return _fernet(settings.FIELD_ENCRYPTION_KEY).encrypt(text.encode()).decode()


def decrypt(token: str) -> str:
    return _keys().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same clear text encrypted under the current key (decrypting with any known key)."""
    return _keys().rotate(token.encode()).decode()


def is_current(token: str) -> bool:
    """Whether `token` was encrypted with the current key (so rotation can skip it)."""
    try:
        _fernet(settings.FIELD_ENCRYPTION_KEY).decrypt(token.encode())
    except Exception:
        return False
    return True


def keyed_digest(text: str) -> str:
    """A stable HMAC of `text`, for exact-match lookups without the clear value."""
    return hmac.new(settings.FIELD_HASH_KEY.encode(), text.encode(), hashlib.sha256).hexdigest()
