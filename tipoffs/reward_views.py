"""The rewards' pages (part: rewards). `section(request, report)` gives the context of the report page's reward
section (templates/tipoffs/_reward.html), included by the handlers' report page."""

from __future__ import annotations


def section(request, report) -> dict:
    return {}
