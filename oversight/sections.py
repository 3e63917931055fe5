"""The sections of an enterprise's supervision page (/oversight/enterprises/<pk>/): each part of the app registers a
template and a function that gives its context, from `OversightConfig.ready()`, in page order."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    # context(user, enterprise) -> dict for the template, or None to leave the section out for this user
    context: Callable
    order: int = 100


_SECTIONS: dict[str, Section] = {}


def register(key: str, template: str, context: Callable, order: int = 100) -> None:
    _SECTIONS[key] = Section(key, template, context, order)


def for_page(user, enterprise) -> list[tuple[Section, dict]]:
    shown = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key)):
        context = section.context(user, enterprise)
        if context is not None:
            shown.append((section, context))
    return shown
