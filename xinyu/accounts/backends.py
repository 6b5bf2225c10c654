from django.contrib.auth.backends import ModelBackend

from xinyu.accounts import throttle, twofactor
from xinyu.org.access_log import client_address


class ThrottledModelBackend(ModelBackend):
    """The model backend, refusing (without checking the password) while an address is locked.

    While an account is paused (too many wrong passwords for it), the password alone is refused whether it
    is right or not; the password together with a current code from the account's authenticator app signs
    in. The answer to anything less is the same "paused", so guessing learns nothing, and the guesses still
    count against the guesser's address."""

    def authenticate(self, request, username=None, password=None, code="", **kwargs):
        username = throttle.normalise_username(username or kwargs.get("username", ""))
        address = client_address(request) if request is not None else None
        if throttle.address_locked(address):
            # Spend the time a real check costs, so timing does not reveal the lock-out either.
            super().authenticate(request, username="", password=password)
            return None
        if throttle.account_locked(username):
            return self._past_the_pause(request, username, password, code, address)
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.record_failure(username, address)
        else:
            throttle.clear_failures(username)
        return user

    def _past_the_pause(self, request, username, password, code, address):
        # The device and the code are looked at whatever the password, so the time taken tells nothing.
        device = twofactor.confirmed_device_of(username)
        step = twofactor.matching_step(device, code)
        user = super().authenticate(request, username=username, password=password)
        if user is None or device is None or device.user_id != user.pk or not twofactor.use_step(device, step):
            throttle.record_failure(username, address)
            return None
        throttle.clear_failures(username)
        user.second_factor_verified = True  # the sign-in page completes the sign-in without the code step
        return user
