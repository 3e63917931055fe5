"""A real Celery worker on the machine's Redis, against the test's PostgreSQL database."""

from __future__ import annotations

import uuid

import pytest

from ops.models import Heartbeat
from ops.tasks import ping

from ..conftest import need
from ..processes import celery, child_env, running, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_task_round_trip_through_a_real_worker(tmp_path):
    """GIVEN a worker process WHEN a task is enqueued on Redis THEN the worker writes its row to PostgreSQL."""
    need("postgresql", "redis")
    env = child_env(tmp_path)
    with running("worker", celery("worker", "-l", "info", "-c", "1"), env, tmp_path):
        token = uuid.uuid4().hex
        ping.delay(token)
        wait_for(lambda: Heartbeat.objects.filter(name="ping", token=token).exists(), 60, "the worker to run ping")
