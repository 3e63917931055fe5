"""The same finding sent twice at once (a retry while the first request is still being written): both answer with
the one hazard, through real concurrent transactions."""

from __future__ import annotations

import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from hazards.models import Hazard, HazardCategory
from inspections import workflow
from inspections.models import Finding, Inspection

from .test_inspections import start

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_retry_that_waited_for_the_first_finds_its_finding(ins):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    inspection = Inspection.objects.get(pk=start(ins).json()["id"])
    values = {"title": "配电箱未上锁", "place": "一号仓库", "category": HazardCategory.objects.get(code="fire")}
    key, results, errors = uuid.uuid4(), [], []

    def send():
        try:
            results.append(workflow.file_finding(ins.users["inspector"], inspection.pk, values, key))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(2)]
    with transaction.atomic():  # hold the inspection: both requests pass the first look, then wait for its lock
        Inspection.objects.select_for_update().get(pk=inspection.pk)
        for thread in threads:
            thread.start()
        time.sleep(1)
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(created for _hazard, created in results) == [False, True]
    assert len({hazard.pk for hazard, _created in results}) == 1
    assert Hazard.objects.count() == Finding.objects.count() == 1
