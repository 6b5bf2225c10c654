"""The account that automated actions are filed under (a screening red flag's concern report, …)."""

from xinyu.accounts.models import User
from xinyu.audit.services import SYSTEM_USERNAME


def system_account() -> User:
    """Username "system", staff, holds no post and cannot sign in; created on first use."""
    user, created = User.objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"full_name": "心育系统", "kind": User.Kind.STAFF}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user
