"""Risk themes (`risks.themes`): each rule, each bad input with its error, publishing in bulk at a pinned query
count, withdrawal, confirmation, scope, and the holiday helper the checks use."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from audit.models import AuditEvent
from notifications.models import Notification
from organizations.choices import OperatingState
from risks import themes
from risks.choices import ThemeStatus
from risks.models import RiskTheme, ThemeConfirmation
from safety_platform.lib.errors import Conflict

from ..factories import EnterpriseFactory
from .themes_fixtures import *  # noqa: F403  (the fixture)
from .themes_fixtures import at, fields, published, today


def confirmed_ids(theme) -> set[int]:
    return set(ThemeConfirmation.objects.filter(theme=theme).values_list("enterprise_id", flat=True))


# --- create and edit ------------------------------------------------------------------------------------------------


def test_the_city_office_drafts_a_theme_for_the_whole_city(world):
    """GIVEN the city office's staff WHEN they create a theme without a region THEN a draft for the city, audited,
    with no confirmation yet."""
    theme = themes.create(world.users["city"], **fields())
    assert theme.status == ThemeStatus.DRAFT and theme.region == world.city and theme.region_path == world.city.path
    assert theme.department is None and not theme.confirmations.exists()
    event = AuditEvent.objects.get(action="risk_theme.create")
    assert event.actor == world.users["city"] and event.changes["title"] == "元旦假期风险"


@pytest.mark.parametrize("who", ["outsider", "enterprise", "inspector"])
def test_only_the_city_office_governments_and_departments_create(world, who):
    """GIVEN someone without an unit, an enterprise or an inspector WHEN they create THEN 403 and nothing stored."""
    with pytest.raises(PermissionDenied):
        themes.create(world.users[who], **fields())
    assert not RiskTheme.objects.exists()


def test_a_department_theme_is_its_own_and_within_its_region(world):
    """GIVEN a department head WHEN they create THEN the theme is the department's, in its region."""
    theme = themes.create(world.users["dept_head"], **fields(industries=[world.build]))
    assert theme.department == world.zjj and theme.region == world.city
    assert list(theme.industries.all()) == [world.build]


def bad_inputs(world):
    day = today()
    return [
        ({"kind": "weather"}, "kind"),
        ({"title": "  "}, "title"),
        ({"title": "长" * 121}, "title"),
        ({"required_controls": ""}, "required_controls"),
        ({"description": "x" * 5001}, "description"),
        ({"starts_on": None}, "starts_on"),
        ({"ends_on": day}, "ends_on"),  # before the first day (tomorrow)
        ({"starts_on": day - timedelta(days=20), "ends_on": day - timedelta(days=1)}, "ends_on"),  # over already
        ({"ends_on": day + timedelta(days=400)}, "ends_on"),  # longer than a year
        ({"starts_on": day.replace(year=1999)}, "starts_on"),
        ({"confirm_by": None}, "confirm_by"),
        ({"confirm_by": at(day - timedelta(days=1))}, "confirm_by"),  # passed
        ({"confirm_by": at(day + timedelta(days=11))}, "confirm_by"),  # after the period's last day
        ({"region": None, "industries": ["S01"]}, "industries"),
    ]


@pytest.mark.parametrize("case", range(14))
def test_each_bad_input_is_refused_by_field(world, case):
    """GIVEN one bad value WHEN the city office creates THEN a 400 naming that field, in Chinese, nothing stored."""
    changes, name = bad_inputs(world)[case]
    if "region" in changes and changes["region"] is None:
        changes = {"industries": ["S01"]}  # not Industry rows
    with pytest.raises(ValidationError) as caught:
        themes.create(world.users["city"], **fields(**changes))
    assert name in caught.value.message_dict, caught.value.message_dict
    assert not RiskTheme.objects.exists()


