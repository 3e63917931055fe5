"""Pages of oversight's illegal part (namespace `illegal`), included by safety_platform/urls.py."""

from __future__ import annotations

app_name = "illegal"

urlpatterns: list = []
