"""The API of oversight's people part, included under /api/v1/ by safety_platform/api_urls.py."""

from __future__ import annotations

from safety_platform.lib.api import app_router

router = app_router()

urlpatterns = [*router.urls]