def test_a_government_stays_in_its_territory_and_a_department_in_its_industries(world):
    """GIVEN 海滨区's leader and the city's housing bureau WHEN one names 新城区, the other chemicals THEN 400 on
    region, 400 on industries, each in Chinese."""
    with pytest.raises(ValidationError) as caught:
        themes.create(world.users["district"], **fields(region=world.d2))
    assert caught.value.message_dict["region"] == ["请选择您辖区内的区域。"]
    with pytest.raises(ValidationError) as caught:
        themes.create(world.users["dept_head"], **fields(industries=[world.chem]))
    assert "危险化学品" in caught.value.message_dict["industries"][0]
    assert themes.create(world.users["district"], **fields(region=world.t1)).region == world.t1


def test_a_draft_is_edited_and_an_edit_changing_nothing_writes_nothing(world):
    """GIVEN a draft WHEN its title changes THEN saved and audited with before and after; WHEN the same again THEN
    no audit record; WHEN an unknown field THEN 400."""
    city = world.users["city"]
    theme = themes.create(city, **fields())
    themes.edit(city, theme.pk, {"title": "元旦春节假期风险", "industries": [world.chem]})
    theme.refresh_from_db()
    assert theme.title == "元旦春节假期风险" and list(theme.industries.all()) == [world.chem]
    edits = AuditEvent.objects.filter(action="risk_theme.edit")
    assert edits.get().changes["title"] == ["元旦假期风险", "元旦春节假期风险"]
    themes.edit(city, theme.pk, {"title": "元旦春节假期风险", "confirm_by": theme.confirm_by})
    assert edits.count() == 1
    with pytest.raises(ValidationError) as caught:
        themes.edit(city, theme.pk, {"status": "published"})
    assert "status" in caught.value.message_dict


def test_only_a_draft_is_edited_and_only_by_its_unit(world, posts):
    """GIVEN a district's draft WHEN another district edits THEN 404 (a draft is its unit's); WHEN published THEN
    the owner's edit is 409, and the city office's too."""
    theme = themes.create(world.users["district"], **fields(region=world.t1))
    with pytest.raises(Http404):
        themes.edit(world.users["lead2"], theme.pk, {"title": "x"})
    themes.publish(world.users["district"], theme.pk)
    for who in ("district", "city"):
        with pytest.raises(Conflict):
            themes.edit(world.users[who], theme.pk, {"title": "x"})


# --- publish ----------------------------------------------------------------------------------------------------------


def test_publishing_makes_a_confirmation_per_operating_enterprise_in_region_and_industries(world, posts):
    """GIVEN e3 suspended WHEN the city office publishes a city-wide theme THEN e1, e2 and e4 get confirmations with
    their region path and industry; WHEN a theme for 新城区 and building THEN only e2."""
    world.e3.operating_state = OperatingState.SUSPENDED
    world.e3.save()
    theme = published(world.users["city"])
    assert theme.status == ThemeStatus.PUBLISHED and theme.published_at is not None
    assert confirmed_ids(theme) == {world.e1.pk, world.e2.pk, world.e4.pk}
    row = ThemeConfirmation.objects.get(theme=theme, enterprise=world.e1)
    assert row.region_path == world.t1.path and row.industry == world.chem and row.confirmed_at is None
    narrow = published(world.users["city"], region=world.d2, industries=[world.build])
    assert confirmed_ids(narrow) == {world.e2.pk}
    event = AuditEvent.objects.filter(action="risk_theme.publish").first()
    assert event.changes["enterprises"] in (1, 3)


def test_a_sector_covers_its_industries_and_a_department_theme_its_supervised_ones(world, posts):
    """GIVEN the sector 工矿商贸 chosen THEN chemicals and mines (e1, e3); GIVEN the housing bureau's theme without
    industries THEN only building (e2), and the theme keeps the industries it covered."""
    assert confirmed_ids(published(world.users["city"], industries=[world.sector])) == {world.e1.pk, world.e3.pk}
    theme = published(world.users["dept_head"])
    assert confirmed_ids(theme) == {world.e2.pk}
    assert set(theme.industries.values_list("pk", flat=True)) == {world.build.pk}


def test_each_enterprise_principal_is_told_to_confirm_by_the_time(world, posts):
    """GIVEN principals at e1 and e2, only a safety manager at e3, nobody at e4 WHEN published THEN a must-answer
    notice due at confirm_by to e1's and e2's principal and e3's safety manager (e1's safety manager not), linking
    the confirm page."""
    theme = published(world.users["city"])
    notices = Notification.objects.filter(kind="theme")
    assert {n.recipient.username for n in notices} == {"enterprise", "e2_boss", "e3_safety"}
    notice = notices.get(recipient=world.users["enterprise"])
    assert notice.must_answer and notice.answer_due_at == theme.confirm_by
    assert notice.position == posts.e1_principal and notice.link == f"/risks/themes/{theme.pk}/confirm/"
    assert notice.title == "待确认的风险主题：元旦假期风险" and "动火作业审批" in notice.body


def publish_queries(world, n: int) -> int:
    for i in range(n):
        EnterpriseFactory(name=f"批量企业{n}-{i}", region=world.t2, industry=world.build)
    theme = themes.create(world.users["city"], **fields(title=f"主题{n}"))
    with CaptureQueriesContext(connection) as ctx:
        themes.publish(world.users["city"], theme.pk)
    assert theme.confirmations.count() >= n
    return len(ctx.captured_queries)


def test_publishing_costs_the_same_queries_for_5_or_60_enterprises(world, posts):
    """GIVEN 5 more enterprises, then 60 more WHEN a theme is published each time THEN the same number of queries
    (the confirmations in one INSERT … SELECT, the notices in the outbox's few), and it is small."""
    few = publish_queries(world, 5)
    many = publish_queries(world, 60)
    assert few == many and few <= 22, (few, many)


def test_publishing_twice_is_a_conflict_and_a_stranger_cannot(world, posts):
    """GIVEN a published city theme WHEN published again THEN 409; WHEN a district withdraws it THEN 403."""
    theme = published(world.users["city"])
    with pytest.raises(Conflict):
        themes.publish(world.users["city"], theme.pk)
    with pytest.raises(PermissionDenied):
        themes.withdraw(world.users["district"], theme.pk)
    with pytest.raises(Http404):
        themes.withdraw(world.users["outsider"], theme.pk)


def test_publishing_past_the_confirm_time_or_with_no_enterprise_is_refused_and_writes_nothing(world, posts):
    """GIVEN a draft whose confirm-by passed WHEN published THEN 400 on confirm_by; GIVEN one for an industry with no
    enterprise WHEN published THEN 400, still a draft, no confirmation, no notice."""
    theme = themes.create(world.users["city"], **fields())
    with time_machine.travel(theme.confirm_by + timedelta(minutes=1)), pytest.raises(ValidationError) as caught:
        themes.publish(world.users["city"], theme.pk)
    assert "confirm_by" in caught.value.message_dict
    empty = themes.create(world.users["city"], **fields(region=world.d1, industries=[world.build]))
    with pytest.raises(ValidationError) as caught:
        themes.publish(world.users["city"], empty.pk)
    assert caught.value.message_dict["non_field_errors"] == ["该区域、这些行业内没有正常经营的企业。"]
    empty.refresh_from_db()
    assert empty.status == ThemeStatus.DRAFT and not ThemeConfirmation.objects.exists()
    assert not Notification.objects.filter(kind="theme").exists()


# --- withdraw and confirm -------------------------------------------------------------------------------------------


def test_withdrawing_stops_the_notices_and_confirming_after_it_is_a_conflict(world, posts):
    """GIVEN a published theme WHEN withdrawn THEN its notices no longer need an answer, audited with the reason;
    WHEN withdrawn again or confirmed THEN 409."""
    theme = published(world.users["city"])
    themes.withdraw(world.users["city"], theme.pk, "天气原因")
    theme.refresh_from_db()
    assert theme.status == ThemeStatus.WITHDRAWN
    assert not Notification.objects.filter(kind="theme", must_answer=True).exists()
    assert AuditEvent.objects.get(action="risk_theme.withdraw").reason == "天气原因"
    with pytest.raises(Conflict):
        themes.withdraw(world.users["city"], theme.pk)
    with pytest.raises(Conflict):
        themes.confirm(world.users["enterprise"], theme.pk)


