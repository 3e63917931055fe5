"""Pages of oversight's board part (namespace `oversight`), included by safety_platform/urls.py: the board, an
enterprise's supervision page."""

from __future__ import annotations

from django.urls import path

from . import board_views, enterprise_views

app_name = "oversight"

urlpatterns: list = [
    path("oversight/", board_views.board_page, name="board"),
    path("oversight/enterprises/<int:pk>/", enterprise_views.enterprise_page, name="enterprise"),
]
