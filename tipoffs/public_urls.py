"""The public pages, open without login: the form, the receipt, the progress lookup (part: public); namespace
`tipoffs_public`, included by safety_platform/urls.py. See docs/tipoffs.md."""

from __future__ import annotations

app_name = "tipoffs_public"

urlpatterns: list = []
