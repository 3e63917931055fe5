from __future__ import annotations

from django.urls import path

from . import accident_panel, tipoff_panel, views

app_name = "dashboards"

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/panels/coverage/", views.coverage_panel, name="panel-coverage"),
    path("dashboard/panels/duty/", views.duty_panel, name="panel-duty"),
    path("dashboard/panels/look-backs/", views.look_backs_panel, name="panel-look-backs"),
    path("dashboard/panels/readiness/", views.readiness_panel, name="panel-readiness"),
    # --- accidents (#18, figures) ---
    path("dashboard/panels/accidents/", accident_panel.accidents_panel, name="panel-accidents"),
    # --- tip-offs (#20, limits) ---
    path("dashboard/panels/tipoffs/", tipoff_panel.tipoffs_panel, name="panel-tipoffs"),
    path("hazards/ledger/", views.ledger_export, name="ledger"),
    path("exports/<int:pk>/", views.export_page, name="export"),
    path("exports/<int:pk>/status/", views.export_status, name="export-status"),
    path("exports/<int:pk>/download/", views.export_download, name="export-download"),
]
