"""Changing an escalation chain (the city office's rule for one hazard level): the one place that writes it.

The API (`hazards.chains_api`) and the admin both save through `update_chain`; it checks who may change the rule and
that the steps are sound, whatever the caller checked before.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from audit.models import record
from notifications.choices import Target
from organizations.roles import is_city_office

from .models import EscalationChain, EscalationStep

ONLY_CITY_OFFICE = _("Only the city safety office can change escalation rules.")
SAME_DAY = _("Two steps cannot fall on the same day.")


def can_change_chains(user) -> bool:
    return bool(user and user.is_authenticated and is_city_office(user))


def same_day(steps: list[dict]) -> bool:
    """Whether two steps fall on the same working day (the same offset from the deadline)."""
    offsets = [s["offset_working_days"] for s in steps]
    return len(set(offsets)) != len(offsets)


def check_steps(steps: list[dict]) -> None:
    """The steps as a rule can run them: each tells at least one known target, no two on the same day."""
    for step in steps:
        targets = step.get("targets")
        if not targets:
            raise ValidationError({"steps": forms.Field.default_error_messages["required"]})
        for target in targets:
            if target not in Target.values:
                message = forms.ChoiceField.default_error_messages["invalid_choice"]
                raise ValidationError({"steps": message % {"value": target}})
    if same_day(steps):
        raise ValidationError({"steps": SAME_DAY})


def _plain(steps: list[dict]) -> list[dict]:
    """Steps as `EscalationChain.snapshot()` writes them, so that old and new compare equal when nothing changes."""
    ordered = sorted(steps, key=lambda s: s["offset_working_days"])
    return [
        {"offset": s["offset_working_days"], "targets": list(s["targets"]), "must_answer": s.get("must_answer", False),
         "label": s["label"]}
        for s in ordered
    ]  # fmt: skip


def update_chain(actor, chain: EscalationChain, name: str | None = None, steps: list[dict] | None = None):
    """Rename the chain and/or replace its steps; escalations already running keep the snapshot they started with.

    1. Only the city office (or a superuser) changes a rule (else PermissionDenied); the steps must be sound
       (`check_steps`, else ValidationError).
    2. Lock the chain and compare: each changed part is recorded from what to what (`name`, `steps`).
    3. A request that changes nothing writes nothing: no row, no audit event.
    4. Otherwise the rows and the audit event are written in one transaction.
    """
    if not can_change_chains(actor):
        raise PermissionDenied(ONLY_CITY_OFFICE)
    if steps is not None:
        check_steps(steps)
    with transaction.atomic():
        chain = EscalationChain.objects.select_for_update().get(pk=chain.pk)
        changes = {}
        if name is not None and name != chain.name:
            changes["name"] = [chain.name, name]
            chain.name = name
        if steps is not None:
            before, after = chain.snapshot(), _plain(steps)
            if before != after:
                changes["steps"] = [before, after]
                chain.steps.all().delete()
                EscalationStep.objects.bulk_create([EscalationStep(chain=chain, **s) for s in steps])
        if changes:
            chain.save()
            record(actor, "escalation_chain.update", chain, changes)
        return chain
