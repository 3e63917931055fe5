"""Pages of oversight's illegal part (namespace `illegal`), included by safety_platform/urls.py."""

from __future__ import annotations

from django.urls import path

from . import illegal_views as views

app_name = "illegal"

urlpatterns: list = [
    path("oversight/illegal/", views.illegal_list, name="list"),
    path("oversight/illegal/new/", views.illegal_new, name="new"),
    path("oversight/illegal/figures/", views.figures_page, name="figures"),
    path("oversight/illegal/<int:pk>/", views.illegal_detail, name="detail"),
    path("oversight/illegal/<int:pk>/handle/", views.illegal_handle, name="handle"),
]
