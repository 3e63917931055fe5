"""What the inspections tell other apps, which listen without being imported (a lesson's task is done when its
comparison self-check is submitted: accidents/selfchecks.py)."""

from __future__ import annotations

from django.dispatch import Signal

# Sent by `workflow.submit` inside its transaction, once per inspection, with `inspection`, `actor` and `hazards`
# (the hazards filed from its failed items, in checklist order).
submitted = Signal()
