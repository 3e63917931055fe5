"""The risk point pages: the list in scope with its filters (the drill-down parameters, by count), an enterprise's
list grouped by colour, the point's page, registering, changing, evaluating (preview, then save) and retiring through
the forms, refusals (403, 404, 409 by message), and the overdue re-evaluations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from hazards import workflow
from risks import points
from risks.models import PointHazard, RiskPoint
from tests.hazards.conftest import filing

from ..factories import PositionFactory, UserFactory, assign
from .factories import make_point

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(world):
    """e1 (chemicals, 海滨区): red key place, orange, yellow overdue; e2 (building, 新城区): blue; e3 (mine): yellow
    out of use."""
    p = {
        "red": make_point(world.e1, "red", name="液氨储罐", place="罐区", is_key_place=True),
        "orange": make_point(world.e1, "orange", name="装卸栈台", place="装卸区"),
        "yellow": make_point(world.e1, "yellow", name="叉车作业", place="仓库"),
        "blue": make_point(world.e2, "blue", name="塔吊", place="工地"),
        "retired": make_point(world.e3, "yellow", name="旧井口"),
    }
    RiskPoint.objects.filter(pk=p["yellow"].pk).update(reevaluate_by=timezone.localdate() - timedelta(days=2))
    RiskPoint.objects.filter(pk=p["retired"].pk).update(is_active=False)
    return p


def names(response) -> set[str]:
    items = response.context["grouped"] if response.context["grouped"] is not None else response.context["page"].items
    return {p.name for p in items}


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", {"液氨储罐", "装卸栈台", "叉车作业", "塔吊"}), ("colour=red", {"液氨储罐"}), ("key_place=1", {"液氨储罐"}),
     ("reevaluation=overdue", {"叉车作业"}), ("q=罐区", {"液氨储罐"}), ("q=塔", {"塔吊"}), ("kind=place", None),
     ("region=D1", {"液氨储罐", "装卸栈台", "叉车作业"}), ("industry=SECTOR", {"液氨储罐", "装卸栈台", "叉车作业"}),
     ("department=D1_YJJ", {"液氨储罐", "装卸栈台", "叉车作业"}), ("enterprise=E2", {"塔吊"})],
)  # fmt: skip
def test_the_city_office_lists_points_in_use_with_the_drill_down_filters(world, city, client, query, expected):
    """GIVEN five points, one out of use WHEN the city office filters the list THEN it gets exactly those (the
    region's subtree, the sector's industries, the stored department)."""
    for key, value in {
        "D1_YJJ": world.d1_yjj.pk,
        "D1": world.d1.pk,
        "SECTOR": world.sector.pk,
        "E2": world.e2.pk,
    }.items():
        query = query.replace(key, str(value))
    client.force_login(world.users["city"])
    response = client.get(reverse("risks:list") + "?" + query)
    assert response.status_code == 200
    if expected is None:  # every factory point is a place
        expected = {"液氨储罐", "装卸栈台", "叉车作业", "塔吊"}
    assert names(response) == expected


def test_a_bad_filter_is_a_400_naming_it(world, city, client):
    client.force_login(world.users["city"])
    response = client.get(reverse("risks:list") + "?colour=purple&key_place=maybe")
    assert response.status_code == 400
    assert set(response.context["filter"].errors) == {"colour", "key_place"}


def test_scope_an_enterprise_sees_its_own_grouped_by_colour_a_department_its_industries(world, city, client):
    client.force_login(world.users["enterprise"])
    response = client.get(reverse("risks:list"))
    assert [p.name for p in response.context["grouped"]] == ["液氨储罐", "装卸栈台", "叉车作业"]
    html = response.content.decode()
    assert html.index("重大风险（红）") < html.index("较大风险（橙）") < html.index("罐区")
    client.force_login(world.users["dept_head"])  # 市住建局: building only
    assert names(client.get(reverse("risks:list"))) == {"塔吊"}
    assert client.get(reverse("risks:detail", args=[city["red"].pk])).status_code == 404
    client.force_login(world.users["outsider"])
    assert names(client.get(reverse("risks:list"))) == set()


def test_the_point_page_shows_words_meanings_history_hazards_and_the_keepers_buttons(world, city, client):
    point = city["red"]
    hazard, _ = workflow.file_hazard(world.users["city"], filing(world, title="液氨储罐压力表失效"))
    PointHazard.objects.create(point=point, hazard=hazard)
    client.force_login(world.users["enterprise"])
    html = client.get(reverse("risks:detail", args=[point.pk])).content.decode()
    for text in ("化学", "火灾", "中毒和窒息", "完全可以预料", "每天工作时间内暴露", "措施1", "首次评价",
                 "液氨储罐压力表失效", f"/risks/points/{point.pk}/check/", f"/risks/points/{point.pk}/card.pdf",
                 reverse("risks:evaluate", args=[point.pk]), reverse("risks:retire", args=[point.pk])):  # fmt: skip
        assert text in html, text
    client.force_login(world.users["city"])
    html = client.get(reverse("risks:detail", args=[point.pk])).content.decode()
    assert reverse("risks:evaluate", args=[point.pk]) not in html and "液氨储罐" in html


def test_the_enterprise_registers_a_point_through_the_form(world, client):
    client.force_login(world.users["enterprise"])
    assert client.get(reverse("risks:create")).status_code == 200
    form = {"name": "储罐", "kind": "facility", "place": "罐区", "control_level": "company", "responsible_name": "李工",
            "hazard_factors": ["22"], "accident_types": ["19"], "controls-TOTAL_FORMS": "2",
            "controls-INITIAL_FORMS": "0", "controls-0-kind": "engineering", "controls-0-measure": "泄漏报警",
            "controls-1-kind": "", "controls-1-measure": "", "method": "ls", "ls_l": "4", "ls_s": "4"}  # fmt: skip
    response = client.post(reverse("risks:create"), form)
    point = RiskPoint.objects.get(name="储罐")
    assert response.status_code == 302 and (point.colour, point.enterprise) == ("orange", world.e1)
    bad = client.post(reverse("risks:create"), form | {"ls_l": "", "controls-0-kind": "", "controls-0-measure": ""})
    assert bad.status_code == 400 and RiskPoint.objects.count() == 1
    assert bad.context["judged"].errors["ls_l"] and bad.context["controls"].non_form_errors()
    client.force_login(world.users["city"])
    assert client.get(reverse("risks:create")).status_code == 403


def test_edit_evaluate_with_preview_and_retire_through_the_forms(world, city, client):
    point = city["yellow"]
    client.force_login(world.users["enterprise"])
    edit = reverse("risks:edit", args=[point.pk])
    assert client.get(edit).status_code == 200
    form = {"name": "叉车作业", "kind": "activity", "place": "新仓库", "control_level": "team",
            "responsible_name": "王工", "hazard_factors": ["22"], "accident_types": ["08", "19"],
            "controls-TOTAL_FORMS": "2", "controls-INITIAL_FORMS": "2", "controls-0-kind": "engineering",
            "controls-0-measure": "措施1", "controls-1-kind": "management", "controls-1-measure": "措施2"}  # fmt: skip
    assert client.post(edit, form).status_code == 302
    assert RiskPoint.objects.get(pk=point.pk).reevaluation_reason == "change"
    evaluate = reverse("risks:evaluate", args=[point.pk])
    inputs = {"occasion": "change", "method": "lec", "lec_l": "10", "lec_e": "6", "lec_c": "7"}
    preview = client.post(evaluate, inputs | {"preview": "1"})
    assert preview.status_code == 200 and preview.context["preview"].colour == "red"
    assert RiskPoint.objects.get(pk=point.pk).colour == "yellow"  # not saved
    lowered = client.post(evaluate, inputs | {"override_colour": "blue", "override_reason": "x", "save": "1"})
    assert lowered.status_code == 400 and lowered.context["judged"].errors["override_colour"]
    assert client.post(evaluate, inputs | {"save": "1"}).status_code == 302
    point = RiskPoint.objects.get(pk=point.pk)
    assert (point.colour, point.reevaluation_reason) == ("red", "yearly")
    retire = reverse("risks:retire", args=[point.pk])
    assert client.post(retire, {"reason": ""}).status_code == 400
    assert client.post(retire, {"reason": "已拆除"}).status_code == 302
    again = client.get(retire, follow=True)  # out of use: back on its page, told why
    assert again.redirect_chain[-1][0] == reverse("risks:detail", args=[point.pk])
    assert "该风险点已停用。" in again.content.decode()


def test_refusals_a_department_may_look_not_change_and_another_enterprise_gets_404(world, city, client):
    point = city["red"]
    client.force_login(world.users["county_dept"])
    assert client.get(reverse("risks:detail", args=[point.pk])).status_code == 200
    assert client.get(reverse("risks:evaluate", args=[point.pk])).status_code == 403
    other = UserFactory(unit_kind="enterprise", enterprise=world.e2)
    assign(other, PositionFactory(kind="enterprise_safety_manager", unit_kind="enterprise", enterprise=world.e2))
    client.force_login(other)
    assert client.get(reverse("risks:edit", args=[point.pk])).status_code == 404


def test_the_overdue_re_evaluations_page_lists_past_dates_and_reasons_in_scope(world, city, client):
    points.mark_due(RiskPoint.objects.filter(pk=city["blue"].pk), "accident")
    client.force_login(world.users["city"])
    response = client.get(reverse("risks:reevaluations"))
    assert [p.name for p in response.context["page"].items] == ["叉车作业", "塔吊"]
    client.force_login(world.users["enterprise"])
    assert [p.name for p in client.get(reverse("risks:reevaluations")).context["page"].items] == ["叉车作业"]
