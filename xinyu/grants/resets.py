"""Resetting someone's password or authenticator, under the same ladder as granting posts (DESIGN.md §9).

- Nobody resets their own credentials here (they change their password themselves), nor a technical
  administrator's (those are reset on the server, `manage.py changepassword`).
- An account whose highest tier is T3 or T4 (counting posts waiting for confirmation): the technical
  administrator asks, and a second person confirms — the one who would confirm a grant of that post (the
  centre's supervisor for T3, the leading group's head or deputy for T4).
- Below T3: someone whose own tier is higher and who is responsible for the account (a student's chain at
  T2 or above; 学工部 for staff without tier; a college's 学工办 for staff whose posts all lie in its
  college), or the technical administrator.
- One person never resets both the password and the authenticator of one account within seven days.
- A password is never shown: the holder gets a one-time link by e-mail, or a one-time code handed over in
  person, and sets a new password with it. The holder is told of every reset; every step is in the log.

The person asking has re-authenticated (step-up) first: the views require it.
"""

import datetime as dt
import hashlib
import logging
import secrets
from smtplib import SMTPException

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.models import CredentialReset, TwoFactorDevice, User
from xinyu.audit.models import AuditEntry
from xinyu.grants import rules as grant_rules
from xinyu.notify.services import notify
from xinyu.org.access_log import Event, record
from xinyu.org.models import Appointment, Post
from xinyu.org.scope.base import POST_TIER, Tier, current_appointments, grants_for, is_technical_admin, students_for
from xinyu.policy.errors import DomainError

BOTH_KINDS_DAYS = 7  # one person, one account: never both credentials within this many days
VALID_HOURS = 24  # a link or code is good for this long
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I/L to misread when handed over
CODE_LENGTH = 10
AUDIT_WHAT = "accounts.credential_reset"
logger = logging.getLogger(__name__)


class ResetError(DomainError):
    """A reset the rules refuse; the message says why."""


def _held(account) -> list[Appointment]:
    """The account's posts in force or to come, and those waiting for confirmation."""
    today = timezone.localdate()
    return list(
        Appointment.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=today),
            person_id=account.pk,
            status__in=[Appointment.Status.ACTIVE, Appointment.Status.PENDING],
        ).select_related("school", "department", "college", "class_group__college", "dorm_room")
    )


def account_tier(account) -> Tier:
    return max((POST_TIER.get(appointment.post, Tier.T0) for appointment in _held(account)), default=Tier.T0)


def _own_tier(user) -> Tier:
    return max((grant.tier for grant in grants_for(user)), default=Tier.T0)


def confirmers_for(account) -> frozenset[str]:
    """The posts whose holders confirm a reset of a T3/T4 account: those that confirm its highest post."""
    held = _held(account)
    if not held:
        return frozenset()
    top = max(held, key=lambda appointment: POST_TIER.get(appointment.post, Tier.T0))
    return grant_rules.RULES[top.post].confirmed_by


def _responsible_for_staff(by, account) -> bool:
    posts = {appointment.post for appointment in current_appointments(by)}
    held = _held(account)
    if Post.STUDENT_AFFAIRS_STAFF in posts:
        return True
    offices = {a.college_id for a in current_appointments(by) if a.post == Post.COLLEGE_OFFICE_DIRECTOR}
    colleges = {
        appointment.college_id or (appointment.class_group.college_id if appointment.class_group_id else None)
        for appointment in held
    }
    return bool(held) and bool(offices) and colleges <= offices


