"""Reads from a PostgreSQL streaming replica, where a view opts in (docs/replica.md).

With `DATABASE_REPLICA_URL` set, settings add a database alias `replica`. The router sends every write to `default`
(the primary), and a read to `replica` only inside `replica_reads`: a decorator on GET views whose answer may be a
few seconds old (the dashboard and its panels, the hazard and enterprise lists, the ledger export), or a context
manager around such reads outside a request (the background export). Everything else reads from the primary.

Inside `replica_reads` the primary still answers when
- the user is pinned: they wrote within REPLICA_PIN_SECONDS (`ReplicaPinMiddleware` pins the user after any
  POST/PUT/PATCH/DELETE, by user id in the cache, so sessions and API tokens alike), and must see their own write;
- the replica is behind by more than REPLICA_MAX_LAG seconds, is not replaying from a primary, or does not answer
  (asked at most once every REPLICA_CHECK_SECONDS per process; a failure is logged, never a 500).
"""

from __future__ import annotations

import contextvars
import functools
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLICA = "replica"
PRIMARY = "default"

# The alias reads go to inside `replica_reads` (None outside: the primary).
_read_alias: contextvars.ContextVar[str | None] = contextvars.ContextVar("replica_read_alias", default=None)


def configured() -> bool:
    return REPLICA in connections.settings


# The replica's health ------------------------------------------------------------------------------------------

# How far the replica is behind, in seconds: 0 when it has replayed all it received; otherwise the age of its last
# replayed transaction (an over-estimate after an idle spell, which errs towards the primary). NULL when it cannot
# tell: not a standby, its WAL receiver not streaming (then "all received is replayed" says nothing), or nothing
# replayed yet. The receiver's status is hidden from roles without pg_read_all_stats (its row then shows only the pid):
# for them a receiver running counts as streaming.
LAG_SQL = """
SELECT CASE
  WHEN NOT pg_is_in_recovery() THEN NULL
  WHEN NOT EXISTS (SELECT FROM pg_stat_wal_receiver WHERE coalesce(status, 'streaming') = 'streaming') THEN NULL
  WHEN pg_last_wal_replay_lsn() >= pg_last_wal_receive_lsn() THEN 0
  ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
END
"""


class _Health:
    """The last answer about the replica, per process: (usable, checked at, what was found)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.usable = False
        self.checked = float("-inf")
        self.lag: float | None = None

    def forget(self) -> None:
        with self.lock:
            self.checked = float("-inf")

    def mark_down(self, reason: str) -> None:
        with self.lock:
            self.usable, self.checked, self.lag = False, time.monotonic(), None
        logger.warning("replica not used: %s", reason)


health = _Health()


def replica_lag() -> float | None:
    """Seconds the replica is behind (see LAG_SQL); raises DatabaseError when it does not answer."""
    with connections[REPLICA].cursor() as cursor:
        cursor.execute(LAG_SQL)
        value = cursor.fetchone()[0]
    return None if value is None else float(value)


def replica_usable() -> bool:
    """Whether reads may go to the replica now; asks it at most once every REPLICA_CHECK_SECONDS."""
    if not configured():
        return False
    now = time.monotonic()
    if now - health.checked < settings.REPLICA_CHECK_SECONDS:
        return health.usable
    with health.lock:
        if now - health.checked < settings.REPLICA_CHECK_SECONDS:  # another thread asked meanwhile
            return health.usable
        try:
            lag = replica_lag()
        except DatabaseError as exc:
            connections[REPLICA].close()
            health.usable, health.checked, health.lag = False, time.monotonic(), None
            logger.warning("replica not used: it does not answer (%s)", str(exc).strip().splitlines()[0] if str(exc)
                           else type(exc).__name__)  # fmt: skip
            return False
        usable = lag is not None and lag <= settings.REPLICA_MAX_LAG
        if not usable and health.usable:
            logger.warning("replica not used: %s", "cannot tell its lag" if lag is None else f"{lag:.1f}s behind")
        health.usable, health.checked, health.lag = usable, time.monotonic(), lag
        return usable


# Read-your-writes: the pin -------------------------------------------------------------------------------------


def _pin_key(user_id: int) -> str:
    return f"replica-pin:{user_id}"


def pin(user) -> None:
    """Send this user's replica-eligible reads to the primary for REPLICA_PIN_SECONDS (they just wrote)."""
    if getattr(user, "is_authenticated", False):
        try:
            cache.set(_pin_key(user.pk), 1, timeout=settings.REPLICA_PIN_SECONDS)
        except Exception:  # the cache down: `pinned` answers True then, so nothing is lost
            logger.warning("replica pin not stored for user %s", user.pk, exc_info=True)


