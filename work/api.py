"""`GET /api/v1/me/queue/`: the person's work queue as JSON, the same sections as the home page (work/queues.py)."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from . import queues


class QueueItemSerializer(serializers.Serializer):
    title = serializers.CharField()
    url = serializers.CharField(help_text="The page of the object (a hazard, an inspection, a notice, a shift).")
    meta = serializers.CharField(allow_blank=True)
    due = serializers.DateTimeField(allow_null=True, help_text="Its deadline, if it has one.")
    late = serializers.BooleanField(help_text="Past its deadline (overdue, answer late, reported late).")
    count = serializers.IntegerField(
        allow_null=True, help_text="A number the item stands for (overdue hazards of one department); `url` lists them."
    )
    action = serializers.CharField(allow_blank=True, help_text="What to do there (continue, check in, answer).")


class QueueEntrySerializer(serializers.Serializer):
    key = serializers.CharField(help_text="Stable name of the entry, e.g. `dept_overdue`, `notices`.")
    label = serializers.CharField()
    count = serializers.IntegerField(allow_null=True, help_text="How many; null for a list that is no to-do.")
    url = serializers.CharField(
        allow_blank=True,
        help_text="The page that lists exactly `count` rows; empty when `items` are the whole list (up to 20).",
    )
    items = QueueItemSerializer(many=True, help_text="The first items (up to 5), or the whole list when no `url`.")
    urgent = serializers.BooleanField(help_text="Something here waits for this person.")


class QueueSectionSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=queues.ROLES)
    title = serializers.CharField()
    entries = QueueEntrySerializer(many=True)
    action_label = serializers.CharField(allow_blank=True)
    action_url = serializers.CharField(allow_blank=True, help_text="The section's main action (file a hazard).")


class QueueSerializer(serializers.Serializer):
    sections = QueueSectionSerializer(many=True, help_text="One per role the person holds, in a fixed order.")


class MyQueueView(APIView):
    """What waits for me: one section per role I hold (inspector, department, enterprise, territorial leader, duty
    officer, city office), each entry with its count and the page that lists exactly those rows. Every query starts
    from my visible scope; the number of queries does not depend on the amount of data."""

    @extend_schema(responses=QueueSerializer)
    def get(self, request):
        return Response(QueueSerializer({"sections": queues.build(request.user)}).data)
