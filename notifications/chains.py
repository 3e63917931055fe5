"""Changing an escalation chain (the city office's rule for one hazard level): the one place that writes it."""

from __future__ import annotations

from django.db import transaction

from audit.models import record

from .models import EscalationChain, EscalationStep


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

    1. Lock the chain and compare: each changed part is recorded from what to what (`name`, `steps`).
    2. A request that changes nothing writes nothing: no row, no audit event.
    3. Otherwise the rows and the audit event are written in one transaction.
    """
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
