"""CAS users from the test's configuration: password and attributes per user."""

from cas_server.auth import AuthUser
from django.conf import settings


class ConfiguredUser(AuthUser):
    def _entry(self):
        return settings.CONFIG["users"].get(self.username)

    def test_password(self, password):
        entry = self._entry()
        return entry is not None and entry["password"] == password

    def attributs(self):
        entry = self._entry()
        return dict(entry.get("cas_attributes", {})) if entry else {}
