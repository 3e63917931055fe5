"""The live board's and the figures' URLs: pages (`urlpatterns`, included from safety_platform/urls.py) and the
API (`api_urlpatterns()`, included from safety_platform/api_urls.py)."""

from __future__ import annotations

from django.urls import path

from . import board_api, board_views

app_name = "warning_board"

urlpatterns = [
    path("warnings/<int:pk>/board/", board_views.board_page, name="board"),
    path("warnings/figures/", board_views.figures_page, name="figures"),
]


def api_urlpatterns() -> list:
    """Built when safety_platform/api_urls.py has registered the `<id:…>` converter."""
    return [
        path("warnings/<id:pk>/board/", board_api.BoardView.as_view(), name="warning-board"),
        path("warnings/figures/", board_api.FiguresView.as_view(), name="warning-figures"),
    ]
