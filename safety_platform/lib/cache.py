"""The shared cache where it only saves work: if Redis does not answer, a read is a miss and a write is skipped, and
the page is computed from the database as it would be without the cache (logged, never a 500).

Where the cache holds something a rule depends on (the login limit per address, throttles, tip-off limits), the
caller uses the cache directly and a Redis outage is an error, as before."""

from __future__ import annotations

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


def read(key: str, default=None):
    try:
        return cache.get(key, default)
    except RedisError as error:
        log.warning("cache not read (%s): %s", key, error)
        return default


def add(key: str, value, timeout) -> bool | None:
    """True if added, False if the key was there, None if the cache did not answer."""
    try:
        return cache.add(key, value, timeout)
    except RedisError as error:
        log.warning("cache not written (%s): %s", key, error)
        return None


def write(key: str, value, timeout) -> None:
    try:
        cache.set(key, value, timeout)
    except RedisError as error:
        log.warning("cache not written (%s): %s", key, error)


def delete(key: str) -> None:
    try:
        cache.delete(key)
    except RedisError as error:
        log.warning("cache not cleared (%s): %s", key, error)
