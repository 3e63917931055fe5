"""The warning circular (`accidents.circulars`): the draft's wording, issuing (number, notices to the three kinds
of unit, recipients, audit), each refusal, the numbering, the bounded queries, acknowledgement and its figures, and
the pass-up's wording."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accidents import circulars
from accidents.models import Circular, CircularCounter
from audit.models import AuditEvent
from notifications import answers
from notifications.models import Notification
from notifications.outbox import SweepResult
from notifications.outbox import acknowledge as inbox_acknowledge
from organizations.choices import PositionKind, UnitKind
from safety_platform.lib.errors import Conflict
from tests.accidents.factories import make_external, make_lesson, make_task
from tests.factories import EnterpriseFactory, PositionFactory, UserFactory, assign

from .circulars_fixtures import *  # noqa: F403  (the fixtures)
from .circulars_fixtures import EXPECTED, published_lesson

TITLE, BODY = "关于外省某化工厂爆炸事故的警示通报", "各有关单位：\n\n立即对照检查。"


def issued(s, who="city"):
    return circulars.issue(s.users[who], s.lesson, title=TITLE, body=BODY)


def told(circular) -> set[str]:
    return set(Notification.objects.filter(key__startswith=f"circular:{circular.pk}:")
               .values_list("recipient__username", flat=True))  # fmt: skip


# --- the draft ------------------------------------------------------------------------------------------------------


def test_the_draft_reads_as_a_warning_circular(setting):
    """GIVEN a lesson of an accident elsewhere with causes, injuries and a loss WHEN drafted THEN the title is
    关于…的警示通报 and the body has the three parts, the anonymous enterprise, the figures, the causes, the lesson and
    the deadline sentence."""
    title, body = circulars.draft(setting.lesson)
    assert title == "关于外省某化工厂爆炸事故的警示通报"
    for part in ("一、事故基本情况", "二、事故原因", "三、工作要求", "外省某企业", "某省某市", "3人死亡、2人重伤",
                 "直接经济损失约125万元", "人的不安全行为", "安全教育培训不够", "举一反三，对照检查。"):  # fmt: skip
        assert part in body, part
    local = timezone.localtime(setting.lesson.deadline)
    assert f"于{local.year}年{local.month}月{local.day}日" in body and "前完成对照检查并在系统中提交" in body
    assert "某化工有限公司" not in body


def test_the_draft_of_a_local_accident_names_the_enterprise_and_says_causes_are_investigated(world):
    """GIVEN an accident here without causes or casualties WHEN drafted THEN the enterprise is named, no casualties
    and the causes under investigation."""
    from tests.accidents.factories import make_accident

    accident = make_accident(world.e1, world.users["city"])
    lesson = make_lesson(accident, world.users["city"], world.city, status="published")
    _, body = circulars.draft(lesson)
    assert "海滨化工有限公司在仓库发生一起" in body and "未造成人员伤亡" in body and "事故原因正在调查中" in body


# --- issuing --------------------------------------------------------------------------------------------------------


def test_issuing_numbers_tells_the_three_kinds_of_unit_and_is_audited(setting, settings):
    """GIVEN a published lesson with four tasks WHEN the city office issues its circular THEN it is numbered 1 of the
    year, the enterprises' posts (safety manager where the principal is vacant), the departments' heads and the
    districts' leaders are told must-answer, linked to the circular, `recipients` says seven, and it is audited."""
    settings.ACCIDENT_CIRCULAR_ISSUER = ""
    circular = issued(setting)
    year = timezone.localtime(circular.issued_at).year
    assert (circular.year, circular.serial, circular.number) == (year, 1, f"〔{year}〕1号")
    assert circular.issuing_unit == "滨海市安全生产委员会办公室" and circular.recipients == 7
    assert told(circular) == EXPECTED
    notices = Notification.objects.filter(key__startswith=f"circular:{circular.pk}:")
    assert all(n.must_answer and n.kind == "circular" and n.link == f"/circulars/{circular.pk}/" for n in notices)
    assert all(n.key == f"circular:{circular.pk}:{n.recipient_id}" for n in notices)
    due = min(timedelta(days=3), setting.lesson.deadline - circular.issued_at)
    assert all(n.answer_due_at == circular.issued_at + due for n in notices)
    event = AuditEvent.objects.get(action="circular.issue")
    assert event.actor == setting.users["city"] and event.changes["number"] == circular.number


def test_the_issuer_setting_heads_the_circular(setting, settings):
    """GIVEN ACCIDENT_CIRCULAR_ISSUER set WHEN issued THEN it is the issuing unit."""
    settings.ACCIDENT_CIRCULAR_ISSUER = "滨海市安全生产委员会"
    assert issued(setting).issuing_unit == "滨海市安全生产委员会"