def pinned(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    try:
        return cache.get(_pin_key(user.pk)) is not None
    except Exception:  # without the cache we cannot know whether they just wrote: the primary
        logger.warning("replica pin not readable for user %s; reading from the primary", user.pk, exc_info=True)
        return True


class ReplicaPinMiddleware:
    """After any request that may have written (POST/PUT/PATCH/DELETE), pin its user to the primary. Placed after
    AuthenticationMiddleware; reads `request.user` after the view, when DRF has put the token's user there too."""

    UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

    def __init__(self, get_response: Callable) -> None:
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method in self.UNSAFE and configured():
            pin(getattr(request, "user", None))
        return response


# Opting in -----------------------------------------------------------------------------------------------------


def _alias_for(user) -> str | None:
    if not configured() or (user is not None and pinned(user)):
        return None
    return REPLICA


@contextmanager
def replica_reads(user=None) -> Iterator[None]:
    """Reads inside may come from the replica (unless `user` is pinned, or the replica is behind or down)."""
    token = _read_alias.set(_alias_for(user))
    try:
        yield
    finally:
        _read_alias.reset(token)


def _request_of(args: tuple):
    for arg in args[:2]:  # a view's request, or a view method's (self, request)
        if hasattr(arg, "method") and hasattr(arg, "user"):
            return arg
    raise TypeError("replica_view decorates a view or a view method")


def replica_view(view: Callable) -> Callable:
    """Decorate a GET view (or a DRF handler method) whose reads may come from the replica. A streamed answer keeps
    reading there while it streams. Should the replica fail mid-way, the view runs again on the primary."""

    @functools.wraps(view)
    def wrapped(*args, **kwargs):
        request = _request_of(args)
        if request.method not in ("GET", "HEAD"):
            return view(*args, **kwargs)
        alias = _alias_for(request.user)
        token = _read_alias.set(alias)
        try:
            response = view(*args, **kwargs)
        except DatabaseError as exc:
            if alias is None or not _replica_failed(exc):
                raise
            health.mark_down(f"it failed during {request.path} ({type(exc).__name__})")
            _read_alias.set(None)
            response = view(*args, **kwargs)
        finally:
            _read_alias.reset(token)
        if getattr(response, "streaming", False) and alias is not None:
            response.streaming_content = stream_with(alias, response.streaming_content)
        return response

    return wrapped


def _replica_failed(exc: DatabaseError) -> bool:
    """Whether the replica's connection broke (not a bad query, which the primary would refuse too)."""
    connection = connections[REPLICA]
    return connection.connection is None or not connection.is_usable()


def stream_with(alias: str | None, iterable: Iterable) -> Iterator:
    """Iterate with reads routed as `alias` decided: a streamed response is read after its view has returned."""
    iterator = iter(iterable)
    while True:
        token = _read_alias.set(alias)
        try:
            item = next(iterator)
        except StopIteration:
            return
        finally:
            _read_alias.reset(token)
        yield item


# The router ----------------------------------------------------------------------------------------------------


class ReplicaRouter:
    """Writes to the primary; reads to the replica only where `replica_reads` allows it and the replica is fit."""

    def db_for_read(self, model, **hints) -> str:
        if _read_alias.get() == REPLICA and replica_usable():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool:
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        return db == PRIMARY
