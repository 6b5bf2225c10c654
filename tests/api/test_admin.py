"""The technical administrator makes a token in the back office (shown once) and revokes it there; nobody
else reaches these pages."""

import pytest
from django.contrib.messages import get_messages

from xinyu.api.models import ServiceAccount, ServiceToken
from xinyu.audit.models import AuditEntry

pytestmark = pytest.mark.django_db
ADD = "/admin/api/servicetoken/add/"
LIST = "/admin/api/servicetoken/"


def test_admin_makes_a_token_shown_once_and_revokes_it(network, client_for, api):
    admin = client_for(network.cast["admin"])
    account = ServiceAccount.objects.create(name="校园App", owner=network.cast["head_teacher"])
    response = admin.post(ADD, {"account": account.pk, "operations": ["concerns.report"], "days": 30})
    assert response.status_code == 302, response.content.decode()[:3000]
    token = ServiceToken.objects.get()
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    secret = next(word for text in shown for word in text.split("：")[-1:] if word.startswith("xy_"))
    assert secret.startswith(f"xy_{token.prefix}_") and token.operations == ["concerns.report"]
    assert token.secret_hash != secret
    assert AuditEntry.objects.filter(what="api.token", actor_username="A00001").exists()
    assert admin.get(LIST).status_code == 200 and secret not in admin.get(LIST).content.decode()
    response = admin.post(LIST, {"action": "revoke", "_selected_action": [token.pk]})
    assert response.status_code == 302
    assert ServiceToken.objects.get().revoked_at is not None
    assert api("post", "/api/v1/concerns/reports/", secret, json={}).status_code == 401


@pytest.mark.parametrize("who", ["student_affairs", "supervisor", "head_teacher"])
def test_nobody_else_makes_tokens(network, client_for, who):
    client = client_for(network.cast[who])
    account = ServiceAccount.objects.create(name="x", owner=network.cast["head_teacher"])
    response = client.post(ADD, {"account": account.pk, "operations": ["roster.sync"], "days": 30})
    assert response.status_code in (302, 403, 404)
    assert not ServiceToken.objects.exists()
    assert client.get(LIST).status_code in (302, 403, 404)
