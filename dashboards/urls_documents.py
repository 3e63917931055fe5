"""Per-hazard documents, periodic statistics and circulars (PDF and Excel)."""

from __future__ import annotations

from django.urls import path

from . import documents_views as views

app_name = "documents"

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/quarterly.xlsx", views.quarterly_table, name="quarterly"),
    path("reports/warning-circular.pdf", views.warning_circular, name="circular"),
    path("hazards/<int:pk>/documents/<slug:kind>/issue/", views.issue_document, name="issue"),
    path("hazards/<int:pk>/documents/<slug:kind>.pdf", views.hazard_document, name="hazard-document"),
]
