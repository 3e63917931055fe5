"""The rewards' API (part: rewards), included by safety_platform/api_urls.py. See docs/tipoffs.md."""

from __future__ import annotations

urlpatterns: list = []
