"""Two people acting at the same moment, on two real database connections: exactly one wins."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from hazards import workflow
from hazards.models import Hazard, HazardEvent
from safety_platform.lib.errors import Conflict

from ..conftest import need
from .conftest import advance, filing

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run the calls at once, each in its own thread (so its own connection); return results or exceptions."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except Exception as exc:  # the loser's Conflict is the point of the test
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_two_acceptances_at_once_one_wins(hz):
    need("postgresql")
    hazard = advance(hz, "awaiting_acceptance")
    a, b = hz.users["county_dept"], hz.users["county_head"]
    results = race(lambda: workflow.accept(a, hazard.pk), lambda: workflow.accept(b, hazard.pk))
    winners = [r for r in results if isinstance(r, Hazard)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert HazardEvent.objects.filter(hazard=hazard, action="accept").count() == 1


def test_accept_and_reject_at_once_one_wins(hz):
    need("postgresql")
    hazard = advance(hz, "awaiting_acceptance")
    results = race(
        lambda: workflow.accept(hz.users["county_dept"], hazard.pk),
        lambda: workflow.reject(hz.users["county_head"], hazard.pk, "不合格"),
    )
    assert sum(isinstance(r, Hazard) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 1
    hazard.refresh_from_db()
    assert HazardEvent.objects.filter(hazard=hazard, action__in=["accept", "reject"]).count() == 1


def test_concurrent_filings_get_distinct_consecutive_codes(hz):
    need("postgresql")
    users = [hz.users["inspector"], hz.users["county_dept"], hz.users["county_head"], hz.users["city"]]
    results = race(*[lambda u=u: workflow.file_hazard(u, filing(hz, title=u.username))[0] for u in users])
    codes = sorted(r.code for r in results)
    assert len(set(codes)) == 4, results
    assert [int(c.rsplit("-", 1)[1]) for c in codes] == [1, 2, 3, 4]


def test_double_submit_with_one_key_files_once(hz):
    need("postgresql")
    import uuid

    key = uuid.uuid4()
    user = hz.users["inspector"]
    results = race(*[lambda: workflow.file_hazard(user, filing(hz, idempotency_key=key)) for _ in range(3)])
    hazards = {r[0].pk for r in results if isinstance(r, tuple)}
    assert len(hazards) == 1, results
    assert sum(1 for r in results if isinstance(r, tuple) and r[1]) == 1
    assert Hazard.objects.count() == 1
