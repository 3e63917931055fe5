"""The demo's warning circular for `manage.py seed_demo`: the circular of the demo's running lesson (the first
published lesson, seeded by the lessons' demo), issued by demo-city with its draft, and acknowledged by every
second unit told (demo-enterprise's never, so its inbox shows one to acknowledge). Without a published lesson it does
nothing. Idempotent: a lesson with its circular is left as it is."""

from __future__ import annotations

from django.db.models import Q

from notifications.models import Notification
from notifications.outbox import acknowledge
from organizations.models import User

from . import circulars
from .choices import LessonStatus
from .models import Circular, Lesson


def load_demo_circulars() -> dict[str, int]:
    """The circular and its acknowledgements; counts for seed_demo's summary."""
    city = User.objects.filter(username="demo-city").first()
    lesson = (
        Lesson.objects.filter(status=LessonStatus.PUBLISHED, circular__isnull=True).order_by("published_at", "pk")
        .first()
    )  # fmt: skip
    made = acknowledged = 0
    before = Notification.objects.filter(key__startswith=f"{circulars.KIND}:", acknowledged_at__isnull=False).count()
    if city is not None and lesson is not None and not Circular.objects.exists():
        title, body = circulars.draft(lesson)
        circular = circulars.issue(city, lesson, title=title, body=body)
        made = 1
        notices = (
            Notification.objects.filter(key__startswith=f"{circulars.KIND}:{circular.pk}:", parent__isnull=True)
            .exclude(Q(recipient__username="demo-enterprise") | Q(position__enterprise__isnull=True) & Q(
                position__department__isnull=True))
            .select_related("recipient")
            .order_by("position_id", "pk")
        )  # fmt: skip
        for n, notice in enumerate(notices):
            if n % 2 == 0 and notice.must_answer:
                acknowledge(notice.recipient, notice)
                acknowledged += 1
    return {
        "circulars": Circular.objects.count(),
        "circulars_created": made,
        "circulars_acknowledged": before + acknowledged,
        "circulars_acknowledged_created": acknowledged,
    }
