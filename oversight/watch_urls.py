"""Pages of oversight's watch part (namespace `watches`), included by safety_platform/urls.py."""

from __future__ import annotations

app_name = "watches"

urlpatterns: list = []