def test_two_issues_in_a_row_get_one_and_two_and_the_number_is_unique(world, posts):
    """GIVEN two published lessons WHEN both circulars are issued THEN serials 1 and 2 from one counter row; a third
    with a taken number breaks the unique constraint."""
    first = circulars.issue(world.users["city"], published_lesson(world), title=TITLE, body=BODY)
    second = circulars.issue(world.users["city"], published_lesson(world), title=TITLE, body=BODY)
    assert (first.serial, second.serial) == (1, 2)
    assert CircularCounter.objects.get(year=first.year).last == 2
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Circular.objects.create(lesson=published_lesson(world), year=first.year, serial=2, title="x", body="y",
                                issued_by=world.users["city"], issuing_unit="x")  # fmt: skip


@pytest.mark.parametrize("who", ["dept_head", "district", "enterprise", "inspector", "outsider"])
def test_only_the_owning_unit_issues(setting, who):
    """GIVEN a lesson of the city WHEN a department, a district, an enterprise or an inspector issues THEN 403 (or
    404 out of scope) and nothing is written."""
    with pytest.raises((PermissionDenied, Http404)):
        issued(setting, who)
    assert not Circular.objects.exists() and not Notification.objects.exists()


def test_the_district_government_issues_its_own_lesson(world, posts):
    """GIVEN a lesson 海滨区's government made over its district WHEN its territorial leader issues THEN it is issued
    under the district's name; another district's leader may not (a circular is its lesson's unit's, as the lesson)."""
    lesson = published_lesson(world)
    lesson.region, lesson.region_path, lesson.created_by = world.d1, world.d1.path, world.users["district"]
    lesson.save()
    circular = circulars.issue(world.users["district"], lesson, title=TITLE, body=BODY)
    assert circular.issuing_unit == "海滨区人民政府"
    assert "issue_circular" not in circulars.can(world.users["lead2"], lesson)


def test_a_department_lesson_is_issued_by_its_department(world, posts):
    """GIVEN a lesson of 市住房和城乡建设局 WHEN its head issues THEN issued; the district's leader may not."""
    lesson = published_lesson(world, department=world.zjj)
    assert "issue_circular" not in circulars.can(world.users["district"], lesson)
    assert (
        circulars.issue(world.users["dept_head"], lesson, title=TITLE, body=BODY).issuing_unit == "市住房和城乡建设局"
    )


@pytest.mark.parametrize("status", ["draft", "withdrawn"])
def test_only_a_published_lesson_has_a_circular(setting, status):
    """GIVEN a draft or withdrawn lesson WHEN issued THEN 409 and nothing written."""
    setting.lesson.status = status
    setting.lesson.save()
    with pytest.raises(Conflict):
        issued(setting)
    assert not Circular.objects.exists()


def test_one_circular_per_lesson_naming_its_number(setting):
    """GIVEN a lesson with its circular WHEN issued again THEN 409 naming the number, no second notice."""
    first = issued(setting)
    with pytest.raises(Conflict, match=r"〔\d+〕1号"):
        issued(setting)
    assert Circular.objects.count() == 1 and Notification.objects.count() == 7
    assert "issue_circular" not in circulars.can(setting.users["city"], setting.lesson)
    assert first.number in str(first)


@pytest.mark.parametrize("title, body, field", [("  ", BODY, "title"), ("长" * 201, BODY, "title"),
                                                (TITLE, "", "body"), (TITLE, "字" * 20001, "body")])  # fmt: skip
def test_title_and_body_are_required_within_limits(setting, title, body, field):
    """GIVEN an empty or too long title or body WHEN issued THEN 400 naming the field; no number taken."""
    with pytest.raises(ValidationError) as raised:
        circulars.issue(setting.users["city"], setting.lesson, title=title, body=body)
    assert field in raised.value.message_dict
    assert not Circular.objects.exists() and not CircularCounter.objects.filter(last__gt=0).exists()


def test_a_lesson_out_of_scope_is_not_found(setting):
    """GIVEN a lesson over the city WHEN someone without a unit issues THEN 404."""
    with pytest.raises(Http404):
        issued(setting, "outsider")


def _lesson_with(world, n: int):
    by = world.users["city"]
    lesson = make_lesson(make_external(world.city, world.chem, by), by, world.city, status="published")
    for _ in range(n):
        enterprise = EnterpriseFactory(region=world.t1, industry=world.chem)
        position = PositionFactory(kind=PositionKind.ENTERPRISE_PRINCIPAL, unit_kind=UnitKind.ENTERPRISE,
                                   enterprise=enterprise)  # fmt: skip
        assign(UserFactory(unit_kind=UnitKind.ENTERPRISE, enterprise=enterprise), position)
        make_task(lesson, enterprise, department=world.d1_yjj)
    return lesson


