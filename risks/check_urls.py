from __future__ import annotations

from django.urls import path

from . import check_views

app_name = "risk_checks"

urlpatterns = [
    path("risks/points/<int:pk>/check/", check_views.check, name="check"),
    path("risks/checks/", check_views.check_list, name="list"),
    path("risks/checks/today/", check_views.due_today, name="today"),
    path("risks/checks/overdue/", check_views.overdue, name="overdue"),
]
