"""The shape of a workflow's rules table, once for every app (risk themes, accident records, lessons, self-checks,
circulars): each action has a `Rule` of who may (a check that raises PermissionDenied: 403) and the state guards
(each raises Conflict: 409). A change of state calls `check`; `allowed` runs the same table for every action, so
what a page or the API offers is exactly what the function accepts (states first: they cost no query)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from .errors import Conflict


@dataclass(frozen=True)
class Rule:
    who: Callable[[Any, Any], None]
    when: tuple[Callable[..., None], ...] = ()
    on: type | None = None  # the kind of row the action is about, where one table serves two kinds
    actor_in_guards: bool = False  # the guards take the actor too (a recipient's own answer)

    def guard(self, actor, obj) -> None:
        for guard in self.when:
            guard(actor, obj) if self.actor_in_guards else guard(obj)


def check(rules: dict[str, Rule], actor, obj, action: str) -> None:
    """The role (403), then the state (409)."""
    rule = rules[action]
    rule.who(actor, obj)
    rule.guard(actor, obj)


def allowed(rules: dict[str, Rule], actor, obj) -> set[str]:
    """The actions of `rules` about this kind of row the actor may take on it now."""
    found = set()
    for action, rule in rules.items():
        if rule.on is not None and not isinstance(obj, rule.on):
            continue
        try:
            rule.guard(actor, obj)
            rule.who(actor, obj)
        except (PermissionDenied, Conflict):
            continue
        found.add(action)
    return found
