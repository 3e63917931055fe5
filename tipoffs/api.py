"""The handlers' API (part: handling), included under /api/v1/ by safety_platform/api_urls.py: the reports (list with
the queue page's filters, retrieve), `POST tipoffs/` (staff register a report received by phone, letter or visit),
`POST tipoffs/{id}/<action>/` for each writer of handling.py, and `POST tipoffs/{id}/informant/` (the handler only,
audited). No serializer here carries the informant but the last one's answer. See docs/tipoffs.md, "Handling"."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from hazards.choices import Level
from oversight.models import IllegalOperation
from safety_platform.lib.api import app_router

from . import access, handling, identity, intake, staff_actions
from .choices import STAFF_CHANNELS, Channel, Kind, Outcome
from .filters import ReportFilterSet, seen_by
from .handling import REASON_LENGTH, TEXT_LENGTH
from .models import Report


class TipOffReportSerializer(serializers.ModelSerializer):
    """A report as its handlers read it: never who made it (see `informant`)."""

    region_name = serializers.CharField(source="region.name", read_only=True, label=gettext_lazy("region"))
    department_name = serializers.CharField(
        source="department.name", read_only=True, allow_null=True, default=None, label=gettext_lazy("department")
    )
    handling_unit = serializers.SerializerMethodField(label=gettext_lazy("handling unit"))
    overdue = serializers.SerializerMethodField(label=gettext_lazy("overdue"))
    outcome = serializers.ChoiceField(
        choices=Outcome.choices, allow_blank=True, read_only=True, label=gettext_lazy("outcome")
    )
    actions = serializers.SerializerMethodField(label=gettext_lazy("what you may do"))

    class Meta:
        model = Report
        fields = [
            "id",
            "code",
            "channel",
            "kind",
            "description",
            "region",
            "region_name",
            "address",
            "latitude",
            "longitude",
            "enterprise",
            "enterprise_name",
            "industry",
            "department",
            "department_name",
            "handler_region",
            "handling_unit",
            "state",
            "repeat_of",
            "received_at",
            "accepted_at",
            "due_at",
            "extended_at",
            "extension_reason",
            "verified_at",
            "outcome",
            "finding",
            "feedback_due_at",
            "closed_at",
            "answer",
            "decline_reason",
            "hazard",
            "illegal_operation",
            "overdue",
            "actions",
        ]
        read_only_fields = fields

    def get_handling_unit(self, report) -> str:
        return access.unit_label(report)

    def get_overdue(self, report) -> bool:
        return report.overdue_at()

    def get_actions(self, report) -> list[str]:
        allowed = handling.allowed(self.context["request"].user, report)
        return sorted(name for name, rule in staff_actions.RULE.items() if rule in allowed)


def _text(label, max_length, required=True, help_text=None):
    return serializers.CharField(
        max_length=max_length, required=required, allow_blank=not required, label=label, help_text=help_text
    )


def _id(label, help_text=None):
    return serializers.IntegerField(min_value=1, required=False, allow_null=True, label=label, help_text=help_text)


class TipOffAcceptSerializer(serializers.Serializer):
    note = _text(gettext_lazy("note (inside)"), REASON_LENGTH, required=False)
    industry = _id(gettext_lazy("industry"), gettext_lazy("Empty: as it is."))


class TipOffTransferSerializer(serializers.Serializer):
    reason = _text(gettext_lazy("reason (inside)"), REASON_LENGTH)
    department = _id(gettext_lazy("to a department"), gettext_lazy("A department, or a territory: one of the two."))
    region = _id(gettext_lazy("or to a territory (its government)"))


class TipOffReasonSerializer(serializers.Serializer):
    reason = _text(gettext_lazy("reason"), REASON_LENGTH)


class TipOffNoteSerializer(serializers.Serializer):
    note = _text(gettext_lazy("note (inside)"), REASON_LENGTH, required=False)


class TipOffHazardSerializer(serializers.Serializer):
    title = _text(gettext_lazy("title"), 200)
    description = _text(gettext_lazy("description"), TEXT_LENGTH)
    category = serializers.IntegerField(min_value=1, label=gettext_lazy("category"))
    level = serializers.ChoiceField(choices=Level.choices, required=False, label=gettext_lazy("level"))
    place = _text(gettext_lazy("place"), 300, required=False, help_text=gettext_lazy("Empty: the report's."))
    deadline = serializers.DateTimeField(required=False, allow_null=True, label=gettext_lazy("deadline"))


class TipOffIllegalSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=IllegalOperation._meta.get_field("kind").choices, label=gettext_lazy("what was found")
    )
    description = _text(gettext_lazy("description"), TEXT_LENGTH)


class TipOffVerifySerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Outcome.choices, label=gettext_lazy("outcome"))
    finding = _text(gettext_lazy("what verification found (inside)"), TEXT_LENGTH)


class TipOffAnswerSerializer(serializers.Serializer):
    answer = _text(gettext_lazy("answer to the informant"), TEXT_LENGTH)


class TipOffRegisterSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(
        choices=[(c, Channel(c).label) for c in STAFF_CHANNELS], label=gettext_lazy("received by")
    )
    kind = serializers.ChoiceField(choices=Kind.choices, label=gettext_lazy("what it is about"))
    description = _text(gettext_lazy("what happened"), 5000)
    region = serializers.IntegerField(min_value=1, label=gettext_lazy("region"))
    address = _text(gettext_lazy("address"), 300)
    enterprise_name = _text(gettext_lazy("enterprise named"), 200, required=False)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-90, max_value=90, required=False, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, min_value=-180, max_value=180, required=False, allow_null=True
    )
    is_anonymous = serializers.BooleanField(required=False, default=False, label=gettext_lazy("anonymous"))
    is_employee = serializers.BooleanField(
        required=False, default=False, label=gettext_lazy("employee of the enterprise")
    )
    name = _text(pgettext_lazy("informant", "name"), 50, required=False)
    phone = _text(gettext_lazy("phone"), 20, required=False)
    contact_address = _text(gettext_lazy("contact address"), 300, required=False)
    idempotency_key = serializers.UUIDField(
        required=False, allow_null=True, help_text=gettext_lazy("The same key again returns the first report.")
    )


class TipOffReceiptSerializer(serializers.Serializer):
    report = TipOffReportSerializer()
    secret = serializers.CharField(help_text=gettext_lazy("Shown once: the informant follows the report with it."))
    created = serializers.BooleanField()


class TipOffViewerSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    actor = serializers.CharField(allow_null=True, source="actor.username", default=None)


class TipOffInformantSerializer(serializers.Serializer):
    name = serializers.CharField()
    phone = serializers.CharField()
    contact_address = serializers.CharField()
    is_anonymous = serializers.BooleanField(source="report.is_anonymous")
    is_employee = serializers.BooleanField(source="report.is_employee")
    viewers = serializers.SerializerMethodField(help_text=gettext_lazy("Every view of the informant, newest first."))

    def get_viewers(self, informant) -> list[dict]:
        return TipOffViewerSerializer(identity.viewers(informant.report)[:100], many=True).data


ACTION_SERIALIZERS = {
    "accept": TipOffAcceptSerializer,
    "transfer": TipOffTransferSerializer,
    "decline": TipOffReasonSerializer,
    "merge": TipOffNoteSerializer,
    "spam": TipOffReasonSerializer,
    "extend": TipOffReasonSerializer,
    "hazard": TipOffHazardSerializer,
    "illegal": TipOffIllegalSerializer,
    "verify": TipOffVerifySerializer,
    "answer": TipOffAnswerSerializer,
}

DOCS = {
    "accept": "Accept for verification (received): the 60-day limit starts; optionally set the industry.",
    "transfer": "Hand the report to a department or a territory, with a reason kept inside (received, accepted).",
    "decline": "Not accepted (received), with a reason the informant reads.",
    "merge": "Handle with the earlier report it repeats (received; 400 if it repeats none).",
    "spam": "Mark invalid (received), with a reason kept inside.",
    "extend": "Extend the handling limit once by 30 days (accepted), with a reason the informant reads.",
    "hazard": "File the hazard the report pointed at (accepted, verified; once), through the hazards' writer.",
    "illegal": "Record the illegal operation the report pointed at (accepted, verified; once).",
    "verify": "Verification done (accepted): the outcome and the finding (inside); the answer is due in 10 days.",
    "answer": "The answer to the informant (verified), which closes the report.",
}


def _writer(name: str):
    serializer_class = ACTION_SERIALIZERS[name]

    @extend_schema(request=serializer_class, responses=TipOffReportSerializer, description=DOCS[name])
    def run(self, request, pk=None):
        report = self.get_object()
        staff_actions.check(request.user, report, name)  # 403, then 409, before a bad body's 400
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        staff_actions.perform(request.user, report, name, data.validated_data)
        return self._answer(report)

    run.__name__ = name
    return action(detail=True, methods=["post"], url_path=name, url_name=name)(run)


class ReportViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Tip-offs (举报) in scope and handed to your unit, newest first, filtered as the queue page; each with the
    actions you may take. Never who made them: the handler asks `informant/` (audited)."""

    serializer_class = TipOffReportSerializer
    filterset_class = ReportFilterSet

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator has no user
            return Report.objects.none()
        return seen_by(self.request.user).select_related("region", "department", "handler_region")

    def _answer(self, report: Report, code: int = status.HTTP_200_OK) -> Response:
        report = self.get_queryset().get(pk=report.pk)
        return Response(self.get_serializer(report).data, status=code)

    @extend_schema(
        request=TipOffRegisterSerializer, responses={201: TipOffReceiptSerializer, 200: TipOffReceiptSerializer}
    )
    def create(self, request, *args, **kwargs):
        """Register a report received by phone (12350), letter, visit, e-mail or referral (403 unless the
        government's staff; 400 naming each bad field). The answer carries the receipt's secret, once; the same
        `idempotency_key` again answers 200 with the first report under a fresh secret."""
        if not access.may_register(request.user):
            raise PermissionDenied(
                _("Only the government's staff register reports received by phone, letter or visit.")
            )
        data = TipOffRegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        receipt = intake.submit(intake.Submission(**data.validated_data), actor=request.user)
        body = {
            "report": TipOffReportSerializer(receipt.report, context=self.get_serializer_context()).data,
            "secret": receipt.secret,
            "created": receipt.created,
        }
        return Response(body, status=status.HTTP_201_CREATED if receipt.created else status.HTTP_200_OK)

    @extend_schema(request=None, responses=TipOffInformantSerializer)
    @action(detail=True, methods=["post"])
    def informant(self, request, pk=None):
        """Who made the report: its handler only (403 for anyone else); every view is audited and listed."""
        report = self.get_object()
        return Response(TipOffInformantSerializer(identity.reveal(request.user, report)).data)

    accept = _writer("accept")
    transfer = _writer("transfer")
    decline = _writer("decline")
    merge = _writer("merge")
    spam = _writer("spam")
    extend = _writer("extend")
    hazard = _writer("hazard")
    illegal = _writer("illegal")
    verify = _writer("verify")
    answer = _writer("answer")


router = app_router()
router.register("tipoffs", ReportViewSet, basename="tipoff")

urlpatterns = [*router.urls]
