"""The warning circular draft: overdue and recurring hazards by territory and department, within scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from dashboards.circular import circular

from .conftest import make, pdf_text


@pytest.fixture
def late(world):
    """海滨区: e1 overdue 3 days (confirmed, general); e1 a recurrence of a hazard closed last month (reported).
    新城区: e2 overdue 10 days (rectifying, major). Not in the circular: e3 open with a deadline ahead, e2 closed
    after its deadline passed, and an e1 hazard dismissed."""
    now = timezone.now()
    world.overdue = make(world, world.e1, found=(10, 1), status="confirmed", deadline=now - timedelta(days=3),
                         place="二号仓库")  # fmt: skip
    first = make(world, world.e1, found=(9, 1), closed=(10, 20))
    world.recurring = make(world, world.e1, found=(11, 2))
    assert world.recurring.recurrence_of == first
    world.major = make(world, world.e2, "major", found=(9, 5), status="rectifying", deadline=now - timedelta(days=10))
    world.ahead = make(world, world.e3, found=(11, 1), status="confirmed", deadline=now + timedelta(days=5))
    world.closed = make(world, world.e2, found=(8, 1), closed=(9, 1), deadline=now - timedelta(days=30))
    world.dismissed = make(world, world.e1, found=(11, 3), status="dismissed", deadline=now - timedelta(days=2),
                           place="三号仓库")  # fmt: skip
    return world


def test_city_circular_groups_by_territory_and_department(late):
    draft = circular(late.users["city"])
    assert [g.name for g in draft.territories] == ["海滨区", "新城区"]
    assert [e.hazard for e in draft.territories[0].entries] == [late.overdue, late.recurring]
    assert [e.hazard for e in draft.territories[1].entries] == [late.major]
    assert (draft.overdue, draft.major_overdue, draft.recurring) == (2, 1, 1)
    assert draft.territories[1].entries[0].days_overdue == 10
    departments = {g.name: (g.overdue, g.major_overdue, g.recurring) for g in draft.departments}
    assert departments == {"海滨区应急管理局": (1, 0, 1), "新城区住房和城乡建设局": (1, 1, 0)}


def test_district_circular_holds_only_its_territory(late):
    draft = circular(late.users["district"])
    assert [g.name for g in draft.territories] == ["海滨街道"]
    assert {e.hazard for e in draft.entries} == {late.overdue, late.recurring}
    assert draft.issuer == "海滨区人民政府"


def test_circular_pdf_reads_as_a_circular(client, late):
    client.force_login(late.users["city"])
    response = client.get(reverse("documents:circular"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content, "circular")
    flat = "".join(text.split())
    for expected in [
        *("关于逾期未整改和反复出现事故隐患情况的警示通报", "草稿", "滨海市安全生产委员会办公室", "各区（县）人民政府"),
        *("共有逾期未整改事故隐患2项，其中重大事故隐患1项", "再次出现的1项", "二、分属地情况", "（一）海滨区"),
        *("（二）新城区", late.overdue.code, late.recurring.code, late.major.code, "逾期10天", "逾期3天"),
        *(f"前次：{late.recurring.recurrence_of.code}", "三、分监管部门情况", "新城区住房和城乡建设局", "四、有关要求"),
    ]:
        assert expected in flat, expected
    for absent in (late.ahead.code, late.closed.code, late.dismissed.code):
        assert absent not in flat, absent


def test_empty_circular_says_so(client, world):
    client.force_login(world.users["district"])
    flat = "".join(pdf_text(client.get(reverse("documents:circular")).content, "circular-empty").split())
    assert "海滨区无逾期未整改和反复出现的事故隐患" in flat and "二、有关要求" in flat and "分属地" not in flat


@pytest.mark.parametrize("name", ["dept_head", "county_dept", "enterprise", "outsider"])
def test_only_city_office_and_governments_circulate(client, world, name):
    client.force_login(world.users[name])
    assert client.get(reverse("documents:circular")).status_code == 403
