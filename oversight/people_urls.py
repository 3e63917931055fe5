"""Pages of oversight's people part (namespace `principals`), included by safety_platform/urls.py."""

from __future__ import annotations

app_name = "principals"

urlpatterns: list = []