def refusal(by, account, kind: str) -> str | None:
    """Why `by` may not ask for this reset, or None when they may (a confirmation may still be needed)."""
    if account.pk == by.pk:
        return _("You cannot reset your own credentials here; change your password on your own page.")
    if account.is_superuser:
        return _("The technical administrator's credentials are reset on the server, not here.")
    if not account.is_active:
        return _("This account is disabled.")
    target = account_tier(account)
    if target >= Tier.T3:
        if not is_technical_admin(by):
            return _("An account with access to sensitive records is reset by the technical administrator, with a "
                     "second person's confirmation.")  # fmt: skip
    elif not is_technical_admin(by):
        if _own_tier(by) <= target:
            return _("You may reset only accounts with less access than your own.")
        if account.is_student:
            responsible = students_for(by, Tier.T2).filter(user_id=account.pk).exists()
        else:
            responsible = _responsible_for_staff(by, account)
        if not responsible:
            return _("You are not responsible for this account.")
    if took_part_in_other(by, account, kind):
        return _(
            "You took part in resetting this account's other credential within %(days)s days; ask a colleague."
        ) % {"days": BOTH_KINDS_DAYS}
    return None


def took_part_in_other(user, account, kind: str) -> bool:
    """Whether `user` asked for or confirmed a reset of the account's other credential in the last 7 days."""
    others = [value for value in CredentialReset.Kind.values if value != kind]
    since = timezone.now() - dt.timedelta(days=BOTH_KINDS_DAYS)
    return (
        CredentialReset.objects.filter(account=account, kind__in=others, requested_at__gte=since)
        .exclude(status=CredentialReset.Status.REFUSED)
        .filter(Q(requested_by=user) | Q(decided_by=user))
        .exists()
    )


def needs_confirmation(account) -> frozenset[str]:
    return confirmers_for(account) if account_tier(account) >= Tier.T3 else frozenset()


def _capacity(user) -> str:
    """The post in which someone acts on a reset, for the access log."""
    if is_technical_admin(user):
        return grant_rules.Granter.TECHNICAL_ADMIN
    held = current_appointments(user)
    top = max(held, key=lambda appointment: POST_TIER.get(appointment.post, Tier.T0), default=None)
    return top.post if top else ""


def _log(by, reset: CredentialReset, step: str, *, address=None, **detail) -> None:
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            AUDIT_WHAT,
            post=_capacity(by),
            detail={
                "step": step,
                "reset": reset.pk,
                "account": reset.account.username,
                "kind": reset.kind,
                "delivery": reset.delivery,
                "status": reset.status,
                **detail,
            },
        ),
        address=address,
    )


@transaction.atomic
def request_reset(account, kind: str, *, by, delivery: str = "", reason: str = "", address=None):
    """Ask for a reset. Returns (the reset, a one-time code to hand over in person, or None)."""
    account = User.objects.select_for_update().get(pk=account.pk)
    if why := refusal(by, account, kind):
        raise ResetError(why)
    if kind == CredentialReset.Kind.PASSWORD:
        if delivery not in CredentialReset.Delivery.values:
            raise ResetError(_("Choose how the holder receives the reset."))
        if delivery == CredentialReset.Delivery.EMAIL and not account.email:
            raise ResetError(_("This account has no registered e-mail address; hand a code over in person."))
    else:
        delivery = ""
    confirmers = needs_confirmation(account)
    reset = CredentialReset.objects.create(
        account=account,
        kind=kind,
        delivery=delivery,
        reason=reason[:300],
        requested_by=by,
        status=CredentialReset.Status.PENDING if confirmers else CredentialReset.Status.CONFIRMED,
    )
    _log(by, reset, "requested", address=address, reason=reason)
    if confirmers:
        _ask_confirmers(reset, confirmers)
        return reset, None
    return reset, _carry_out(reset, by=by, address=address)


def _ask_confirmers(reset: CredentialReset, confirmers) -> None:
    people = [
        appointment.person
        for appointment in Appointment.objects.current().filter(post__in=confirmers).select_related("person")
        if appointment.person_id not in (reset.account_id, reset.requested_by_id)
    ]
    notify(
        people,
        student=None,
        tier=Tier.T0,
        key=f"reset{reset.pk}:confirm",
        title=_("A credential reset waits for your confirmation: %(kind)s of %(name)s")
        % {"kind": reset.get_kind_display(), "name": reset.account.full_name},
        link=reverse("grants:resets"),
        urgent=True,
    )


