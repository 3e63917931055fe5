"""The dashboard's figures, computed once per scope and kept in the shared cache for `DASHBOARD_CACHE_SECONDS`.

What is kept is the computed board (`stats.build`, without the user) and the month's summary figures, never a
rendered page (which holds the user's name and CSRF token). Two entries: the board (shared by the page and the API) and
the summary (the page's only). The key is made of everything the figures depend on: the scope (kind, region path,
department, industries, enterprise), the period (its key, first and last day; the board's only), today's date (the
trend's windows end today, the summary runs to this month) and the language (titles and names are translated).
Two people with the same scope share an entry; nothing else does. What depends on the person is computed on every
request: of the unanswered must-answer notices, those addressed to them about no hazard (one query on the
recipient's index); those about the scope's hazards are kept with the figures, since they are the same for the
whole scope and counting them is the board's costliest query once notices pile up.

When an entry is older than `DASHBOARD_CACHE_SECONDS` one request recomputes it, the one that takes a short lock
(`cache.add`); the others keep serving the old figures meanwhile, for at most another `DASHBOARD_CACHE_SECONDS` (the
entry's own timeout in the cache is twice the setting). When there is no entry at all (the first request of a
scope, or after that), every request computes. `refresh` recomputes at once, unless the entry is younger than
`REFRESH_AFTER` seconds (and, as for an old entry, only by the request that takes the lock): however many people
press 刷新, a scope is computed at most once in that time.
Writes do not clear entries; the page and the API say how old the figures are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language

from notifications.views import unanswered_addressed_to
from organizations.models import User
from organizations.scope import Scope, ScopeKind
from safety_platform.lib import cache

from .stats import Dashboard, Period, build
from .summary import Figures, monthly_figures

# A refresh within this many seconds of the last computation serves that computation.
REFRESH_AFTER = 5
# The recomputing request's lock lasts at most this long (a process that dies holding it delays nobody longer).
LOCK_SECONDS = 30
VERSION = 1  # raised when the kept objects change shape


@dataclass
class Kept:
    """Figures (a board, or the summary's) and when they were computed."""

    value: Dashboard | Figures
    as_of: datetime

    def age(self, now: datetime | None = None) -> int:
        return max(0, int(((now or timezone.now()) - self.as_of).total_seconds()))


def key(scope: Scope, today: date, what: str = "board", period: Period | None = None) -> str:
    parts = [
        what,
        repr(scope.key),  # kind, region path and its ancestors, industries, enterprise, department
        period.key if period else "",
        period.start.isoformat() if period else "",
        period.end.isoformat() if period else "",
        today.isoformat(),
        get_language() or "",
    ]
    digest = hashlib.sha256("|".join(parts).encode()).hexdigest()[:32]
    return f"dashboard:v{VERSION}:{digest}"


def board(user: User, period: Period, refresh: bool = False) -> Kept:
    """The scope's board for the period, from the cache when fresh enough, with the user's own unanswered count
    (computed with the board on a miss, one query on a hit)."""
    scope = _scope(user)

    def compute() -> Kept:
        now = timezone.now()
        return Kept(build(user, period, now), now)

    if settings.DASHBOARD_CACHE_SECONDS <= 0:
        return compute()
    counts_notices = scope.kind != ScopeKind.ENTERPRISE
    name = key(scope, timezone.localdate(), "board", period)

    def shared(kept: Kept) -> Kept:
        """What may be kept for everyone of the scope: no user, and of the unanswered notices only those about the
        scope's hazards (the same for all of it; counting them is the board's costliest query once notices pile
        up, half a second for a department with a thousand), not those addressed to this user."""
        own = unanswered_addressed_to(user).count() if counts_notices else 0
        return replace(kept, value=replace(kept.value, user=None, scope=None, unanswered=kept.value.unanswered - own))

    kept, computed = _kept(name, compute, shared, refresh)
    if computed:
        return kept
    personal = replace(kept.value, user=user, scope=scope)
    if counts_notices:
        personal.unanswered = kept.value.unanswered + unanswered_addressed_to(user).count()
    return replace(kept, value=personal)


def summary(user: User, refresh: bool = False) -> Kept:
    """The month's summary figures of the user's scope (the page words them in the request's language)."""
    scope = _scope(user)

    def compute() -> Kept:
        now = timezone.now()
        today = timezone.localdate(now)
        return Kept(monthly_figures(user, today.year, today.month), now)

    if settings.DASHBOARD_CACHE_SECONDS <= 0:
        return compute()
    return _kept(key(scope, timezone.localdate(), "summary"), compute, lambda kept: kept, refresh)[0]


def _scope(user: User) -> Scope:
    scope = Scope.for_user(user)
    if scope.kind == ScopeKind.NONE:
        raise PermissionError
    return scope


def _kept(name: str, compute: Callable[[], Kept], shared: Callable[[Kept], Kept], refresh: bool) -> tuple[Kept, bool]:
    """The entry `name` when fresh (or when another request is recomputing it), else computed and stored; and
    whether it was computed here."""
    seconds = settings.DASHBOARD_CACHE_SECONDS
    kept, locked = cache.read(name), False
    if kept is not None:
        age = kept.age()
        if age < seconds and not (refresh and age >= REFRESH_AFTER):
            return kept, False
        locked = cache.add(f"{name}:lock", 1, LOCK_SECONDS)
        if not locked:
            return kept, False  # another request is recomputing: the old figures meanwhile
    try:
        kept = compute()
        cache.write(name, shared(kept), 2 * seconds)
    finally:
        if locked:
            cache.delete(f"{name}:lock")
    return kept, True
