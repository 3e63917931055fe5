"""REST API for the organisation: regions, industries, departments, enterprises, and the token login."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.models import Token
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from safety_platform.lib.api import RowsListMixin, timestamper
from safety_platform.lib.throttling import ScopedRateThrottle

from .creditcode import normalize, validate_credit_code
from .filters import DepartmentFilterSet, EnterpriseFilterSet, IndustryFilterSet, RegionFilterSet
from .models import Department, Enterprise, Industry, Region
from .registry import save_enterprise
from .responsibility import SupervisionMap
from .views import lockout_message


class RegionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "level", "parent", "path"]


class IndustrySerializer(serializers.ModelSerializer):
    class Meta:
        model = Industry
        fields = ["id", "code", "name", "parent"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "region", "industries", "mirrors", "is_default_supervisor", "duty_phone"]


class CreditCodeField(serializers.CharField):
    """Normalises before validating, so full-width or lower-case input matches the stored code."""

    def to_internal_value(self, data):
        return normalize(super().to_internal_value(data))


class EnterpriseSerializer(serializers.ModelSerializer):
    credit_code = CreditCodeField(label=_("unified social credit code"), validators=[validate_credit_code])
    region_name = serializers.CharField(source="region.name", read_only=True)
    industry_name = serializers.CharField(source="industry.name", read_only=True)
    supervising_department = serializers.SerializerMethodField()
    supervision_gap = serializers.SerializerMethodField()

    class Meta:
        model = Enterprise
        fields = [
            "id", "credit_code", "name", "address", "region", "region_name", "industry", "industry_name",
            "licence_state", "operating_state", "is_key_unit", "principal_name", "principal_phone",
            "safety_manager_name", "safety_manager_phone", "is_subcontracting", "is_hosted_operation",
            "is_borrowed_qualification", "supervising_department", "supervision_gap", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        # Only a write needs the writable fields, and building them costs more than reading a page of rows.
        if request is not None and request.method not in ("GET", "HEAD", "OPTIONS"):
            self.fields["region"].queryset = Region.objects.visible_to(request.user)
            self.fields["industry"].queryset = Industry.objects.visible_to(request.user)

    def to_representation(self, obj: Enterprise) -> dict:
        """Reading is the hot path (lists of up to 200 rows): plain attribute reads instead of one field
        object per value. A test holds it equal to DRF's generic `to_representation`."""
        supervision = self._supervision(obj)
        stamp = self.stamp
        return {
            "id": obj.id,
            "credit_code": obj.credit_code,
            "name": obj.name,
            "address": obj.address,
            "region": obj.region_id,
            "region_name": obj.region.name,
            "industry": obj.industry_id,
            "industry_name": obj.industry.name,
            "licence_state": obj.licence_state,
            "operating_state": obj.operating_state,
            "is_key_unit": obj.is_key_unit,
            "principal_name": obj.principal_name,
            "principal_phone": obj.principal_phone,
            "safety_manager_name": obj.safety_manager_name,
            "safety_manager_phone": obj.safety_manager_phone,
            "is_subcontracting": obj.is_subcontracting,
            "is_hosted_operation": obj.is_hosted_operation,
            "is_borrowed_qualification": obj.is_borrowed_qualification,
            "supervising_department": supervision.department.id if supervision.department else None,
            "supervision_gap": supervision.is_gap,
            "created_at": stamp(obj.created_at),
            "updated_at": stamp(obj.updated_at),
        }

    @cached_property
    def stamp(self):
        """Moments as DRF writes them, one function for the whole page."""
        return timestamper()

    # The list reads these columns as tuples (EnterpriseViewSet.list); `rows_representation` writes a row as
    # `to_representation` writes an enterprise, and a test holds them equal.
    ROW_COLUMNS = (
        "id", "credit_code", "name", "address", "region_id", "region__name", "region__path", "industry_id",
        "industry__name", "licence_state", "operating_state", "is_key_unit", "principal_name", "principal_phone",
        "safety_manager_name", "safety_manager_phone", "is_subcontracting", "is_hosted_operation",
        "is_borrowed_qualification", "created_at", "updated_at",
    )  # fmt: skip

    def rows_representation(self, rows) -> list[dict]:
        supervision_map = self.context.get("supervision_map") or SupervisionMap()
        stamp = self.stamp
        data = []
        for row in rows:
            supervision = supervision_map.resolve_at(row.region__path, row.industry_id)
            data.append(
                {
                    "id": row.id,
                    "credit_code": row.credit_code,
                    "name": row.name,
                    "address": row.address,
                    "region": row.region_id,
                    "region_name": row.region__name,
                    "industry": row.industry_id,
                    "industry_name": row.industry__name,
                    "licence_state": row.licence_state,
                    "operating_state": row.operating_state,
                    "is_key_unit": row.is_key_unit,
                    "principal_name": row.principal_name,
                    "principal_phone": row.principal_phone,
                    "safety_manager_name": row.safety_manager_name,
                    "safety_manager_phone": row.safety_manager_phone,
                    "is_subcontracting": row.is_subcontracting,
                    "is_hosted_operation": row.is_hosted_operation,
                    "is_borrowed_qualification": row.is_borrowed_qualification,
                    "supervising_department": supervision.department.id if supervision.department else None,
                    "supervision_gap": supervision.is_gap,
                    "created_at": stamp(row.created_at),
                    "updated_at": stamp(row.updated_at),
                }
            )
        return data

    def _supervision(self, obj: Enterprise):
        if not hasattr(obj, "_supervision"):
            supervision_map = self.context.get("supervision_map") or SupervisionMap()
            obj._supervision = supervision_map.resolve(obj)
        return obj._supervision

    def get_supervising_department(self, obj: Enterprise) -> int | None:
        department = self._supervision(obj).department
        return department.id if department else None

    def get_supervision_gap(self, obj: Enterprise) -> bool:
        return self._supervision(obj).is_gap

    def validate_credit_code(self, value: str) -> str:
        others = Enterprise.objects.filter(credit_code=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("An enterprise with this credit code is already registered."))
        return value

    def save_through_registry(self, actor) -> Enterprise:
        enterprise = self.instance or Enterprise()
        for key, value in self.validated_data.items():
            setattr(enterprise, key, value)
        return save_enterprise(actor, enterprise)  # its refusals answer through the API's exception handler


