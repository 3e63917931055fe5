"""The API of oversight's people part, included under /api/v1/ by safety_platform/api_urls.py: certificates and
principal verifications (list with the pages' filters, read, create through the writers)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from safety_platform.lib.api import app_router

from . import certificates, verifications
from .models import Certificate, Verification
from .people_filters import CertificateFilterSet, VerificationFilterSet


class PeopleCertificateSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    is_valid = serializers.SerializerMethodField(help_text=_("Valid today (through its expiry day)."))

    class Meta:
        model = Certificate
        fields = ["id", "enterprise", "enterprise_name", "holder", "person_name", "kind", "number", "issued_on",
                  "expires_on", "is_valid", "recorded_by", "recorded_at"]  # fmt: skip
        read_only_fields = ["recorded_by", "recorded_at"]

    def get_is_valid(self, certificate) -> bool:
        return certificates.valid(certificate)


class PeopleVerificationSerializer(serializers.ModelSerializer):
    enterprise_name = serializers.CharField(source="enterprise.name", read_only=True)
    checked_at = serializers.DateTimeField(required=False, help_text=_("When checked; now unless given."))

    class Meta:
        model = Verification
        fields = ["id", "enterprise", "enterprise_name", "campaign", "person_name", "in_post", "has_experience",
                  "experience_note", "certificate_seen", "note", "checked_by", "checked_at"]  # fmt: skip
        read_only_fields = ["checked_by"]


class _Create(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Create through the part's writer, which checks the enterprise in the caller's scope (404 outside it)."""

    writer = None

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        enterprise = values.pop("enterprise")
        row = type(self).writer(request.user, enterprise.pk, **values)
        return Response(self.get_serializer(row).data, status=status.HTTP_201_CREATED)


class CertificateViewSet(_Create):
    """Safety certificates of principal persons and safety managers in scope; POST records one (the government's
    staff in scope, or the enterprise's principal or safety manager for its own)."""

    serializer_class = PeopleCertificateSerializer
    filterset_class = CertificateFilterSet
    writer = staticmethod(certificates.record)

    def get_queryset(self):
        return Certificate.objects.visible_to(self.request.user).select_related("enterprise")


class VerificationViewSet(_Create):
    """Principal verifications (主要负责人核查) in scope, newest first; POST records one (the government's staff in
    scope); `campaign` is a running 主要负责人全面核查 campaign."""

    serializer_class = PeopleVerificationSerializer
    filterset_class = VerificationFilterSet
    writer = staticmethod(verifications.verify)

    def get_queryset(self):
        return Verification.objects.visible_to(self.request.user).select_related("enterprise")


router = app_router()
router.register("certificates", CertificateViewSet, basename="certificate")
router.register("verifications", VerificationViewSet, basename="verification")

urlpatterns = [*router.urls]
