from django.contrib.auth.backends import ModelBackend

from xinyu.accounts import throttle
from xinyu.audit.services import client_address


class ThrottledModelBackend(ModelBackend):
    """The model backend, refusing (without checking the password) while an account or address is locked."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        username = throttle.normalise_username(username or kwargs.get("username", ""))
        address = client_address(request) if request is not None else None
        if throttle.is_locked(username, address):
            # Spend the time a real check costs, so timing does not reveal the lock-out either.
            super().authenticate(request, username="", password=password)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(username, address)
        else:
            throttle.clear_failures(username)
        return user
