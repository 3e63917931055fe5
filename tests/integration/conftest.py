from __future__ import annotations

import pytest
from django.conf import settings


@pytest.fixture(autouse=True)
def empty_queues():
    """Start each process test with the platform's queues empty on REDIS_URL: messages left by an earlier test
    (thousands of deliveries after a fault test) would otherwise delay this one's tasks past their expiry."""
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete("celery", "escalation", "unacked", "unacked_index", "unacked_mutex")
    yield
