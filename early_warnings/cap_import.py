"""A CAP message in, a warning out: what `manage.py import_cap` and `POST /api/v1/warnings/cap/` both do.

The parser refuses what is malformed or hostile (`capxml.parse`); the workflow (`workflow.apply_cap`) creates,
supersedes or lifts the warning idempotently by (sender, identifier), checking that the actor may. See
docs/warnings-cap.md.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from organizations.choices import PositionKind, UnitKind
from organizations.models import PositionAssignment
from organizations.roles import is_city_office_staff

from . import capxml, workflow
from .models import EarlyWarning


def import_cap(actor, data: bytes) -> tuple[EarlyWarning, bool]:
    """The warning the message created, superseded or lifted, and whether this call wrote it (False: the same
    message was imported before). Only the city office's staff import (403 before the message is read)."""
    if not is_city_office_staff(actor):
        raise PermissionDenied(_("Only the city safety office's staff import CAP warnings."))
    alert = capxml.parse(data)
    return workflow.apply_cap(actor, alert)


def default_importer():
    """Who imports when no one is named: the first active user (by id) of the city office holding a current city
    office staff post, or None."""
    posts = PositionAssignment.objects.current().filter(
        user=OuterRef("pk"), position__kind=PositionKind.CITY_OFFICE_STAFF
    )
    users = get_user_model().objects.filter(is_active=True, unit_kind=UnitKind.CITY_OFFICE)
    return users.filter(Exists(posts)).order_by("pk").first()
