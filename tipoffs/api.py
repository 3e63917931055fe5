"""The handlers' API (reports, their actions) (part: handling), included by safety_platform/api_urls.py. See
docs/tipoffs.md."""

from __future__ import annotations

urlpatterns: list = []
