"""The API's filter backend: django-filter's, which builds the FilterSet only when the query names a filter."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend


def names_a_filter(params, filterset_class) -> bool:
    """Whether any query parameter is one of the FilterSet's fields, or one of its parts (`x_min`, `x_after`,
    `x_0`: a range's widgets add a suffix to the filter's name)."""
    names = filterset_class.base_filters
    return any(key in names or key.rpartition("_")[0] in names for key in params)


class FilterBackend(DjangoFilterBackend):
    """With no filter in the query the FilterSet would change nothing: an empty value is no filter, and a
    parameter it does not know it ignores. Building it (a copy of every filter, then a form with a field each
    and its validation) costs more than serialising a page of rows, so an unfiltered list skips it."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not names_a_filter(request.query_params, filterset_class):
            return queryset
        return super().filter_queryset(request, queryset, view)
