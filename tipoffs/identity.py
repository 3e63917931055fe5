"""The informant's identity (name, phone, contact address): the one reader. See docs/tipoffs.md, "The informant".

`reveal` answers only the staff handling the report (access.is_handler: the city office's staff and the handling
unit's) and writes an audit record of every view ("who saw the informant"), in the same transaction; `viewers`
lists those records. Nothing else reads `Informant`: lists, exports, the API for other roles, notices, e-mails and
the hazard filed from a report never carry it (tests/tipoffs/test_identity_fuzz.py looks for a known phone number
everywhere).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import history
from audit.models import record as audit

from . import access
from .models import Informant, Report

VIEW = "tipoff.identity_view"


def may_see(actor, report: Report) -> bool:
    return access.is_handler(actor, report)


def reveal(actor, report: Report) -> Informant:
    """The informant of the report, for its handler; the view is audited (403 for anyone else)."""
    if not may_see(actor, report):
        raise PermissionDenied(_("Only the staff handling this report can see who made it."))
    with transaction.atomic():
        informant = Informant.objects.get(report=report)
        audit(actor, VIEW, report)
    return informant


def viewers(report: Report):
    """Every view of the informant: who, when, from which address (newest first)."""
    return history(report).filter(action=VIEW)
