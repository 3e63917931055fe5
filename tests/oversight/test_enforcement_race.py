"""Two issuers at once, the kind's counter for the year missing: each document gets its own serial (1 and 2),
whichever made the counter row, through real concurrent transactions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from oversight.enforcement import issue
from oversight.models import ActionCounter, EnforcementAction

from .enforcement_fixtures import BASIS, FACTS

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_issuers_at_once_get_one_and_two(world):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    start, errors = threading.Barrier(2), []

    def run(user, enterprise):
        try:
            start.wait(timeout=10)
            issue(user, enterprise.pk, "penalty", facts=FACTS, basis=BASIS, amount="1000")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(world.users["county_dept"], world.e1)),
               threading.Thread(target=run, args=(world.users["city"], world.e3))]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(EnforcementAction.objects.values_list("serial", flat=True)) == [1, 2]
    assert ActionCounter.objects.get(kind="penalty").last == 2
