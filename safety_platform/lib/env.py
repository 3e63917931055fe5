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
    "DEBUG=1 instead, or use make run, which makes a development key of its own. See README, Configuration."
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


DEV_SECRET_KEY_FILE = "dev-secret-key"


def dev_secret_key(var_dir) -> str:
    """The key `make run` (`manage.py runall`) gives its processes when SECRET_KEY is not set: random, made once per
    checkout and kept in var/dev-secret-key (readable by its owner only), so sessions survive a restart. It is for the
    zero-setup demo on a developer's machine only; production sets SECRET_KEY and never reads this file."""
    import secrets
    from pathlib import Path

    path = Path(var_dir) / DEV_SECRET_KEY_FILE
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = "dev-only-" + secrets.token_urlsafe(50)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")
    return key
