from __future__ import annotations

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.inbox, name="inbox"),
    path("notifications/read-all/", views.read_all, name="read-all"),
    path("notifications/unanswered/", views.unanswered, name="unanswered"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/<int:pk>/", views.detail, name="detail"),
    path("notifications/<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
]
