"""Tiny typed readers for environment variables, in the manner of healthchecks."""

from __future__ import annotations

import os


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envcount(name: str, default: int = 0) -> int:
    """A count that may also be written as a boolean: "1", "true", "yes" and "on" are 1; "false", "no" and "off" 0."""
    value = (os.environ.get(name) or "").strip().lower()
    if not value:
        return default
    words = {"true": 1, "yes": 1, "on": 1, "false": 0, "no": 0, "off": 0}
    if value in words:
        return words[value]
    count = int(value)
    if count < 0:
        raise ValueError(f"{name} must be 0 or more, not {count}")
    return count


MISSING_SECRET_KEY = (
    "SECRET_KEY is not set. Production (DEBUG=0, the default) needs a secret key of its own, for example "
    "from: python -c 'import secrets; print(secrets.token_urlsafe(50))'. On a developer's machine set "
    "DEBUG=1 instead (make run does). See README, Configuration."
)


def require_secret_key() -> None:
    """Refuse to serve without a key of our own: called where a process starts serving (WSGI, worker, beat).

    Settings leave SECRET_KEY empty in production when none is given, so commands that need no key still run."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own refusal of an empty key
        key = ""
    if not key:
        raise ImproperlyConfigured(MISSING_SECRET_KEY)
