"""NOTIFY_WEBHOOKS is checked when the app loads: a mistake names its entry and stops the process."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from xinyu.notify.config import Webhook, parse_webhooks

GOOD = [
    {"name": "sms", "url": "https://sms.example.cn/send", "kind": "sms"},
    {"name": "wecom", "url": "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "kind": "wecom",
     "urgent_only": True},
    {"name": "ding_1", "url": "https://oapi.dingtalk.com/robot/send?access_token=t", "kind": "dingtalk",
     "secret": "SEC"},
]  # fmt: skip


def test_a_good_list():
    assert parse_webhooks(GOOD) == [
        Webhook("sms", "https://sms.example.cn/send", "sms"),
        Webhook("wecom", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "wecom", urgent_only=True),
        Webhook("ding_1", "https://oapi.dingtalk.com/robot/send?access_token=t", "dingtalk", secret="SEC"),
    ]
    assert [hook.channel for hook in parse_webhooks(GOOD)] == ["webhook:sms", "webhook:wecom", "webhook:ding_1"]
    assert parse_webhooks([]) == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"name": "sms"}, "must be a JSON list"),
        (["sms"], "entry 1 must be an object"),
        ([{"name": "sms", "url": "https://x.cn", "kind": "sms", "token": "t"}], "entry 1 has unknown fields: token"),
        ([{"name": "SMS gateway", "url": "https://x.cn", "kind": "sms"}], "entry 1: name must be"),
        ([{"name": "x" * 33, "url": "https://x.cn", "kind": "sms"}], "entry 1: name must be"),
        ([GOOD[0], {**GOOD[1], "name": "sms"}], "entry 2: the name 'sms' is used twice"),
        ([{"name": "sms", "url": "ftp://x.cn/", "kind": "sms"}], "entry 1 (sms): url must be an http or https"),
        ([{"name": "sms", "url": "https://", "kind": "sms"}], "entry 1 (sms): url must be"),
        ([{"name": "sms", "url": "https://x.cn", "kind": "fax"}], "entry 1 (sms): kind must be one of sms, wecom"),
        ([{"name": "sms", "url": "https://x.cn"}], "entry 1 (sms): kind must be one of"),
        ([{**GOOD[0], "urgent_only": "yes"}], "entry 1 (sms): urgent_only must be true or false"),
        ([{**GOOD[2], "secret": 42}], "entry 1 (ding_1): secret must be a string"),
    ],
)
def test_mistakes_are_named(raw, message):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_webhooks(raw)
    assert message in str(error.value)


def test_the_app_checks_the_setting_when_it_loads(settings):
    settings.NOTIFY_WEBHOOKS = [{"name": "sms", "url": "https://x.cn"}]
    with pytest.raises(ImproperlyConfigured, match="kind must be one of"):
        apps.get_app_config("notify").ready()


@pytest.mark.parametrize("urgent", [2, 301])
def test_the_urgent_lease_is_checked_when_the_app_loads(settings, urgent):
    settings.NOTIFY_LEASE_SECONDS = 300
    settings.NOTIFY_URGENT_LEASE_SECONDS = urgent
    with pytest.raises(ImproperlyConfigured, match=f"between 3 and NOTIFY_LEASE_SECONDS \\(300\\), not {urgent}"):
        apps.get_app_config("notify").ready()
