"""Per-hazard documents, periodic statistics and circulars (PDF and Excel)."""

from __future__ import annotations

app_name = "documents"

urlpatterns: list = []
