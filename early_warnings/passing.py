"""Silence passed up (docs/warnings.md): the notifications pass-up sends an unanswered `warning` notice to the
holder's superior post (or the city office's staff where it is vacant), worded here; the sweeper below then marks the
recipient post passed up on its row (`WarningRecipient.passed_up_at`), at the next sweep.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat

from notifications.models import Notification
from notifications.outbox import SweepResult

from .choices import WarningStatus
from .models import WarningRecipient


def wording(notice: Notification, label: str) -> dict | None:
    """A warning's notice passed up points at the warning's page (the superior reads it; the post answers it)."""
    if notice.kind != "warning":
        return None
    from notifications.answers import original_limit

    warning_id = notice.key.split(":")[1]
    return {"title": label, "body": notice.body, "link": f"/warnings/{warning_id}/",
            "answer_within": original_limit(notice)}  # fmt: skip


def mark_passed_up(now: datetime, batch_size: int, dry_run: bool, result: SweepResult) -> None:
    """Recipient posts of versions in force whose notices the pass-up has sent on: one statement."""
    if dry_run:
        return
    passed = Notification.objects.filter(
        kind="warning",
        position_id=OuterRef("post_id"),
        escalated_at__isnull=False,
        key__startswith=Concat(Value("warning:"), Cast(OuterRef("warning_id"), CharField()), Value(":")),
    )
    WarningRecipient.objects.filter(
        Exists(passed), passed_up_at__isnull=True, answered_at__isnull=True, answer_due_at__lte=now,
        warning__status=WarningStatus.IN_FORCE,
    ).update(passed_up_at=Subquery(passed.order_by("escalated_at").values("escalated_at")[:1]))  # fmt: skip
