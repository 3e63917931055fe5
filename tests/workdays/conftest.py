from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _calendar_seeded(request):
    """The calendar rows come from a data migration; restore them if a transactional test flushed them."""
    if request.node.get_closest_marker("django_db") or "db" in request.fixturenames:
        request.getfixturevalue("seeded")
