"""Silence passed up (docs/warnings.md): the notifications pass-up sends an unanswered `warning` notice to the
holder's superior post (or the city office's staff where it is vacant), worded here, and in the same transaction the
recipient post is marked passed up on its row (`WarningRecipient.passed_up_at`).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q

from notifications.models import Notification

from .models import WarningRecipient


def wording(notice: Notification, label: str) -> dict | None:
    """A warning's notice passed up points at the warning's page (the superior reads it; the post answers it)."""
    if notice.kind != "warning":
        return None
    from notifications.answers import original_limit

    warning_id = notice.key.split(":")[1]
    return {"title": label, "body": notice.body, "link": f"/warnings/{warning_id}/",
            "answer_within": original_limit(notice)}  # fmt: skip


def mark_passed_up(sender, notices: list[Notification], at: datetime, **kwargs) -> None:
    """The posts whose warning notices the pass-up has just sent on, marked passed up in its transaction: one UPDATE
    when the batch holds warning notices, nothing otherwise (`notifications.outbox.notices_passed_up`)."""
    pairs = {(int(n.key.split(":")[1]), n.position_id) for n in notices if n.kind == "warning" and n.position_id}
    if not pairs:
        return
    which = Q()
    for warning_id, post_id in pairs:
        which |= Q(warning_id=warning_id, post_id=post_id)
    WarningRecipient.objects.filter(which, passed_up_at__isnull=True, answered_at__isnull=True).update(passed_up_at=at)
