"""URLs of the import and export of risk points (namespace `risks_io`)."""

from __future__ import annotations

from django.urls import path

from . import io_views

app_name = "risks_io"

urlpatterns = [
    path("risks/import/template.xlsx", io_views.template, name="template"),
    path("risks/import/", io_views.import_points, name="import"),
    path("risks/export.xlsx", io_views.export_points, name="export"),
]
