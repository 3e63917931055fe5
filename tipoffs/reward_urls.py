"""Rewards: propose, approve, pay, the list (part: rewards); namespace `tipoff_rewards`, included by
safety_platform/urls.py. See docs/tipoffs.md."""

from __future__ import annotations

app_name = "tipoff_rewards"

urlpatterns: list = []
