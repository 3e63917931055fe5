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


def paginate(request, queryset) -> Page:
    paginator = CursorPagination()
    drf_request = Request(request)
    items = paginator.paginate_queryset(queryset, drf_request)
    return Page(list(items), paginator.get_next_link(), paginator.get_previous_link())
