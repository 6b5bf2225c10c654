"""Two-factor sign-in with an authenticator app (TOTP, RFC 6238), for everyone with T3 or T4 access.

Who must use it is decided in `xinyu.org.scope.requires_two_factor`; it is enforced only while
`settings.XINYU_ENFORCE_TWO_FACTOR` is on (the test settings switch it off except in the tests about it).

Sign-in in two steps: the password step does not sign the session in for such a user; it keeps the
user's id in the session as a *pending* sign-in (`PENDING_SESSION_KEY`), good for `PENDING_SECONDS`.
The code step (or enrolment, for a user without a device) then signs in, marks the session as verified
by the second factor (`VERIFIED_SESSION_KEY`) and as freshly re-authenticated (step-up).

Wrong codes are throttled like wrong passwords (`xinyu.accounts.throttle`), counted under
`CODE_THROTTLE_PREFIX + username` so that a correct password does not wipe the count of wrong codes.
A code is accepted once only: the device remembers the last accepted time step.
"""

import base64
import hashlib
import hmac
import time
import unicodedata
from enum import Enum

import pyotp
import segno
from django.conf import settings
from django.contrib.auth import get_user_model, load_backend
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinyu.accounts import throttle
from xinyu.accounts.models import TwoFactorDevice
from xinyu.accounts.stepup import mark_reauthenticated, recently_reauthenticated
from xinyu.audit.models import AuditEntry
from xinyu.org import scope
from xinyu.org.access_log import Event, client_address, record, record_many

ISSUER = "心育"
PENDING_SESSION_KEY = "xinyu_2fa_pending"
VERIFIED_SESSION_KEY = "xinyu_2fa_verified"
# How long the code step may follow the password step.
PENDING_SECONDS = 5 * 60
CODE_THROTTLE_PREFIX = "totp:"
TIME_STEP_SECONDS = 30
# Codes of the time step before and after the current one are accepted too (a phone's clock drifts).
DRIFT_STEPS = 1
CODE_DIGITS = 6
AUDIT_WHAT = "two-factor device"


class CodeCheck(Enum):
    OK = "ok"
    WRONG = "wrong"
    REPLAYED = "replayed"
    LOCKED = "locked"


# Who must use it ------------------------------------------------------------------------------------


def two_factor_required(user) -> bool:
    """Enforced, and the user's posts grant T3 or T4 (students never)."""
    if not settings.XINYU_ENFORCE_TWO_FACTOR:
        return False
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_student:
        return False
    return scope.requires_two_factor(user)


def confirmed_device(user) -> TwoFactorDevice | None:
    return TwoFactorDevice.objects.filter(user_id=user.pk, confirmed_at__isnull=False).first()


# Codes ------------------------------------------------------------------------------------------------


def normalise_code(raw: str) -> str:
    """A code as typed on a phone: full-width digits and spaces become plain digits."""
    return "".join(unicodedata.normalize("NFKC", raw or "").split())


def current_step(now: float | None = None) -> int:
    return int(now if now is not None else time.time()) // TIME_STEP_SECONDS


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=CODE_DIGITS, interval=TIME_STEP_SECONDS).generate_otp(step)


def current_code(secret: str) -> str:
    return code_at_step(secret, current_step())


def _matching_step(secret: str, code: str) -> int | None:
    if len(code) != CODE_DIGITS or not code.isdigit():
        return None
    now = current_step()
    matched = None
    # Compare with every candidate (constant work whichever matches).
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(code_at_step(secret, step), code) and matched is None:
            matched = step
    return matched


def confirmed_device_of(username: str) -> TwoFactorDevice | None:
    return (
        TwoFactorDevice.objects.filter(user__username=username, confirmed_at__isnull=False)
        .select_related("user")
        .first()
    )


def matching_step(device: TwoFactorDevice | None, raw_code: str) -> int | None:
    """The time step `raw_code` belongs to on `device` (None: no device, no code, or a wrong one)."""
    return _matching_step(device.secret if device else pyotp.random_base32(length=32), normalise_code(raw_code))


def use_step(device: TwoFactorDevice, step: int | None) -> bool:
    """Accept a code of `step` once only (a conditional update: two requests with one code cannot both pass)."""
    if step is None:
        return False
    accepted = (
        TwoFactorDevice.objects.filter(pk=device.pk)
        .filter(Q(last_used_step__isnull=True) | Q(last_used_step__lt=step))
        .update(last_used_step=step)
    )
    if accepted:
        device.last_used_step = step
    return bool(accepted)


def _throttle_name(user) -> str:
    return f"{CODE_THROTTLE_PREFIX}{user.username}"[:150]


def check_code(device: TwoFactorDevice, raw_code: str, request=None) -> CodeCheck:
    """Checks a code against the device, throttled like passwords, each code accepted once only."""
    address = client_address(request) if request is not None else None
    name = _throttle_name(device.user)
    if throttle.is_locked(name, address):
        return CodeCheck.LOCKED
    step = _matching_step(device.secret, normalise_code(raw_code))
    if step is None:
        throttle.record_failure(name, address)
        return CodeCheck.WRONG
    if not use_step(device, step):
        throttle.record_failure(name, address)
        return CodeCheck.REPLAYED
    throttle.clear_failures(name)
    return CodeCheck.OK


