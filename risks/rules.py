"""The rules tables' shape, shared by the points' and the checks' workflows: who may (403) and the state guards (409),
checked by `check_rule` and offered by `allowed`, so that a page offers exactly what the function accepts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from organizations.models import User
from safety_platform.lib.errors import Conflict


@dataclass(frozen=True)
class Rule:
    """Who may (403 otherwise) and the state guards (each a message when it fails: 409)."""

    who: Callable[[User, Any], bool]
    when: tuple[Callable[[Any], str], ...] = ()


def check_rule(rule: Rule, actor: User, obj: Any, refusal: str) -> None:
    """Raise PermissionDenied(refusal) when the actor may not, Conflict when the row's state does not allow."""
    if not rule.who(actor, obj):
        raise PermissionDenied(refusal)
    for guard in rule.when:
        problem = guard(obj)
        if problem:
            raise Conflict(problem)


def allowed(rules: dict[str, Rule], actor: User, obj: Any) -> set[str]:
    """The actions of `rules` the actor may take on the row now (states first: they cost no query)."""
    return {
        action for action, rule in rules.items() if not any(guard(obj) for guard in rule.when) and rule.who(actor, obj)
    }
