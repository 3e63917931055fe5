"""The public warnings, open without login (docs/warnings-cap.md)."""

from __future__ import annotations

from django.urls import path

from . import public_views

app_name = "public_warnings"

urlpatterns = [
    path("public/warnings/", public_views.public_warnings, name="page"),
    path("public/warnings.json", public_views.public_warnings_json, name="json"),
]
