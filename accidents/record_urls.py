"""Pages of the accident records under /accidents/ (namespace `accidents`)."""

from __future__ import annotations

from django.urls import path

from . import record_views

app_name = "accidents"

urlpatterns = [
    path("accidents/", record_views.accident_list, name="list"),
    path("accidents/<int:pk>/", record_views.accident_detail, name="detail"),
    path("accidents/from-incident/<int:incident_pk>/", record_views.from_incident, name="from-incident"),
    path("accidents/elsewhere/new/", record_views.external_new, name="external"),
    path("accidents/<int:pk>/edit/", record_views.accident_edit, name="edit"),
    path("accidents/<int:pk>/close/", record_views.accident_close, name="close"),
    path("accidents/<int:pk>/report/", record_views.report, name="report"),
]