def _carry_out(reset: CredentialReset, *, by, address=None) -> str | None:
    """Make a confirmed reset effective; returns the code to hand over, for an in-person password reset."""
    CredentialReset.MOVES.check(
        reset.status,
        CredentialReset.Status.ISSUED,
        error=ResetError,
        message=_("There is no code to issue for this reset."),
    )
    code = None
    if reset.kind == CredentialReset.Kind.AUTHENTICATOR:
        TwoFactorDevice.objects.filter(user_id=reset.account_id).delete()
    else:
        code = secrets.token_urlsafe(32) if reset.delivery == CredentialReset.Delivery.EMAIL else _new_code()
        reset.token_digest = digest(code)
        reset.expires_at = timezone.now() + dt.timedelta(hours=VALID_HOURS)
        # Links and codes issued before this one stop working.
        CredentialReset.objects.filter(
            account_id=reset.account_id, status=CredentialReset.Status.ISSUED, kind=reset.kind
        ).update(status=CredentialReset.Status.REFUSED)
    reset.status = CredentialReset.Status.ISSUED
    reset.save()
    _log(by, reset, "issued", address=address)
    _tell_holder(reset)
    if reset.delivery == CredentialReset.Delivery.EMAIL:
        _email_link(reset, code)
        return None
    return code


def _new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def digest(token: str) -> str:
    return hashlib.sha256(normalise_code(token).encode()).hexdigest()


def normalise_code(raw: str) -> str:
    """A code as typed: spaces and dashes dropped, upper case (links' tokens are case-sensitive and have none)."""
    cleaned = (raw or "").strip().replace(" ", "").replace("-", "")
    return cleaned.upper() if len(cleaned) == CODE_LENGTH else cleaned


def _tell_holder(reset: CredentialReset) -> None:
    words = {"kind": reset.get_kind_display(), "by": reset.requested_by.full_name}
    notify(
        [reset.account],
        student=None,
        tier=Tier.T0,
        key=f"reset{reset.pk}:holder",
        title=_("Your %(kind)s was reset at the request of %(by)s.") % words,
        body=_("If you did not ask for this, tell the psychology centre or the technical administrator at once."),
        link=reverse("core:home"),
    )


def _email_link(reset: CredentialReset, token: str) -> None:
    link = settings.XINYU_BASE_URL.rstrip("/") + reverse("grants:reset_with_link", args=[token])
    subject = _("Xinyu: set a new password")
    body = _(
        "%(name)s,\n\nA new password was requested for your Xinyu account %(number)s. Open this link within "
        "%(hours)s hours to set it (the link works once):\n\n%(link)s\n\nIf you did not expect this, tell the "
        "psychology centre at once."
    ) % {"name": reset.account.full_name, "number": reset.account.username, "hours": VALID_HOURS, "link": link}
    message = EmailMessage(subject, body, to=[reset.account.email])
    transaction.on_commit(lambda: _send(message, reset.pk))


def _send(message: EmailMessage, reset_id: int) -> None:
    """After the commit: the link exists only in this message, so a failure is logged for the asker to retry."""
    try:
        message.send()
    except (OSError, SMTPException):
        logger.exception("the reset link of credential reset %s could not be sent", reset_id)


