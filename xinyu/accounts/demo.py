"""Two-factor sign-in in the demo database: every staff member of the demo school with T3 or T4 access gets
an authenticator already set up, with a secret derived from the seed and their number, so the demo accounts
stay usable under `make run` (where two-factor sign-in is enforced). `manage.py totp_code 账号` prints the
code to type. Never for production: the secrets are predictable by design.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xinyu.accounts.models import TwoFactorDevice, User
from xinyu.accounts.system import system_account
from xinyu.accounts.twofactor import AUDIT_WHAT, demo_secret
from xinyu.audit.models import AuditEntry
from xinyu.audit.services import Event, record_many
from xinyu.org import scope
from xinyu.org.models import Appointment


def _school_appointments(school):
    return Appointment.objects.current().filter(
        Q(school=school)
        | Q(department__school=school)
        | Q(college__school=school)
        | Q(class_group__college__school=school)
        | Q(dorm_room__school=school)
    )


def seed_two_factor(school, seed: int) -> list[str]:
    """Sets up a confirmed authenticator for everyone in `school` who needs two factors; returns their numbers.

    Deterministic: the same seed gives the same secrets. Running it again leaves existing devices alone.
    """
    high_posts = [post for post, tier in scope.POST_TIER.items() if tier >= scope.Tier.T3]
    people = {
        appointment.person
        for appointment in _school_appointments(school).filter(post__in=high_posts).select_related("person")
    }
    people |= set(User.objects.filter(is_superuser=True, is_active=True))  # the technical administrator
    enrolled = []
    with transaction.atomic():
        for person in sorted(people, key=lambda p: p.username):
            if person.is_student or not scope.requires_two_factor(person):
                continue
            _device, created = TwoFactorDevice.objects.get_or_create(
                user=person,
                defaults={"secret": demo_secret(seed, person.username), "confirmed_at": timezone.now()},
            )
            if created:
                enrolled.append(person.username)
        record_many(
            system_account(),
            [
                Event(AuditEntry.Action.CREATE, AUDIT_WHAT, detail={"user": username, "demo": True})
                for username in enrolled
            ],
        )
    return enrolled
