"""Small typed readers for settings that come from the environment."""

import ipaddress
import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, var_dir: Path, required: bool) -> str:
    """A secret from the environment; in development, generated once and kept under var/.

    In production (required=True) a missing secret is a configuration error, never a silent default.
    """
    value = os.environ.get(name, "").strip()
    if value:
        return value
    if required:
        raise ImproperlyConfigured(f"{name} must be set in production (see README, Configuration).")
    path = var_dir / f"{name.lower()}.txt"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def env_networks(name: str) -> list[str]:
    """Comma-separated IP addresses or networks ("127.0.0.1, 10.0.0.0/8"), each checked."""
    values = env_list(name, [])
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ImproperlyConfigured(f"{name}: {value!r} is not an IP address or network") from exc
    return values


def syslog_target(raw: str) -> dict:
    """SysLogHandler arguments for "/dev/log" (a local socket), "host" or "host:port" (UDP) or
    "tcp://host:port"."""
    raw = raw.strip()
    if raw.startswith("/"):
        return {"address": raw}
    stream = raw.startswith("tcp://")
    host, _, port = raw.removeprefix("tcp://").removeprefix("udp://").rpartition(":")
    if not host:
        host, port = port, "514"
    if not host or not port.isdigit():
        raise ImproperlyConfigured(
            f"AUDIT_ANCHOR_SYSLOG must be /path, host, host:port or tcp://host:port, not {raw!r}"
        )
    return {"address": (host, int(port)), "socktype": socket.SOCK_STREAM if stream else socket.SOCK_DGRAM}


def sso_origins(urls: list[str]) -> list[str]:
    """The origins (scheme://host[:port]) of the configured identity providers' addresses, for the CSP."""
    origins = []
    for url in urls:
        parts = urlsplit(url)
        if parts.scheme and parts.netloc and f"{parts.scheme}://{parts.netloc}" not in origins:
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins
