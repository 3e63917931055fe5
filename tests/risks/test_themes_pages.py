"""The risk themes' pages: the list with counts, the form, a theme's page with its counts by region and drill-down,
the enterprise's themes with the confirm button; each refused to whom it should be, with a pinned query count."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils.timezone import localtime

from risks import themes
from risks.choices import ThemeStatus
from risks.models import RiskTheme, ThemeConfirmation

from .themes_fixtures import *  # noqa: F403  (the fixture)
from .themes_fixtures import fields, published


def login(client, user):
    client.force_login(user)
    return client


def test_the_list_shows_the_themes_in_scope_with_their_counts(client, world, posts):
    """GIVEN a city theme with e1 confirmed and a 新城区 theme WHEN 海滨区's leader opens the list THEN the city theme
    with 1 confirmed and 1 not yet (its own region's), not 新城区's; the city office sees both."""
    city_theme = published(world.users["city"])
    published(world.users["lead2"], region=world.d2, title="新城区冬季防火")
    themes.confirm(world.users["enterprise"], city_theme.pk)
    page = login(client, world.users["district"]).get(reverse("risk_themes:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "元旦假期风险" in html and "新城区冬季防火" not in html
    assert "已确认 1" in html and "未确认 1" in html
    html = login(client, world.users["city"]).get(reverse("risk_themes:list")).content.decode()
    assert "新城区冬季防火" in html and "新建风险主题" in html


def test_the_list_is_pinned_in_queries(client, world, posts, django_assert_max_num_queries):
    """GIVEN six published themes WHEN the city office opens the list THEN at most a fixed number of queries."""
    for n in range(6):
        published(world.users["city"], title=f"主题{n}")
    login(client, world.users["city"])
    with django_assert_max_num_queries(16):
        assert client.get(reverse("risk_themes:list")).status_code == 200


@pytest.mark.parametrize(("who", "status"), [("outsider", 403), ("enterprise", 302)])
def test_the_list_refuses_those_without_a_government_unit(client, world, who, status):
    """GIVEN someone without a unit, an enterprise THEN 403, a redirect to its own themes."""
    assert login(client, world.users[who]).get(reverse("risk_themes:list")).status_code == status


def test_the_form_creates_a_draft_and_shows_errors_by_field(client, world, posts):
    """GIVEN the city office WHEN it posts the form with the last day before the first THEN 400 with the message on
    the field; WHEN correct THEN a draft and a redirect to its page, offering publish."""
    login(client, world.users["city"])
    assert client.get(reverse("risk_themes:new")).status_code == 200
    values = fields()
    data = {
        "kind": "holiday", "title": "元旦假期风险", "region": world.city.pk, "industries": [world.chem.pk],
        "starts_on": values["starts_on"].isoformat(),
        "ends_on": (values["starts_on"] - timedelta(days=1)).isoformat(),
        "confirm_by": values["confirm_by"].strftime("%Y-%m-%dT%H:%M"), "required_controls": "动火作业审批",
    }  # fmt: skip
    bad = client.post(reverse("risk_themes:new"), data)
    assert bad.status_code == 400 and "最后一天不能早于第一天" in bad.content.decode()
    data["ends_on"] = values["ends_on"].isoformat()
    done = client.post(reverse("risk_themes:new"), data)
    theme = RiskTheme.objects.get()
    assert done.status_code == 302 and done.url == reverse("risk_themes:detail", args=[theme.pk])
    assert list(theme.industries.all()) == [world.chem]
    page = client.get(done.url).content.decode()
    assert 'value="publish"' in page and "危险化学品" in page


def test_the_form_is_refused_to_an_enterprise_and_a_published_theme_is_not_edited(client, world, posts):
    """GIVEN an enterprise THEN the new form is 403; GIVEN a published theme THEN its edit page is 403."""
    assert login(client, world.users["enterprise"]).get(reverse("risk_themes:new")).status_code == 403
    theme = published(world.users["city"])
    assert login(client, world.users["city"]).get(reverse("risk_themes:edit", args=[theme.pk])).status_code == 403


def test_publish_and_withdraw_from_the_theme_page(client, world, posts):
    """GIVEN a draft WHEN its owner presses publish THEN published to 4 enterprises, said so; WHEN withdraw THEN
    withdrawn; a district cannot (the buttons are not offered, a POST changes nothing)."""
    theme = themes.create(world.users["city"], **fields())
    login(client, world.users["city"])
    answer = client.post(reverse("risk_themes:detail", args=[theme.pk]), {"do": "publish"}, follow=True)
    assert "已发布给 4 家企业" in answer.content.decode()
    assert RiskTheme.objects.get().status == ThemeStatus.PUBLISHED
    login(client, world.users["district"])
    page = client.get(reverse("risk_themes:detail", args=[theme.pk])).content.decode()
    assert 'value="withdraw"' not in page
    client.post(reverse("risk_themes:detail", args=[theme.pk]), {"do": "withdraw"})
    assert RiskTheme.objects.get().status == ThemeStatus.PUBLISHED
    login(client, world.users["city"])
    client.post(reverse("risk_themes:detail", args=[theme.pk]), {"do": "withdraw", "reason": "取消"})
    assert RiskTheme.objects.get().status == ThemeStatus.WITHDRAWN


def test_the_theme_page_counts_by_region_and_drills_down_to_the_overdue(client, world, posts):
    """GIVEN a city theme with e1 confirmed and confirm-by passed WHEN the city office opens it THEN a row per
    district (海滨区 1 confirmed, 1 overdue; 新城区 2 overdue) and the overdue enterprises listed; WHEN ?region=新城区
    THEN only e2 and e3; a theme out of scope is a 404."""
    theme = published(world.users["city"])
    themes.confirm(world.users["enterprise"], theme.pk)
    url = reverse("risk_themes:detail", args=[theme.pk])
    with time_machine.travel(theme.confirm_by + timedelta(hours=1)):
        login(client, world.users["city"])
        page = client.get(url, {"state": "overdue"})
        html = page.content.decode()
        assert page.status_code == 200
        region_rows = [(r.region.name, r.counts) for r in page.context["by_region"]]
        assert region_rows == [("海滨区", themes.Counts(1, 0, 1)), ("新城区", themes.Counts(0, 0, 2))]
        listed = {c.enterprise_id for c in page.context["page"].items}
        assert listed == {world.e2.pk, world.e3.pk, world.e4.pk} and "新城矿业有限公司" in html
        narrow = client.get(url, {"state": "overdue", "region": world.d2.pk})
        assert {c.enterprise_id for c in narrow.context["page"].items} == {world.e2.pk, world.e3.pk}
    other = published(world.users["lead2"], region=world.d2)
    assert login(client, world.users["district"]).get(reverse("risk_themes:detail", args=[other.pk])).status_code == 404


def test_the_enterprise_confirms_from_its_page(client, world, posts):
    """GIVEN a published theme WHEN e1's principal opens its themes THEN the theme with a confirm button; WHEN it
    confirms with a note THEN confirmed and listed under confirmed; another enterprise's theme is a 404; the clerk
    without a post sees no button."""
    theme = published(world.users["city"], region=world.d1)
    login(client, world.users["enterprise"])
    mine = client.get(reverse("risk_themes:mine"))
    assert (
        mine.status_code == 200
        and "元旦假期风险" in mine.content.decode()
        and "确认：已检查管控措施" in mine.content.decode()
    )
    page = client.get(reverse("risk_themes:confirm", args=[theme.pk]))
    assert page.status_code == 200 and "动火作业审批" in page.content.decode()
    done = client.post(reverse("risk_themes:confirm", args=[theme.pk]), {"note": "已逐项检查"})
    assert done.status_code == 302
    row = ThemeConfirmation.objects.get(theme=theme, enterprise=world.e1)
    assert row.note == "已逐项检查" and row.confirmed_by == world.users["enterprise"]
    again = client.post(reverse("risk_themes:confirm", args=[theme.pk]), follow=True)
    assert "已确认" in again.content.decode()
    assert login(client, world.users["e2_boss"]).get(reverse("risk_themes:confirm", args=[theme.pk])).status_code == 404
    clerk = login(client, world.users["e1_clerk"]).get(reverse("risk_themes:confirm", args=[theme.pk]))
    assert clerk.status_code == 200 and "确认：已检查管控措施" not in clerk.content.decode()
    assert login(client, world.users["outsider"]).get(reverse("risk_themes:mine")).status_code == 403


def test_the_edit_page_changes_a_draft(client, world, posts):
    """GIVEN the housing bureau's draft WHEN its head opens the edit page THEN only the industries it supervises are
    offered; WHEN it posts a new title THEN saved and audited; a district gets 404 for the draft."""
    theme = themes.create(world.users["dept_head"], **fields())
    login(client, world.users["dept_head"])
    url = reverse("risk_themes:edit", args=[theme.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["industries"].queryset) == [world.build]
    data = {name: value for name, value in form.initial.items() if name != "industries"}
    data |= {
        "title": "建筑施工冬季风险", "region": world.city.pk, "starts_on": theme.starts_on.isoformat(),
        "ends_on": theme.ends_on.isoformat(), "confirm_by": localtime(theme.confirm_by).strftime("%Y-%m-%dT%H:%M"),
    }  # fmt: skip
    assert client.post(url, data).status_code == 302
    theme.refresh_from_db()
    assert theme.title == "建筑施工冬季风险"
    assert login(client, world.users["district"]).get(url).status_code == 404
