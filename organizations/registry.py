"""Changes to the enterprise registry: the one place that checks who may and writes the audit trail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.forms.models import model_to_dict
from django.utils.translation import gettext as _

from audit.models import record

from .choices import OperatingState
from .models import Enterprise, User
from .roles import GOVERNMENT_UNITS, REGISTRY_KEEPERS, holds_in


def can_keep_registry(user: User) -> bool:
    return holds_in(user, GOVERNMENT_UNITS, *REGISTRY_KEEPERS)


def save_enterprise(
    actor: User, enterprise: Enterprise, reason: str = "", *, resumption: bool = False, keeper: bool = True
) -> Enterprise:
    """Create or update an enterprise that the caller has already validated.

    1. The actor must keep the registry (unless a writer above that checked its own rule says `keeper=False`: a
       suspension order, a resumption check), and the enterprise must stay inside the actor's scope.
    2. A suspended enterprise returns to operating only with a resumption check (复产复工验收): the oversight app's
       writer records the check and passes `resumption=True`; the registry form cannot do it.
    3. An update that changes no field writes nothing (no row, no audit event).
    4. Row and audit event are written in one transaction; a duplicate credit code becomes a field error.
    """
    if keeper and not can_keep_registry(actor):
        raise PermissionDenied(_("You may not change the enterprise registry."))
    creating = enterprise.pk is None
    before = {} if creating else model_to_dict(Enterprise.objects.get(pk=enterprise.pk))
    if not creating and model_to_dict(enterprise) == before:
        return enterprise  # a change that changes nothing writes nothing, not even an audit event
    if (
        not resumption
        and before.get("operating_state") == OperatingState.SUSPENDED
        and enterprise.operating_state == OperatingState.OPERATING
    ):
        raise ValidationError(
            {
                "operating_state": _(
                    "A suspended enterprise resumes operating only after a resumption check (复产复工验收): record "
                    "the check on its supervision page."
                )
            }
        )
    try:
        with transaction.atomic():
            enterprise.save()
            if not Enterprise.objects.visible_to(actor).filter(pk=enterprise.pk).exists():
                raise ValidationError(
                    {"industry": _("This region and industry are outside what your unit supervises.")}
                )
            after = model_to_dict(enterprise)
            changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
            record(
                actor, "enterprise.create" if creating else "enterprise.update", enterprise, _jsonable(changes), reason
            )
    except IntegrityError as exc:
        if creating:
            enterprise.pk = None
        raise ValidationError({"credit_code": _("An enterprise with this credit code is already registered.")}) from exc
    except ValidationError:
        if creating:
            enterprise.pk = None
        raise
    return enterprise


def _jsonable(changes: dict) -> dict:
    return {
        k: [v if isinstance(v, (str, int, float, bool, type(None))) else str(v) for v in pair]
        for k, pair in changes.items()
    }
