"""Helpers for HTML list pages: the API's cursor pagination, reused so both page the same way."""

from __future__ import annotations

from dataclasses import dataclass

from rest_framework.request import Request

from .pagination import CursorPagination


@dataclass
class Page:
    items: list
    next_url: str | None
    previous_url: str | None


def paginate(request, queryset, orderings: tuple[str, ...] = ("-id", "id")) -> Page:
    """One page by keyset; `?ordering=` picks one of the allowed orderings (the first is the default)."""
    paginator = CursorPagination()
    wanted = request.GET.get("ordering")
    paginator.ordering = wanted if wanted in orderings else orderings[0]
    drf_request = Request(request)
    items = paginator.paginate_queryset(queryset, drf_request)
    return Page(list(items), paginator.get_next_link(), paginator.get_previous_link())
