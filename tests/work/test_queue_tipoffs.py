"""The tip-offs in the handler's queue (work/queues.py, #20): what waits for the person's unit (the list's
`handler=mine`), awaiting triage, overdue and awaiting the answer, each entry opening the list with the same filters;
one query more whatever the number of reports."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tipoffs.models import Report, overdue_q
from work import queues

from ..tipoffs.factories import make_report
from .test_queues import rows_on

pytestmark = pytest.mark.django_db


def reports(world, n: int = 1) -> None:
    """n rounds of: 海滨区应急管理局's two awaiting triage, one overdue, one awaiting the answer, one in time; the
    city office's one awaiting triage and one whose answer is overdue; one handed to 海滨区 awaiting triage."""
    now = timezone.now()
    late = {"accepted_at": now - timedelta(days=61), "due_at": now - timedelta(minutes=1)}
    for _i in range(n):
        make_report(world, "received")
        make_report(world, "received")
        make_report(world, "accepted", **late)
        make_report(world, "verified")
        make_report(world, "accepted")
        make_report(world, "received", department=None)
        make_report(world, "verified", department=None, verified_at=now - timedelta(days=11))
        make_report(world, "received", department=None, handler_region=world.d1)


def tipoff_entries(user) -> dict:
    return {e.key: e for s in queues.build(user) for e in s.entries if e.key.startswith("tipoffs_")}


def test_each_handling_unit_sees_what_waits_for_it(world):
    reports(world)
    counts = {who: {k: e.count for k, e in tipoff_entries(world.users[who]).items()}
              for who in ("county_dept", "city", "district")}  # fmt: skip
    assert counts["county_dept"] == {"tipoffs_received": 2, "tipoffs_overdue": 1, "tipoffs_feedback": 1}
    assert counts["city"] == {"tipoffs_received": 1, "tipoffs_overdue": 1, "tipoffs_feedback": 1}
    assert counts["district"]["tipoffs_received"] == 1 and counts["district"]["tipoffs_overdue"] == 0
    assert tipoff_entries(world.users["enterprise"]) == {} and tipoff_entries(world.users["inspector"]) == {}
    entries = tipoff_entries(world.users["county_dept"])
    assert entries["tipoffs_overdue"].url == "/tipoffs/?overdue=1&handler=mine" and entries["tipoffs_overdue"].urgent
    assert entries["tipoffs_received"].url == "/tipoffs/?state=received&handler=mine"


def test_the_counts_are_the_lists_definitions(world):
    """The same definitions as the list's filters: `handler=mine` (limits.handled_by) and `overdue=1`
    (models.overdue_q); and, once the list is there, its rows."""
    from tipoffs.limits import handled_by

    reports(world)
    now = timezone.now()
    for who in ("county_dept", "city", "district"):
        user = world.users[who]
        mine = Report.objects.filter(handled_by(user))
        entries = tipoff_entries(user)
        assert entries["tipoffs_overdue"].count == mine.filter(overdue_q(now)).count()
        assert entries["tipoffs_received"].count == mine.filter(state="received").count()


def test_every_count_equals_the_list_it_opens(client, world):
    reports(world)
    for who in ("county_dept", "city", "district"):
        client.force_login(world.users[who])
        for entry in tipoff_entries(world.users[who]).values():
            assert rows_on(client, entry.url) == entry.count, (who, entry.key)


def test_one_query_whatever_the_number_of_reports(world):
    def queries() -> int:
        user = type(world.users["county_dept"]).objects.get(pk=world.users["county_dept"].pk)
        with CaptureQueriesContext(connection) as context:
            queues.build(user)
        return len(context.captured_queries)

    reports(world)
    queries()  # the reference tables are read once and kept across requests (organizations.scope.Reference.shared)
    small = queries()
    reports(world, 3)
    assert queries() == small
    assert tipoff_entries(world.users["county_dept"])["tipoffs_received"].count == 8
