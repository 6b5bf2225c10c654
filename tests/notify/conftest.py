import pytest

from tests.concerns.conftest import crisis_world  # noqa: F401 (a fixture, used by the leak test)
from tests.notify.gateway import Gateway


@pytest.fixture
def gateway():
    server = Gateway().start()
    yield server
    server.stop()


@pytest.fixture
def webhooks(settings, gateway):
    """The deployment's webhooks, all pointing at the test gateway: an SMS gateway for every item, and
    企业微信 and 钉钉 (signed) group robots for urgent items only."""
    settings.NOTIFY_WEBHOOKS = [
        {"name": "sms", "url": f"{gateway.url}/sms", "kind": "sms"},
        {"name": "wecom", "url": f"{gateway.url}/wecom?key=robot-key", "kind": "wecom", "urgent_only": True},
        {
            "name": "dingtalk",
            "url": f"{gateway.url}/dingtalk?access_token=robot-token",
            "kind": "dingtalk",
            "urgent_only": True,
            "secret": "SEC-test",
        },
    ]
    return settings.NOTIFY_WEBHOOKS


@pytest.fixture
def sms_only(settings, gateway):
    settings.NOTIFY_WEBHOOKS = [{"name": "sms", "url": f"{gateway.url}/sms", "kind": "sms"}]
    settings.NOTIFY_EMAIL = False
    return gateway