def test_the_enterprise_confirms_once_and_its_notice_is_answered(world, posts):
    """GIVEN a published theme WHEN e1's principal confirms with a note THEN confirmed, their notice answered, the
    enterprise's other notices stopped, audited; WHEN again (or by its safety manager) THEN 409."""
    theme = published(world.users["city"])
    row = themes.confirm(world.users["enterprise"], theme.pk, "已逐项检查")
    assert row.confirmed_by == world.users["enterprise"] and row.note == "已逐项检查" and row.confirmed_at
    notice = Notification.objects.get(kind="theme", recipient=world.users["enterprise"])
    assert notice.acknowledged_at is not None
    assert AuditEvent.objects.get(action="risk_theme.confirm").changes == {"theme": theme.pk, "note": "已逐项检查",
                                                                            "late": False}  # fmt: skip
    for who in ("enterprise", "e1_safety"):
        with pytest.raises(Conflict):
            themes.confirm(world.users[who], theme.pk)
    others = ThemeConfirmation.objects.filter(theme=theme).exclude(enterprise=world.e1)
    assert not others.filter(confirmed_at__isnull=False).exists()


def test_only_the_enterprise_own_staff_confirm(world, posts):
    """GIVEN a published theme WHEN an employee without a post confirms THEN 403; WHEN a government or an enterprise
    outside the theme THEN 404; WHEN a note is too long THEN 400."""
    theme = published(world.users["city"], region=world.d1)
    with pytest.raises(PermissionDenied):
        themes.confirm(world.users["e1_clerk"], theme.pk)
    for who in ("city", "district", "e2_boss"):
        with pytest.raises(Http404):
            themes.confirm(world.users[who], theme.pk)
    with pytest.raises(ValidationError) as caught:
        themes.confirm(world.users["enterprise"], theme.pk, "字" * 501)
    assert "note" in caught.value.message_dict


def test_a_late_confirmation_is_taken_and_recorded_late(world, posts):
    """GIVEN the confirm-by time passed WHEN e2 confirms THEN it is confirmed, the audit says late."""
    theme = published(world.users["city"])
    with time_machine.travel(theme.confirm_by + timedelta(hours=1)):
        themes.confirm(world.users["e2_boss"], theme.pk)
    assert AuditEvent.objects.get(action="risk_theme.confirm").changes["late"] is True


# --- can() and scope ------------------------------------------------------------------------------------------------


def test_can_offers_what_the_functions_accept(world, posts):
    """GIVEN a district's draft, then published THEN can() names edit and publish, then withdraw, to its owner and the
    city office only; confirm to the enterprise's staff only."""
    theme = themes.create(world.users["district"], **fields(region=world.d1))
    assert themes.can(world.users["district"], theme) == {"edit", "publish"}
    assert themes.can(world.users["city"], theme) == {"edit", "publish"}
    assert themes.can(world.users["lead2"], theme) == set()
    themes.publish(world.users["district"], theme.pk)
    theme.refresh_from_db()
    assert themes.can(world.users["district"], theme) == {"withdraw"}
    assert themes.can(world.users["county_dept"], theme) == set()
    row = ThemeConfirmation.objects.get(theme=theme, enterprise=world.e1)
    assert themes.can(world.users["enterprise"], row) == {"confirm"}
    assert themes.can(world.users["e1_clerk"], row) == set()
    assert themes.can(world.users["outsider"], row) == set()


def test_who_sees_which_theme_and_confirmation(world, posts):
    """GIVEN a city theme, a 海滨区 theme, a 新城区 theme and a 新城区 draft THEN the city office sees all; 海滨区
    its own and the city's (not 新城区's, nor the draft); e1 the same as its region; e1's staff only their own
    confirmations; a department the confirmations of its industries."""
    city = published(world.users["city"])
    d1 = published(world.users["district"], region=world.d1)
    d2 = published(world.users["lead2"], region=world.d2)
    draft = themes.create(world.users["lead2"], **fields(region=world.d2))
    seen = {who: set(themes.visible_themes(world.users[who])) for who in ("city", "district", "enterprise", "lead2")}
    assert seen["city"] == {city, d1, d2, draft}
    assert seen["district"] == {city, d1} and seen["enterprise"] == {city, d1}
    assert seen["lead2"] == {city, d2, draft}
    assert themes.visible_themes(world.users["outsider"]).count() == 0
    mine = ThemeConfirmation.objects.visible_to(world.users["enterprise"])
    assert set(mine.values_list("enterprise_id", flat=True)) == {world.e1.pk}
    housing = ThemeConfirmation.objects.visible_to(world.users["dept_head"])
    assert set(housing.values_list("enterprise_id", flat=True)) == {world.e2.pk}


def test_counts_are_of_the_confirmations_in_scope(world, posts):
    """GIVEN a city theme, e1 confirmed THEN the city office counts 1 confirmed and 3 not yet; 海滨区 1 and 1; past
    the confirm-by time the not-yet ones are overdue."""
    theme = published(world.users["city"])
    themes.confirm(world.users["enterprise"], theme.pk)
    assert themes.counts(world.users["city"], [theme])[theme.pk] == themes.Counts(1, 3, 0)
    assert themes.counts(world.users["district"], [theme])[theme.pk] == themes.Counts(1, 1, 0)
    later = theme.confirm_by + timedelta(minutes=1)
    assert themes.counts(world.users["city"], [theme], later)[theme.pk] == themes.Counts(1, 0, 3)
    rows = themes.counts_by_region(world.users["city"], theme, world.city)
    assert [(r.region, r.counts) for r in rows] == [
        (world.d1, themes.Counts(1, 1, 0)),
        (world.d2, themes.Counts(0, 2, 0)),
    ]


# --- the holiday helper ---------------------------------------------------------------------------------------------


def test_holiday_theme_on_names_the_published_holiday_themes_of_a_day_and_where(world, posts):
    """GIVEN a published holiday theme for 海滨区 and chemicals, a seasonal one city-wide, a withdrawn holiday one and a
    holiday draft THEN on a day of the period only the first covers, e1 and not e2 or e4; outside the period none."""
    day = today() + timedelta(days=3)
    holiday = published(world.users["city"], region=world.d1, industries=[world.sector])
    published(world.users["city"], kind="seasonal", title="冬季防火")
    themes.withdraw(world.users["city"], published(world.users["city"]).pk)
    themes.create(world.users["city"], **fields())
    cover = themes.holiday_theme_on(day)
    assert [c.theme_id for c in cover.themes] == [holiday.pk]
    assert cover.themes[0].region_path == world.d1.path
    assert cover.themes[0].industry_ids == {world.sector.pk, world.chem.pk, world.mine.pk}
    assert cover.covers(world.t1.path, world.chem.pk) and not cover.covers(world.t2.path, world.chem.pk)
    assert not cover.covers(world.t1.path, world.gap.pk)
    asked = themes.holiday_theme_on(day, [world.e1.pk, world.e2.pk, world.e4.pk])
    assert asked.enterprise_ids == {world.e1.pk}
    from organizations.models import Enterprise

    assert list(Enterprise.objects.filter(cover.q("region__path", "industry_id"))) == [world.e1]
    assert not themes.holiday_theme_on(today() + timedelta(days=30))
    assert themes.holiday_theme_on(today() + timedelta(days=30), [world.e1.pk]).enterprise_ids == frozenset()


def test_a_department_supervising_nothing_cannot_publish_to_everyone(world):
    """GIVEN a department in charge of no industry (and not the default supervisor) WHEN its head publishes a theme
    without industries THEN 400 on industries, not a theme for every industry; still a draft."""
    from organizations.choices import PositionKind, UnitKind

    from ..factories import DepartmentFactory, PositionFactory, UserFactory, assign

    idle = DepartmentFactory(code="idle", name="市闲置局", region=world.city)
    head = UserFactory(username="idle_head", unit_kind=UnitKind.DEPARTMENT, department=idle)
    assign(head, PositionFactory(kind=PositionKind.DEPARTMENT_HEAD, unit_kind=UnitKind.DEPARTMENT, department=idle))
    theme = themes.create(head, **fields())
    with pytest.raises(ValidationError) as caught:
        themes.publish(head, theme.pk)
    assert caught.value.message_dict["industries"] == ["本部门未监管任何行业。"]
    theme.refresh_from_db()
    assert theme.status == ThemeStatus.DRAFT and not theme.confirmations.exists()
