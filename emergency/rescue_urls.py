"""Pages of the rescue teams under /emergency/ (namespace `rescue`; the supplies' pages have their own)."""

from __future__ import annotations

from django.urls import path

from . import rescue_views

app_name = "rescue"

urlpatterns = [
    path("emergency/readiness/", rescue_views.board, name="board"),
    path("emergency/readiness/raise/", rescue_views.raise_bulk, name="raise"),
    path("emergency/teams/", rescue_views.team_list, name="teams"),
    path("emergency/teams/new/", rescue_views.team_new, name="team-new"),
    path("emergency/teams/<int:pk>/", rescue_views.team_detail, name="team"),
    path("emergency/teams/<int:pk>/edit/", rescue_views.team_edit, name="team-edit"),
]
