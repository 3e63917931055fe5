"""Helpers for HTML list pages: the API's cursor pagination, reused so both page the same way."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.contrib import messages
from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from .pagination import CursorPagination


@dataclass
class Page:
    items: list
    next_url: str | None
    previous_url: str | None


def paginate(request, queryset, orderings: tuple[str, ...] = ("-id", "id")) -> Page:
    """One page by keyset; `?ordering=` picks one of the allowed orderings (the first is the default).

    A page link that was altered (a bad `cursor` or `page_size`) is not an error page: the list shows its first
    page (or the default size) and says why, since the person clicked a link rather than typed a value.
    """
    paginator = CursorPagination()
    wanted = request.GET.get("ordering")
    paginator.ordering = wanted if wanted in orderings else orderings[0]
    checked = {paginator.cursor_query_param, paginator.page_size_query_param}
    bad: set[str] = set()
    while True:  # each bad value is found in turn (the size is read before the cursor): drop it and try again
        try:
            items = paginator.paginate_queryset(queryset, Request(_without(request, bad) if bad else request))
            break
        except ValidationError as exc:
            found = (set(exc.detail) & checked) - bad
            if not found:
                raise
            bad |= found
            paginator.ordering = wanted if wanted in orderings else orderings[0]
    if bad:
        _tell(request, paginator, bad)
    return Page(list(items), paginator.get_next_link(), paginator.get_previous_link())


def _tell(request, paginator: CursorPagination, bad: set[str]) -> None:
    if paginator.cursor_query_param in bad:
        messages.warning(request, _("The page link was not valid; showing the first page."))
    if paginator.page_size_query_param in bad:
        messages.warning(
            request,
            _("The number per page must be a whole number from 1 to %(max)d; showing %(default)d per page.")
            % {"max": paginator.max_page_size, "default": CursorPagination.page_size},
        )


def _without(request, names: set[str]):
    """The same request without the named query parameters (also in the links the paginator builds from it)."""
    clone = copy.copy(request)
    clone.GET = request.GET.copy()
    for name in names:
        clone.GET.pop(name, None)
    clone.META = {**request.META, "QUERY_STRING": clone.GET.urlencode()}
    return clone
