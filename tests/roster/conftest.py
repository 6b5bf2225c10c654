import pytest

from xinyu.accounts.models import User
from xinyu.audit.models import AuditEntry
from xinyu.org.models import Appointment, ClassGroup, College, DormRoom, Guardian, Student

COUNTED = (Student, User, ClassGroup, College, DormRoom, Appointment, Guardian, AuditEntry)


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(autouse=True)
def media_root(tmp_path, settings):
    """Uploaded files go to a throw-away directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
