"""Consent records (PIPL Art. 29): per campaign and per purpose, with the version and a digest of the text
the student was shown. Withdrawal is recorded, never deleted."""

import hashlib

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from xinyu.audit.models import AuditEntry
from xinyu.org.access_log import Event, record
from xinyu.policy.errors import DomainError
from xinyu.privacy import scope
from xinyu.privacy.models import ConsentRecord


class ConsentError(DomainError):
    pass


def text_digest(text: str) -> str:
    """SHA-256 of the consent text as shown (whitespace at the ends ignored)."""
    return hashlib.sha256((text or "").strip().encode()).hexdigest()


@transaction.atomic
def record_consent(student, *, purpose: str, text: str, version: str, campaign=None, at=None) -> ConsentRecord:
    """The student agreed to `text` (`version`) for `purpose`. The same consent given again while in force
    is kept as the one record."""
    if purpose not in ConsentRecord.Purpose.values:
        raise ConsentError(f"unknown consent purpose {purpose!r}")
    digest = text_digest(text)
    existing = ConsentRecord.objects.filter(
        student=student,
        purpose=purpose,
        campaign=campaign,
        text_version=version,
        text_digest=digest,
        withdrawn_at__isnull=True,
    ).first()
    if existing is not None:
        return existing
    consent = ConsentRecord.objects.create(
        student=student,
        purpose=purpose,
        campaign=campaign,
        text_version=version,
        text_digest=digest,
        given_at=at or timezone.now(),
    )
    # The record is its own evidence (the student's own act, no read of anyone's data): no audit entry.
    return consent


@transaction.atomic
def withdraw_consent(consent: ConsentRecord, *, by, reason: str = "", address=None) -> ConsentRecord:
    """The student withdraws their own consent. A reason may be given; none is required."""
    consent = ConsentRecord.objects.select_for_update().select_related("student").get(pk=consent.pk)
    if not scope.consents_of(by).filter(pk=consent.pk).exists():
        raise ConsentError(_("Only the student can withdraw their own consent."))
    if consent.withdrawn_at is not None:
        raise ConsentError(_("This consent has already been withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.withdrawal_reason = (reason or "").strip()[:2000]
    consent.save(update_fields=["withdrawn_at", "withdrawal_reason"])
    record(
        by,
        Event(
            AuditEntry.Action.UPDATE,
            "privacy.consent.withdraw",
            student=consent.student,
            detail={"consent": consent.pk, "purpose": consent.purpose},
            reason=consent.withdrawal_reason,
        ),
        address=address,
    )
    return consent


def record_campaign_consent(participation, *, at=None) -> ConsentRecord:
    """The screening hook: a student agreed to a campaign's consent text (in the caller's transaction)."""
    campaign = participation.campaign
    return record_consent(
        participation.student,
        purpose=ConsentRecord.Purpose.SCREENING,
        text=campaign.consent_text,
        version=participation.consent_version or campaign.consent_version,
        campaign=campaign,
        at=at,
    )
