import pytest
from django.core.exceptions import ImproperlyConfigured

from xinyu.env import env_bool, env_int, env_list, env_networks, env_secret


def test_env_bool(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", default=True) is False
    monkeypatch.delenv("FLAG")
    assert env_bool("FLAG", default=True) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG"):
        env_bool("FLAG")


def test_env_int_and_list(monkeypatch):
    monkeypatch.setenv("N", "42")
    assert env_int("N", 1) == 42
    monkeypatch.setenv("N", "4x")
    with pytest.raises(ImproperlyConfigured, match="N must be a whole number"):
        env_int("N", 1)
    monkeypatch.setenv("HOSTS", " a.edu.cn, ,b.edu.cn ")
    assert env_list("HOSTS", []) == ["a.edu.cn", "b.edu.cn"]


def test_secret_generated_once_in_development_and_required_in_production(tmp_path, monkeypatch):
    monkeypatch.delenv("SOME_KEY", raising=False)
    first = env_secret("SOME_KEY", var_dir=tmp_path, required=False)
    assert len(first) > 40
    assert env_secret("SOME_KEY", var_dir=tmp_path, required=False) == first
    assert (tmp_path / "some_key.txt").stat().st_mode & 0o077 == 0
    with pytest.raises(ImproperlyConfigured, match="SOME_KEY must be set in production"):
        env_secret("SOME_KEY", var_dir=tmp_path, required=True)
    monkeypatch.setenv("SOME_KEY", "from-the-environment")
    assert env_secret("SOME_KEY", var_dir=tmp_path, required=True) == "from-the-environment"


def test_env_networks(monkeypatch):
    monkeypatch.setenv("PROXIES", "127.0.0.1, 10.0.0.0/8,::1")
    assert env_networks("PROXIES") == ["127.0.0.1", "10.0.0.0/8", "::1"]
    monkeypatch.setenv("PROXIES", "127.0.0.1,nginx")
    with pytest.raises(ImproperlyConfigured, match="PROXIES: 'nginx' is not an IP address or network"):
        env_networks("PROXIES")
