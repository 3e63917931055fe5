"""The accident statistics page and its Excel workbook (namespace `accident_figures`)."""

from __future__ import annotations

from django.urls import path

from . import figure_views

app_name = "accident_figures"

urlpatterns = [
    path("accidents/statistics/", figure_views.statistics_page, name="statistics"),
    path("accidents/statistics.xlsx", figure_views.statistics_xlsx, name="xlsx"),
]
