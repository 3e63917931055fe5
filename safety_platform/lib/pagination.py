"""Pagination shared by the API and the HTML lists: a keyset cursor, so no list counts a big table."""

from __future__ import annotations

from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """`?cursor=` pages ordered by id, newest first; `?page_size=` up to 200."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
