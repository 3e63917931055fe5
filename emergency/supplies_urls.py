"""Pages of the emergency supplies, under /emergency/ (namespace `supplies`)."""

from __future__ import annotations

from django.urls import path

from . import supplies_views as views

app_name = "supplies"

urlpatterns = [
    path("emergency/warehouses/", views.warehouse_list, name="warehouses"),
    path("emergency/warehouses/new/", views.warehouse_new, name="warehouse-new"),
    path("emergency/warehouses/<int:pk>/", views.warehouse_detail, name="warehouse"),
    path("emergency/alerts/", views.alerts, name="alerts"),
    path("emergency/requests/", views.request_list, name="requests"),
    path("emergency/requests/new/", views.request_new, name="request-new"),
    path("emergency/requests/<int:pk>/", views.request_detail, name="request"),
    path("emergency/plans/", views.plan_list, name="plans"),
    path("emergency/plans/<int:pk>/", views.plan_detail, name="plan"),
    path("emergency/ledger.xlsx", views.ledger, name="ledger"),
]
