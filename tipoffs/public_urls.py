"""The public pages, open without login: the form, the receipt, the progress lookup (part: public); namespace
`tipoffs_public`, included by safety_platform/urls.py. See docs/tipoffs.md."""

from __future__ import annotations

from django.urls import path

from . import public_views

app_name = "tipoffs_public"

urlpatterns = [
    path("public/tipoffs/", public_views.form, name="form"),
    path("public/tipoffs/progress/", public_views.progress, name="progress"),
    path("public/tipoffs/enterprises.json", public_views.enterprises, name="enterprises"),
]
