"""The demo's rewards (part: rewards): proposed, approved, rejected and paid, on the demo's closed reports."""

from __future__ import annotations


def load_demo_rewards() -> None:
    return None
