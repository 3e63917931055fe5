"""The hazard timeline's one writer: every `HazardEvent` is built and written here.

`event` mirrors `hazards.workflow._event` exactly (statuses from `before` to the hazard's current one, the details
made plain JSON by `_plain`); `build` makes the same row unsaved, for `events_bulk`; `answered` is the event of an
answered must-answer notice, which changes no status (both left blank).
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from .choices import Action
from .models import Hazard, HazardEvent


def _plain(value):
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, (str, int, float, bool, type(None), list, dict)):
        return value
    return str(value)


def _fields(hazard: Hazard, actor, action: str, before: str, reason: str, data: dict) -> dict:
    return {
        "hazard": hazard,
        "actor": actor,
        "action": action,
        "from_status": before,
        "to_status": hazard.status,
        "reason": reason,
        "data": {k: _plain(v) for k, v in data.items()},
    }


def event(hazard: Hazard, actor, action: str, before: str, reason: str = "", **data) -> HazardEvent:
    """Write one event now (inside the caller's transaction)."""
    return HazardEvent.objects.create(**_fields(hazard, actor, action, before, reason, data))


def build(hazard: Hazard, actor, action: str, before: str, reason: str = "", **data) -> HazardEvent:
    """The same event, unsaved: collect them and write them with `events_bulk`."""
    return HazardEvent(**_fields(hazard, actor, action, before, reason, data))


def events_bulk(events: list[HazardEvent]) -> list[HazardEvent]:
    """Write built events with one statement (none if the list is empty)."""
    return HazardEvent.objects.bulk_create(events)


def answered(hazard_id: int, actor, notification_id: int, title: str) -> HazardEvent:
    """A must-answer notice about the hazard was answered: on the timeline, no status changed."""
    return HazardEvent.objects.create(
        hazard_id=hazard_id,
        actor=actor,
        action=Action.ACKNOWLEDGE,
        data={"notification": notification_id, "title": title},
    )