class ScopedViewSetMixin:
    """Every query starts from the user's visible scope; anything else is a 404."""

    def get_queryset(self):
        return self.queryset.visible_to(self.request.user)


class RegionViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Region.objects.all()
    serializer_class = RegionSerializer
    filterset_class = RegionFilterSet


class IndustryViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Industry.objects.all()
    serializer_class = IndustrySerializer
    filterset_class = IndustryFilterSet


class DepartmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = Department.objects.prefetch_related("industries")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet


class EnterpriseViewSet(
    RowsListMixin,
    ScopedViewSetMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Enterprises in scope. Creating and editing go through the registry, which checks who may."""

    queryset = Enterprise.objects.select_related("region", "industry")
    serializer_class = EnterpriseSerializer
    row_serializer = EnterpriseSerializer
    filterset_class = EnterpriseFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    @cached_property
    def supervision_map(self) -> SupervisionMap:
        return SupervisionMap.shared()  # kept across requests until a reference table changes

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "supervision_map": self.supervision_map}

    def perform_create(self, serializer):
        serializer.instance = serializer.save_through_registry(self.request.user)

    def perform_update(self, serializer):
        serializer.instance = serializer.save_through_registry(self.request.user)


class TokenThrottle(ScopedRateThrottle):
    """Token requests per client address (TOKEN_THROTTLE_RATE), the address as clientip decides it."""

    scope_attr = "throttle_scope"


class ObtainTokenView(APIView):
    """`POST {"username", "password"}` → `{"token"}`. Failures count towards the login lock-out (django-axes)."""

    permission_classes = [AllowAny]
    authentication_classes = []
    throttle_classes = [TokenThrottle]
    throttle_scope = "token"

    @extend_schema(
        request=inline_serializer(
            "TokenRequest", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
    )
    def post(self, request):
        username = request.data.get("username")
        password = request.data.get("password")
        errors = {}
        if not isinstance(username, str) or not username:
            errors["username"] = [_("This field is required.")]
        if not isinstance(password, str) or not password:
            errors["password"] = [_("This field is required.")]
        if errors:
            raise serializers.ValidationError(errors)
        user = authenticate(request._request, username=username, password=password)
        if getattr(request._request, "axes_locked_out", False):
            return Response(
                {"detail": lockout_message(request._request), "code": "locked_out"},
                status=status.HTTP_429_TOO_MANY_REQUESTS,
            )
        if user is None:
            raise serializers.ValidationError({"non_field_errors": [_("Wrong username or password.")]})
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})
