"""Sittings: a class answering together, entered with a short code instead of a login stampede.

The head teacher or advisor opens a sitting for their class and shows its code. A student enters the
code, their 学号 and the last six characters of their 身份证号; the browser session is then bound to that
one Participation. Entering again from a second device binds the new session and invalidates the first,
so each response belongs to exactly one student and one device at a time.

Failed entries are counted per code and 学号 and per client address (in the sign-in throttle's table,
under their own names and limits: a class shares one address, so the address limit is higher).
"""

import datetime as dt
import hmac
import secrets
import unicodedata

import segno
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.accounts.models import LoginFailure
from xinyu.org.models import Student
from xinyu.policy.errors import DomainError
from xinyu.screening import scope
from xinyu.screening.models import Campaign, Participation, Sitting

# No 0/O, 1/I/L: a code read aloud or from a projector is never ambiguous.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
SITTING_HOURS = 3
FAILURES_PER_STUDENT = 5
FAILURES_PER_ADDRESS = 60
FAILURE_WINDOW = dt.timedelta(minutes=15)
THROTTLE_PREFIX = "sitting:"
SESSION_KEY = "xinyu_screening"
BINDING_SECONDS = 24 * 60 * 60


class EntryError(DomainError):
    """A refused entry, with a message to show (never saying which of 学号 and check was wrong)."""


def normalise_code(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw or "").strip().upper().replace(" ", "")


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def open_sitting(campaign: Campaign, class_group, by, *, hours: int = SITTING_HOURS) -> Sitting:
    """Open a sitting of `class_group` for `campaign`: its head teacher or advisor only."""
    if not scope.may_open_sitting(by, class_group):
        raise PermissionDenied
    if class_group.college.school_id != campaign.school_id:
        raise PermissionDenied
    now = timezone.now()
    if not campaign.is_open(now):
        raise EntryError(_("This campaign is not open."))
    closes_at = min(now + dt.timedelta(hours=hours), campaign.closes_at)
    for _attempt in range(10):
        try:
            with transaction.atomic():
                return Sitting.objects.create(
                    campaign=campaign, class_group=class_group, opened_by=by, code=new_code(), closes_at=closes_at
                )
        except IntegrityError:
            continue
    raise RuntimeError("no free sitting code after 10 attempts")


def entry_link_qr_svg(link: str) -> str:
    """The entry link as a QR code: inline SVG markup without width, height or style attributes (the
    strict CSP forbids inline styles), scaling to its container through Bootstrap's classes. Medium error
    correction survives a projector's glare and a phone held at an angle."""

    return segno.make(link, error="m", micro=False).svg_inline(
        scale=1, border=4, omitsize=True, svgclass="w-100 h-auto d-block", lineclass=None, dark="#000", light="#fff"
    )


def _throttle_name(code: str, student_number: str) -> str:
    return f"{THROTTLE_PREFIX}{code}:{student_number}"[:150]


def recent_failures(code: str, student_number: str, address: str | None) -> tuple[int, int]:
    """Failed entries in the window for this code and 学号, and from this address: one query."""
    counts = LoginFailure.objects.filter(at__gte=timezone.now() - FAILURE_WINDOW).aggregate(
        student=Count("pk", filter=Q(username=_throttle_name(code, student_number))),
        address=Count("pk", filter=Q(address=address, username__startswith=THROTTLE_PREFIX)),
    )
    return counts["student"], counts["address"] if address else 0


def is_throttled(failures: tuple[int, int]) -> bool:
    for_student, from_address = failures
    return for_student >= FAILURES_PER_STUDENT or from_address >= FAILURES_PER_ADDRESS


def _check_matches(student: Student | None, check: str) -> bool:
    expected = student.reveal_id_number()[-6:].upper() if student is not None else ""
    given = unicodedata.normalize("NFKC", check or "").strip().upper()
    # Compared in constant time even when there is no such student, so timing tells nothing.
    return hmac.compare_digest((expected or "\0" * 6).encode(), given.encode()) and bool(expected)


def enter_sitting(code: str, student_number: str, check: str, *, address: str | None = None) -> Participation:
    """The Participation a student enters with a sitting's code, their 学号 and the last six characters
    of their 身份证号; raises EntryError otherwise (and counts the failure)."""
    code = normalise_code(code)
    student_number = unicodedata.normalize("NFKC", student_number or "").strip()
    failures = recent_failures(code, student_number, address)
    if is_throttled(failures):
        raise EntryError(_("Too many failed attempts. Wait a quarter of an hour, or ask your teacher."))
    now = timezone.now()
    sitting = Sitting.objects.select_related("campaign").filter(code=code, closes_at__gt=now).first()
    student = None
    participation = None
    if sitting is not None and sitting.campaign.is_open(now):
        # Two lookups by unique keys ((school, 学号), then (campaign, student)): fast whatever the planner knows.
        student = Student.objects.filter(
            school_id=sitting.campaign.school_id, student_number=student_number, class_group_id=sitting.class_group_id
        ).first()
        if student is not None:
            participation = Participation.objects.filter(campaign=sitting.campaign, student=student).first()
    if not _check_matches(student, check) or participation is None:
        LoginFailure.objects.create(username=_throttle_name(code, student_number), address=address)
        raise EntryError(_("The code, student number or check characters are not right, or the sitting has closed."))
    if failures[0]:  # earlier mistakes of this student are forgiven once they get in
        LoginFailure.objects.filter(username=_throttle_name(code, student_number)).delete()
    participation.campaign = sitting.campaign
    if participation.sitting_id is None:
        participation.sitting = sitting
        participation.save(update_fields=["sitting"])
    return participation


# --- Binding a browser session to one participation ---
#
# The participation keeps the token of the one session allowed to answer; binding a new session replaces
# it, so the session bound before no longer matches.


def bind_session(session, participation: Participation) -> None:
    """Bind `session` (request.session) to `participation`; any session bound before is invalidated."""
    token = secrets.token_urlsafe(24)
    if session.session_key is not None:  # a session that existed before: a new key against fixation
        session.cycle_key()
    session[SESSION_KEY] = {"participation": participation.pk, "token": token}
    Participation.objects.filter(pk=participation.pk).update(session_token=token, session_bound_at=timezone.now())


def bound_participation(session, participations=None) -> Participation | None:
    """The participation this session is bound to (from `participations`, e.g. with select_related), in
    one query; None when never bound or when a later device took over."""
    binding = session.get(SESSION_KEY)
    if not isinstance(binding, dict):
        return None
    since = timezone.now() - dt.timedelta(seconds=BINDING_SECONDS)
    participation = (
        (participations if participations is not None else Participation.objects)
        .filter(pk=binding.get("participation"), session_bound_at__gt=since)
        .first()
    )
    if participation is None or not hmac.compare_digest(str(participation.session_token), str(binding.get("token"))):
        return None
    return participation


def bound_participation_id(session) -> int | None:
    """The id of the participation this session is bound to, or None (see bound_participation)."""
    participation = bound_participation(session, Participation.objects.only("pk", "session_token"))
    return participation.pk if participation is not None else None


def unbind_session(session) -> None:
    session.pop(SESSION_KEY, None)
