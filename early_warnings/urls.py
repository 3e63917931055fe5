from __future__ import annotations

from django.urls import path

from . import views

app_name = "early_warnings"

urlpatterns = [
    path("warnings/", views.warning_list, name="list"),
    path("warnings/new/", views.warning_new, name="new"),
    path("warnings/<int:pk>/", views.warning_detail, name="detail"),
    path("warnings/<int:pk>/update/", views.warning_update, name="update"),
    path("warnings/<int:pk>/lift/", views.warning_lift, name="lift"),
    path("warnings/<int:pk>/answer/", views.warning_answer, name="answer"),
]