def test_issuing_costs_the_same_queries_for_ten_and_fifty_enterprises(world, posts):
    """GIVEN lessons with 10 and 50 tasks (the year's counter made by an earlier issue) WHEN each circular is issued
    THEN the same number of queries, everyone told."""
    circulars.issue(world.users["city"], _lesson_with(world, 1), title=TITLE, body=BODY)
    counts = []
    for n in (10, 50):
        lesson = _lesson_with(world, n)
        user = world.users["city"]
        user = type(user).objects.get(pk=user.pk)
        with CaptureQueriesContext(connection) as queries:
            circular = circulars.issue(user, lesson, title=TITLE, body=BODY)
        counts.append(len(queries))
        assert circular.recipients == n + 2  # the enterprises, 海滨区应急管理局's head, 海滨区's leader
    assert counts[0] == counts[1], counts


# --- acknowledgement ------------------------------------------------------------------------------------------------


def test_acknowledging_on_the_page_and_in_the_inbox_count_and_the_lists_match(setting):
    """GIVEN an issued circular WHEN e1's principal acknowledges on the page and the district's leader in the inbox
    THEN the figures say 1 of 3 enterprises, 0 of 2 departments, 1 of 2 territories, and the lists name exactly the
    others; acknowledging again is 409; someone not told is 403."""
    circular = issued(setting)
    circulars.acknowledge(setting.users["enterprise"], circular.pk)
    notice = Notification.objects.get(key=circulars.notice_key(circular.pk, setting.users["district"].pk))
    inbox_acknowledge(setting.users["district"], notice)
    with CaptureQueriesContext(connection) as queries:
        figures = circulars.acknowledgements(setting.users["city"], circular)
    assert len(queries) == 1
    kinds = figures.kinds
    assert (kinds["enterprises"].total, kinds["enterprises"].acknowledged) == (3, 1)
    assert (kinds["departments"].total, kinds["departments"].acknowledged) == (2, 0)
    assert (kinds["territories"].total, kinds["territories"].acknowledged) == (2, 1)
    assert {u.name for u in kinds["enterprises"].pending} == {"新城建设集团", "新城矿业有限公司"}
    assert {u.name for u in kinds["departments"].pending} == {"海滨区应急管理局", "市住房和城乡建设局"}
    assert {u.name for u in kinds["territories"].pending} == {"新城区"}
    for kind in kinds.values():
        assert kind.total == kind.acknowledged + len(kind.pending)
    with pytest.raises(Conflict):
        circulars.acknowledge(setting.users["enterprise"], circular.pk)
    with pytest.raises(PermissionDenied):
        circulars.acknowledge(setting.users["inspector"], circular.pk)
    assert "acknowledge" in circulars.can(setting.users["e2_boss"], circular)
    assert "acknowledge" not in circulars.can(setting.users["enterprise"], circular)


def test_the_figures_are_in_the_viewers_scope(setting):
    """GIVEN an issued circular WHEN 海滨区's leader and e2's principal look THEN the district sees its enterprise, its
    department and itself; the enterprise only itself."""
    circular = issued(setting)
    district = circulars.acknowledgements(setting.users["district"], circular).kinds
    assert [u.name for u in district["enterprises"].pending] == ["海滨化工有限公司"]
    assert [u.name for u in district["departments"].pending] == ["海滨区应急管理局"]
    assert [u.name for u in district["territories"].pending] == ["海滨区"]
    mine = circulars.acknowledgements(setting.users["e2_boss"], circular)
    assert mine.total == 1 and mine.kinds["enterprises"].pending[0].name == "新城建设集团"


def test_one_holder_acknowledging_stops_the_units_other_notices(world, posts):
    """GIVEN e1 with two principal holders WHEN one acknowledges THEN the other's notice is no longer must-answer."""
    second = UserFactory(username="e1_second", unit_kind=UnitKind.ENTERPRISE, enterprise=world.e1)
    assign(second, posts.e1_principal)
    lesson = published_lesson(world)
    circular = circulars.issue(world.users["city"], lesson, title=TITLE, body=BODY)
    circulars.acknowledge(world.users["enterprise"], circular.pk)
    other = Notification.objects.get(key=circulars.notice_key(circular.pk, second.pk))
    assert not other.must_answer
    assert Notification.objects.get(key=circulars.notice_key(circular.pk, world.users["e2_boss"].pk)).must_answer


def test_an_unacknowledged_circular_passes_up_worded_as_not_acknowledged(setting):
    """GIVEN an issued circular nobody acknowledged WHEN the sweep runs after the answer time THEN e1's principal's
    notice passes up to 海滨区应急管理局's head as 警示通报未签收, naming the post and pointing at the circular."""
    circular = issued(setting)
    later = timezone.now() + timedelta(days=4)
    answers.pass_up(later, 100, SweepResult(), dry_run=False)
    original = Notification.objects.get(key=circulars.notice_key(circular.pk, setting.users["enterprise"].pk))
    up = Notification.objects.get(parent=original)
    assert up.recipient == setting.users["d1_head"]
    assert up.title == "警示通报未签收" and "海滨化工主要负责人" in up.body
    assert up.link == f"/circulars/{circular.pk}/#pending" and up.must_answer
    assert up.answer_due_at == later + timedelta(hours=circulars.PASS_UP_HOURS)
