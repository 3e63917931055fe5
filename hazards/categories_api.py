"""The hazard categories a filing names by `code`: reference data every user may read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from safety_platform.lib.pagination import CursorPagination

from .models import HazardCategory


class HazardCategorySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True, help_text="In the user's language.")
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = HazardCategory
        fields = ["code", "name", "active"]


class HazardCategoryFilterSet(filters.FilterSet):
    active = filters.BooleanFilter(field_name="is_active", label=_("in use"))

    class Meta:
        model = HazardCategory
        fields = ["active"]


class CategoryPagination(CursorPagination):
    ordering = ("sort", "code")


class HazardCategoryViewSet(viewsets.ReadOnlyModelViewSet):
    """Hazard categories in their display order; `?active=true` for those a new hazard may take."""

    queryset = HazardCategory.objects.all()
    serializer_class = HazardCategorySerializer
    filterset_class = HazardCategoryFilterSet
    pagination_class = CategoryPagination
    lookup_field = "code"
    lookup_value_regex = "[^/]+"
