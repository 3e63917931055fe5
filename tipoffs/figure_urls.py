"""Figures: by channel and kind, verified, on time, rewards paid (part: limits); namespace `tipoff_figures`, included
by safety_platform/urls.py. See docs/tipoffs.md."""

from __future__ import annotations

app_name = "tipoff_figures"

urlpatterns: list = []
