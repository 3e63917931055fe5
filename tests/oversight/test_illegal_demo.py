"""The demo's illegal operations: a dozen through the writer, of every source and several kinds and results, some
outside the registry, one marking the registry's borrowed-qualification flag; a second run changes nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from organizations.demo import load_demo
from organizations.models import Enterprise
from oversight.demo_illegal import load_demo_illegal
from oversight.models import IllegalOperation
from tests.conftest import reseed

pytestmark = pytest.mark.django_db


def test_the_demo_city_has_a_dozen_illegal_operations():
    reseed()
    load_demo()
    assert load_demo_illegal() == {"illegal_operations": 12}
    rows = IllegalOperation.objects.all()
    assert {r.source for r in rows} == {"inspection", "tip_off", "watch", "patrol", "other"}
    assert {r.result for r in rows} == {"open", "banned", "stopped", "referred", "rectified"}
    assert len({r.kind for r in rows}) >= 6
    assert rows.filter(enterprise__isnull=True).count() >= 5 and rows.filter(enterprise__isnull=False).count() >= 4
    assert all(r.department_id for r in rows) and all(r.found_on.year == timezone.localdate().year for r in rows)
    flagged = rows.get(kind="borrowed_qualification").enterprise
    assert Enterprise.objects.get(pk=flagged.pk).is_borrowed_qualification
    assert load_demo_illegal() == {"illegal_operations": 0}
    assert IllegalOperation.objects.count() == 12
