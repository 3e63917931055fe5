"""Illegal operations (打非治违): who records them and where (scope), what a record needs (Chinese messages), which
department it falls to when none is named, the registry's flag it may set, and handling it until closed (409 after,
but for the city office). Every change audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone
from django.utils.translation import override

from audit.models import AuditEvent
from organizations.models import Enterprise
from oversight import illegal
from oversight.models import IllegalOperation
from safety_platform.lib.errors import Conflict

from .factories import make_illegal, make_visit, make_watch

pytestmark = pytest.mark.django_db


def _record(world, user="city", **values):
    base = {"kind": "unlicensed", "description": "无证生产", "source": "patrol", "enterprise": world.e1}
    return illegal.record(world.users[user], **{**base, **values})


def _errors(caught) -> dict:
    return {name: messages[0] for name, messages in caught.value.message_dict.items()}


# --- recording ------------------------------------------------------------------------------------------------------


def test_a_record_takes_the_enterprise_place_and_its_department(world):
    op = _record(world, "district")
    assert (op.region, op.region_path, op.industry, op.operator_name) == (
        world.t1,
        world.t1.path,
        world.chem,
        world.e1.name,
    )
    assert op.department == world.d1_yjj  # the nearest in charge of chemicals at 海滨街道
    assert op.found_on == timezone.localdate() and op.result == "open" and op.closed_on is None
    event = AuditEvent.objects.get(action="illegal.record", object_id=str(op.pk))
    assert event.actor == world.users["district"] and event.changes["department"] == world.d1_yjj.pk


@pytest.mark.parametrize(
    ("region", "industry", "department"),
    [
        ("t2", "mine", "yjj"),  # a sector's industry: the city's department of the sector
        ("t2", "build", "d2_zjj"),  # the county's before the city's
        ("t1", "build", "zjj"),  # no county department: the city's
        ("t1", "gap", "d1_yjj"),  # no one in charge: the nearest default supervisor
        ("t2", "gap", "yjj"),
    ],
)
def test_an_operator_outside_the_registry_falls_to_the_department_there(world, region, industry, department):
    op = illegal.record(
        world.users["city"],
        kind="unlicensed",
        description="黑作坊",
        source="patrol",
        operator_name="无名加工点",
        region=getattr(world, region),
        address="某村某组",
        industry=getattr(world, industry),
    )
    assert op.enterprise is None and op.operator_name == "无名加工点"
    assert op.department == getattr(world, department)


def test_a_department_given_is_kept(world):
    op = _record(world, department=world.yjj.pk)
    assert op.department == world.yjj


def test_what_a_record_needs_in_chinese(world):
    with override("zh-hans"), pytest.raises(ValidationError) as caught:
        illegal.record(
            world.users["city"],
            kind="nonsense",
            description=" ",
            source="tip_off",
            found_on=timezone.localdate() + timedelta(days=1),
        )
    errors = _errors(caught)
    assert errors["kind"] == "请选择非法违法行为的类别。"
    assert errors["description"] == "此项为必填项。"
    assert errors["operator_name"] == "请选择企业，或填写未登记的经营者名称。"
    assert errors["region"] == "请选择发现地所在区域。"
    assert errors["industry"] == "请选择行业。"
    assert errors["found_on"] == "发现日期不能晚于当前时间。"
    assert errors["source_ref"] == "请填写举报编号。"
    assert not IllegalOperation.objects.exists()


def test_a_final_result_needs_an_action_and_a_closing_day_not_before_found(world):
    found = timezone.localdate() - timedelta(days=3)
    with override("zh-hans"), pytest.raises(ValidationError) as caught:
        _record(world, found_on=found, result="banned", closed_on=found - timedelta(days=1))
    errors = _errors(caught)
    assert errors["action"] == "给出最终结果前请选择采取的措施。"
    assert errors["closed_on"].startswith("办结日期不能早于发现日期")
    op = _record(world, found_on=found, action="ban", result="banned")
    assert op.closed_on == timezone.localdate()


def test_links_to_a_source_must_match_it_and_be_in_scope(world):
    watch = make_watch(world.e2, world.d2_zjj, world.users["dept_head"])
    visit = make_visit(watch, world.users["dept_head"])
    with override("zh-hans"), pytest.raises(ValidationError) as caught:
        _record(world, "district", source="patrol", visit=visit.pk)
    assert _errors(caught)["visit"] == "只有来源为动向盯守的记录才能关联盯守巡查。"
    with pytest.raises(ValidationError) as caught:
        _record(world, "district", source="watch", visit=visit.pk)  # 新城区's visit: not the district's
    assert "visit" in _errors(caught)
    op = _record(world, "city", source="watch", visit=visit.pk, enterprise=None, kind="producing_while_suspended")
    assert op.visit == visit and op.enterprise == world.e2 and op.department == world.d2_zjj  # the visit's enterprise
    with pytest.raises(ValidationError) as caught:
        _record(world, source="inspection", inspection=999999)
    assert "inspection" in _errors(caught)
    tip = _record(world, source="tip_off", source_ref="JB-2026-0001")
    assert tip.source_ref == "JB-2026-0001"


# --- who and where --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("user", ["enterprise", "outsider"])
def test_only_the_governments_staff_record(world, user):
    with pytest.raises(PermissionDenied):
        _record(world, user)
    assert not illegal.may_record(world.users[user])


def test_a_district_records_in_its_territory_only(world):
    with override("zh-hans"), pytest.raises(ValidationError) as caught:
        _record(
            world,
            "district",
            enterprise=None,
            operator_name="黑加油点",
            region=world.t2,
            address="新城路",
            industry=world.chem,
        )
    assert _errors(caught)["region"] == "该区域不在你的辖区内。"
    with pytest.raises(ValidationError) as caught:
        _record(world, "district", enterprise=world.e2)  # 新城区's enterprise
    assert "enterprise" in _errors(caught)


def test_a_department_records_what_it_supervises(world):
    user = "county_dept"  # 海滨区应急管理局: chemicals and the gaps in 海滨区
    with pytest.raises(ValidationError) as caught:
        _record(
            world,
            user,
            enterprise=None,
            operator_name="违建工地",
            region=world.t1,
            address="海滨路",
            industry=world.build,
        )
    assert "industry" in _errors(caught)
    taken = _record(
        world,
        user,
        enterprise=None,
        operator_name="违建工地",
        region=world.t1,
        address="海滨路",
        industry=world.build,
        department=world.d1_yjj,
    )
    assert IllegalOperation.objects.visible_to(world.users[user]).filter(pk=taken.pk).exists()
    with pytest.raises(ValidationError) as caught:
        _record(world, "dept_head")  # 住建局 does not see 海滨化工
    assert "enterprise" in _errors(caught)


def test_records_are_seen_in_scope(world):
    chem = _record(world)  # 海滨区, chemicals: 海滨区应急管理局
    build = _record(world, enterprise=world.e2, kind="illegal_subcontracting")  # 新城区, building: 新城区住建局
    seen = {
        name: set(IllegalOperation.objects.visible_to(world.users[name]).values_list("pk", flat=True))
        for name in ("city", "district", "dept_head", "county_dept", "inspector", "enterprise", "outsider")
    }
    assert seen["city"] == {chem.pk, build.pk}
    assert seen["district"] == {chem.pk} and seen["county_dept"] == {chem.pk} and seen["inspector"] == {chem.pk}
    assert seen["dept_head"] == {build.pk}
    assert seen["enterprise"] == set() and seen["outsider"] == set()


# --- the registry's flag --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "enterprise", "field", "value"),
    [
        ("unlicensed", "e1", "licence_state", "unlicensed"),
        ("illegal_subcontracting", "e2", "is_subcontracting", True),
        ("borrowed_qualification", "e2", "is_borrowed_qualification", True),
    ],
)
def test_set_flag_marks_the_registry(world, kind, enterprise, field, value):
    target = getattr(world, enterprise)
    before = getattr(target, field)
    plain = _record(world, kind=kind, enterprise=target)
    assert getattr(Enterprise.objects.get(pk=target.pk), field) == before  # offered, not forced
    assert illegal.offers_flag(plain)
    op = _record(world, kind=kind, enterprise=target, set_flag=True)
    assert getattr(Enterprise.objects.get(pk=target.pk), field) == value
    event = AuditEvent.objects.get(action="enterprise.update", object_id=str(target.pk))
    assert event.changes[field][1] == value and event.reason
    assert AuditEvent.objects.get(action="illegal.record", object_id=str(op.pk)).changes["registry_flag"]
    assert not illegal.offers_flag(IllegalOperation.objects.select_related("enterprise").get(pk=op.pk))


def test_set_flag_needs_a_flagged_kind_and_an_enterprise(world):
    with override("zh-hans"), pytest.raises(ValidationError) as caught:
        _record(world, kind="beyond_licence", set_flag=True)
    assert _errors(caught)["set_flag"].startswith("只有登记在册")
    with pytest.raises(ValidationError):
        _record(
            world,
            enterprise=None,
            operator_name="黑作坊",
            region=world.t1,
            address="x",
            industry=world.chem,
            set_flag=True,
        )
    assert not IllegalOperation.objects.exists()  # the record is not kept without its flag
    assert Enterprise.objects.get(pk=world.e1.pk).licence_state == "licensed"


def test_a_department_sets_the_flag_without_keeping_the_registry(world):
    """An inspector holds no registry keeper's post; the record's own rule lets the flag through."""
    _record(world, "inspector", set_flag=True)
    assert Enterprise.objects.get(pk=world.e1.pk).licence_state == "unlicensed"


# --- handling -------------------------------------------------------------------------------------------------------


def test_handle_until_closed_then_only_the_city_office(world):
    op = make_illegal(
        world.e1, world.users["district"], department=world.d1_yjj, found_on=timezone.localdate() - timedelta(days=10)
    )
    district = world.users["district"]
    illegal.handle(district, op.pk, action="stop")
    op.refresh_from_db()
    assert (op.action, op.result, op.closed_on) == ("stop", "open", None)
    illegal.handle(district, op.pk, result="stopped")
    op.refresh_from_db()
    assert (op.result, op.closed_on) == ("stopped", timezone.localdate())
    events = AuditEvent.objects.filter(action="illegal.update", object_id=str(op.pk)).order_by("id")
    assert [e.changes for e in events][1]["result"] == ["open", "stopped"]
    assert illegal.can(district, op) == set()
    with pytest.raises(Conflict):
        illegal.handle(district, op.pk, result="open")
    city = world.users["city"]
    assert illegal.can(city, op) == {"handle"}
    illegal.handle(city, op.pk, result="open")  # reopened by the city office
    op.refresh_from_db()
    assert (op.result, op.closed_on) == ("open", None)


def test_handle_refuses_out_of_scope_and_non_staff(world):
    op = make_illegal(world.e1, world.users["city"], department=world.d1_yjj)
    with pytest.raises(Http404):
        illegal.handle(world.users["dept_head"], op.pk, action="ban")
    with pytest.raises(Http404):
        illegal.handle(world.users["enterprise"], op.pk, action="ban")
    before = AuditEvent.objects.count()
    illegal.handle(world.users["city"], op.pk, action="")  # nothing changes: nothing written
    assert AuditEvent.objects.count() == before


def test_handle_in_chinese(world):
    op = make_illegal(world.e1, world.users["city"], found_on=timezone.localdate())
    with override("zh-hans"), pytest.raises(ValidationError) as caught:
        illegal.handle(world.users["city"], op.pk, result="banned", closed_on=timezone.localdate() + timedelta(1))
    errors = _errors(caught)
    assert errors["action"] == "给出最终结果前请选择采取的措施。"
    assert errors["closed_on"] == "办结日期不能晚于当前时间。"
    with override("zh-hans"), pytest.raises(ValidationError) as caught:
        illegal.handle(world.users["city"], op.pk, closed_on=timezone.localdate())
    assert _errors(caught)["closed_on"] == "仍在办理中的记录没有办结日期。"
