"""Pages of oversight's enforcement part (namespace `enforcement`), included by safety_platform/urls.py."""

from __future__ import annotations

from django.urls import path

from . import enforcement_views

app_name = "enforcement"

urlpatterns = [
    path("oversight/enforcement/", enforcement_views.action_list, name="list"),
    path("oversight/enforcement/<int:pk>/", enforcement_views.action_detail, name="detail"),
    path("oversight/enforcement/<int:pk>/pdf/", enforcement_views.action_pdf, name="pdf"),
    path("oversight/enterprises/<int:pk>/enforcement/new/", enforcement_views.action_new, name="new"),
]
