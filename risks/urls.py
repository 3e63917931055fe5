"""Risk point pages under /risks/ (namespace `risks`; the themes, checks, picture and import have their own)."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "risks"

urlpatterns = [
    path("risks/", views.point_list, name="list"),
    path("risks/reevaluations/", views.reevaluations, name="reevaluations"),
    path("risks/points/new/", views.point_create, name="create"),
    path("risks/points/<int:pk>/", views.point_detail, name="detail"),
    path("risks/points/<int:pk>/edit/", views.point_edit, name="edit"),
    path("risks/points/<int:pk>/evaluate/", views.point_evaluate, name="evaluate"),
    path("risks/points/<int:pk>/retire/", views.point_retire, name="retire"),
]
