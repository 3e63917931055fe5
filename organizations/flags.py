"""Supervision signals on enterprises (漏管失控的信号): named conditions that the database evaluates.

A signal is a key, a label and a function that returns a `Q` over `Enterprise` (evaluated by the database: an
`EXISTS`, a comparison, never a Python loop over enterprises). The registry's own signals need nothing but the
registry (no supervising department, nobody on the platform to tell, unlicensed, subcontracting, hosted operation,
borrowed qualification); the
domain apps above register theirs from their `AppConfig.ready()` (the `oversight` app: not inspected lately, the
principal person not verified in post, no valid safety certificate, a watched state without its watch visit), so
that this module imports none of them.

The enterprise list filters by any of them (`?signal=<key>`, repeatable: all must hold), its page and API alike, and
the oversight board counts them (docs/oversight.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import LicenceState, PositionKind
from .models import PositionAssignment


@dataclass(frozen=True)
class Flag:
    key: str
    label: str
    # condition(reference, now) -> Q over Enterprise; `reference` is the user's Reference (organizations.scope)
    condition: Callable
    order: int = 100


_FLAGS: dict[str, Flag] = {}


def register(key: str, label, condition: Callable, order: int = 100) -> None:
    """Add (or replace, for a reloaded app) a signal."""
    _FLAGS[key] = Flag(key, label, condition, order)


def all_flags() -> list[Flag]:
    return sorted(_FLAGS.values(), key=lambda flag: (flag.order, flag.key))


def get(key: str) -> Flag:
    return _FLAGS[key]


def choices() -> list[tuple[str, str]]:
    return [(flag.key, flag.label) for flag in all_flags()]


def condition(key: str, reference, now=None) -> Q:
    """The Q that selects the enterprises showing this signal, as of `now` (default: now)."""
    return _FLAGS[key].condition(reference, now or timezone.now())


# --- the registry's own --------------------------------------------------------------------------------------------

NO_DEPARTMENT = "no_department"
UNREACHABLE = "unreachable"
UNLICENSED = "unlicensed"
SUBCONTRACTING = "subcontracting"
HOSTED = "hosted_operation"
BORROWED = "borrowed_qualification"

register(
    NO_DEPARTMENT,
    _("No supervising department"),
    lambda reference, now: Q(industry_id__in=sorted(reference.unsupervised())),
    order=10,
)


def unreachable(reference, now) -> Q:
    """Nobody holds the enterprise's principal or safety-manager post on the platform today (an active account): its
    tasks, themes, lessons and notices reach no one there."""
    held = PositionAssignment.objects.current(now).filter(
        position__enterprise=OuterRef("pk"),
        position__kind__in=(PositionKind.ENTERPRISE_PRINCIPAL, PositionKind.ENTERPRISE_SAFETY_MANAGER),
        user__is_active=True,
    )
    return ~Exists(held)


register(UNREACHABLE, _("Nobody on the platform to tell"), unreachable, order=15)
register(UNLICENSED, _("Unlicensed operator"), lambda reference, now: Q(licence_state=LicenceState.UNLICENSED), 60)
register(SUBCONTRACTING, _("Subcontracting"), lambda reference, now: Q(is_subcontracting=True), 70)
register(HOSTED, _("Hosted operation"), lambda reference, now: Q(is_hosted_operation=True), 71)
register(BORROWED, _("Borrowed qualification"), lambda reference, now: Q(is_borrowed_qualification=True), 72)
