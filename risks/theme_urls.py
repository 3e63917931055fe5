"""Pages of the risk themes under /risks/themes/ (namespace `risk_themes`)."""

from __future__ import annotations

from django.urls import path

from . import theme_views

app_name = "risk_themes"

urlpatterns = [
    path("risks/themes/", theme_views.theme_list, name="list"),
    path("risks/themes/new/", theme_views.theme_new, name="new"),
    path("risks/themes/mine/", theme_views.my_themes, name="mine"),
    path("risks/themes/<int:pk>/", theme_views.theme_detail, name="detail"),
    path("risks/themes/<int:pk>/edit/", theme_views.theme_edit, name="edit"),
    path("risks/themes/<int:pk>/confirm/", theme_views.theme_confirm, name="confirm"),
]
