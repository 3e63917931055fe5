"""Issuing at the same moment on real database connections: distinct consecutive numbers, one per hazard."""

from __future__ import annotations

import pytest

from dashboards import documents
from dashboards.models import IssuedDocument

from ..conftest import need
from ..hazards.conftest import advance
from ..hazards.test_concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_issues_get_distinct_consecutive_numbers(hz):
    need("postgresql")
    hazards = [advance(hz, "confirmed") for _ in range(4)]
    issuers = [hz.users[name] for name in ("county_dept", "county_head", "inspector", "city")]
    results = race(
        *[lambda u=u, h=h: documents.issue(u, h.pk, "notice") for u, h in zip(issuers, hazards, strict=True)]
    )
    assert sorted(r.serial for r in results) == [1, 2, 3, 4], results


def test_two_prints_of_one_hazard_at_once_share_one_number(hz):
    need("postgresql")
    hazard = advance(hz, "confirmed")
    users = [hz.users["county_dept"], hz.users["county_head"], hz.users["city"]]
    results = race(*[lambda u=u: documents.issue(u, hazard.pk, "notice") for u in users])
    assert {r.pk for r in results} == {IssuedDocument.objects.get().pk}, results
    assert IssuedDocument.objects.get().serial == 1
