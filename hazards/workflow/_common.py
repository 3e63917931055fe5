"""What every hazard change shares: the locked re-read, the refusals (403, 409, 400), the timeline event and the
stored photos. Nothing here knows one action from another; `permissions` does."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from organizations.models import User
from organizations.roles import holds_any
from safety_platform.lib import bounds
from safety_platform.lib.errors import Conflict
from safety_platform.lib.images import CleanImage

from ..events import event as _event  # noqa: F401 (the timeline's one writer, hazards/events.py)
from ..models import Hazard, HazardPhoto


def _deny(message: str) -> None:
    raise PermissionDenied(message)


def _require(actor: User, *kinds: str) -> None:
    if not holds_any(actor, *kinds):
        _deny(_("Your position does not allow this."))


def _require_status(hazard: Hazard, *statuses: str) -> None:
    if hazard.status not in statuses:
        raise Conflict(
            _("This cannot be done while the hazard is %(status)s.") % {"status": hazard.get_status_display()}
        )


def _require_reason(reason: str) -> None:
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Give a reason.")})


def _locked(actor: User, hazard: Hazard | int) -> Hazard:
    """The hazard, re-read and row-locked inside the caller's transaction; out of scope is a 404."""
    pk = hazard.pk if isinstance(hazard, Hazard) else hazard
    try:
        return Hazard.objects.visible_to(actor).select_for_update().get(pk=pk)
    except Hazard.DoesNotExist:
        raise Http404 from None


def _future_deadline(deadline: datetime | None, field: str = "deadline") -> datetime:
    """Every deadline set on a hazard, its plan or its listing: in the future, within the horizon."""
    return bounds.check_deadline(deadline, field)


def _store_photos(
    hazard: Hazard, actor: User, images: list[CleanImage], kind: str, key: uuid.UUID | None = None
) -> list[HazardPhoto]:
    photos = []
    for image in images:
        photo = HazardPhoto(hazard=hazard, kind=kind, uploaded_by=actor, upload_key=key)
        photo.store(image)
        photos.append(photo)
    return photos


def _discard_files(hazard_photos: list[HazardPhoto]) -> None:
    for photo in hazard_photos:
        photo.discard()
