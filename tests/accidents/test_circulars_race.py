"""Two issuers at once, the year's counter missing: each circular gets its own serial (1 and 2), whichever made the
counter row, through real concurrent transactions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accidents import circulars
from accidents.models import Circular, CircularCounter

from .circulars_fixtures import *  # noqa: F403  (the fixtures)
from .circulars_fixtures import published_lesson

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_issuers_at_once_get_one_and_two(world, posts):
    """GIVEN two published lessons and no counter for the year WHEN two issuers issue at the same moment THEN both
    succeed, with serials 1 and 2, and the counter says 2."""
    lessons = [published_lesson(world), published_lesson(world)]
    start, errors = threading.Barrier(2), []

    def issue(lesson):
        try:
            start.wait(timeout=10)
            circulars.issue(world.users["city"], lesson.pk, title="关于某事故的警示通报", body="立即对照检查。")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=issue, args=(lesson,)) for lesson in lessons]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(Circular.objects.values_list("serial", flat=True)) == [1, 2]
    assert CircularCounter.objects.get().last == 2
