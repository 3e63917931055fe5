"""Kinds of notice, registered by the apps that send them: which a person may mute and which always come through.

A notice's kind is the first part of its key (`confirmed:…`, `esc:…`), stored on the row (`Notification.kind`).
Muting a kind (`NotificationPreference.muted_kinds`) stops its e-mail and gateway deliveries; the notice still lands
in the inbox. A must-answer notice (叫应) is never muted, whatever its kind, and a kind registered with
`mutable=False` cannot be muted at all: the settings page and the API refuse it with a message naming it.

Nothing here knows a domain: each app registers its own kinds from its `AppConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # lazy: shown in the reader's language
    mutable: bool


_kinds: dict[str, Kind] = {}


def register(code: str, label, *, mutable: bool = True) -> None:
    """Declare a kind of notice (idempotent: a second registration replaces the first)."""
    _kinds[code] = Kind(code, label, mutable)


def kind_of(key: str) -> str:
    """The kind of a notice from its key: the part before the first colon."""
    return key.split(":", 1)[0][:32]


def registered() -> list[Kind]:
    return list(_kinds.values())


def mutable() -> list[Kind]:
    return [k for k in _kinds.values() if k.mutable]


def always() -> list[Kind]:
    return [k for k in _kinds.values() if not k.mutable]


def check_muted(codes: Iterable[str]) -> list[str]:
    """The codes, in registration order and once each, or a ValidationError naming every code that cannot be
    muted (a must-answer kind, or one nobody registered)."""
    codes = list(dict.fromkeys(codes))
    errors = []
    for code in codes:
        kind = _kinds.get(code)
        if kind is None:
            errors.append(_("“%(kind)s” is not a kind of notice.") % {"kind": code})
        elif not kind.mutable:
            errors.append(_("%(kind)s must be answered and cannot be muted.") % {"kind": kind.label})
    if errors:
        raise ValidationError(errors)
    order = list(_kinds)
    return sorted(codes, key=order.index)


# The notifications app's own: a must-answer notice passed up to the superior when nobody answered it in time.
register("up", gettext_lazy("Unanswered notice passed up"), mutable=False)
