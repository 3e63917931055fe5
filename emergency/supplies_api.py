"""API of the emergency supplies under /api/v1/emergency/: warehouses (with their stock moves and minimums), the
catalogue, stock (with its alerts), moves, allocation plans and allocation requests (approve, reject, the ledger
as Excel). Every change goes through `emergency.supplies`; every list starts from `visible_to`."""

from __future__ import annotations

from decimal import Decimal

import django_filters as filters
from django.http import StreamingHttpResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from organizations.models import Department, Region
from safety_platform.lib.files import AnyAccept
from safety_platform.lib.query import BooleanFilter, IntegerFilter

from . import supplies, supplies_ledger
from .models import (
    AllocationPlan,
    AllocationPlanLine,
    AllocationRequest,
    AllocationRequestLine,
    Stock,
    StockMove,
    SupplyItem,
    Warehouse,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUANTITY = {"max_digits": 14, "decimal_places": 2}
MIN_QUANTITY = Decimal("0.01")


def _none_without_user(view) -> bool:
    return getattr(view, "swagger_fake_view", False)  # the schema generator has no user


# --- the catalogue, stock and moves -------------------------------------------------------------------------------


class SupplyItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = SupplyItem
        fields = ["id", "name", "category", "unit", "specification"]
        read_only_fields = fields


class SupplyItemViewSet(viewsets.ReadOnlyModelViewSet):
    """The supplies catalogue (every government unit sees it)."""

    serializer_class = SupplyItemSerializer
    filterset_fields = ["category"]

    def get_queryset(self):
        if _none_without_user(self):
            return SupplyItem.objects.none()
        return SupplyItem.objects.visible_to(self.request.user)


class StockSerializer(serializers.ModelSerializer):
    item_name = serializers.CharField(source="item.__str__", read_only=True, label=pgettext_lazy("supplies", "item"))
    unit = serializers.CharField(source="item.unit", read_only=True, label=_("unit of measure"))
    below_minimum = serializers.BooleanField(read_only=True, label=_("below minimum"))
    expiring = serializers.BooleanField(read_only=True, label=_("expiring"))
    produced_on = serializers.DateField(read_only=True, allow_null=True, label=_("production date"))
    expires_on = serializers.DateField(read_only=True, allow_null=True, label=_("expiry date"))

    class Meta:
        model = Stock
        fields = ["id", "warehouse", "item", "item_name", "unit", "quantity", "minimum", "produced_on", "expires_on",
                  "below_minimum", "expiring", "updated_at"]  # fmt: skip
        read_only_fields = fields


class StockFilterSet(filters.FilterSet):
    ALERTS = [("below_minimum", _("Below minimum")), ("expiring", _("Expiring")), ("any", _("Any alert"))]

    warehouse = IntegerFilter(field_name="warehouse_id", label=_("warehouse"))
    item = IntegerFilter(field_name="item_id", label=pgettext_lazy("supplies", "item"))
    category = filters.ChoiceFilter(field_name="item__category", choices=SupplyItem.Category.choices,
                                    label=_("category"))  # fmt: skip
    alert = filters.ChoiceFilter(choices=ALERTS, method="alerting", label=_("alert"))

    class Meta:
        model = Stock
        fields = ["warehouse", "item", "category", "alert"]

    def alerting(self, queryset, name, value):
        if value == "below_minimum":
            return queryset.below_minimum()
        return queryset.expiring() if value == "expiring" else queryset.alerts()


class StockViewSet(viewsets.ReadOnlyModelViewSet):
    """Stock in scope, one row per warehouse and item; `?alert=below_minimum|expiring|any` lists the alerts
    (expiring: within SUPPLY_EXPIRY_DAYS days, or already expired)."""

    serializer_class = StockSerializer
    filterset_class = StockFilterSet

    def get_queryset(self):
        if _none_without_user(self):
            return Stock.objects.none()
        return Stock.objects.visible_to(self.request.user).select_related("item")


class StockMoveSerializer(serializers.ModelSerializer):
    warehouse = serializers.IntegerField(source="stock.warehouse_id", read_only=True, label=_("warehouse"))
    item = serializers.IntegerField(source="stock.item_id", read_only=True, label=pgettext_lazy("supplies", "item"))
    allocation = serializers.IntegerField(source="allocation_id", read_only=True, allow_null=True,
                                          label=_("allocation request"))  # fmt: skip

    class Meta:
        model = StockMove
        fields = ["id", "warehouse", "item", "kind", "quantity", "balance", "reason", "by", "at", "allocation"]
        read_only_fields = fields


class StockMoveFilterSet(filters.FilterSet):
    warehouse = IntegerFilter(field_name="stock__warehouse_id", label=_("warehouse"))
    item = IntegerFilter(field_name="stock__item_id", label=pgettext_lazy("supplies", "item"))
    kind = filters.ChoiceFilter(choices=StockMove.Kind.choices, label=_("kind"))

    class Meta:
        model = StockMove
        fields = ["warehouse", "item", "kind"]


class StockMoveViewSet(viewsets.ReadOnlyModelViewSet):
    """Stock moves in scope (who, when, why, the balance left), newest first."""

    serializer_class = StockMoveSerializer
    filterset_class = StockMoveFilterSet

    def get_queryset(self):
        if _none_without_user(self):
            return StockMove.objects.none()
        return StockMove.objects.visible_to(self.request.user).select_related("stock")


# --- warehouses -------------------------------------------------------------------------------------------------


class WarehouseSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(read_only=True, label=_("owning unit"))
    actions = serializers.SerializerMethodField(label=_("what you may do"))

    class Meta:
        model = Warehouse
        fields = ["id", "name", "owner_kind", "department", "owner", "region", "address", "keeper_name",
                  "keeper_phone", "active", "actions"]  # fmt: skip
        read_only_fields = fields

    def get_actions(self, house) -> list[str]:
        request = self.context.get("request")
        return sorted(supplies.can(request.user, house)) if request else []


class WarehouseInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, label=_("name"))
    address = serializers.CharField(max_length=200, label=_("address"))
    keeper_name = serializers.CharField(max_length=50, label=_("keeper"))
    keeper_phone = serializers.CharField(max_length=30, label=_("keeper's phone"))
    active = serializers.BooleanField(default=True, label=_("in use"))
    owner_kind = serializers.ChoiceField(
        choices=Warehouse.OWNERS, required=False, help_text=_("The city office only; others own what they register.")
    )
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                    allow_null=True, label=_("department"))  # fmt: skip
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False, label=_("region"))


class WarehouseEditSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, label=_("name"))
    address = serializers.CharField(max_length=200, required=False, label=_("address"))
    keeper_name = serializers.CharField(max_length=50, required=False, label=_("keeper"))
    keeper_phone = serializers.CharField(max_length=30, required=False, label=_("keeper's phone"))
    active = serializers.BooleanField(required=False, label=_("in use"))


class MoveInputSerializer(serializers.Serializer):
    KINDS = [(StockMove.Kind.IN, _("In")), (StockMove.Kind.OUT, _("Out")), (StockMove.Kind.SCRAP, _("Scrapped"))]

    kind = serializers.ChoiceField(choices=KINDS, label=_("kind"))
    item = serializers.PrimaryKeyRelatedField(
        queryset=SupplyItem.objects.all(), label=pgettext_lazy("supplies", "item")
    )
    quantity = serializers.DecimalField(**QUANTITY, min_value=MIN_QUANTITY, label=_("quantity"))
    reason = serializers.CharField(max_length=500, label=_("reason"))
    produced_on = serializers.DateField(required=False, allow_null=True, label=_("production date"))
    expires_on = serializers.DateField(required=False, allow_null=True, label=_("expiry date"))


class MinimumInputSerializer(serializers.Serializer):
    item = serializers.PrimaryKeyRelatedField(
        queryset=SupplyItem.objects.all(), label=pgettext_lazy("supplies", "item")
    )
    minimum = serializers.DecimalField(**QUANTITY, min_value=0, label=_("minimum stock"))


class WarehouseFilterSet(filters.FilterSet):
    region = IntegerFilter(method="in_region", label=_("region"))
    department = IntegerFilter(field_name="department_id", label=_("department"))
    active = BooleanFilter(label=_("in use"))

    class Meta:
        model = Warehouse
        fields = ["region", "department", "active"]

    def in_region(self, queryset, name, value):
        region = Region.objects.filter(pk=value).first()
        return queryset.filter(region_path__startswith=region.path) if region else queryset.none()


class WarehouseViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Warehouses in scope: a territory its subtree's, a department its own, the city office all. Create and edit
    (PATCH) by their owning unit or the city office; `moves` records stock in, out or scrapped; `minimum` sets an
    item's minimum stock."""

    serializer_class = WarehouseSerializer
    filterset_class = WarehouseFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if _none_without_user(self):
            return Warehouse.objects.none()
        return Warehouse.objects.visible_to(self.request.user).select_related("department", "region")

    @extend_schema(request=WarehouseInputSerializer, responses={201: WarehouseSerializer})
    def create(self, request, *args, **kwargs):
        data = WarehouseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        house = supplies.create_warehouse(request.user, data.validated_data)
        return Response(self._out(house), status=status.HTTP_201_CREATED)

    @extend_schema(request=WarehouseEditSerializer, responses=WarehouseSerializer)
    def partial_update(self, request, *args, **kwargs):
        data = WarehouseEditSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self._out(supplies.edit_warehouse(request.user, int(kwargs["pk"]), data.validated_data)))

    def _out(self, house) -> dict:
        return WarehouseSerializer(house, context={"request": self.request}).data

    @extend_schema(request=MoveInputSerializer, responses={201: StockMoveSerializer})
    @action(detail=True, methods=["post"])
    def moves(self, request, pk=None):
        """Stock in (with its production and expiry dates), out, or scrapped, with the reason; taking more than is
        held is a 409 and changes nothing."""
        data = MoveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["kind"] == StockMove.Kind.IN:
            move = supplies.receive(request.user, int(pk), v["item"], v["quantity"], v["reason"],
                                    v.get("produced_on"), v.get("expires_on"))  # fmt: skip
        else:
            take = supplies.issue if v["kind"] == StockMove.Kind.OUT else supplies.scrap
            move = take(request.user, int(pk), v["item"], v["quantity"], v["reason"])
        return Response(StockMoveSerializer(move).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=MinimumInputSerializer, responses=StockSerializer)
    @action(detail=True, methods=["post"])
    def minimum(self, request, pk=None):
        """Set an item's minimum stock in this warehouse; below it the item is an alert."""
        data = MinimumInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        stock = supplies.set_minimum(request.user, int(pk), data.validated_data["item"], data.validated_data["minimum"])
        return Response(StockSerializer(stock).data)


# --- allocation plans -------------------------------------------------------------------------------------------


class PlanLineSerializer(serializers.ModelSerializer):
    destination_region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False,
                                                            allow_null=True, label=_("destination region"))  # fmt: skip
    warehouse = serializers.IntegerField(source="warehouse_id", min_value=1, label=_("from warehouse"))
    item = serializers.PrimaryKeyRelatedField(
        queryset=SupplyItem.objects.all(), label=pgettext_lazy("supplies", "item")
    )
    quantity = serializers.DecimalField(**QUANTITY, min_value=MIN_QUANTITY, label=_("quantity"))

    class Meta:
        model = AllocationPlanLine
        fields = ["warehouse", "item", "quantity", "destination", "destination_region"]


class AllocationPlanSerializer(serializers.ModelSerializer):
    lines = PlanLineSerializer(many=True, allow_empty=False)
    region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), label=_("region concerned"))

    class Meta:
        model = AllocationPlan
        fields = ["id", "name", "region", "department", "note", "prepared_by", "prepared_at", "lines"]
        read_only_fields = ["department", "prepared_by", "prepared_at"]


class AllocationPlanViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Allocation plans (调拨方案) in scope; prepared by the city office or a department."""

    serializer_class = AllocationPlanSerializer

    def get_queryset(self):
        if _none_without_user(self):
            return AllocationPlan.objects.none()
        return AllocationPlan.objects.visible_to(self.request.user).prefetch_related("lines")

    def perform_create(self, serializer):
        v = serializer.validated_data
        lines = [supplies.Line(warehouse=line.pop("warehouse_id"), **line) for line in v["lines"]]
        plan = supplies.prepare_plan(self.request.user, v["name"], v["region"], lines, v.get("note", ""))
        serializer.instance = self.get_queryset().get(pk=plan.pk)


# --- allocation requests ----------------------------------------------------------------------------------------


class RequestLineSerializer(serializers.ModelSerializer):
    item = serializers.PrimaryKeyRelatedField(
        queryset=SupplyItem.objects.all(), label=pgettext_lazy("supplies", "item")
    )
    quantity = serializers.DecimalField(**QUANTITY, min_value=MIN_QUANTITY, label=_("quantity"))

    class Meta:
        model = AllocationRequestLine
        fields = ["item", "quantity"]


class AllocationRequestSerializer(serializers.ModelSerializer):
    lines = RequestLineSerializer(many=True, allow_empty=False)
    warehouse = serializers.IntegerField(source="warehouse_id", min_value=1, label=_("from warehouse"))
    destination_region = serializers.PrimaryKeyRelatedField(queryset=Region.objects.all(), required=False,
                                                            allow_null=True, label=_("destination region"))  # fmt: skip
    destination_warehouse = serializers.IntegerField(source="destination_warehouse_id", min_value=1, required=False,
                                                     allow_null=True, label=_("destination warehouse"))  # fmt: skip
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("decided at"))
    decided_by = serializers.IntegerField(source="decided_by_id", read_only=True, allow_null=True,
                                          label=_("decided by"))  # fmt: skip
    decision_note = serializers.CharField(read_only=True, allow_blank=True, label=_("reason for rejection"))
    actions = serializers.SerializerMethodField(label=_("what you may do"))

    class Meta:
        model = AllocationRequest
        fields = ["id", "warehouse", "region", "destination", "destination_region", "destination_warehouse", "reason",
                  "lines", "status", "requested_by", "requested_at", "decided_by", "decided_at", "decision_note",
                  "actions"]  # fmt: skip
        read_only_fields = ["region", "status", "requested_by", "requested_at"]

    def get_actions(self, req) -> list[str]:
        request = self.context.get("request")
        return sorted(supplies.can(request.user, req)) if request else []


class RejectSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=500, label=_("reason for rejection"))


class AllocationRequestFilterSet(filters.FilterSet):
    status = filters.ChoiceFilter(choices=AllocationRequest.Status.choices, label=_("status"))
    warehouse = IntegerFilter(field_name="warehouse_id", label=_("from warehouse"))

    class Meta:
        model = AllocationRequest
        fields = ["status", "warehouse"]


class AllocationRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Allocation requests (调拨申请): a territory asks, the source warehouse's owning unit approves (the stock moves
    at once, all lines or none; short is 409) or rejects with a reason. `ledger` is the approved allocations as an
    Excel workbook."""

    serializer_class = AllocationRequestSerializer
    filterset_class = AllocationRequestFilterSet

    def get_queryset(self):
        if _none_without_user(self):
            return AllocationRequest.objects.none()
        return (
            AllocationRequest.objects.visible_to(self.request.user)
            .select_related("warehouse__department", "warehouse__region")
            .prefetch_related("lines")
        )

    def perform_create(self, serializer):
        v = serializer.validated_data
        req = supplies.request_allocation(
            self.request.user, v["warehouse_id"], [supplies.Line(**line) for line in v["lines"]], v["destination"],
            v["reason"], v.get("destination_region"), v.get("destination_warehouse_id"),
        )  # fmt: skip
        serializer.instance = self.get_queryset().get(pk=req.pk)

    @extend_schema(request=None, responses=AllocationRequestSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve: the stock moves now, every line or none (409 naming what is short)."""
        supplies.approve(request.user, int(pk))
        return Response(self._out(pk))

    @extend_schema(request=RejectSerializer, responses=AllocationRequestSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        """Reject with a reason; nothing moves."""
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        supplies.reject(request.user, int(pk), data.validated_data["note"])
        return Response(self._out(pk))

    def _out(self, pk) -> dict:
        return AllocationRequestSerializer(self.get_queryset().get(pk=pk), context={"request": self.request}).data

    @extend_schema(
        filters=False,
        responses={(200, XLSX): OpenApiResponse(OpenApiTypes.BINARY, description="The ledger as an Excel workbook.")},
    )
    @action(detail=False, methods=["get"], content_negotiation_class=AnyAccept, pagination_class=None,
            filter_backends=[])  # fmt: skip
    def ledger(self, request):
        """The allocation ledger: every approved allocation in scope, a row per item (who approved it and when, from
        which warehouse, what, how much, where to, for whom), as .xlsx."""
        response = StreamingHttpResponse(supplies_ledger.ledger_workbook(request.user), content_type=XLSX)
        response["Content-Disposition"] = 'attachment; filename="allocation-ledger.xlsx"'
        return response
