"""A checklist version with its sections and items and their ids: what an inspection's answers name (`item`)."""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import permissions, serializers, viewsets

from .models import ChecklistItem, ChecklistSection, ChecklistVersion


class ChecklistItemSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = ChecklistItem
        fields = ["id", "order", "text", "legal_basis", "answer_kind", "min_value", "max_value", "unit",
                  "photo_required_on_fail", "weight", "major_criterion", "category"]  # fmt: skip


class ChecklistSectionSerializer(serializers.ModelSerializer):
    items = ChecklistItemSerializer(many=True, read_only=True)

    class Meta:
        model = ChecklistSection
        fields = ["id", "order", "title", "items"]


class ChecklistVersionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="template.code", read_only=True)
    name = serializers.CharField(source="template.name", read_only=True)

    class Meta:
        model = ChecklistVersion
        fields = ["id", "template", "code", "name", "number", "created_at"]


class ChecklistVersionDetailSerializer(ChecklistVersionSerializer):
    sections = ChecklistSectionSerializer(many=True, read_only=True)

    class Meta(ChecklistVersionSerializer.Meta):
        fields = [*ChecklistVersionSerializer.Meta.fields, "sections"]


class ChecklistVersionFilterSet(filters.FilterSet):
    template = filters.NumberFilter(field_name="template", label=_("checklist template"))

    class Meta:
        model = ChecklistVersion
        fields = ["template"]


class ChecklistVersionViewSet(viewsets.ReadOnlyModelViewSet):
    """Checklist versions (`?template=`); the detail carries the sections and items with their ids. Checklists are
    read by every signed-in user, as `/api/v1/checklists/` are; a version in use never changes."""

    permission_classes = [permissions.IsAuthenticated]
    filterset_class = ChecklistVersionFilterSet

    def get_queryset(self):
        queryset = ChecklistVersion.objects.select_related("template")
        if self.action == "retrieve":
            items = ChecklistItem.objects.select_related("category").order_by("order", "id")
            sections = ChecklistSection.objects.order_by("order", "id").prefetch_related(Prefetch("items", items))
            queryset = queryset.prefetch_related(Prefetch("sections", sections))
        return queryset

    def get_serializer_class(self):
        return ChecklistVersionDetailSerializer if self.action == "retrieve" else ChecklistVersionSerializer