@transaction.atomic
def decide(reset: CredentialReset, *, by, confirm: bool, reason: str = "", address=None) -> str | None:
    """The second person confirms or refuses. Confirming an authenticator reset carries it out; a password
    reset is then issued by the person who asked (`issue`), so the code reaches nobody else."""
    reset = (
        CredentialReset.objects.select_for_update(of=("self",))
        .select_related("account", "requested_by")
        .get(pk=reset.pk)
    )
    # Open to a decision while it may still be confirmed (an issued code can also be set aside as refused).
    CredentialReset.MOVES.check(
        reset.status,
        CredentialReset.Status.CONFIRMED,
        error=ResetError,
        message=_("This reset has already been decided."),
    )
    if not may_decide(by, reset):
        raise ResetError(_("You may not confirm or refuse this reset."))
    if not confirm and not reason.strip():
        raise ResetError(_("Say why the reset is refused."))
    reset.decided_by = by
    reset.decided_at = timezone.now()
    reset.status = CredentialReset.Status.CONFIRMED if confirm else CredentialReset.Status.REFUSED
    reset.save(update_fields=["decided_by", "decided_at", "status"])
    _log(by, reset, "confirmed" if confirm else "refused", address=address, reason=reason)
    if confirm and (
        reset.kind == CredentialReset.Kind.AUTHENTICATOR or reset.delivery == CredentialReset.Delivery.EMAIL
    ):
        return _carry_out(reset, by=by, address=address)
    return None


@transaction.atomic
def issue(reset: CredentialReset, *, by, address=None) -> str:
    """The person who asked for a confirmed in-person password reset gets its one-time code, once."""
    reset = (
        CredentialReset.objects.select_for_update(of=("self",))
        .select_related("account", "requested_by")
        .get(pk=reset.pk)
    )
    if reset.requested_by_id != by.pk:
        raise ResetError(_("There is no code to issue for this reset."))
    return _carry_out(reset, by=by, address=address)


def may_decide(user, reset: CredentialReset) -> bool:
    if user.pk in (reset.account_id, reset.requested_by_id) or took_part_in_other(user, reset.account, reset.kind):
        return False
    needed = needs_confirmation(reset.account)
    return any(appointment.post in needed for appointment in current_appointments(user))


def get_reset_to_decide_for_user(user, pk) -> CredentialReset:
    """A reset `user` asked for (to issue its code) or may confirm; 404 for missing and not-theirs alike."""
    try:
        reset = CredentialReset.objects.select_related("account", "requested_by").get(pk=pk)
    except (CredentialReset.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if reset.requested_by_id != user.pk and not may_decide(user, reset):
        raise Http404
    return reset


@transaction.atomic
def use_code(username: str, code: str, new_password: str, *, address=None) -> User | None:
    """The holder sets a new password with their link or code. Returns the account, or None when the
    number and code do not match an issued, unexpired reset (the caller counts the failure)."""
    found = (
        CredentialReset.objects.select_for_update(of=("self",))
        .select_related("account", "requested_by")
        .filter(
            token_digest=digest(code),
            status=CredentialReset.Status.ISSUED,
            kind=CredentialReset.Kind.PASSWORD,
            expires_at__gt=timezone.now(),
        )
        .first()
    )
    if found is None or (username and found.account.username != username):
        return None
    account = found.account
    account.set_password(new_password)
    account.must_change_password = False
    account.save(update_fields=["password", "must_change_password"])
    found.status = CredentialReset.Status.USED
    found.used_at = timezone.now()
    found.save(update_fields=["status", "used_at"])
    _log(account, found, "used", address=address)
    return account


def find_by_link(token: str) -> CredentialReset | None:
    return (
        CredentialReset.objects.filter(
            token_digest=digest(token),
            status=CredentialReset.Status.ISSUED,
            delivery=CredentialReset.Delivery.EMAIL,
            expires_at__gt=timezone.now(),
        )
        .select_related("account")
        .first()
    )


def may_reset_anyone(user) -> bool:
    """The credentials page: the technical administrator, and staff with T2 or more somewhere."""
    if not getattr(user, "is_authenticated", False) or not user.is_active or user.is_student:
        return False
    return is_technical_admin(user) or _own_tier(user) >= Tier.T2


def may_use_reset_pages(user) -> bool:
    return may_reset_anyone(user) or grant_rules.may_decide_grants(user)