# Enrolment and reset ------------------------------------------------------------------------------------


def start_enrolment(user) -> TwoFactorDevice:
    """The device being enrolled: the one begun earlier (a reloaded page shows the same secret) or a new one.
    Refuses a user whose device is already confirmed (only an administrator's reset removes it)."""
    device = TwoFactorDevice.objects.filter(user_id=user.pk).first()
    if device is not None:
        if device.is_confirmed:
            raise ValueError("The user already has a confirmed two-factor device.")
        return device
    return TwoFactorDevice.objects.create(user=user, secret=pyotp.random_base32(length=32))


def confirm_enrolment(device: TwoFactorDevice, raw_code: str, request=None) -> CodeCheck:
    """The first code confirms the device; written to the access log in the same transaction."""
    with transaction.atomic():
        result = check_code(device, raw_code, request)
        if result is CodeCheck.OK:
            device.confirmed_at = timezone.now()
            device.save(update_fields=["confirmed_at"])
            record(
                device.user,
                Event(AuditEntry.Action.CREATE, AUDIT_WHAT, detail={"user": device.user.username}),
                address=client_address(request) if request is not None else None,
            )
    return result


def reset_devices(actor, users, *, address: str | None = None) -> list[str]:
    """Removes the devices of `users` (a lost phone); they enrol again at their next sign-in. Audited.
    Returns the usernames whose device was removed."""
    reset = []
    with transaction.atomic():
        for user in users:
            deleted, _ = TwoFactorDevice.objects.filter(user_id=user.pk).delete()
            if deleted:
                reset.append(user.username)
        record_events = [
            Event(AuditEntry.Action.DELETE, AUDIT_WHAT, detail={"user": username, "reset": True}) for username in reset
        ]
        if record_events:
            record_many(actor, record_events, address=address)
    return reset


def provisioning_uri(device: TwoFactorDevice) -> str:
    return pyotp.TOTP(device.secret, digits=CODE_DIGITS, interval=TIME_STEP_SECONDS).provisioning_uri(
        name=device.user.username, issuer_name=ISSUER
    )


def qr_svg(device: TwoFactorDevice) -> str:
    """The provisioning URI as inline SVG markup: presentation attributes only, no style (strict CSP)."""
    qr = segno.make(provisioning_uri(device), error="m")
    return qr.svg_inline(scale=5, dark="#000", light="#fff", svgclass="totp-qr", lineclass=None, title="QR")


def grouped_secret(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def demo_secret(seed: int, username: str) -> str:
    """A deterministic secret for the demo database only (never used outside `seed_two_factor`)."""
    digest = hashlib.sha256(f"xinyu-demo-totp:{seed}:{username}".encode()).digest()
    return base64.b32encode(digest[:20]).decode()


# The session ------------------------------------------------------------------------------------------


def begin_pending(request, user, next_url: str) -> None:
    """After the password step: remember who is signing in, without signing the session in (a session that
    was signed in as someone else is ended first)."""
    if getattr(request.user, "is_authenticated", False):
        auth_logout(request)
    request.session.cycle_key()
    request.session[PENDING_SESSION_KEY] = {
        "user": user.pk,
        "backend": getattr(user, "backend", settings.AUTHENTICATION_BACKENDS[0]),
        "at": int(time.time()),
        "next": next_url,
    }


def pending(request) -> tuple[object, dict] | None:
    """(user, pending data) of a sign-in waiting for its second factor, or None (none, or expired)."""
    data = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(data, dict):
        return None
    if not isinstance(data.get("at"), int) or time.time() - data["at"] > PENDING_SECONDS:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=data.get("user"), is_active=True).first()
    if user is None:
        request.session.pop(PENDING_SESSION_KEY, None)
        return None
    return user, data


def complete_sign_in(request, user, data: dict) -> None:
    """The second factor is proven: sign the session in, mark it verified and freshly re-authenticated."""
    backend = data.get("backend")
    if backend not in settings.AUTHENTICATION_BACKENDS:
        backend = settings.AUTHENTICATION_BACKENDS[0]
    load_backend(backend)
    request.session.pop(PENDING_SESSION_KEY, None)
    auth_login(request, user, backend=backend)
    mark_verified(request)


def mark_verified(request, method: str = "code") -> None:
    """The second factor is proven for this session: a code, or (`method` "cas-mfa"/"oidc-mfa") the IdP's
    MFA, trusted by SSO_TRUST_IDP_MFA."""
    request.session[VERIFIED_SESSION_KEY] = request.user.pk
    mark_reauthenticated(request, method=method)


def session_verified(request) -> bool:
    """This session proved the second factor: at sign-in, at enrolment or on the step-up page (which asks a
    user who needs two factors for a code, so a fresh step-up mark counts as well)."""
    if request.session.get(VERIFIED_SESSION_KEY) == request.user.pk:
        return True
    return recently_reauthenticated(request)
