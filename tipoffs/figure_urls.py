"""Figures: by channel and kind, verified, on time, rewards paid (part: limits); namespace `tipoff_figures`, included
by safety_platform/urls.py. See docs/tipoffs.md."""

from __future__ import annotations

from django.urls import path

from . import figure_views

app_name = "tipoff_figures"

urlpatterns: list = [
    path("tipoffs/figures/", figure_views.page, name="page"),
]
