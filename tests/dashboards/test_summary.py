"""The monthly summary sentence: accidents (or none) and hazards, in the speech's words, within scope."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.translation import override

from accidents.models import Accident
from dashboards.summary import summary_sentence

from ..accidents.factories import make_accident, make_external
from .conftest import at, make


def accident(world, enterprise, occurred, deaths=0, kind="production") -> Accident:
    """An accident record as stored (the records' workflow is tested in accidents), with its final deaths."""
    return make_accident(enterprise, world.users["city"], occurred_at=at(*occurred), deaths=deaths, kind=kind)


@pytest.fixture
def half_year(world):
    """January to June 2026: 海滨区 (e1) 3 hazards found, 2 closed by June, 1 of them major and closed; 新城区 (e2)
    1 major found and open, 1 found in July. A dismissed one at e1 is not a hazard."""
    make(world, world.e1, found=(2, 1), closed=(3, 1))
    make(world, world.e1, "major", found=(4, 1), closed=(6, 20))
    make(world, world.e1, found=(6, 10), closed=(7, 3))  # closed after June: not yet rectified in the figures
    make(world, world.e1, found=(5, 5), status="dismissed")
    make(world, world.e2, "major", found=(5, 1))
    make(world, world.e2, found=(7, 2))
    return world


def test_no_accidents(half_year):
    assert summary_sentence(half_year.users["city"], 2026, 6) == (
        "1至6月份，全市工矿商贸领域未发生生产安全事故。"
        "共排查事故隐患4项，已整改2项，整改率50%；其中重大事故隐患2项，已整改1项。"
    )


def test_accidents_count_the_records_final_deaths(half_year):
    """GIVEN accident records: one at e1 in March whose final figure is two deaths, one at e2 in May, a near miss,
    one elsewhere (external) and one after June WHEN the June summary is said THEN it counts the two records here
    with the record's deaths, each scope its own (the rule of accidents.figures, not the incident reports)."""
    w = half_year
    accident(w, w.e1, (3, 5), deaths=2)  # the record's final figure (a supplement raised it from one)
    accident(w, w.e2, (5, 9))
    accident(w, w.e2, (5, 10), kind="near_miss")  # not an accident
    make_external(w.e1.region, w.e1.industry, w.users["city"], occurred_at=at(4, 2))  # elsewhere: not ours
    accident(w, w.e1, (7, 1), deaths=5)  # after June
    city = summary_sentence(w.users["city"], 2026, 6)
    assert city.startswith("1至6月份，全市发生生产安全事故2起，死亡2人。共排查事故隐患4项")
    assert summary_sentence(w.users["district"], 2026, 6) == (
        "1至6月份，海滨区发生生产安全事故1起，死亡2人。共排查事故隐患3项，已整改2项，整改率66.7%；"
        "其中重大事故隐患1项，已整改1项。"
    )
    assert summary_sentence(w.users["dept_head"], 2026, 6) == (
        "1至6月份，市住房和城乡建设局监管行业领域发生生产安全事故1起，未造成人员死亡。"
        "共排查事故隐患1项，已整改0项，整改率0%；其中重大事故隐患1项，已整改0项。"
    )


def test_january_and_no_hazards(world):
    assert summary_sentence(world.users["city"], 2026, 1) == (
        "1月份，全市工矿商贸领域未发生生产安全事故。同期未排查出事故隐患。"
    )
    make(world, world.e3, found=(1, 5), closed=(1, 6))
    assert summary_sentence(world.users["city"], 2026, 1).endswith(
        "共排查事故隐患1项，已整改1项，整改率100%，未发现重大事故隐患。"
    )


def test_english(half_year):
    w = half_year
    with override("en"):
        assert summary_sentence(w.users["city"], 2026, 6) == (
            "From January to June, there was no production safety accident in industry, mining and commerce in the "
            "city. 4 hazards were found and 2 rectified, a rectification rate of 50%; of them 2 major hazards, "
            "1 rectified."
        )
        accident(w, w.e1, (3, 5), deaths=1)
        assert summary_sentence(w.users["district"], 2026, 6).startswith(
            "From January to June, 海滨区 had 1 production safety accident, with 1 death. 3 hazards were found"
        )
        assert summary_sentence(w.users["county_dept"], 2026, 6).startswith(
            "From January to June, the industries supervised by 海滨区应急管理局 had 1 production safety accident"
        )
    assert summary_sentence(w.users["county_dept"], 2026, 1) == (
        "1月份，海滨区应急管理局监管行业领域未发生生产安全事故。同期未排查出事故隐患。"
    )


def test_reports_page_shows_the_sentence_and_the_due_date(client, world):
    client.force_login(world.users["city"])
    page = client.get(reverse("documents:reports")).content.decode()
    assert "工矿商贸领域未发生生产安全事故" in page and "15日前报送" in page
    assert reverse("documents:circular") in page and reverse("documents:quarterly") in page
    client.force_login(world.users["dept_head"])
    page = client.get(reverse("documents:reports")).content.decode()
    assert "市住房和城乡建设局" in page and reverse("documents:circular") not in page
    assert reverse("documents:reports") in page  # the nav link
    for name in ("enterprise", "outsider"):
        client.force_login(world.users[name])
        assert client.get(reverse("documents:reports")).status_code == 403
    client.force_login(world.users["enterprise"])
    assert reverse("documents:reports") not in client.get(reverse("hazards:list")).content.decode()
