"""The queue's filters (tipoffs/filters.py), shared by the page and the API: `handler=mine` per unit, `overdue=1`,
the code, the state, the region within scope; and the reports a territory is handed outside its subtree."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tipoffs.filters import ReportFilterSet, seen_by

from .factories import make_report

pytestmark = pytest.mark.django_db


def codes(user, **params) -> set[str]:
    request = RequestFactory().get("/tipoffs/", params)
    request.user = user
    filterset = ReportFilterSet(request.GET, queryset=seen_by(user), request=request)
    assert filterset.is_valid(), filterset.errors
    return set(filterset.qs.values_list("code", flat=True))


def test_handler_mine_is_the_unit_handling_now(world):
    with_dept = make_report(world)  # 海滨区应急管理局
    with_city = make_report(world, department=None)  # the city office triages it
    with_d1 = make_report(world, department=None, handler_region=world.d1)
    with_zjj = make_report(world, department=world.zjj)
    closed = make_report(world, state="closed")
    assert codes(world.users["city"], handler="mine") == {with_city.code}
    assert codes(world.users["county_dept"], handler="mine") == {with_dept.code}
    assert codes(world.users["district"], handler="mine") == {with_d1.code}
    assert codes(world.users["dept_head"], handler="mine") == {with_zjj.code}
    assert codes(world.users["inspector"], handler="mine") == set()  # an inspector of 市应急管理局: not its unit
    assert closed.code in codes(world.users["county_dept"])  # in the queue, not among "mine" (closed)


def test_a_territory_sees_what_it_is_handed_outside_its_subtree(world):
    outside = make_report(world, region=world.t2, region_path=world.t2.path, department=None, handler_region=world.d1)
    assert outside.code in codes(world.users["district"])
    assert outside.code not in codes(world.users["county_dept"])
    assert codes(world.users["enterprise"]) == set() and codes(world.users["outsider"]) == set()


def test_overdue_and_state_and_code(world):
    now = timezone.now()
    late = make_report(world, state="accepted", accepted_at=now - timedelta(days=61), due_at=now - timedelta(days=1))
    answer_late = make_report(
        world, state="verified", verified_at=now - timedelta(days=11), feedback_due_at=now - timedelta(days=1)
    )
    on_time = make_report(world, state="accepted")
    received = make_report(world)
    city = world.users["city"]
    assert codes(city, overdue="1") == {late.code, answer_late.code}
    assert codes(city, state=["accepted", "received"]) == {late.code, on_time.code, received.code}
    assert codes(city, q=received.code.lower()) == {received.code}
    assert codes(city, q=received.code[:8]) >= {received.code, late.code}


def test_a_region_outside_the_scope_is_not_a_choice(world):
    make_report(world)
    request = RequestFactory().get("/tipoffs/", {"region": world.d2.pk})
    request.user = world.users["district"]
    filterset = ReportFilterSet(request.GET, queryset=seen_by(request.user), request=request)
    assert not filterset.is_valid() and "region" in filterset.errors
    assert codes(world.users["city"], region=world.d2.pk) == set()
