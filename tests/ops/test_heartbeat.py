"""The heartbeat counts every run, also the first runs of two workers at once (docs/topology.md)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from ops.heartbeat import beat
from ops.models import Heartbeat

from ..conftest import need
from ..processes import wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_two_first_runs_at_once_are_both_counted():
    """GIVEN one worker's first run has inserted the row and not yet committed WHEN another worker's first run
    records its beat (it sees no row to update, so it inserts too, and waits on the key) THEN the row counts 2."""
    need("postgresql")
    inserted, release = threading.Event(), threading.Event()

    def first() -> None:
        try:
            with transaction.atomic():
                Heartbeat.objects.create(name="race", runs=1, last_at=timezone.now())
                inserted.set()
                release.wait(30)
        finally:
            connection.close()

    def second() -> None:
        try:
            beat("race")
        finally:
            connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert inserted.wait(30)
    threads[1].start()
    try:
        wait_for(waiting_on_a_lock, 30, "the second run to wait on the first one's row")
    finally:
        release.set()
        for thread in threads:
            thread.join(30)
    assert Heartbeat.objects.get(name="race").runs == 2
