"""Pages of oversight's watch part (namespace `watches`), included by safety_platform/urls.py."""

from __future__ import annotations

from django.urls import path

from . import watch_views as views

app_name = "watches"

urlpatterns: list = [
    path("oversight/watches/", views.watch_list, name="list"),
    path("oversight/watches/<int:pk>/", views.watch_detail, name="detail"),
    path("oversight/watches/<int:pk>/visit/", views.watch_visit, name="visit"),
    path("oversight/watch-photos/<int:pk>/", views.photo, name="photo"),
    path("oversight/watch-photos/<int:pk>/thumbnail/", views.photo, {"thumbnail": True}, name="thumbnail"),
    path("oversight/enterprises/<int:pk>/watch/", views.watch_start, name="start"),
    path("oversight/enterprises/<int:pk>/resume/", views.resumption, name="resume"),
]
