import pytest
from django.test import Client

from xinyu.api import tokens
from xinyu.api.models import ServiceAccount


@pytest.fixture
def token_for():
    """token_for(owner, *operations) → the token as a client sends it."""

    def make(owner, *operations, days=30):
        account, _created = ServiceAccount.objects.get_or_create(
            name=f"系统-{owner.username}", defaults={"owner": owner}
        )
        return tokens.create_token(account, list(operations), days=days).secret

    return make


@pytest.fixture
def api():
    """api(method, url, token=None, json=None) → the response."""
    client = Client()

    def call(method, url, token=None, json=None, **headers):
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        if json is not None:
            return getattr(client, method)(url, json, content_type="application/json", **headers)
        return getattr(client, method)(url, **headers)

    return call
