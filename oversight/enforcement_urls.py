"""Pages of oversight's enforcement part (namespace `enforcement`), included by safety_platform/urls.py."""

from __future__ import annotations

app_name = "enforcement"

urlpatterns: list = []
